"""The explorer page: built from the bundled package, opened offline in a real browser (Chromium).

The browser test needs the ``playwright`` package and a Chromium (Debian's ``/usr/bin/chromium``;
``.ci/run`` installs it). Without them it is skipped with the reason, except in CI (``CI=true``),
where it fails: CI must run it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

import syriadata

pytest.importorskip("bokeh", reason="the explorer needs bokeh (pip install 'syriadata[explore]')")

from syriadata.explore import write_explorer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    for path in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""):
        if path and os.access(path, os.X_OK):
            return path
    return None


def _need_browser():
    """(sync_playwright, chromium path), or skip with the reason (fail in CI)."""
    missing = []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright, _ = None, missing.append("the playwright package (pip install playwright)")
    exe = _chromium()
    if exe is None:
        missing.append("Chromium (apt-get install -y chromium)")
    if missing:
        why = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why + "; .ci/run installs them, so CI must not skip this test")
        pytest.skip(why)
    return sync_playwright, exe


@pytest.fixture(scope="module")
def page_dir(tmp_path_factory) -> Path:
    return write_explorer(tmp_path_factory.mktemp("explore") / "site")


def test_page_is_one_self_contained_file(page_dir):
    page = (page_dir / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in page_dir.iterdir()) == [".syriadata-output.json", "index.html"]
    # no network: no script or stylesheet loaded from elsewhere
    markup = re.sub(r"(?s)(<script[^>]*>).*?</script>", r"\1</script>", page)  # tags, not Bokeh's own code
    assert not re.search(r"<(script|link|img)[^>]*\s(src|href)=", markup, re.I), "the page loads a file"
    assert "cdn.bokeh.org" not in page
    assert "first-order administrative boundaries are not shipped" in page
    assert len(page.encode()) < 5_000_000
    # the output folder is refused when it holds someone else's files
    other = page_dir.parent / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(syriadata.errors.OutputError):
        write_explorer(other)
    assert (other / "notes.txt").read_text() == "keep me"


def _place_xy(page, place_id: str):
    """Screen position of a place's point (the map's scales, from Bokeh's view of the figure)."""
    return page.evaluate("""(pid) => {
      const doc = Bokeh.documents[0], fig = doc.get_model_by_name('map'), src = doc.get_model_by_name('places');
      const view = Bokeh.index.find_one(fig), i = src.data.place_id.indexOf(pid);
      const box = view.canvas_view.el.getBoundingClientRect();
      return [box.left + view.frame.x_scale.compute(src.data.x[i]), box.top + view.frame.y_scale.compute(src.data.y[i])];
    }""", place_id)


def _go_to(page, day: str) -> str:
    box = page.locator("input[type=text]")
    box.fill(day)
    box.press("Enter")
    page.wait_for_function(f"document.body.dataset.day === '{day}'", timeout=10_000)
    return json.loads(page.evaluate("document.body.dataset.controllers"))["aleppo"]


def test_explorer_in_a_browser(page_dir, tmp_path_factory):
    sync_playwright, exe = _need_browser()
    # the screenshot goes outside the work tree (never committed): $SYRIADATA_TEST_ARTEFACTS or pytest's temp folder
    artefacts = Path(os.environ.get("SYRIADATA_TEST_ARTEFACTS") or tmp_path_factory.getbasetemp() / "test-artefact")
    artefacts.mkdir(parents=True, exist_ok=True)
    errors = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: errors.append(f"network request: {r.url}")
                    if not r.url.startswith(("file:", "data:", "blob:")) else None)
            page.goto((page_dir / "index.html").as_uri())
            page.wait_for_function("document.body.dataset.controllers !== undefined", timeout=30_000)
            paint = page.evaluate("performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)")
            print(f"first contentful paint: {paint} ms")

            before, after = _go_to(page, "2024-11-29"), _go_to(page, "2024-12-01")
            assert before != after, f"Aleppo's controller did not change between the two days ({before})"
            # the slider moves the same state
            page.evaluate("Bokeh.documents[0].get_model_by_name('day').value = 0")
            page.wait_for_function("document.body.dataset.day !== '2024-12-01'")
            assert _go_to(page, "2024-11-29") == before
            # the reading changes the map on a day inside Aleppo's window
            page.evaluate("Bokeh.documents[0].get_model_by_name('reading').value = 'earliest'")
            page.wait_for_function("document.body.dataset.reading === 'earliest'")
            assert json.loads(page.evaluate("document.body.dataset.controllers"))["aleppo"] == after

            page.mouse.click(*_place_xy(page, "aleppo"))
            page.wait_for_function("document.body.dataset.selected === 'aleppo'", timeout=10_000)
            links = page.locator("a[rel=noopener]")
            assert links.count() >= 1
            assert links.first.get_attribute("href").startswith("http")
            assert page.get_by_text("chain of control").count() == 1  # inside Bokeh's shadow DOM
            page.screenshot(path=str(artefacts / "explorer.png"))
            print(f"screenshot: {artefacts / 'explorer.png'}")
        finally:
            browser.close()
    assert not errors, errors
