"""Take the README's screenshots of the review screen from a running Odoo.

    tools/run &        # or any Odoo 18 serving the addon with its demo data
    /opt/odoo/venv/bin/python tools/screenshot.py [--url http://127.0.0.1:8069] \
        [--db school_student_import] [--login admin] [--password admin] \
        [--importer "Mosaic Student"] [--file mosaic_addresses.csv] \
        [--run-id ID] [--out readme/screenshots]

It previews one of the importer's kept files exactly as Run Now does (the
upload dialog, through JSON-RPC), opens the run in headless Chromium
(Debian's ``chromium``, driven over the DevTools protocol with
``websocket-client``, which Odoo's Python already has), and saves
``review_screen.png`` (the run's form) and ``review_lines.png`` (Review
Changes, with the change-type search panel).  Nothing is applied: the run
stays in review, and can be cancelled from the web client.
"""

import argparse
import base64
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

    def screenshot(self, path):
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="school_student_import")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--importer", default="Mosaic Student")
    parser.add_argument("--file", default="mosaic_addresses.csv")
    parser.add_argument("--run-id", type=int, help="an existing run, instead of a new preview")
    parser.add_argument("--out", type=Path, default=ROOT / "readme" / "screenshots")
    args = parser.parse_args(argv)

    odoo = Odoo(args.url, args.db, args.login, args.password)
    run_id = args.run_id or preview(odoo, args.importer, args.file)
    args.out.mkdir(parents=True, exist_ok=True)
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
        browser.send("Network.setCookie", name="session_id", value=odoo.session_id, url=odoo.url)
        browser.send(
            "Page.navigate",
            url=f"{odoo.url}/odoo/action-school_student_import.student_import_run_action/{run_id}",
        )
        browser.wait_for(
            "!!document.querySelector('.o_form_view [name=change_mix]')"
            " && !document.querySelector('.o_loading_indicator, .o_blockUI')",
            "the run's form",
        )
        browser.screenshot(args.out / "review_screen.png")
        browser.evaluate("document.querySelector('button[name=action_view_lines]').click()")
        browser.wait_for(
            "!!document.querySelector('.o_search_panel .o_search_panel_filter_value')"
            " && !!document.querySelector('.o_list_view .o_data_row')"
            " && !document.querySelector('.o_loading_indicator, .o_blockUI')",
            "Review Changes",
        )
        browser.screenshot(args.out / "review_lines.png")
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
