"""Benchmark a OneRoster CSV bundle's preview against the same district as a plain CSV.

Run from the repository root with only ``requirements.txt`` installed::

    python benchmarks/bench_oneroster.py --students 200000 --memory

It takes the district and the SIS export of ``bench_preview.py`` (generated
once, cached under ``benchmarks/data/``) and writes the same students as a
OneRoster 1.1 bundle: ``users.csv`` (plus one teacher per 20 students),
``orgs.csv`` and ``demographics.csv``.  Then it times, best of ``--repeat``,
``engine.preview`` of the bundle (which unzips, folds orgs and demographics
into the users and keeps the students) and of the plain export, against
the same roster.  With ``--memory`` it runs ``python -m engine preview
--incoming bundle.zip`` in a fresh process and reports its wall time and
peak resident memory.
"""

import argparse
import csv
import io
import json
import resource
import subprocess
import sys
import time
import zipfile

from bench_preview import DATA, ROOT, data_files

sys.path.insert(0, str(ROOT))

from engine import PRESETS, PreviewOptions, preview  # noqa: E402
from engine.cli import load_roster  # noqa: E402

# The export has no student e-mail column, so the bundle's email is blank:
# the OneRoster preset's mapping without it, as a district would set it.
MAPPING = {h: t for h, t in PRESETS["oneroster"].mapping().items() if t["field"] != "email"}

_GRADES = {"K": "KG", "PK": "PK"}
_SEX = {"M": "male", "F": "female", "X": "other"}


def bundle_file(export_path):
    """Write the export's students as a OneRoster 1.1 bundle, once; return its path."""
    path = DATA / (export_path.stem + ".oneroster.zip")
    if path.exists():
        return path
    with export_path.open(newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        students = list(reader)
    users, demographics = io.StringIO(), io.StringIO()
    user_writer = csv.writer(users, lineterminator="\r\n")
    user_writer.writerow(
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
        "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
        "password".split(",")
    )
    demo_writer = csv.writer(demographics, lineterminator="\r\n")
    demo_writer.writerow(["sourcedId", "status", "dateLastModified", "birthDate", "sex"])
    schools = set()
    for n, row in enumerate(students):
        school = row["School_Code"]
        schools.add(school)
        month, day, year = row["DOB"].split("/")
        grade = _GRADES.get(row["Grade_Level"]) or f"{int(row['Grade_Level']):02d}"
        user_writer.writerow(
            [f"s{n}", "active", "", "true", f"org-{school}", "student", f"u{n}", ""]
            + [row["First_Name"], row["Last_Name"], row["Middle_Name"], row["Student_Number"]]
            + ["", "", "", "", grade, ""]
        )
        demo_writer.writerow([f"s{n}", "active", "", f"{year}-{month}-{day}", _SEX[row["Gender"]]])
        if n % 20 == 0:
            user_writer.writerow(
                [f"t{n}", "active", "", "true", f"org-{school}", "teacher", f"t{n}", ""]
                + ["Tess", f"Teacher{n}", "", f"T{n}", "", "", "", "", "", ""]
            )
    orgs = io.StringIO()
    org_writer = csv.writer(orgs, lineterminator="\r\n")
    org_writer.writerow(["sourcedId", "status", "dateLastModified", "name", "type", "identifier"])
    for school in sorted(schools):
        org_writer.writerow([f"org-{school}", "active", "", school, "school", school])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", "propertyName,value\r\noneroster.version,1.1\r\n")
        archive.writestr("users.csv", users.getvalue())
        archive.writestr("orgs.csv", orgs.getvalue())
        archive.writestr("demographics.csv", demographics.getvalue())
    return path


def best(function, repeat):
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    return min(seconds), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="peak memory of the CLI")
    args = parser.parse_args(argv)
    roster_path, export_path, _expected = data_files(args.students, 0.03, 1)
    bundle_path = bundle_file(export_path)
    roster = load_roster(roster_path)
    bundle = bundle_path.read_bytes()
    export = export_path.read_bytes()
    options = PreviewOptions(mapping=MAPPING)
    bundle_s, result = best(lambda: preview(roster, bundle, bundle_path.name, options), args.repeat)
    csv_s, _csv = best(lambda: preview(roster, export, export_path.name), args.repeat)
    print(f"students {args.students:,}, bundle {len(bundle) / 1e6:.1f} MB zipped")
    print(f"  bundle preview {bundle_s:.2f} s ({result.rows / bundle_s:,.0f} students/s)")
    print(f"  plain CSV preview {csv_s:.2f} s")
    print(f"  counts {result.counts}; notes {result.notes}")
    if args.memory:
        started = time.perf_counter()
        mapping_path = DATA / "oneroster-mapping.json"
        mapping_path.write_text(json.dumps(MAPPING))
        subprocess.run(
            [sys.executable, "-m", "engine", "preview", "--existing", str(roster_path)]
            + ["--incoming", str(bundle_path), "--mapping", str(mapping_path), "--json"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  CLI on the bundle: {wall:.2f} s wall, peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
