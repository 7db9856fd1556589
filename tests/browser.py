"""Headless Debian Chromium for the browser tests (installed by ``.ci/run``)."""

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

#: Flags for a sandbox with no network: without the background-networking ones Chromium
#: keeps trying hosts it cannot reach.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_driver(profile_dir: Path, *, extra_args=(), capabilities=None):
    """Return a selenium driver for headless Chromium; fail (never skip) when it is missing."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail(
            "chromium / chromedriver missing: run .ci/run or apt-get install chromium chromium-driver"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile_dir}", *extra_args):
        opts.add_argument(flag)
    for key, value in (capabilities or {}).items():
        opts.set_capability(key, value)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    return driver
