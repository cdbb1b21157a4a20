"""Real-browser support: Debian's Chromium driven by Playwright against `streamlit run`.

Skips with a reason when ``chromium`` is not installed, unless ``REQUIRE_BROWSER=1`` (set by
``.ci/run``), which turns the skip into a failure so CI never skips silently.  Screenshots go
to ``test-artifacts/`` (git-ignored) so a person can look at the key screens.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from trainer.bench.server import StreamlitServer

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but Debian's chromium is not installed")
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - playwright is pinned in requirements-dev.txt
        pytest.fail("playwright is not installed")
    return path


@contextmanager
def app_server(db_url: str, content: Path, **env: str) -> Iterator[StreamlitServer]:
    """`streamlit run app.py` on a free port with its own database and content."""
    with StreamlitServer(
        ROOT / "app.py",
        env={
            "DATABASE_URL": db_url,
            "TRAINER_CONTENT_ROOT": str(content),
            "TRAINER_COOKIE_SECRET": "browser-test-secret",
            **env,
        },
    ) as srv:
        yield srv


@contextmanager
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def settle(page, timeout: float = 30_000) -> None:
    """Wait until the rerun an action started has finished drawing: the script state goes to
    "running" (if we are quick enough to see it), back to "notRunning", and no element of the
    previous run is still marked stale."""
    # the run may be over before we look, or there may be no run at all
    with contextlib.suppress(Exception):
        page.wait_for_selector(
            "[data-testid='stApp'][data-test-script-state='running']", timeout=1_000
        )
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
        "[data-test-script-state='notRunning']",
        timeout=timeout,
    )
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stElementContainer'][data-stale='true']\")",
        timeout=timeout,
    )
    page.wait_for_timeout(150)


def open_app(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    settle(page)


def click_button(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    settle(page)


def fill(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True).first
    box.fill(value)
    box.press("Tab")  # commit outside forms
    settle(page)


def nav(page, title: str) -> None:
    page.get_by_role("link", name=re.compile(title)).first.click()
    settle(page)


def text_of(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def shot(page, name: str) -> Path:
    """A screenshot of the whole page: Streamlit scrolls inside its main area, so the window
    is made as tall as the content for the picture and put back afterwards."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
        "[data-testid=stMainBlockContainer]')].map(e => e.scrollHeight), 0)"
    )
    if height and height + 120 > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(int(height) + 120, 6000)})
        page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def wait_text(page, *texts: str, timeout: float = 30.0) -> str:
    """The main area's text once it contains any of ``texts`` (an action's rerun may still be
    drawing when the script state first reads "not running")."""
    import time

    deadline = time.monotonic() + timeout
    body = text_of(page)
    while not any(t in body for t in texts) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        body = text_of(page)
    assert any(t in body for t in texts), f"none of {texts} in:\n{body[-1500:]}"
    return body
