"""index.html in a real headless Chromium (the Debian package, driven through chromedriver): sorting by
clicking headers works, and a model named like a script stays text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adiff_bench.leaderboard.build import regenerate

from .helpers import XSS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture()
def driver(tmp_path: Path):
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="the selenium package is not installed (test extra)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def _order(driver) -> list[str]:  # noqa: ANN001 - a selenium WebDriver
    return driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#board tbody tr'),"
        " function (r) { return r.getAttribute('data-slug'); });"
    )


def test_sorting_by_clicking_headers(board: Path, driver) -> None:  # noqa: ANN001
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    regenerate(board)
    driver.get((board / "index.html").resolve().as_uri())
    assert driver.title == "ADIFF difference-explanation leaderboard"
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 - the submitted <script> never ran
    assert driver.execute_script("return document.querySelectorAll('script').length") == 1
    names = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#board tbody td:first-child")]
    assert XSS in names  # shown as text

    heads = {th.text.strip(): th for th in driver.find_elements(By.CSS_SELECTOR, "#board thead th")}
    heads["CLD T1"].click()  # numeric columns sort best first; models without the tier go last
    assert _order(driver)[:2] == ["oracle", "constant"]
    assert heads["CLD T1"].get_attribute("aria-sort") == "descending"
    scores = driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#board tbody tr'),"
        " function (r) { return r.cells[3].getAttribute('data-value'); });"
    )
    assert scores[2:] == ["", ""]
    assert float(scores[0]) > float(scores[1])

    heads["CLD T1"].click()
    assert _order(driver)[:2] == ["constant", "oracle"]
    assert heads["CLD T1"].get_attribute("aria-sort") == "ascending"
    assert heads["Model"].get_attribute("aria-sort") is None

    heads["Model"].click()  # text columns sort A to Z
    expected = sorted(names, key=str.lower)
    assert [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#board tbody td:first-child")] == expected


def test_model_link_opens_its_details(board: Path, driver) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    regenerate(board)
    driver.get((board / "index.html").resolve().as_uri())
    details = driver.find_element(By.ID, "model-constant")
    assert details.get_attribute("open") is None
    driver.find_element(By.CSS_SELECTOR, 'a[href="#model-constant"]').click()
    assert details.get_attribute("open") is not None
    assert "BLEU-4" in details.text and "CIDEr-D" in details.text
