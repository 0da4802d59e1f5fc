"""Benchmark the engine's preview against a naive baseline on a synthetic district.

Run from the repository root with only ``requirements.txt`` installed::

    python benchmarks/bench_preview.py --students 200000 --memory
    python benchmarks/bench_preview.py --sizes 10000,100000,200000,1000000 --memory

For every size it generates (once, deterministically, cached under
``benchmarks/data/``) a roster CSV in the format ``python -m engine preview
--existing`` reads and an SIS-style export with a few percent of adds,
updates and missing students, then times in this process, best of
``--repeat``:

* the engine: ``engine.cli.load_roster`` on the roster file, then
  ``engine.preview`` over the export's bytes;
* the naive baseline: ``csv.reader`` over both files, a dict of tuples keyed
  by student number, one tuple comparison per row (no normalisation, no
  validation, no change lines: the floor for "read two CSVs and compare").

With ``--memory`` it also runs the whole command line, ``python -m engine
preview --existing ... --incoming ... --json``, in a fresh process and
reports its wall time and peak resident memory (``ru_maxrss`` of that child).
"""

import argparse
import csv
import gc
import os
import random
import statistics
import subprocess
import sys
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, the benchmark's own folder is on sys.path, not the root
# that holds the ``engine`` package.
sys.path.insert(0, str(ROOT))

from engine import FIELDS, preview  # noqa: E402
from engine.cli import load_roster  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
# Bump when the generator changes, so that stale cached files are not reused.
GENERATOR_VERSION = 4

EXPORT_HEADER = (
    "Student_Number",
    "First_Name",
    "Middle_Name",
    "Last_Name",
    "DOB",
    "Gender",
    "Grade_Level",
    "Homeroom",
    "School_Code",
    "Meal_Status",
    "PIN",
    "Guardian_Name",
    "Guardian_Phone",
    "Guardian_Email",
    "Address",
    "City",
    "Zip",
)
# The roster fields the export carries, in export order (it has no student
# e-mail column, so ``email`` is not a managed field, as in a real export).
EXPORT_FIELDS = tuple(name for name in FIELDS if name != "email")

# --- the synthetic district -------------------------------------------------

