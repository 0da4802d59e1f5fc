"""Take the README's screenshots of the review screen from a running Odoo.

    tools/run &        # or any Odoo 18 serving the addon with its demo data
    /opt/odoo/venv/bin/python tools/screenshot.py [--url http://127.0.0.1:8069] \
        [--db school_student_import] [--login admin] [--password admin] \
        [--importer "Mosaic Student"] [--file mosaic_addresses.csv] \
        [--clerk carmen:carmen] [--support sam:sam] [--run-id ID] \
        [--out readme/screenshots]

It previews one of the importer's kept files exactly as Run Now does (the
upload dialog, through JSON-RPC), opens the run in headless Chromium
(Debian's ``chromium``, driven over the DevTools protocol with
``websocket-client``, which Odoo's Python already has), and saves
``review_screen.png`` (the run's form) and ``review_lines.png`` (Review
Changes, with the change-type search panel) and ``confirm_dialog.png``
(Apply's confirmation, answered No).  Then, as the demo clerk (``--clerk``,
``carmen:carmen``), it previews the daily file with 70 new kindergartners,
confirms it and submits an authorization request; as the demo Support
representative (``--support``, ``sam:sam``) it saves ``support_desk.png``
(*Authorizations to Decide*) and ``decision_dialog.png`` (Approve, from the
run's header).  Nothing is applied or approved: the runs stay in review.
Each call submits one more request, so take them on a fresh database
(``tools/run --reset``), or cancel the earlier requests' runs first.
"""

import argparse
import base64
import contextlib
import http.cookiejar
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1400, 900
IDLE = " && !document.querySelector('.o_loading_indicator, .o_blockUI')"


class Odoo:
    """The few JSON-RPC calls of the web client that the screenshots need."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.ids = itertools.count(1)
        self.call("/web/session/authenticate", db=db, login=login, password=password)

    def call(self, path, **params):
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self.ids),
            "params": params,
        }
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=120) as response:
            answer = json.load(response)
        if answer.get("error"):
            error = answer["error"]
            raise SystemExit(f"{path}: {error.get('data', {}).get('message') or error}")
        return answer["result"]

    def call_kw(self, model, method, args, **kwargs):
        return self.call(
            f"/web/dataset/call_kw/{model}/{method}",
            model=model,
            method=method,
            args=args,
            kwargs=kwargs,
        )

    @property
    def session_id(self):
        return next(cookie.value for cookie in self.cookies if cookie.name == "session_id")


def preview(odoo, importer_name, file_name):
    """Run Now on ``importer_name`` with its kept file ``file_name``: the run's id."""
    importers = odoo.call_kw(
        "student.importer",
        "search_read",
        [[("name", "=", importer_name)]],
        fields=["attachment_ids"],
        limit=1,
    )
    if not importers:
        raise SystemExit(f"no importer named {importer_name!r}")
    kept = odoo.call_kw(
        "ir.attachment",
        "search_read",
        [[("id", "in", importers[0]["attachment_ids"]), ("name", "=", file_name)]],
        fields=["id"],
        limit=1,
    )
    if not kept:
        raise SystemExit(f"{importer_name!r} keeps no file named {file_name!r}")
    upload = odoo.call_kw(
        "student.import.upload",
        "create",
        [{"importer_id": importers[0]["id"], "attachment_id": kept[0]["id"]}],
    )
    action = odoo.call_kw("student.import.upload", "action_run", [[upload]])
    return action["res_id"]


