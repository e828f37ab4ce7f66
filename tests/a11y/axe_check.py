"""Accessibility check: axe-core in headless Chromium over the demo's main pages.

Run by CI (`python -m tests.a11y.axe_check` with MPS_AXE_JS pointing at axe.min.js). It loads
the demo into a throwaway data directory, serves it, logs in as each kind of user and fails
on any serious or critical WCAG 2.1 A/AA violation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ADDR = "127.0.0.1:8765"
BASE = f"http://{ADDR}"
FAILING_IMPACTS = {"serious", "critical"}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "demo-passord-2026"
# (user, paths); a path ending in "*" means "the first link on that page starting with the prefix".
TOURS = [
    (None, ["/konto/login/", "/tilgjengelighet/"]),
    (
        "kari",
        [
            "/",
            "/tjenester/",
            "/tjenester/*",
            "/avtaler/",
            "/avtaler/*",
            "/avtaler/kontrakter/",
            "/konto/",
            "/audit/",
            "/virksomheter/",
            "/risiko/",
            "/kostnader/",
            "/kostnader/fordeling/",
            "/kostnader/avvik/",
            "/kostnader/prognose/",
            "/kostnader/sammenligning/",
            "/kostnader/importer/",
            "/personvern/behandlinger/",
            "/personvern/behandlinger/*",
            "/personvern/ny-behandling/",
            "/personvern/gjennomgang/",
            "/personvern/gjennomgang/*",
            "/personvern/sammendrag/",
        ],
    ),
    ("vera", ["/", "/tjenester/leverandor/", "/personvern/tjenester/", "/personvern/tjenester/*"]),
    (
        "ola",
        [
            "/",
            "/avtaler/nasjonalt/",
            "/risiko/",
            "/risiko/innsyn/",
            "/priser/",
            "/priser/kurver/",
            "/priser/kurver/ny/",
            "/priser/kurver/*",
            "/kostnader/",
            "/kostnader/datakvalitet/",
            "/kostnader/nasjonalt/",
            "/personvern/nasjonalt/",
            "/personvern/dpf-listen/",
        ],
    ),
    ("nina", ["/", "/risiko/nasjonalt/", "/risiko/innsyn/", "/kostnader/nasjonalt/"]),
]
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def wait_for_server(deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{BASE}/health/", timeout=2) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the demo server did not start")


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("MPS_CHROMIUM", "/usr/bin/chromium")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(
        options=options,
        service=Service(os.environ.get("MPS_CHROMEDRIVER", "/usr/bin/chromedriver")),
    )
    driver.set_script_timeout(60)
    return driver


def resolve(driver: webdriver.Chrome, path: str) -> str | None:
    if not path.endswith("*"):
        return path
    prefix = path[:-1]
    driver.get(BASE + prefix)
    for link in driver.find_elements(By.CSS_SELECTOR, "main a[href]"):
        href = link.get_attribute("href") or ""
        rel = href.removeprefix(BASE)
        if rel.startswith(prefix) and rel.rstrip("/") != prefix.rstrip("/") and "?" not in rel:
            return rel
    return None


def main() -> int:
    axe_js = Path(os.environ["MPS_AXE_JS"]).read_text(encoding="utf-8")
    data_dir = tempfile.mkdtemp(prefix="mps-a11y-")
    env = {**os.environ, "MPS_DATA_DIR": data_dir, "MPS_DEBUG": "1"}
    env.pop("MPS_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "mps", "demo", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "mps", "runserver", ADDR, "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    failures: list[str] = []
    checked = 0
    try:
        wait_for_server(time.monotonic() + 60)
        driver = browser()
        try:
            for user, paths in TOURS:
                driver.delete_all_cookies()
                if user:
                    driver.get(BASE + "/konto/login/")
                    driver.find_element(By.ID, "id_username").send_keys(user)
                    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
                    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
                for raw in paths:
                    path = resolve(driver, raw)
                    if path is None:
                        failures.append(f"{user}: no link found for {raw}")
                        continue
                    driver.get(BASE + path)
                    driver.execute_script(axe_js)
                    violations = driver.execute_async_script(RUN_AXE, TAGS)
                    checked += 1
                    for v in violations:
                        line = f"{user or 'anonymous'} {path}: [{v['impact']}] {v['id']} — {v['help']} at {', '.join(v['nodes'])}"
                        print(line)
                        if v["impact"] in FAILING_IMPACTS:
                            failures.append(line)
        finally:
            driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"axe-core: {checked} pages checked, {len(failures)} serious or critical problem(s)")
    for f in failures:
        print("FAIL", f)
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    raise SystemExit(main())