_FIRST = (
    "Aaliyah Aaron Abigail Adam Addison Adrian Aiden Alexander Alexis Alice Allison "
    "Amelia Andrew Angel Anna Anthony Aria Ariana Ashley Aubrey Audrey Austin Ava "
    "Avery Bella Benjamin Brandon Brayden Brooklyn Caleb Cameron Camila Carlos "
    "Carter Charles Charlotte Chloe Christian Christopher Claire Connor Daniel David "
    "Diego Dylan Eleanor Elijah Elizabeth Ella Emily Emma Ethan Evan Evelyn Gabriel "
    "Gabriella Genesis Grace Grayson Hailey Hannah Harper Henry Hudson Hunter Isaac "
    "Isabella Isaiah Jack Jackson Jacob Jaxon Jayden Jeremiah John Jonathan Jordan "
    "Jose Joseph Joshua Josiah Julia Julian Kayla Kennedy Kevin Khloe Landon Layla "
    "Leah Leo Levi Liam Lillian Lily Logan Lucas Lucy Luis Luke Madelyn Madison "
    "Mason Mateo Matthew Maya Mia Michael Mila Natalie Nathan Nevaeh Noah Nora Oliver "
    "Olivia Owen Paisley Penelope Riley Robert Ryan Samantha Samuel Sarah Savannah "
    "Scarlett Sebastian Skylar Sofia Sophia Stella Thomas Tyler Victoria Violet "
    "William Wyatt Xavier Zoe Zoey José María Zoë Chloé Renée Nicolás Sofía Thảo Søren Łucja"
).split()
_LAST = (
    "Adams Allen Alvarez Anderson Bailey Baker Barnes Bell Bennett Brooks Brown "
    "Butler Campbell Carter Castillo Chavez Clark Collins Cook Cooper Cox Cruz Davis "
    "Diaz Edwards Evans Fisher Flores Foster Garcia Gomez Gonzalez Gray Green "
    "Gutierrez Hall Harris Hernandez Hill Howard Hughes Jackson James Jenkins Jimenez "
    "Johnson Jones Kelly Kim King Lee Lewis Long Lopez Martin Martinez Miller "
    "Mitchell Moore Morales Morgan Morris Murphy Myers Nelson Nguyen Ortiz Parker "
    "Patel Perez Perry Peterson Phillips Powell Price Ramirez Reed Reyes Richardson "
    "Rivera Roberts Robinson Rodriguez Rogers Ross Ruiz Russell Sanchez Sanders Scott "
    "Smith Stewart Sullivan Taylor Thomas Thompson Torres Turner Walker Ward Watson "
    "White Williams Wilson Wood Wright Young Nguyễn Trần Müller Sánchez Núñez Peña Gómez "
    "Hernández Dvořák Çelik"
).split()
_SYLLABLES = (
    "al an ar ba bel ca da del dor el en fa ga han is ja ka ke la le li lo ma mar "
    "mi na ne no or ra re ri ro sa se sha ta te ti to va vi wen ya za zo"
).split()
_STREETS = (
    "Maple Oak Pine Cedar Elm Walnut Willow Birch Spruce Chestnut Hickory Magnolia "
    "Lake Hill Park River Sunset Meadow Forest Valley Ridge Spring Highland Church "
    "Mill Washington Lincoln Jefferson Madison Franklin Jackson Main Center Union"
).split()
_SUFFIXES = ("St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct", "Way", "Pl", "Ter")
_CITIES = (
    "Springfield Riverton Fairview Greenville Franklin Clinton Georgetown Salem "
    "Madison Arlington Ashland Oakdale Milton Dover Hudson Kingston Newport "
    "Burlington Lexington Marion"
).split()
_EXPORT_GRADE = {"PK": "PK", "KG": "K"}
_EXPORT_MEAL = {"free": "F", "reduced": "R", "paid": "P"}
_GRADES = ("PK", "KG", *(f"{grade:02d}" for grade in range(1, 13)))
_TODAY = date(2025, 9, 1)  # fixed, so that the files do not depend on the day


def _name_pool(rng, seeds, size):
    """``seeds`` plus made-up names, ``size`` in all: a few hundred/thousand names.

    The real names come first, in a random order, so they are the common ones.
    """
    names = list(seeds)
    rng.shuffle(names)
    seen = set(names)
    while len(names) < size:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        name = name.capitalize()
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _skewed(rng, pool):
    # Name frequencies are skewed: the first name of the pool goes to about
    # 2% of the students, the last ones to almost nobody.
    return pool[int(len(pool) * rng.random() ** 2)]


def _address(first, last, serial, domain):
    """A unique e-mail address, in ASCII even for José Nguyễn (jose.nguyen)."""
    local = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore")
    return f"{local.decode().lower()}.{serial}@{domain}"


