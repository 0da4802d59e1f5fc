#!/usr/bin/env bash
# Every figure of README's "Benchmarks" section, in one command, from the
# repository root (about 40 minutes on an idle 2-core machine):
#
#   benchmarks/bench_all.sh [--students 100000] [--district 1000000]
#
# 1. the engine against its naive baseline (bench_preview.py: 10,000,
#    100,000, 200,000 and 1,000,000 students, median of 5 rounds, and the
#    whole command line's peak memory);
# 2. inside Odoo, on --students (default 100,000): the first load and the
#    nightly file, the review screens, and Odoo's own import as the web
#    client drives it, load() and create() on the same rows (bench_odoo.sh);
#    then the nightly file alone on a settled roster, as a district's night
#    meets it (bench_odoo.sh --nightly-only);
# 3. the nightly file of a --district of students (default 1,000,000) as
#    background jobs under production limits: --workers=2 and Odoo's default
#    limit_time_cpu, limit_time_real and limit_memory_hard (bench_jobs.py).
#
# It needs what tools/test sets up (.venv, an Odoo 18 tree at ODOO_SRC,
# default /opt/odoo) and no server of tools/run running: bench_jobs.py uses
# the same cluster. Each part prints its own table; run them one by one
# with the commands above to repeat a part. See benchmarks/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

students=100000
district=1000000
while [ $# -gt 0 ]; do
    case $1 in
        --students) students=$2; shift 2 ;;
        --district) district=$2; shift 2 ;;
        *) echo "bench_all.sh: unknown argument $1 (--students N, --district N)" >&2; exit 2 ;;
    esac
done
[ -x .venv/bin/python ] || { echo "bench_all.sh: no .venv: run tools/test once" >&2; exit 1; }

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1. the engine"
.venv/bin/python benchmarks/bench_preview.py --sizes 10000,100000,200000,1000000 --memory
echo "== 2. inside Odoo, $students students: the addon and its peers"
benchmarks/bench_odoo.sh --students "$students"
echo "== 2b. the nightly file of $students students on a settled roster (put in with COPY, previewed the night before)"
benchmarks/bench_odoo.sh --students "$students" --nightly-only
echo "== 3. the nightly file of $district students as background jobs"
.venv/bin/python benchmarks/bench_jobs.py --students "$district" --nightly --previous-night
echo "== done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
