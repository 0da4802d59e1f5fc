"""Time Run Now and Apply inside Odoo for a district of N students.

Run with Odoo's Python, against a database where the addon is installed::

    PYTHONPATH=$ODOO_SRC $ODOO_PYTHON benchmarks/bench_odoo.py --students 100000 -- \\
        -d DB --db_host SOCKET_DIR --db_port PORT --db_user odoo \\
        --addons-path=$ODOO_SRC/addons,.local/addons

It uses the synthetic district of ``bench_preview.py`` in a company of its
own, and times the two imports a district lives with:

1. the first load: Run Now of the whole roster into an empty company (every
   student an add), then Apply;
2. a nightly file: Run Now of an export with a few percent of changes
   against that roster, then Apply.

Each step's wall time and the process's peak memory are printed.  Nothing
is committed: the transaction is rolled back at the end.
"""

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_preview import data_files  # noqa: E402


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PROFILE = set()


def _step(label, function):
    profiler = None
    if label in PROFILE:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    print(f"  {label:<38} {seconds:8.1f} s   peak {_peak_mb():7.0f} MB", flush=True)
    return result, seconds


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ours, odoo_args = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--changes", type=float, default=0.03)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--profile", action="append", default=[], help="profile the step of that label"
    )
    args = parser.parse_args(ours)
    PROFILE.update(args.profile)

    import odoo
    from odoo.modules.registry import Registry

    from odoo.addons.school_student_import.tests.common import grant_safeguards

    odoo.tools.config.parse_config(["-c", "/dev/null", *odoo_args])
    dbname = odoo.tools.config["db_name"]
    dbname = dbname[0] if isinstance(dbname, list) else dbname
    roster_path, export_path, expected = data_files(args.students, args.changes, args.seed)
    registry = Registry(dbname)
    print(f"Odoo benchmark: {args.students:,} students, {args.changes:.0%} changes")
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        company = env["res.company"].create({"name": "Benchmark District"})
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        codes = {
            line.split(",")[8] for line in roster_path.read_text(encoding="utf-8").splitlines()[1:]
        }
        env["school.site"].create(
            [{"name": code, "code": code, "company_id": company.id} for code in codes]
        )
        importer = env["student.importer"].create(
            {
                "name": "Benchmark",
                "company_id": company.id,
                "auth_add_pct": 100,
                "warn_add_pct": 100,
                "warn_update_pct": 100,
                "warn_inactivate_pct": 100,
            }
        )
        roster_bytes = roster_path.read_bytes()
        run, first_preview = _step(
            "first load: Run Now (all adds)",
            lambda: importer.run_import(roster_bytes, roster_path.name),
        )
        lines = run.count_add
        changes = env["student.import.change"].search_count([("line_id.run_id", "=", run.id)])
        print(f"    {lines:,} lines, {changes:,} field changes")
        grant_safeguards(run)
        _, first_apply = _step("first load: Apply", run.action_apply)
        export_bytes = export_path.read_bytes()
        nightly, nightly_preview = _step(
            "nightly file: Run Now", lambda: importer.run_import(export_bytes, export_path.name)
        )
        print(
            f"    adds {nightly.count_add:,}, updates {nightly.count_update:,}, "
            f"inactivations {nightly.count_inactivate:,}, reactivations "
            f"{nightly.count_reactivate:,} (generated: {expected})"
        )
        grant_safeguards(nightly)
        _, nightly_apply = _step("nightly file: Apply", nightly.action_apply)
        _, revert = _step("nightly file: Revert", nightly.action_revert)
        cr.rollback()
    print(
        f"| {args.students:,} | {first_preview:.1f} | {first_apply:.1f} | "
        f"{nightly_preview:.1f} | {nightly_apply:.1f} | {revert:.1f} | {_peak_mb():.0f} |"
    )


if __name__ == "__main__":
    main()
