"""A first load through a production-like Odoo: workers, default limits, XML-RPC.

Run from the repository root with the engine's Python (``.venv/bin/python``,
which has openpyxl; the Odoo tree and its Python are found as by
``tools/run``)::

    .venv/bin/python benchmarks/bench_jobs.py --students 300000 [--port 8097]
    .venv/bin/python benchmarks/bench_jobs.py --students 1000000 --nightly

What it does (``--nightly``: the nightly file instead of the first load, below):

1. starts this checkout's PostgreSQL cluster (``.local/pg``, as ``tools/run``)
   and creates a fresh database ``bench_jobs`` with the addon, no demo data;
2. starts Odoo with ``--workers=2`` (and so 2 cron workers) and Odoo's
   default limits, written out: ``--limit-time-cpu 60 --limit-time-real 120
   --limit-memory-soft 2048 MiB --limit-memory-hard 2560 MiB``;
3. as a user would, through XML-RPC: an administrator creates a district
   (company, schools, an importer, a clerk and a Support representative);
   the clerk sends Run Now with the district's whole roster (the synthetic
   district of ``bench_preview.py``), waits for the review, confirms the
   warning and submits an authorization request; Support approves it (now),
   which queues the Apply on the clerk's behalf; the clerk waits for it;
4. meanwhile samples the cron workers' memory (``VmHWM``, peak resident,
   and ``VmPeak``, peak virtual: Odoo's memory limits are on virtual
   memory) from ``/proc``; at the end counts the district's students and
   reads Odoo's log for a worker killed by a limit.

With ``--nightly`` the district's roster is put into ``school_student``
with COPY first (untimed setup, as ``bench_odoo.py --nightly-only``; the
archived students archived, then ``VACUUM (ANALYZE)``: a settled table, as autovacuum
leaves it), and the clerk sends the SIS
export with its 3% of changes instead: Run Now, the preview job, whatever
the run's safeguards ask (the warning confirmed, an authorization requested
and approved now) or Apply, the apply job.  The file goes through XML-RPC
when its base64 fits in Odoo's 128 MiB request limit
(``odoo.http.DEFAULT_MAX_CONTENT_LENGTH``); a bigger one (the million
students' 151 MB export) is read from a server folder instead: a folder
importer (``school_student_import.base_folder`` under ``.local``) and the
clerk's Run Now on it (``action_run_folder_now``).  ``--previous-night``
previews the same file once and cancels it first (timed and printed apart):
the night before, whose preview remembered the students it found normal.

Prints each phase's wall time, the peaks and the verdict; exits 1 when the
run is not applied with every student, or a worker was killed.
"""

import argparse
import base64
import csv
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_preview import data_files  # noqa: E402

ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo"))
ODOO_PYTHON = os.environ.get("ODOO_PYTHON") or (
    str(ODOO_SRC / "venv/bin/python") if (ODOO_SRC / "venv/bin/python").exists() else "python3"
)
PG_DIR, PG_PORT = ROOT / ".local/pg", "54328"
MODULE = "school_student_import"
# odoo.http.DEFAULT_MAX_CONTENT_LENGTH: Odoo refuses a bigger request body.
MAX_REQUEST = 128 * 1024 * 1024
KILLED = re.compile(
    r"virtual real time limit|CPU time limit|memory limit|timeout after|MemoryError",
    re.IGNORECASE,
)
LIMITS = [
    "--limit-time-cpu=60",
    "--limit-time-real=120",
    f"--limit-memory-soft={2048 * 1024 * 1024}",
    f"--limit-memory-hard={2560 * 1024 * 1024}",
]


