# shellcheck shell=bash
# What tools/run and tools/test share: finding Odoo 18, what its Python
# needs, the addon's link under its own name, and the development database.
# Sourced from the checkout's root (ROOT), after `cd "$ROOT"`.

MODULE=school_student_import

# Which database a command works on, its cluster and its files:
#   use_database dev    tools/run's, kept between runs (.local/pg), which
#                       tools/test --pytest runs in by default
#   use_database test   the one tools/test recreates for each run (.local/pg-test)
# HASH_FILE holds the hash of the files Odoo loads into the database
# (addon_data_hash) as they were when the addon was last installed or
# updated there by tools/test or its fast mode; it lives in the cluster's
# folder, so it goes when the cluster goes.
use_database() {
    case $1 in
        dev)
            DB=$MODULE
            PG_DIR=$ROOT/.local/pg
            PG_PORT=54328 # names the socket file only: the cluster has no TCP listener
            CONF=$ROOT/.local/odoo.conf
            DATA_DIR=$ROOT/.local/odoo-data
            ;;
        test)
            DB=${MODULE}_test
            PG_DIR=$ROOT/.local/pg-test
            PG_PORT=54329
            CONF=$ROOT/.local/odoo-test.conf
            DATA_DIR=$ROOT/.local/odoo-test-data
            ;;
        *) return 1 ;;
    esac
    HASH_FILE=$PG_DIR/$MODULE.sha1
}

ODOO_HOW_TO="to get one: git clone -b 18.0 --depth 1 https://github.com/odoo/odoo ~/odoo-18 && python3 -m venv ~/odoo-18/venv && ~/odoo-18/venv/bin/pip install -r ~/odoo-18/requirements.txt (Python 3.10 to 3.12), then export ODOO_SRC=~/odoo-18"

# Sets ODOO_SRC and ODOO_PYTHON. Returns 0 when they run Odoo 18, else sets
# ODOO_PROBLEM to one line and returns 2 when there is no Odoo tree at all,
# 1 when the tree is not a usable Odoo 18.
find_odoo() {
    ODOO_SRC=${ODOO_SRC:-/opt/odoo}
    ODOO_PROBLEM=
    if [ ! -f "$ODOO_SRC/odoo-bin" ]; then
        ODOO_PROBLEM="no Odoo 18 tree at $ODOO_SRC; $ODOO_HOW_TO"
        return 2
    fi
    if ! grep -q '^version_info = (18,' "$ODOO_SRC/odoo/release.py" 2>/dev/null; then
        ODOO_PROBLEM="$ODOO_SRC is not an Odoo 18.0 tree (odoo/release.py); $ODOO_HOW_TO"
        return 1
    fi
    if [ -z "${ODOO_PYTHON:-}" ]; then
        if [ -x "$ODOO_SRC/venv/bin/python" ]; then
            ODOO_PYTHON=$ODOO_SRC/venv/bin/python
        else
            ODOO_PYTHON=python3
        fi
    fi
    if ! (cd "$ODOO_SRC" && "$ODOO_PYTHON" -c 'import odoo, psycopg2, lxml, werkzeug') 2>/dev/null; then
        ODOO_PROBLEM="$ODOO_PYTHON cannot import Odoo and its requirements (pip install -r $ODOO_SRC/requirements.txt)"
        return 1
    fi
}

# Installs into Odoo's Python the packages whose module it cannot import.
#   odoo_python_needs MODULE:PACKAGE...   (e.g. websocket:websocket-client)
odoo_python_needs() {
    local pair missing=()
    for pair in "$@"; do
        "$ODOO_PYTHON" -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing into Odoo's Python: ${missing[*]}"
    "$ODOO_PYTHON" -m pip install -q "${missing[@]}"
}

# Odoo looks for these names on PATH and skips browser tests without one.
# Installs chromium with apt when none is found (as root only).
ensure_chromium() {
    local name
    for name in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$name" >/dev/null && return 0
    done
    if [ "$(id -u)" != 0 ]; then
        echo "no chromium on PATH: install it (apt-get install chromium)"
        return 1
    fi
    echo "installing chromium (apt-get install -y chromium)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium ||
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
}

# Odoo finds an addon by its folder name, and this checkout may be named
# anything: expose it as .local/addons/school_student_import.
link_addon() {
    mkdir -p .local/addons
    ln -sfn ../.. ".local/addons/$MODULE"
}

# The database's settings (use_database), for tools/run and pytest-odoo.
#   write_conf HTTP_PORT
write_conf() {
    cat >"$CONF" <<EOF
[options]
addons_path = $ODOO_SRC/addons,$ROOT/.local/addons
data_dir = $DATA_DIR
db_host = $(tools/pg socket "$PG_DIR" "$PG_PORT")
db_port = $PG_PORT
db_user = odoo
db_name = $DB
dbfilter = ^$DB\$
http_interface = 127.0.0.1
http_port = $1
EOF
}

# The addon's state in the database (use_database; its cluster running):
# installed, to install, ..., "none" without the database, "incomplete"
# when the database has no module table (an interrupted first install).
db_state() {
    local pg=(tools/pg psql "$PG_DIR" "$PG_PORT")
    if [ "$("${pg[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
        echo none
        return
    fi
    local state
    state=$("${pg[@]}" -d "$DB" -tAc \
        "SELECT state FROM ir_module_module WHERE name = '$MODULE'" 2>/dev/null) || state=incomplete
    echo "${state:-uninstalled}"
}

# A hash of every file whose change needs `-u` (manifest, models, views,
# wizards, data, demo, security, translations): all of the addon but its
# tests, the engine (plain Python, imported afresh by each run), the web
# assets (rebuilt by Odoo when a file changes), the tools and the docs.
addon_data_hash() {
    find . \( -path ./.git -o -path ./.local -o -path ./.venv -o -path ./tests \
        -o -path ./engine -o -path ./static -o -path ./tools -o -path ./readme \
        -o -path ./benchmarks -o -path ./.ci -o -name '__pycache__' \
        -o -name '.*_cache' -o -name .hypothesis \) -prune \
        -o -type f ! -name '*.md' ! -name '*.pyc' ! -name '.*' -print0 |
        LC_ALL=C sort -z | xargs -0 sha1sum | sha1sum | cut -c1-40
}
