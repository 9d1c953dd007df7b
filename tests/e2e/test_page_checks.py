"""Every distinct page the browser journeys were served passes axe-core (no serious or critical violation, at 1280 px
and 360 px) and the Nu HTML checker (no error).

The journeys record the pages (tests/e2e/pages.py, wired into `live_server` by the conftest); these checks run
after them (the conftest sorts this module last) and fail when nothing was recorded, since a check that scanned
nothing has passed nothing. A journey added later joins the checks by being run.

The checkers are test-only npm packages pinned in tests/checkers (`make suite` installs them; by hand:
`cd tests/checkers && npm ci --ignore-scripts`); the Nu checker needs Java 11 or later.

Replay: each page is loaded at the address it was served from, its recorded HTML answering the navigation, with
the stylesheets, scripts and images under /static/ from the live server, so the render is the journey's (colours
included, which the contrast rule needs). Every other request is refused, so nothing the replay does (an htmx
poll, a request for a protected image) changes the page from what the journey saw, or touches the data.
"""

import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e import pages
from tests.e2e.conftest import ARTIFACTS

CHECKERS = pathlib.Path(__file__).resolve().parents[1] / "checkers" / "node_modules"
AXE = CHECKERS / "axe-core" / "axe.min.js"
VNU = CHECKERS / "vnu-jar" / "build" / "dist" / "vnu.jar"
WIDTHS = (1280, 360)

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({rule: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


def _recorded() -> list[pages.RecordedPage]:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.fail(
            "the page checks see only the pages of their own worker: run the browser tests in one process (no -n)",
            pytrace=False,
        )
    if not pages.PAGES:
        pytest.fail(
            "no pages were recorded: the page checks scan what the browser journeys were served, so run them with "
            "the journeys (`pytest tests/e2e`, `make e2e`), not alone",
            pytrace=False,
        )
    return sorted(pages.PAGES.values(), key=lambda page: page.label)


def _checker(path: pathlib.Path):
    if not path.exists():
        pytest.fail(
            f"{path} is missing: install the page checkers with `make suite` "
            "(or `cd tests/checkers && npm ci --ignore-scripts`)",
            pytrace=False,
        )
    return path


def _replay(page, live_server, recorded: pages.RecordedPage):
    address = f"{live_server.url}{recorded.url}"

    def answer(route):
        request = route.request
        if request.is_navigation_request() and request.frame == page.main_frame and request.url == address:
            route.fulfill(status=recorded.status, content_type="text/html; charset=utf-8", body=recorded.html)
        elif request.url.startswith(f"{live_server.url}/static/"):
            route.continue_()
        else:
            route.abort()

    page.unroute("**/*")
    page.route("**/*", answer)
    page.goto(address, wait_until="load")


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_serious_or_critical_violation(browser, live_server, width):
    recorded = _recorded()
    axe = _checker(AXE)
    # The recorded pages carry no Content-Security-Policy when replayed, and bypass_csp lets axe's own script in.
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True, reduced_motion="reduce")
    page = context.new_page()
    findings = []
    try:
        for each in recorded:
            try:
                _replay(page, live_server, each)
                page.add_script_tag(path=str(axe))
                violations = page.evaluate(AXE_RUN)
            except PlaywrightError as error:
                findings.append(f"{each.label}\n    not replayed: {error.message.splitlines()[0]}")
                continue
            for violation in violations:
                targets = "; ".join(violation["targets"])
                findings.append(
                    f"{each.label}\n    {violation['impact']} {violation['rule']}: {violation['help']}\n    {targets}"
                )
    finally:
        context.close()
    if findings:
        pytest.fail(f"axe-core at {width} px, {len(recorded)} pages:\n" + "\n".join(findings), pytrace=False)


# Nu messages that are the checker's mistake, not the page's, each with its reason. Keep this list short and narrow.
NU_FALSE_POSITIVES: list[re.Pattern] = []


def test_nu_checker_finds_no_error():
    recorded = _recorded()
    vnu = _checker(VNU)
    # The recorded pages stay in test-artifacts/pages/ to be opened when a check fails (file names in the report).
    folder = ARTIFACTS / "pages"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = {}
    for number, each in enumerate(recorded):
        path = folder / f"page-{number:03d}.html"
        path.write_text(each.html, encoding="utf-8")
        files[path.name] = each
    # One run over every page: the JVM starts once.
    run = subprocess.run(
        ["java", "-jar", str(vnu), "--format", "json", "--errors-only", "--exit-zero-always", *sorted(files)],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        messages = json.loads(run.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(
            f"the Nu checker did not answer in JSON (exit {run.returncode}):\n{run.stderr[-2000:]}", pytrace=False
        )
    findings = []
    for message in messages:
        if any(pattern.search(message.get("message", "")) for pattern in NU_FALSE_POSITIVES):
            continue
        name = message.get("url", "").rsplit("/", 1)[-1]
        page = files.get(name)
        where = f"{page.label} (test-artifacts/pages/{name})" if page else message.get("url", "?")
        findings.append(
            f"{where}\n    line {message.get('lastLine', '?')}: {message.get('message')}\n"
            f"    {' '.join(message.get('extract', '').split())[:160]}"
        )
    if findings:
        pytest.fail(f"Nu HTML checker, {len(recorded)} pages:\n" + "\n".join(findings), pytrace=False)