def pg(*args):
    return subprocess.run(
        [str(ROOT / "tools/pg"), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def odoo_args(db, socket_dir):
    (ROOT / ".local/addons").mkdir(parents=True, exist_ok=True)
    link = ROOT / ".local/addons" / MODULE
    if not link.exists():
        link.symlink_to(ROOT)
    return [
        ODOO_PYTHON,
        str(ODOO_SRC / "odoo-bin"),
        f"--addons-path={ODOO_SRC / 'addons'},{ROOT / '.local/addons'}",
        f"--data-dir={ROOT / '.local/odoo-data'}",
        f"--db_host={socket_dir}",
        f"--db_port={PG_PORT}",
        "--db_user=odoo",
        f"--database={db}",
        f"--db-filter=^{db}$",
    ]


class Memory:
    """Peaks of the cron workers, read from /proc while the benchmark runs."""

    def __init__(self, log):
        self.log, self.hwm, self.peak = log, {}, {}

    def cron_pids(self):
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return set(re.findall(r"Worker WorkerCron \((\d+)\) alive", text))

    def sample(self):
        for pid in self.cron_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for key, store in (("VmHWM", self.hwm), ("VmPeak", self.peak)):
                match = re.search(rf"{key}:\s+(\d+) kB", status)
                if match:
                    store[pid] = max(store.get(pid, 0), int(match.group(1)) // 1024)


def wait_for(what, check, memory, timeout, every=2.0):
    started = time.monotonic()
    while True:
        memory.sample()
        value = check()
        if value:
            return value
        if time.monotonic() - started > timeout:
            raise SystemExit(f"bench_jobs: timed out waiting for {what}")
        time.sleep(every)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300_000)
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--db", default="bench_jobs")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per phase")
    parser.add_argument(
        "--nightly",
        action="store_true",
        help="the roster put in with COPY, then the nightly file (3%% changes) as jobs",
    )
    parser.add_argument(
        "--previous-night",
        action="store_true",
        help="with --nightly: preview the file once and cancel it (the night before) first",
    )
    args = parser.parse_args()

    roster_path, export_path, expected = data_files(args.students, 0.03, 1)
    if args.nightly:
        data = export_path.read_bytes()
        rows = data.count(b"\n") - 1
        print(
            f"bench_jobs: nightly file of {rows:,} rows against {args.students:,} students "
            f"({len(data) / 1e6:.0f} MB; generated {expected})",
            flush=True,
        )
    else:
        data = roster_path.read_bytes()
        rows = data.count(b"\n") - 1
        print(f"bench_jobs: first load of {rows:,} students ({len(data) / 1e6:.0f} MB)", flush=True)

    pg("start", str(PG_DIR), PG_PORT)
    socket_dir = pg("socket", str(PG_DIR), PG_PORT)
    subprocess.run(
        [
            str(ROOT / "tools/pg"),
            "psql",
            str(PG_DIR),
            PG_PORT,
            "-qc",
            f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)",
        ],
        check=True,
    )
    base = odoo_args(args.db, socket_dir)
    log = ROOT / ".local/log" / f"{args.db}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    started = time.monotonic()
    subprocess.run(
        [*base, "-i", MODULE, "--without-demo=all", "--stop-after-init", "--log-level=warn"],
        check=True,
    )
    print(f"  database with the addon: {time.monotonic() - started:.0f} s", flush=True)
    server = subprocess.Popen(
        [
            *base,
            "--workers=2",
            "--max-cron-threads=2",
            *LIMITS,
            f"--http-port={args.port}",
            f"--gevent-port={args.port + 1}",
            "--http-interface=127.0.0.1",
            f"--logfile={log}",
        ],
        start_new_session=True,
        # What is not logged (a gevent worker that cannot start) goes here.
        stdout=log.with_suffix(".out").open("w"),
        stderr=subprocess.STDOUT,
    )
    memory = Memory(log)
    try:
        if args.nightly:
            figures = nightly(args, data, roster_path, expected, memory, socket_dir)
        else:
            figures = scenario(args, data, rows, memory)
        text = log.read_text(errors="replace")  # before the shutdown's own messages
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
        pg("stop", str(PG_DIR))
    kills = [line for line in text.splitlines() if KILLED.search(line)]
    hwm = max(memory.hwm.values(), default=0)
    peak = max(memory.peak.values(), default=0)
    print()
    for label, seconds in figures["phases"]:
        print(f"  {label:<52} {seconds:8.1f} s")
    print(f"  cron workers' peak resident memory (VmHWM)          {hwm:8,} MB")
    print(f"  cron workers' peak virtual memory (VmPeak)          {peak:8,} MB")
    for pid in sorted(memory.hwm):
        print(
            f"    cron worker {pid}: {memory.hwm[pid]:,} MB resident, "
            f"{memory.peak[pid]:,} MB virtual"
        )
    print(f"  cron steps logged: {len(re.findall('Student Imports: background', text))}")
    print(f"  students in the district: {figures['students']:,}; run {figures['state']}")
    print(f"  workers killed or recycled by a limit: {len(kills)}")
    for line in kills:
        print(f"    {line}")
    ok = figures["state"] == "done" and figures["students"] == figures["expected"] and not kills
    print("bench_jobs: " + ("OK" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


def connect(args, memory):
    """``(call, ref, admin)``: XML-RPC as anyone, once Odoo answers."""
    url = f"http://127.0.0.1:{args.port}"
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    wait_for("Odoo to answer", lambda: _answers(common), memory, 300)
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    db = args.db
    admin = common.authenticate(db, "admin", "admin", {})

    def call(uid, password, model, method, *params, **kw):
        return models.execute_kw(db, uid, password, model, method, list(params), kw)

    def ref(xmlid):
        module, name = xmlid.split(".")
        return call(admin, "admin", "ir.model.data", "check_object_reference", module, name)[1]

    return call, ref, admin


def district(call, ref, admin, codes):
    """The district as an administrator makes it: ``(company, importer, users)``,
    users being ``{login: uid}`` of a clerk and a Support representative."""
    company = call(admin, "admin", "res.company", "create", {"name": "Benchmark District"})
    call(
        admin,
        "admin",
        "res.users",
        "write",
        [admin],
        {"company_ids": [(4, company)], "company_id": company},
    )
    call(
        admin,
        "admin",
        "school.site",
        "create",
        [{"name": code, "code": code, "company_id": company} for code in codes],
    )
    importer = call(
        admin, "admin", "student.importer", "create", {"name": "SIS", "company_id": company}
    )
    users = {}
    for login, group in (
        ("clerk", "group_student_import_user"),
        ("support", "group_student_import_approver"),
    ):
        users[login] = call(
            admin,
            "admin",
            "res.users",
            "create",
            {
                "name": login.capitalize(),
                "login": login,
                "password": login + "-bench",
                "company_id": company,
                "company_ids": [(6, 0, [company])],
                "groups_id": [(6, 0, [ref("base.group_user"), ref(f"{MODULE}.{group}")])],
            },
        )
    return company, importer, users


def roles(call, users, memory, timeout):
    """``(clerk, support, wait_state)``: calls as each, and a wait for a run's state."""

    def clerk(model, method, *params, **kw):
        return call(users["clerk"], "clerk-bench", model, method, *params, **kw)

    def support(model, method, *params, **kw):
        return call(users["support"], "support-bench", model, method, *params, **kw)

    def wait_state(run, states, what):
        def check():
            return clerk("student.import.run", "read", [run], ["state"])[0]["state"] in states

        wait_for(what, check, memory, timeout)

    return clerk, support, wait_state


def scenario(args, data, rows, memory):
    call, ref, admin = connect(args, memory)
    codes = sorted({line.split(b",")[8].decode() for line in data.splitlines()[1:]})
    company, importer, users = district(call, ref, admin, codes)
    clerk, support, wait_state = roles(call, users, memory, args.timeout)
    phases = []
    total = time.monotonic()
    t = time.monotonic()
    run = clerk(
        "student.importer",
        "run_import",
        [importer],
        base64.b64encode(data).decode(),
        "first_load.csv",
    )
    phases.append(("Run Now (the request: upload, queue)", time.monotonic() - t))
    t = time.monotonic()
    wait_state(run, ("review", "failed"), "the preview")
    phases.append(("preview job (queued -> review)", time.monotonic() - t))
    read = clerk("student.import.run", "read", [run], ["state", "count_add", "failure_reason"])[0]
    if read["state"] != "review":
        raise SystemExit(f"bench_jobs: the preview failed: {read['failure_reason']}")
    print(f"  previewed: {read['count_add']:,} adds", flush=True)
    t = time.monotonic()
    clerk("student.import.run", "action_confirm_warning", [run])
    request = clerk(
        "student.import.run", "action_request_authorization", [run], "First load of the district"
    )
    support("student.import.authorization", "action_approve", [request], "Approved")
    phases.append(("confirm, request, approve now (3 requests)", time.monotonic() - t))
    state, students = apply_job(call, admin, company, clerk, wait_state, run, phases, total)
    return {"phases": phases, "state": state, "students": students, "expected": rows}


def apply_job(call, admin, company, clerk, wait_state, run, phases, total):
    """Wait for the apply job of ``run``, time it; return its state and the district's size."""
    t = time.monotonic()
    wait_state(run, ("done", "failed"), "the Apply")
    phases.append(("apply job (applying -> applied)", time.monotonic() - t))
    phases.append(("total, Run Now to applied", time.monotonic() - total))
    final = clerk("student.import.run", "read", [run], ["state", "failure_reason"])[0]
    if final["state"] != "done":
        print(f"  the Apply failed: {final['failure_reason']}")
    students = call(
        admin,
        "admin",
        "school.student",
        "search_count",
        [("company_id", "=", company)],
        context={"active_test": False},
    )
    return final["state"], students


def nightly(args, data, roster_path, expected, memory, socket_dir):
    """The nightly file against a roster put in with COPY, as background jobs."""
    call, ref, admin = connect(args, memory)
    with roster_path.open(encoding="utf-8", newline="") as handle:
        codes = sorted({row["school_code"] for row in csv.DictReader(handle)})
    company, importer, users = district(call, ref, admin, codes)
    clerk, support, wait_state = roles(call, users, memory, args.timeout)
    t = time.monotonic()
    sites = {
        row["code"]: row["id"]
        for row in call(
            admin, "admin", "school.site", "search_read", [("company_id", "=", company)], ["code"]
        )
    }
    seeded = seed_roster(args.db, socket_dir, roster_path, company, sites, admin)
    print(
        f"  roster put in with COPY: {seeded:,} students, {time.monotonic() - t:.0f} s", flush=True
    )

    phases = []
    if args.previous_night:
        # The night before: the same file previewed, then cancelled.  That
        # preview remembered the students it found normal, as a district's
        # previous nights did; the timed one below checks only the others.
        run, _how, _seconds = run_now(args, data, call, admin, importer, clerk, tail=b"\n")
        t = time.monotonic()
        wait_state(run, ("review", "failed"), "the previous night's preview")
        phases.append(("the previous night's preview job (cancelled)", time.monotonic() - t))
        clerk("student.import.run", "action_cancel", [run])
    total = time.monotonic()
    run, how, seconds = run_now(args, data, call, admin, importer, clerk)
    phases.append((f"Run Now ({how}: read, queue)", seconds))
    t = time.monotonic()
    wait_state(run, ("review", "failed"), "the preview")
    phases.append(("preview job (queued -> review)", time.monotonic() - t))
    fields = [
        "state",
        "failure_reason",
        "count_add",
        "count_update",
        "count_inactivate",
        "count_reactivate",
        "requires_confirmation",
        "requires_authorization",
    ]
    read = clerk("student.import.run", "read", [run], fields)[0]
    if read["state"] != "review":
        raise SystemExit(f"bench_jobs: the preview failed: {read['failure_reason']}")
    print(
        f"  previewed: {read['count_add']:,} adds, {read['count_update']:,} updates, "
        f"{read['count_inactivate']:,} inactivations, {read['count_reactivate']:,} "
        f"reactivations (confirmation: {read['requires_confirmation']}, authorization: "
        f"{read['requires_authorization']})",
        flush=True,
    )
    t = time.monotonic()
    if read["requires_confirmation"]:
        clerk("student.import.run", "action_confirm_warning", [run])
    if read["requires_authorization"]:
        request = clerk("student.import.run", "action_request_authorization", [run], "Nightly file")
        support("student.import.authorization", "action_approve", [request], "Approved")
    elif not read["requires_confirmation"]:
        clerk("student.import.run", "action_apply", [run])
    phases.append(("safeguards, Apply (the requests)", time.monotonic() - t))
    state, students = apply_job(call, admin, company, clerk, wait_state, run, phases, total)
    return {
        "phases": phases,
        "state": state,
        "students": students,
        "expected": seeded + read["count_add"],
    }


def run_now(args, data, call, admin, importer, clerk, tail=b""):
    """The clerk's Run Now of the nightly file: the run, how the file went, the request's time.

    ``tail`` is added at the end of the file: a blank line makes the same
    rows another file (a folder importer never takes one file twice).
    """
    data += tail
    encoded = base64.b64encode(data).decode()
    if len(encoded) < MAX_REQUEST - 1024 * 1024:
        t = time.monotonic()
        run = clerk("student.importer", "run_import", [importer], encoded, "nightly.csv")
        return run, "XML-RPC upload", time.monotonic() - t
    del encoded
    # Odoo refuses the request (413): the district's SIS drops the file
    # in a server folder, and the clerk presses Run Now on that importer.
    base = ROOT / ".local" / f"{args.db}-folder"
    shutil.rmtree(base, ignore_errors=True)
    (base / "sis").mkdir(parents=True)
    call(
        admin,
        "admin",
        "ir.config_parameter",
        "set_param",
        "school_student_import.base_folder",
        str(base),
    )
    call(
        admin,
        "admin",
        "student.importer",
        "write",
        [importer],
        {"source": "folder", "folder": "sis", "wait_for_marker": True},
    )
    (base / "sis" / "nightly.csv").write_bytes(data)
    (base / "sis" / "nightly.csv.done").touch()
    t = time.monotonic()
    run = clerk("student.importer", "action_run_folder_now", [importer])
    return run, "server folder", time.monotonic() - t


def seed_roster(db, socket_dir, roster_path, company, sites, uid):
    """Put the roster file into ``school_student`` with COPY (psql), as
    ``bench_odoo.py --nightly-only`` does; return how many students."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    count = 0
    with roster_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        names = [name for name in reader.fieldnames if name not in ("school_code", "active")]
        for row in reader:
            given = " ".join(part for part in (row["first_name"], row["middle_name"]) if part)
            last = row["last_name"]
            writer.writerow(
                (
                    *(row[field] for field in names),
                    sites.get(row["school_code"], ""),
                    f"{last}, {given}" if last and given else last or given,
                    "t" if row["active"] == "1" else "f",
                    company,
                    uid,
                    "now",
                    uid,
                    "now",
                )
            )
            count += 1
    columns = ", ".join(
        (*names, "school_id", "name", "active", "company_id")
        + ("create_uid", "create_date", "write_uid", "write_date")
    )
    subprocess.run(
        [
            str(ROOT / "tools/pg"),
            "psql",
            str(PG_DIR),
            PG_PORT,
            "-d",
            db,
            "-qc",
            f"\\copy school_student ({columns}) FROM pstdin WITH (FORMAT csv)",
            "-c",
            "VACUUM (ANALYZE) school_student",
        ],
        input=buffer.getvalue(),
        text=True,
        check=True,
    )
    return count


def _answers(common):
    try:
        return bool(common.version())
    except OSError:
        return False


if __name__ == "__main__":
    main()