class Chromium:
    """Headless Chromium on a page, driven through the DevTools protocol."""

    def __init__(self):
        binary = next(
            (
                shutil.which(name)
                for name in ("chromium", "google-chrome", "chromium-browser")
                if shutil.which(name)
            ),
            None,
        )
        if not binary:
            raise SystemExit("no chromium on PATH (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="screenshot_chromium_")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile, "DevToolsActivePort")
        for _ in range(200):
            if port_file.exists() and port_file.read_text().count("\n") >= 1:
                break
            time.sleep(0.05)
        else:
            self.close()
            raise SystemExit("chromium did not open its DevTools port")
        port = port_file.read_text().split("\n")[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=10) as response:
            page = next(target for target in json.load(response) if target["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], suppress_origin=True, timeout=60
        )
        self.ids = itertools.count(1)

    def send(self, method, **params):
        request_id = next(self.ids)
        self.ws.send(json.dumps({"id": request_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == request_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, timeout=30):
        deadline = time.monotonic() + timeout
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            time.sleep(0.2)
        # Let fonts, avatars and the last re-render settle.
        time.sleep(1.0)

    def open(self, path, ready, what):
        """Open ``/odoo/<path>`` and wait until ``ready`` holds and nothing loads."""
        self.send("Page.navigate", url=f"{self.url}/odoo/{path}")
        # The first page of a fresh database builds the web assets: be patient.
        self.wait_for(ready + IDLE, what, timeout=180)

    def screenshot(self, path):
        # Toasts (a new activity, a message) come and go: leave them out.
        self.evaluate(
            "document.querySelectorAll('.o_notification_close').forEach((b) => b.click())"
        )
        time.sleep(0.5)
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def large_file(odoo, importer_name, file_name, extra):
    """The kept file ``file_name`` with ``extra`` new kindergartners: a file
    that adds enough students to need Support's authorization."""
    importer = odoo.call_kw(
        "student.importer",
        "search_read",
        [[("name", "=", importer_name)]],
        fields=["attachment_ids"],
        limit=1,
    )[0]
    kept = odoo.call_kw(
        "ir.attachment",
        "search_read",
        [[("id", "in", importer["attachment_ids"]), ("name", "=", file_name)]],
        fields=["datas"],
        limit=1,
    )
    if not kept:
        raise SystemExit(f"{importer_name!r} keeps no file named {file_name!r}")
    lines = base64.b64decode(kept[0]["datas"]).decode("utf-8-sig").rstrip("\n").split("\n")
    header = lines[0].split(",")
    for n in range(extra):
        row = dict.fromkeys(header, "")
        row.update(
            Student_Number=str(190001 + n),
            First_Name=("Ava", "Noah", "Mia", "Leo", "Zoe", "Eli")[n % 6],
            Last_Name=("Reyes", "Baker", "Flores", "Hughes", "Price")[n % 5],
            DOB="09/01/2020",
            Gender="MF"[n % 2],
            Grade_Level="K",
            School_Code="LIN",
            Meal_Status="F",
        )
        lines.append(",".join(row.get(name, "") for name in header))
    return importer["id"], ("\n".join(lines) + "\n").encode()


def request_authorization(clerk, importer_id, data, comment):
    """As the clerk: preview ``data``, exclude its errors, confirm, request."""
    upload = clerk.call_kw(
        "student.import.upload",
        "create",
        [
            {
                "importer_id": importer_id,
                "file": base64.b64encode(data).decode(),
                "file_name": "elm_school_transfers.csv",
            }
        ],
    )
    run_id = clerk.call_kw("student.import.upload", "action_run", [[upload]])["res_id"]
    run = clerk.call_kw(
        "student.import.run", "read", [[run_id]], fields=["count_error", "requires_confirmation"]
    )[0]
    if run["count_error"]:
        clerk.call_kw("student.import.run", "action_exclude_errors", [[run_id]])
    if run["requires_confirmation"]:
        clerk.call_kw("student.import.run", "action_confirm_warning", [[run_id]])
    clerk.call_kw("student.import.run", "action_request_authorization", [[run_id], comment])
    return run_id


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="school_student_import")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--clerk", default="carmen:carmen", help="login:password of a clerk")
    parser.add_argument(
        "--support", default="sam:sam", help="login:password of a Support representative"
    )
    parser.add_argument("--importer", default="Mosaic Student")
    parser.add_argument("--file", default="mosaic_addresses.csv")
    parser.add_argument("--daily-file", default="mosaic_daily.csv")
    parser.add_argument("--run-id", type=int, help="an existing run, instead of a new preview")
    parser.add_argument("--out", type=Path, default=ROOT / "readme" / "screenshots")
    args = parser.parse_args(argv)

    odoo = Odoo(args.url, args.db, args.login, args.password)
    run_id = args.run_id or preview(odoo, args.importer, args.file)
    clerk = Odoo(args.url, args.db, *args.clerk.split(":", 1))
    support = Odoo(args.url, args.db, *args.support.split(":", 1))
    importer_id, data = large_file(clerk, args.importer, args.daily_file, extra=70)
    request_authorization(
        clerk, importer_id, data, "70 kindergartners transferred from the closed Elm school"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    # One browser per user: switching sessions in one tab makes the web
    # client announce that "the page is out of date".
    with browser_as(odoo) as browser:
        browser.open(
            f"action-school_student_import.student_import_run_action/{run_id}",
            "!!document.querySelector('.o_form_view [name=change_mix] tr')",
            "the run's form",
        )
        browser.screenshot(args.out / "review_screen.png")
        browser.evaluate("document.querySelector('button[name=action_start_apply]').click()")
        browser.wait_for(
            "!!document.querySelector('.modal [name=suspicious_line_ids] .o_data_row')",
            "the Large Change dialog",
        )
        browser.screenshot(args.out / "confirm_dialog.png")
        browser.evaluate("document.querySelector('.modal-footer button.btn-primary').click()")
        browser.wait_for("!document.querySelector('.modal')", "No")
        browser.evaluate("document.querySelector('button[name=action_view_lines]').click()")
        browser.wait_for(
            "!!document.querySelector('.o_search_panel .o_search_panel_filter_value')"
            " && !!document.querySelector('.o_list_view .o_data_row')",
            "Review Changes",
        )
        browser.screenshot(args.out / "review_lines.png")
    # Support's desk, the run's header and the decision dialog.
    with browser_as(support) as browser:
        browser.open(
            "action-school_student_import.student_import_authorization_action",
            "!!document.querySelector('.o_list_view .o_data_row')",
            "Authorizations to Decide",
        )
        browser.screenshot(args.out / "support_desk.png")
        browser.evaluate(
            "document.querySelector('.o_list_view .o_data_row td[name=run_id]').click()"
        )
        browser.wait_for(
            "!!document.querySelector('.o_form_view button[name=action_open_decision]')",
            "the run, as Support sees it",
        )
        browser.evaluate(
            "document.querySelector('.o_form_view button[name=action_open_decision]').click()"
        )
        browser.wait_for(
            "!!document.querySelector('.modal [name=change_mix] tr')", "the decision dialog"
        )
        browser.screenshot(args.out / "decision_dialog.png")
    return 0


@contextlib.contextmanager
def browser_as(user):
    """Headless Chromium logged in as ``user`` (an :class:`Odoo` session)."""
    browser = Chromium()
    try:
        browser.send("Page.enable")
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.send("Network.setCookie", name="session_id", value=user.session_id, url=user.url)
        browser.url = user.url
        yield browser
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
