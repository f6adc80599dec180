"""The rollout page in a real headless Chromium (Debian's, never a downloaded one) against a real `gateway serve`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.gateway_process import GatewayProcess, write_flags_atomically

CHROMIUM = "/usr/bin/chromium"
# No first-run, sync, update or background traffic: whatever the page asks for is all the browser asks for.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# SPEC 15: fresh at least every 2 s; a flip or traffic shows within 4 s, reload-free.
LIVE_WITHIN_MS = 4000
FLAGS = "default: legacy\napis:\n  models: migrated\n  files: shadow\n"
FLIPPED = "default: legacy\napis:\n  models: legacy\n  files: shadow\n"

pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="chromium missing: .ci/run installs it")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(browser: Browser, base_url: str) -> tuple[Page, list[str], list[str]]:
    """The page on a laptop-sized screen, with every URL it asks for and every error its console reports."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{base_url}/_gateway/ui")
    return page, requested, errors


def _get_models(gateway: GatewayProcess, times: int) -> None:
    for _ in range(times):
        httpx.get(f"{gateway.base_url}/v1/models").raise_for_status()


def test_page_shows_every_api_and_mode_live_and_asks_only_the_gateway(tmp_path: Path, browser: Browser) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text(FLAGS)
    with GatewayProcess(flags, tmp_path) as gateway:
        status = httpx.get(f"{gateway.base_url}/_gateway/status").json()
        page, requested, errors = _open(browser, gateway.base_url)
        for name, api in status["apis"].items():
            section = page.locator(f'section[data-api="{name}"]')
            expect(section.locator(".mode")).to_have_text(api["mode"])
            expect(section.locator("tbody tr")).to_have_count(len(api["routes"]))
        expect(page.locator('#flags [data-field="sha256"]')).to_have_text(status["flags"]["sha256"][:12])
        expect(page.locator('#flags [data-field="path"]')).to_have_text(str(flags))

        models = page.locator('section[data-api="models"]')
        listing = models.locator('tr[data-route="GET /v1/models"]')
        # Per side five number cells (requests, 4xx, 5xx, p50, p99): legacy's first, then migrated's.
        legacy_requests, migrated_requests = listing.locator("td.number").nth(0), listing.locator("td.number").nth(5)
        expect(listing.locator(".in-force")).to_have_text("migrated")
        _get_models(gateway, 2)
        expect(migrated_requests).to_have_text("2", timeout=LIVE_WITHIN_MS)
        expect(models.locator("figcaption")).to_contain_text("migrated 100% (2)", timeout=LIVE_WITHIN_MS)
        bar = models.locator(".bar .side-migrated").bounding_box()
        assert bar is not None and bar["width"] > 100

        write_flags_atomically(flags, FLIPPED)
        expect(models.locator(".mode")).to_have_text("legacy", timeout=LIVE_WITHIN_MS)
        expect(listing.locator(".in-force")).to_have_text("legacy", timeout=LIVE_WITHIN_MS)
        _get_models(gateway, 3)
        expect(legacy_requests).to_have_text("3", timeout=LIVE_WITHIN_MS)
        expect(models.locator("figcaption")).to_contain_text("legacy 60% (3)", timeout=LIVE_WITHIN_MS)
        expect(page.locator('section[data-api="files"] .mode')).to_have_text("shadow")

        page.screenshot(path=tmp_path / "rollout-page.png", full_page=True)
        page.close()
    assert (tmp_path / "rollout-page.png").stat().st_size > 0
    hosts = {urlsplit(url).hostname for url in requested}
    assert hosts == {"127.0.0.1"}, requested
    assert not errors
    assert _live_requests(requested) >= 2


def test_page_shows_a_shadow_mismatchs_diff_and_keeps_it_open_while_live(tmp_path: Path, browser: Browser) -> None:
    flags = tmp_path / "flags.yaml"
    flags.write_text("apis:\n  models: shadow\n")
    with GatewayProcess(flags, tmp_path, extra_args=["--apis", "tests.e2e.shadow_apis:drifting_registry"]) as gateway:
        page, requested, errors = _open(browser, gateway.base_url)
        with httpx.Client(base_url=gateway.base_url) as client:
            client.post("/v1/models", json={"model_id": "team/drift"}).raise_for_status()
            # The drifting router answers 200 where legacy answers 204.
            assert client.delete("/v1/models/team/drift").status_code == 204
        row = page.locator('tr[data-route="DELETE /v1/models/{model_id:path}"]')
        expect(row.locator("td.shadow")).to_contain_text("0.0% match (0/1, 0 skipped)", timeout=LIVE_WITHIN_MS)
        row.locator("details summary").click()
        diff = row.locator("details pre")
        expect(diff).to_contain_text("status: legacy 204 | migrated 200")
        # New traffic after the click changes the live part, which is swapped in anew: the fold-out stays open.
        httpx.get(f"{gateway.base_url}/v1/models").raise_for_status()
        listing = page.locator('tr[data-route="GET /v1/models"] td.number').first
        expect(listing).to_have_text("1", timeout=LIVE_WITHIN_MS)
        expect(diff).to_be_visible()
        page.screenshot(path=tmp_path / "shadow-mismatch.png", full_page=True)
        page.close()
    assert not errors


def test_page_shows_a_failing_canary_rolled_back(tmp_path: Path, browser: Browser) -> None:
    flags = tmp_path / "flags.yaml"
    rules = "{max_5xx_ratio: 2, min_requests: 10, window_s: 30}"
    flags.write_text(f"apis:\n  pets:\n    mode: canary\n    percent: 50\n    rollback: {rules}\n")
    with GatewayProcess(flags, tmp_path, extra_args=["--apis", "tests.gateway.rollout.canary_api"]) as gateway:
        page, _, errors = _open(browser, gateway.base_url)
        failing = page.locator('tr[data-route="GET /v1/pets/failing"]')
        expect(failing.locator("td.canary")).to_have_text("50% to migrated, sticky none; in force")
        with httpx.Client(base_url=gateway.base_url) as client:
            for _ in range(200):
                client.get("/v1/pets/failing")
                if gateway.events("rollback"):
                    break
        assert gateway.events("rollback"), gateway.describe()
        expect(failing.locator("td.canary")).to_contain_text("rolled back (max_5xx_ratio) at", timeout=LIVE_WITHIN_MS)
        expect(failing.locator("td.canary .rolled-back")).to_be_visible()
        # The router's 5xx, the reason for the rollback, stand out: migrated's 5xx is the eighth figure.
        expect(failing.locator("td.number").nth(7)).to_have_class("number bad")
        steady = page.locator('tr[data-route="GET /v1/pets"] td.canary')
        expect(steady).to_have_text("50% to migrated, sticky none; in force")
        page.screenshot(path=tmp_path / "canary-rolled-back.png", full_page=True)
        page.close()
    assert not errors


def _live_requests(requested: list[str]) -> int:
    return sum(url.endswith("/_gateway/ui/live") for url in requested)