class District:
    """Draws students; unique values (numbers, e-mails, phones, streets) come from ``serial``."""

    def __init__(self, rng, size):
        self.rng = rng
        self.first = _name_pool(rng, _FIRST, 2000)
        self.last = _name_pool(rng, _LAST, 5000)
        schools = max(10, size // 600)
        self.schools = [f"{100 + n}" for n in range(schools)]
        self.zips = [f"{rng.randint(10000, 99999)}" for _ in range(60)]

    def student(self, serial):
        """Canonical field values (FIELDS order, as a dict) of student ``serial``."""
        rng = self.rng
        first = _skewed(rng, self.first)
        last = _skewed(rng, self.last)
        roll = rng.random()
        middle = "" if roll < 0.4 else (first[0] if roll < 0.5 else _skewed(rng, self.first))
        grade_index = rng.randrange(len(_GRADES))
        born = _TODAY - timedelta(days=365 * (grade_index + 4) + rng.randrange(365))
        school = self.schools[rng.randrange(len(self.schools))]
        meal = rng.random()
        street_number = 1 + (serial * 7919) % 9973
        street = (
            f"{street_number} {_STREETS[serial % len(_STREETS)]} "
            f"{_SUFFIXES[(serial // len(_STREETS)) % len(_SUFFIXES)]}"
        )
        # One in fifty lives in an apartment: a comma, so a quoted CSV field.
        if serial % 50 == 0:
            street += f", Apt {1 + serial % 40}"
        phone = (serial * 7919 + 1234567) % 10_000_000
        guardian_first = _skewed(rng, self.first)
        city = rng.randrange(len(_CITIES))
        return {
            "student_number": f"{1_000_000 + serial}",
            "first_name": first,
            "middle_name": middle,
            "last_name": last,
            "birthdate": born.isoformat(),
            "gender": "MF"[rng.random() < 0.5] if rng.random() < 0.99 else "X",
            "grade": _GRADES[grade_index],
            "homeroom": f"{rng.randint(1, 3)}{rng.randint(0, 3)}{rng.randint(0, 9)}",
            "school_code": school,
            "eligibility": "free" if meal < 0.45 else ("reduced" if meal < 0.53 else "paid"),
            "pin": f"{rng.randrange(10000):04d}",
            "email": _address(first, last, serial, "students.example.org"),
            "guardian_name": f"{guardian_first} {last}",
            "guardian_phone": f"({200 + phone // 10_000 % 800}) {phone // 10_000 % 1000:03d}"
            f"-{phone % 10_000:04d}",
            "guardian_email": _address(guardian_first, last, serial, "mail.example.com"),
            "street": street,
            "city": _CITIES[city],
            "zip": self.zips[city * 3 + rng.randrange(3)],
        }

    def update(self, student):
        """Change one or two fields, as a year's real updates do."""
        changed = dict(student)
        while changed == student:  # a draw may change nothing (grade 12 + 1)
            self._change(changed, self.rng.choice((1, 1, 1, 2)))
        return changed

    def _change(self, changed, how_many):
        rng = self.rng
        for _ in range(how_many):
            what = rng.random()
            if what < 0.25:
                grade = _GRADES.index(changed["grade"])
                changed["grade"] = _GRADES[min(grade + 1, len(_GRADES) - 1)]
            elif what < 0.50:
                others = [e for e in _EXPORT_MEAL if e != changed["eligibility"]]
                changed["eligibility"] = rng.choice(others)
            elif what < 0.65:
                changed["homeroom"] = f"{rng.randint(1, 3)}{rng.randint(0, 3)}{rng.randint(0, 9)}"
            elif what < 0.80:
                changed["street"] = f"{rng.randint(1, 9999)} {rng.choice(_STREETS)} Ct"
                changed["city"] = rng.choice(_CITIES)
            elif what < 0.90:
                changed["guardian_phone"] = (
                    f"(555) {rng.randint(100, 999)}-{rng.randint(0, 9999):04d}"
                )
            elif what < 0.95:
                changed["school_code"] = rng.choice(self.schools)
            else:
                changed["last_name"] = _skewed(rng, self.last)


def export_row(student):
    """The student as the SIS writes it: MM/DD/YYYY, grade 1..12/K, meal F/R/P."""
    year, month, day = student["birthdate"].split("-")
    grade = student["grade"]
    row = [student[name] for name in EXPORT_FIELDS]
    row[4] = f"{month}/{day}/{year}"
    row[6] = _EXPORT_GRADE.get(grade) or str(int(grade))
    row[9] = _EXPORT_MEAL[student["eligibility"]]
    return row


def data_files(students, changes, seed):
    """Return ``(roster path, export path, expected counts)``, generating them once."""
    stem = f"v{GENERATOR_VERSION}-n{students}-c{changes:g}-s{seed}"
    roster_path = DATA / f"roster-{stem}.csv"
    export_path = DATA / f"export-{stem}.csv"
    counts_path = DATA / f"counts-{stem}.txt"
    if counts_path.exists():
        expected = dict(line.split("=") for line in counts_path.read_text().split())
        return roster_path, export_path, {k: int(v) for k, v in expected.items()}
    DATA.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = random.Random(seed)
    district = District(rng, students)
    # Of the changes: half updates, a quarter adds, a quarter missing.  One
    # percent of the roster is archived, and a tenth of those come back.
    n_update = round(students * changes / 2)
    n_add = round(students * changes / 4)
    n_missing = round(students * changes / 4)
    n_archived = students // 100
    n_back = n_archived // 10
    order = list(range(students))
    rng.shuffle(order)
    archived = set(order[:n_archived])
    back = set(order[:n_back])
    missing = set(order[n_archived : n_archived + n_missing])
    updated = set(order[n_archived + n_missing : n_archived + n_missing + n_update])
    rows = []
    with roster_path.open("w", newline="", encoding="utf-8") as roster_file:
        writer = csv.writer(roster_file, lineterminator="\n")
        writer.writerow((*FIELDS, "active"))
        for serial in range(students):
            student = district.student(serial)
            is_archived = serial in archived
            writer.writerow((*(student[name] for name in FIELDS), "0" if is_archived else "1"))
            if serial in missing or (is_archived and serial not in back):
                continue
            if serial in updated:
                student = district.update(student)
            rows.append((student["school_code"], student["last_name"], export_row(student)))
    for serial in range(students, students + n_add):
        student = district.student(serial)
        rows.append((student["school_code"], student["last_name"], export_row(student)))
    # SIS exports come sorted by school and name, not by student number.
    rows.sort(key=lambda item: (item[0], item[1]))
    with export_path.open("w", newline="", encoding="utf-8") as export_file:
        writer = csv.writer(export_file, lineterminator="\r\n")
        writer.writerow(EXPORT_HEADER)
        writer.writerows(row for _school, _last, row in rows)
    expected = {
        "rows": len(rows),
        "add": n_add,
        "update": n_update,
        "inactivate": n_missing,
        "reactivate": n_back,
    }
    counts_path.write_text("".join(f"{k}={v}\n" for k, v in expected.items()))
    seconds = time.perf_counter() - started
    print(f"  generated {students:,} students in {seconds:.1f}s under {DATA}", flush=True)
    return roster_path, export_path, expected


# --- what is timed ----------------------------------------------------------


def run_engine(roster_path, export_path):
    """Load the roster and preview the export: what the CLI does, minus printing."""
    roster = load_roster(roster_path)
    result = preview(roster, export_path.read_bytes(), export_path.name)
    return result.rows, result.counts


def run_baseline(roster_path, export_path):
    """The naive floor: csv.reader, a dict of tuples, one tuple comparison per row."""
    with roster_path.open(newline="", encoding="utf-8") as roster_file:
        reader = csv.reader(roster_file)
        header = next(reader)
        positions = [header.index(name) for name in EXPORT_FIELDS]
        roster = {}
        for cells in reader:
            roster[cells[0]] = tuple(cells[i] for i in positions[1:])
    counts = {"add": 0, "update": 0, "unchanged": 0, "missing": 0}
    rows = 0
    with export_path.open(newline="", encoding="utf-8") as export_file:
        reader = csv.reader(export_file)
        next(reader)
        for cells in reader:
            rows += 1
            old = roster.pop(cells[0], None)
            if old is None:
                counts["add"] += 1
            elif old == tuple(cells[1:]):
                counts["unchanged"] += 1
            else:
                counts["update"] += 1
    counts["missing"] = len(roster)
    return rows, counts


def median_of(functions, repeat, *args):
    """Median wall and CPU seconds of each of ``functions`` over ``repeat`` rounds.

    Returns one ``(wall, cpu, last result)`` per function, and the median of
    the rounds' ratios of the first function to the second (wall, CPU).  The
    functions take turns within a round, so that a slow spell of a shared
    machine weighs on both sides of a round's ratio alike, and the median
    keeps one noisy round from deciding.
    """
    walls = [[] for _ in functions]
    cpus = [[] for _ in functions]
    results = [None] * len(functions)
    for _ in range(repeat):
        for n, function in enumerate(functions):
            results[n] = None  # free the last result before timing again
            gc.collect()
            started, started_cpu = time.perf_counter(), time.process_time()
            results[n] = function(*args)
            walls[n].append(time.perf_counter() - started)
            cpus[n].append(time.process_time() - started_cpu)
    ratio = statistics.median(a / b for a, b in zip(walls[0], walls[1], strict=True))
    cpu_ratio = statistics.median(a / b for a, b in zip(cpus[0], cpus[1], strict=True))
    timings = [
        (statistics.median(wall), statistics.median(cpu), result)
        for wall, cpu, result in zip(walls, cpus, results, strict=True)
    ]
    return timings, ratio, cpu_ratio


# Linux keeps a process's peak RSS across fork and exec, so a CLI started
# straight from this (large) process would report this process's peak.  A
# small launcher starts it instead and reports its child's figures.
_LAUNCHER = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - started
print(done.returncode, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def run_cli(roster_path, export_path):
    """Run ``python -m engine preview --json`` in a fresh process: (seconds, peak RSS MB)."""
    command = [
        sys.executable,
        "-m",
        "engine",
        "preview",
        "--existing",
        str(roster_path),
        "--incoming",
        str(export_path),
        "--json",
    ]
    launched = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    returncode, seconds, peak_kib = launched.stdout.split()
    if returncode != "0":
        raise SystemExit(f"the CLI failed ({returncode}): {' '.join(command)}")
    # Linux reports ru_maxrss in KiB.
    return float(seconds), int(peak_kib) / 1024


def measure(students, args):
    """Time one size; return the table row."""
    roster_path, export_path, expected = data_files(students, args.changes, args.seed)
    (engine, baseline), ratio, cpu_ratio = median_of(
        (run_engine, run_baseline), args.repeat, roster_path, export_path
    )
    (engine_s, engine_cpu, (rows, counts)) = engine
    (baseline_s, baseline_cpu, (base_rows, base_counts)) = baseline
    for kind in ("add", "update", "inactivate", "reactivate"):
        if counts[kind] != expected[kind]:
            raise SystemExit(f"engine counted {counts[kind]} {kind}, expected {expected[kind]}")
    if base_rows != rows or base_counts["add"] != counts["add"]:
        raise SystemExit("the baseline read another file than the engine")
    row = {
        "students": students,
        "rows": rows,
        "engine_s": engine_s,
        "baseline_s": baseline_s,
        "engine_rps": rows / engine_s,
        "baseline_rps": rows / baseline_s,
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "counts": counts,
    }
    if args.memory:
        row["cli_s"], row["peak_mb"] = run_cli(roster_path, export_path)
    return row


def _print_table(results, memory):
    head = (
        "| students | rows | engine s | baseline s | engine rows/s | baseline rows/s "
        "| ratio | CPU ratio |"
    )
    rule = "|---:|---:|---:|---:|---:|---:|---:|---:|"
    if memory:
        head += " CLI s | CLI peak RSS MB |"
        rule += "---:|---:|"
    print(head)
    print(rule)
    for r in results:
        line = (
            f"| {r['students']:,} | {r['rows']:,} | {r['engine_s']:.2f} | "
            f"{r['baseline_s']:.2f} | {r['engine_rps']:,.0f} | {r['baseline_rps']:,.0f} | "
            f"{r['ratio']:.2f} | {r['cpu_ratio']:.2f} |"
        )
        if memory:
            line += f" {r['cli_s']:.2f} | {r['peak_mb']:,.0f} |"
        print(line)


def main(argv=None):
    """Parse the arguments, run the sizes, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--students", type=int, help="one size (default 200000)")
    size.add_argument("--sizes", help="comma-separated sizes, e.g. 10000,100000,200000,1000000")
    parser.add_argument("--changes", type=float, default=0.03, help="share of changed students")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the district")
    parser.add_argument(
        "--repeat", type=int, default=5, help="alternating runs per measure (the median counts)"
    )
    parser.add_argument(
        "--memory", action="store_true", help="also run the CLI in a fresh process for peak RSS"
    )
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    else:
        sizes = [args.students or 200_000]
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; changes {args.changes:g}, "
        f"seed {args.seed}, median of {args.repeat}",
        flush=True,
    )
    results = []
    for students in sizes:
        row = measure(students, args)
        counts = ", ".join(f"{k} {v:,}" for k, v in row["counts"].items())
        print(f"  {students:,} students: {counts}", flush=True)
        results.append(row)
    print()
    _print_table(results, args.memory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
