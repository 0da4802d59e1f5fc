"""Time the addon's imports inside Odoo, side by side with Odoo's own import.

Run with Odoo's Python, against a database where the addon is installed
(``benchmarks/README.md`` has the one command that prepares and runs it)::

    PYTHONPATH=$ODOO_SRC $ODOO_PYTHON benchmarks/bench_odoo.py --students 100000 -- \\
        -d DB --db_host SOCKET_DIR --db_port PORT --db_user odoo \\
        --addons-path=$ODOO_SRC/addons,.local/addons

It uses the synthetic district of ``bench_preview.py``, each import in a
company of its own and a transaction of its own that is rolled back: nothing
stays in the database.

1. The addon: the first load (Run Now of the whole roster into an empty
   company, every student an add, then Apply), the screens a reviewer opens
   on that run (its form, Review Changes filtered by change type, one
   line), then a nightly file (a few percent of changes) previewed, applied
   and reverted.
2. The peers, on the same rows (the roster file, whose values are already
   in Odoo's formats): ``base_import`` driven as the web client drives it
   (``parse_preview``, then ``execute_import`` in batches of 2,000 rows, each
   reading the file again), ``load()`` in batches of 2,000 rows, and
   ``create()`` in batches of 2,000 with the values already converted.  All
   with tracking off, as the web client's import does by default.

Each step prints its wall time, rows per second and its own peak resident
memory (Linux's high-water mark, reset before the step); the end prints the
ratios.  ``--no-peers`` skips the peers (for a million students, where
``base_import`` alone would take an hour).  ``--screens-only`` stops after
the first load's review screens, then times Preview Again and Cancel of
that run (each deletes every line of the run).
"""

import argparse
import csv
import importlib.util
import io
import os
import sys
import time
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_preview import data_files  # noqa: E402

# The tests' stand-in for the people who confirm and approve a run, loaded by
# path: importing the addon's tests package would import Odoo's test framework.
_spec_grants = importlib.util.spec_from_file_location(
    "grants", Path(__file__).resolve().parent.parent / "tests" / "grants.py"
)
_grants = importlib.util.module_from_spec(_spec_grants)
_spec_grants.loader.exec_module(_grants)
grant_safeguards = _grants.grant_safeguards

BATCH = 2000
PROFILE = set()


def _reset_peak():
    """Reset the process's peak RSS to its current RSS (Linux, clear_refs 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


BACKEND = {}


def _backend_cpu():
    """CPU seconds of this benchmark's PostgreSQL backend, from /proc (0 if unknown)."""
    pid = BACKEND.get("pid")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _step(label, function, rows=None):
    profiler = None
    if label in PROFILE:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    _reset_peak()
    started, cpu, pg_cpu = time.perf_counter(), time.process_time(), _backend_cpu()
    result = function()
    seconds = time.perf_counter() - started
    cpu, pg_cpu = time.process_time() - cpu, _backend_cpu() - pg_cpu
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    rate = f"{rows / seconds:9,.0f} rows/s" if rows else " " * 16
    print(
        f"  {label:<44} {seconds:8.2f} s {rate}   peak {_peak_mb():6,.0f} MB"
        f"   CPU {cpu:6.2f} s + PostgreSQL {pg_cpu:5.2f} s",
        flush=True,
    )
    return result, seconds


def _district(env, codes, name):
    """A company of its own with the district's schools; the env in it."""
    company = env["res.company"].create({"name": name})
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    env["school.site"].create(
        [{"name": code, "code": code, "company_id": company.id} for code in sorted(codes)]
    )
    return env, company


def _spec(env, model, views, depth=0):
    """The ``web_read`` specification of the fields ``views`` show of ``model``."""
    spec = {}
    for name in views["models"][model]["fields"]:
        field = env[model]._fields[name]
        if field.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            if depth or field.comodel_name not in views["models"]:
                continue
            spec[name] = {
                "fields": _spec(env, field.comodel_name, views, depth + 1),
                "limit": 80,
            }
        else:
            spec[name] = {}
    return spec


def _screens(env, run):
    """What the web client asks the server for, for each screen of a review."""
    Run, Line = env["student.import.run"], env["student.import.line"]
    run_views = Run.get_views([(False, "form")])
    line_views = Line.get_views([(False, "list"), (False, "form"), (False, "search")])
    run_spec = _spec(env, "student.import.run", run_views)
    list_arch = etree.fromstring(line_views["views"]["list"]["arch"])
    list_spec = {
        node.get("name"): (
            {"fields": {"display_name": {}}}
            if Line._fields[node.get("name")].type == "many2one"
            else {}
        )
        for node in list_arch.iter("field")
    }
    form_spec = _spec(env, "student.import.line", line_views)
    domain = [("run_id", "=", run.id)]
    env.invalidate_all()
    _step("  the run's form", lambda: Run.browse(run.id).web_read(run_spec))
    env.invalidate_all()

    def review_changes():
        Line.search_panel_select_multi_range(
            "change_type", search_domain=domain, enable_counters=True, expand=True
        )
        return Line.web_search_read(
            [*domain, ("change_type", "in", ["add"])], list_spec, limit=80, count_limit=10001
        )

    page, _ = _step("  Review Changes, Add ticked", review_changes)
    env.invalidate_all()
    line_id = page["records"][-1]["id"]
    _step("  a line's details", lambda: Line.browse(line_id).web_read(form_spec))


