"""Browser journeys: Playwright for Python driving Debian's Chromium against the app
served by pytest-django's live server. Run alone with ``python3 dev.py test -m browser``.

Without Chromium these tests skip with a reason (README command); under .ci/run, which
installs Chromium, a skip is a failure (see tests/conftest.py).
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import axe_playwright_python
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread; the ORM calls the test
    makes itself (creating personas) are still synchronous and safe. Only for this package:
    the variable must not leak into other tests (or the subprocesses they start)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _real_cache(settings):
    """A real cache, as in production (the suite's default is a dummy one): what a user
    sees after saving comes through the page caches, so the journeys prove them fresh."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="package")
def browser(_allow_orm_beside_playwright):
    """One Chromium for the package; stopped with it, so Playwright's event loop does not
    outlive these tests (later tests would then refuse synchronous ORM calls)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.call_report = report


# Accessibility (信息无障碍, GB/T 37668-2019): axe-core, shipped inside the
# axe-playwright-python package (nothing is downloaded), runs on every page a journey
# visits, once it has loaded, and reports back through a binding. A page left before
# its check finished is checked again at the end of the test (a GET of its URL).
AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
AXE_ON_LOAD = """
window.addEventListener("load", () => {
  if (window.top !== window) return;
  axe.run(document, {resultTypes: ["violations"]}).then((results) => {
    window.__axeReport(location.href, results.violations
      .filter((v) => v.impact === "critical" || v.impact === "serious")
      .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))})));
  });
});
"""
BLOCKING = ("critical", "serious")


def watch_accessibility(context):
    """Run axe on every page of ``context``; returns (checked: {url: violations}, visited)."""
    checked, visited = {}, []
    context.add_init_script(script=AXE_SCRIPT + AXE_ON_LOAD)
    context.expose_binding(
        "__axeReport", lambda source, url, violations: checked.__setitem__(url, violations)
    )

    def on_response(response):
        request = response.request
        if (
            request.resource_type == "document"
            and request.method == "GET"
            and response.status == 200
            and "text/html" in (response.headers.get("content-type") or "")
        ):
            visited.append(response.url)

    context.on("response", on_response)
    return checked, visited


def accessibility_problems(context, checked, visited):
    """The critical and serious violations of every page visited (unchecked ones again)."""
    missing = [url for url in dict.fromkeys(visited) if url not in checked]
    if missing:
        page = context.new_page()
        for url in missing:
            page.goto(url)
            page.wait_for_load_state("load")
            page.wait_for_function("() => true")  # let the binding deliver
            for _ in range(50):
                if url in checked:
                    break
                page.wait_for_timeout(100)
    return {url: found for url, found in checked.items() if found}


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser context; records every request; checks every page with axe;
    screenshot on failure."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    checked, visited = watch_accessibility(context)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.outside_requests = []
    own = urlparse(live_server.url).netloc

    def record(req):
        if urlparse(req.url).netloc not in (own, "") and not req.url.startswith("data:"):
            page.outside_requests.append(req.url)

    page.on("request", record)
    page.base = live_server.url
    yield page
    report = getattr(request.node, "call_report", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    problems = accessibility_problems(context, checked, visited)
    context.close()
    assert not page.outside_requests, f"loaded from outside the app: {page.outside_requests}"
    assert visited and set(visited) <= set(checked), "every page is checked for accessibility"
    assert not problems, "accessibility (axe, critical or serious):\n" + "\n".join(
        f"{url}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
        for url, found in problems.items()
        for v in found
    )


def login(page, username, password=PASSWORD):
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
