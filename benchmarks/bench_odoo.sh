#!/usr/bin/env bash
# The Odoo benchmark in one command, from the repository root:
#
#   benchmarks/bench_odoo.sh [--students 100000] [--no-peers] [bench_odoo.py options...]
#
# It starts a PostgreSQL cluster of its own (.local/pg-bench, niced like the
# benchmark), installs or updates the addon in the database
# school_student_import_bench (no demo data), runs benchmarks/bench_odoo.py
# against it with `nice`, and stops the cluster. Every import the benchmark
# times is rolled back: the database stays as installed.
#
# Environment: BENCH_PG_DIR and BENCH_PG_PORT (another cluster, to run two at
# once), ODOO_SRC (default /opt/odoo), ODOO_PYTHON (default
# $ODOO_SRC/venv/bin/python, else python3).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

MODULE=school_student_import
DB=${MODULE}_bench
PG_DIR=${BENCH_PG_DIR:-$ROOT/.local/pg-bench}
PG_PORT=${BENCH_PG_PORT:-54330} # names the socket file only
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
[ -f "$ODOO_SRC/odoo-bin" ] || { echo "bench_odoo.sh: no Odoo 18 tree at $ODOO_SRC" >&2; exit 1; }
if [ -z "${ODOO_PYTHON:-}" ]; then
    ODOO_PYTHON=python3
    [ -x "$ODOO_SRC/venv/bin/python" ] && ODOO_PYTHON=$ODOO_SRC/venv/bin/python
fi

mkdir -p .local/addons
ln -sfn ../.. ".local/addons/$MODULE"
trap 'tools/pg stop "$PG_DIR" >/dev/null || true' EXIT
nice tools/pg start "$PG_DIR" "$PG_PORT"
SOCKET=$(tools/pg socket "$PG_DIR" "$PG_PORT")
ODOO_ARGS=(-d "$DB" --db_host "$SOCKET" --db_port "$PG_PORT" --db_user odoo
    --addons-path "$ODOO_SRC/addons,$ROOT/.local/addons" --data-dir "$ROOT/.local/odoo-bench-data")

if [ "$(tools/pg psql "$PG_DIR" "$PG_PORT" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" = 1 ]; then
    init=(-u "$MODULE")
else
    init=(-i "$MODULE" --without-demo=all)
fi
echo "preparing $DB (${init[*]})"
"$ODOO_PYTHON" "$ODOO_SRC/odoo-bin" "${ODOO_ARGS[@]}" "${init[@]}" --stop-after-init \
    --log-level=warn

PYTHONPATH=$ODOO_SRC nice "$ODOO_PYTHON" benchmarks/bench_odoo.py "$@" -- "${ODOO_ARGS[@]}" \
    --log-level=warn

# Every import above was rolled back, but its rows stay behind as dead
# tuples: after a few runs of 100,000 students, the unique index checks of
# Apply's INSERT wade through millions of them (Apply 0.5 s became 1.3 s).
tools/pg psql "$PG_DIR" "$PG_PORT" -d "$DB" -qc "VACUUM" >/dev/null