def _peer_rows(roster_path):
    """The roster file's header and rows, without ``active`` (the addon's
    first load makes every student active, so do the peers)."""
    with roster_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, rows = rows[0], rows[1:]
    keep = [i for i, name in enumerate(header) if name != "active"]
    fields = ["school_id" if header[i] == "school_code" else header[i] for i in keep]
    return fields, [[row[i] for i in keep] for row in rows]


def _seed_roster(env, company, roster_path):
    """Load the roster file straight into ``school_student`` with COPY (for
    ``--nightly-only``: the nightly file needs a roster, not its timing)."""
    sites = {site.code: site.id for site in env["school.site"].search([])}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    with roster_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        names = [name for name in reader.fieldnames if name not in ("school_code", "active")]
        for row in reader:
            given = " ".join(part for part in (row["first_name"], row["middle_name"]) if part)
            last = row["last_name"]
            name = f"{last}, {given}" if last and given else last or given
            writer.writerow(
                (
                    *(row[field] for field in names),
                    sites.get(row["school_code"], ""),
                    name,
                    "t" if row["active"] == "1" else "f",
                    company.id,
                    env.uid,
                    env.cr.now(),
                    env.uid,
                    env.cr.now(),
                )
            )
    buffer.seek(0)
    columns = ", ".join(
        (*names, "school_id", "name", "active", "company_id")
        + ("create_uid", "create_date", "write_uid", "write_date")
    )
    env.cr.copy_expert(f"COPY school_student ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
    # A district's table has statistics (autovacuum): without them the
    # planner takes the fresh million rows for a few and joins them row by row.
    env.cr.execute("ANALYZE school_student")
    env["school.student"].invalidate_model()


def _csv_bytes(fields, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _base_import(env, fields, rows):
    """Odoo's import as the web client drives it: one ``execute_import`` per
    batch of 2,000 rows, each a new request that parses the file again."""
    wizard = env["base_import.import"].create(
        {
            "res_model": "school.student",
            "file": _csv_bytes(fields, rows),
            "file_name": "roster.csv",
            "file_type": "text/csv",
        }
    )
    options = {
        "advanced": True,
        "has_headers": True,
        "keep_matches": False,
        "limit": BATCH,
        "skip": 0,
        "tracking_disable": True,
        "encoding": "utf-8",
        "separator": ",",
        "quoting": '"',
        "date_format": "%Y-%m-%d",
        "datetime_format": "",
        "float_thousand_separator": ",",
        "float_decimal_separator": ".",
        "fields": [],
        "sheets": [],
        "sheet": "",
        "import_skip_records": [],
        "import_set_empty_fields": [],
        "name_create_enabled_fields": {},
    }
    preview = wizard.parse_preview(dict(options))
    assert not preview.get("error"), preview.get("error")
    imported = 0
    while True:
        env.invalidate_all()  # each batch is a request of its own
        result = wizard.with_context(tracking_disable=True).execute_import(
            fields, list(fields), dict(options)
        )
        assert not result["messages"], result["messages"][:3]
        imported += len(result["ids"])
        if not result.get("nextrow"):
            return imported
        options["skip"] = result["nextrow"]


def _load(env, fields, rows):
    Student = env["school.student"].with_context(tracking_disable=True)
    imported = 0
    for start in range(0, len(rows), BATCH):
        result = Student.load(fields, rows[start : start + BATCH])
        assert not result["messages"], result["messages"][:3]
        imported += len(result["ids"])
    return imported


def _create(env, fields, rows, company):
    Student = env["school.student"].with_context(tracking_disable=True)
    schools = {site.code: site.id for site in env["school.site"].search([])}
    imported = 0
    for start in range(0, len(rows), BATCH):
        vals_list = []
        for row in rows[start : start + BATCH]:
            vals = {name: value or False for name, value in zip(fields, row, strict=True)}
            vals["school_id"] = schools.get(vals["school_id"], False)
            vals["company_id"] = company.id
            vals_list.append(vals)
        imported += len(Student.create(vals_list))
    return imported


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ours, odoo_args = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--changes", type=float, default=0.03)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-peers", action="store_true", help="time the addon only")
    parser.add_argument(
        "--nightly-only",
        action="store_true",
        help="load the roster with COPY (untimed) and time the nightly file only; no peers",
    )
    parser.add_argument(
        "--screens-only",
        action="store_true",
        help="the first load's Run Now and review screens, then Preview Again and Cancel; no "
        "Apply, no nightly file, no peers",
    )
    parser.add_argument(
        "--profile", action="append", default=[], help="profile the step of that label"
    )
    args = parser.parse_args(ours)
    PROFILE.update(args.profile)

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", "/dev/null", *odoo_args])
    dbname = odoo.tools.config["db_name"]
    dbname = dbname[0] if isinstance(dbname, list) else dbname
    roster_path, export_path, expected = data_files(args.students, args.changes, args.seed)
    with roster_path.open(encoding="utf-8", newline="") as handle:
        codes = {row["school_code"] for row in csv.DictReader(handle)}
    fields, rows = ([], []) if args.nightly_only else _peer_rows(roster_path)
    registry = Registry(dbname)

    print(
        f"Odoo benchmark: {args.students:,} students, {args.changes:.0%} changes "
        f"({time.strftime('%Y-%m-%d')})"
    )
    times = {}
    with registry.cursor() as cr:
        cr.execute("SELECT pg_backend_pid()")
        BACKEND["pid"] = cr.fetchone()[0]
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        # In-process timing: no background job, whatever the file's size.
        env["ir.config_parameter"].set_param("school_student_import.job_threshold_rows", 10**9)
        env, company = _district(env, codes, "Benchmark District")
        importer = env["student.importer"].create(
            {"name": "Benchmark", "company_id": company.id, "auth_add_pct": 100}
        )
        export_bytes = export_path.read_bytes()
        if args.nightly_only:
            _, _seconds = _step(
                "roster loaded with COPY (setup)", lambda: _seed_roster(env, company, roster_path)
            )
            # A district's roster has met a preview before (the night
            # before): it remembered the students whose values it found normal.
            _step(
                "the previous night's Run Now, cancelled (setup)",
                lambda: importer.run_import(export_bytes, export_path.name).action_cancel(),
            )
        else:
            roster_bytes = roster_path.read_bytes()
            run, times["preview"] = _step(
                "addon, first load: Run Now (all adds)",
                lambda: importer.run_import(roster_bytes, roster_path.name),
                rows=len(rows),
            )
            print(f"    {run.count_add:,} lines")
            _screens(env, run)
            if args.screens_only:
                _step("addon, first load: Preview Again", run.action_refresh, rows=len(rows))
                _step("addon, first load: Cancel", run.action_cancel)
                cr.rollback()
                return
            grant_safeguards(run)
            _, times["apply"] = _step("addon, first load: Apply", run.action_apply, rows=len(rows))
        nightly, times["nightly_preview"] = _step(
            "addon, nightly file: Run Now",
            lambda: importer.run_import(export_bytes, export_path.name),
            rows=args.students,
        )
        print(
            f"    adds {nightly.count_add:,}, updates {nightly.count_update:,}, "
            f"inactivations {nightly.count_inactivate:,}, reactivations "
            f"{nightly.count_reactivate:,} (generated: {expected})"
        )
        grant_safeguards(nightly)
        _, times["nightly_apply"] = _step("addon, nightly file: Apply", nightly.action_apply)
        _, times["revert"] = _step("addon, nightly file: Revert", nightly.action_revert)
        cr.rollback()
    if not (args.no_peers or args.nightly_only):
        peers = (
            ("base_import", "peer: base_import, web client (2,000/batch)", _base_import),
            ("load", "peer: load() (2,000/batch)", _load),
            ("create", "peer: create() (2,000/batch)", None),
        )
        for key, label, function in peers:
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
                env, company = _district(env, codes, f"Peer District {key}")
                if function is None:
                    count, times[key] = _step(
                        label, lambda env=env, company=company: _create(env, fields, rows, company)
                    )
                else:
                    count, times[key] = _step(
                        label, lambda env=env, function=function: function(env, fields, rows)
                    )
                assert count == len(rows), f"{key} imported {count} of {len(rows)} rows"
                cr.rollback()
    if args.nightly_only:
        print(
            f"\n| {args.students:,} | nightly | {times['nightly_preview']:.2f} | "
            f"{times['nightly_apply']:.2f} | {times['revert']:.2f} |"
        )
        return
    first = times["preview"] + times["apply"]
    print(f"\n  addon first load, Run Now + Apply: {first:.1f} s ({len(rows) / first:,.0f} rows/s)")
    for key in ("base_import", "load", "create"):
        if key in times:
            print(
                f"  {key:<12} {times[key]:8.1f} s: the addon's first load takes "
                f"{first / times[key]:.3f} of it (1/{times[key] / first:.1f})"
            )
    peer = " | ".join(f"{times[k]:.1f}" for k in ("base_import", "load", "create") if k in times)
    print(
        f"\n| {args.students:,} | {times['preview']:.1f} | {times['apply']:.1f} | {first:.1f} | "
        f"{peer} | {times['nightly_preview']:.2f} | {times['nightly_apply']:.2f} | "
        f"{times['revert']:.2f} |"
    )


if __name__ == "__main__":
    main()
