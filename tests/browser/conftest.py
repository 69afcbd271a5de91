"""One headless Debian chromium for the whole session, driven by Playwright.

The browser is the system's (`make test` installs it with apt-get as root);
no browser build is downloaded. The tests fail, never skip, without it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

INSTALL = "sudo apt-get install chromium fonts-dejavu-core"
VIEWPORT = {"width": 1000, "height": 700}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(f"the browser tests need Debian's chromium; run: {INSTALL}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=[
            "--font-render-hinting=none", "--disable-lcd-text", "--force-color-profile=srgb",
            "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shared_page(browser: Any) -> Iterator[Any]:
    """One page for every test (a new page costs more than a test): it may fetch nothing,
    every request is refused and noted, and so are console messages and dialogs."""
    page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
    page.requests = []
    page.console = []
    page.route("**/*", lambda route: (page.requests.append(route.request.url), route.abort()))
    page.on("console", lambda message: page.console.append(message.text))
    page.on("dialog", lambda dialog: (page.console.append("dialog: " + dialog.message), dialog.dismiss()))
    yield page
    page.close()


@pytest.fixture
def page(shared_page: Any) -> Any:
    """The shared page at its fixed size, with nothing noted yet."""
    shared_page.set_viewport_size(VIEWPORT)
    shared_page.requests.clear()
    shared_page.console.clear()
    return shared_page
