"""The web reader in a real browser: Debian's headless Chromium driven by Selenium.

Opens the list, runs a search, opens an article whose archived page planted scripts, and
proves none ran; opens what changed between two versions; screenshots go to $NEWSARCHIVE_SCREENSHOTS (a folder) or the test's tmp_path.
Skips, saying why, where Chromium or ChromeDriver is missing (.ci/run installs both).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve import HOSTILE_HEADLINE, Reader, fill, start
from test_serve_versions import fill_versions

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--window-size=412,915",  # a phone's screen
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser() -> Iterator[object]:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.skip(
            f"no browser to test in: {', '.join(missing)} missing (apt-get install"
            " chromium chromium-driver)"
        )
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download a driver
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def reader(archive_path: Path) -> Iterator[Reader]:
    fill(archive_path)
    yield from start(archive_path)


def screenshot_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("NEWSARCHIVE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_read_search_and_open_an_article_whose_scripts_do_not_run(
    browser, reader: Reader, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    folder = screenshot_folder(tmp_path)
    browser.get(reader.server.url)
    assert browser.title == "Articles · newsarchive"
    headlines = [link.text for link in browser.find_elements(By.CSS_SELECTOR, ".results .headline")]
    assert headlines[-1] == "Harbour bridge reopens after storm"
    browser.save_screenshot(str(folder / "list.png"))

    box = browser.find_element(By.CSS_SELECTOR, ".bar input[name=q]")
    box.send_keys("ferry")
    box.submit()
    assert browser.current_url.endswith("/search?q=ferry")
    marked = browser.find_elements(By.CSS_SELECTOR, ".snippet mark")
    assert marked and marked[0].text.lower() == "ferry"
    browser.save_screenshot(str(folder / "search.png"))

    browser.find_element(By.CSS_SELECTOR, "a.headline[href='/articles/2']").click()
    assert browser.current_url.endswith("/articles/2")
    assert browser.find_element(By.TAG_NAME, "h1").text == HOSTILE_HEADLINE
    assert browser.title == f"{HOSTILE_HEADLINE} · newsarchive"  # the planted scripts set "pwned"
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    assert "halted on Tuesday" in browser.find_element(By.CSS_SELECTOR, ".story .body").text
    style = "return getComputedStyle(document.querySelector('.story .body')).fontFamily"
    assert "Georgia" in browser.execute_script(style)  # the style sheet loads under the CSP
    browser.save_screenshot(str(folder / "article.png"))

    light = _background(browser)
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
    )
    assert _background(browser) != light
    browser.save_screenshot(str(folder / "article-dark.png"))
    assert all((folder / name).stat().st_size > 0 for name in ("list.png", "article.png"))


def _background(browser) -> str:
    return browser.execute_script("return getComputedStyle(document.body).backgroundColor")


@pytest.fixture
def editor(archive_path: Path) -> Iterator[Reader]:
    fill(archive_path)
    yield from start(archive_path, allow_edits=True)


def test_with_edits_allowed_a_tag_added_through_the_form_shows_on_the_page(
    browser, editor: Reader, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(editor.server.url + "articles/2")
    assert browser.title == f"{HOSTILE_HEADLINE} · newsarchive"
    assert not browser.find_elements(By.CSS_SELECTOR, ".story .tags a")
    box = browser.find_element(By.CSS_SELECTOR, ".edits input[name=add]")
    box.send_keys("Ferry Timetables")
    box.submit()
    assert browser.current_url.endswith("/articles/2"), browser.page_source  # after the 303
    shown = browser.find_elements(By.CSS_SELECTOR, ".story .tags a")
    assert [(link.text, link.get_attribute("href")) for link in shown] == [
        ("ferry timetables", editor.server.url + "?tag=ferry+timetables")
    ]
    assert browser.title == f"{HOSTILE_HEADLINE} · newsarchive"  # the planted scripts set "pwned"
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    browser.save_screenshot(str(screenshot_folder(tmp_path) / "article-tagged.png"))

    shown[0].click()
    headlines = [link.text for link in browser.find_elements(By.CSS_SELECTOR, ".results .headline")]
    assert headlines == [HOSTILE_HEADLINE]


@pytest.fixture
def versioned(archive_path: Path) -> Iterator[Reader]:
    fill_versions(archive_path)
    yield from start(archive_path)


def test_a_diff_page_shows_what_an_edit_inserted(
    browser, versioned: Reader, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(versioned.server.url + "articles/1")
    browser.find_element(By.CSS_SELECTOR, "a[href='/articles/1/diff?from=1&to=2']").click()
    inserted = [ins.text for ins in browser.find_elements(By.CSS_SELECTOR, ".changes ins")]
    assert "only" in inserted
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    shade = "return getComputedStyle(document.querySelector('.changes ins')).backgroundColor"
    assert browser.execute_script(shade) not in ("", "rgba(0, 0, 0, 0)")  # reader.css loaded
    browser.save_screenshot(str(screenshot_folder(tmp_path) / "diff.png"))
