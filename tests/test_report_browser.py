"""The HTML report in a real headless Chromium (Playwright driving the system browser through
``executable_path``; nothing is downloaded): a mixed batch is laid out without horizontal overflow at
desktop and phone widths, no element is narrower than its longest word, every picture loads, the
status filter works from the keyboard, it prints, and it loads nothing from the network.

Screenshots go to $ASSETKIT_SCREENSHOTS (default: the test's tmp folder) as report-1280.png,
report-390.png, report-print.png (print media at an A4 width) and report-print.pdf, to be looked at
by a person.
"""
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from PIL import Image

import assetkit
from assetkit import report

import fixtures as fx

pytestmark = pytest.mark.browser

CHROMIUM = next((p for p in (os.environ.get("ASSETKIT_CHROMIUM"), shutil.which("chromium"),
                             "/usr/bin/chromium") if p and os.path.exists(p)), None)
LONG = "IMG_20261201_export_from_the_phone_camera_roll_without_any_spaces_in_its_name_000123.jpg"
SLOTS = "instagram/post,youtube/channel-art,instagram/video"


def _clip(path: Path) -> Path | None:
    """A 2 s 1280x720 clip with sound (the ffmpeg of the imageio-ffmpeg wheel)."""
    try:
        from assetkit.video import ffmpeg_exe

        subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
                        "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=10:d=2", "-f", "lavfi", "-i", "sine=d=2",
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                        "-shortest", str(path)], check=True, timeout=120)
        return path
    except Exception:
        return None


def mixed_batch(d: Path, monkeypatch=None) -> tuple[Path, dict, Path]:
    """Photos ready and fixed, one with a face, too small ones (a photo, a small logo), a long file
    name, uncredited files, and a video when ffmpeg can encode one."""
    src = d / "src"
    src.mkdir()
    credit = {fx.TAG_ARTIST: "A. Photographer", fx.TAG_COPYRIGHT: "IOM"}
    fx.make_photo(src / "ok.jpg", (1200, 1200), exif=credit)
    fx.make_photo(src / "wide.jpg", (2400, 1000), orientation=6, exif=credit)
    fx.make_photo(src / "banner.jpg", (2600, 1500), exif=credit)
    people = fx.background(2400, 1400, seed=3)
    fx.paste_person(people, 1500, 520, 360)
    people.save(src / "people.jpg", quality=92)
    fx.make_photo(src / "small.jpg", (500, 400))
    fx.make_photo(src / LONG, (1300, 1300), seed=2)
    Image.new("RGB", (200, 120), (200, 30, 30)).save(src / "logo.png")
    has_video = _clip(src / "clip.mp4") is not None
    os.environ.setdefault("ASSETKIT_X264_PRESET", "ultrafast")
    result = assetkit.prepare([src], SLOTS, out_dir=d / "out", jobs=1)
    data = report.build(result)
    page = d / "report.html"
    report.write(data, page)
    return page, data, {"video": has_video}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    d = tmp_path_factory.mktemp("browser")
    return mixed_batch(d)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium installed (apt-get install chromium, or set ASSETKIT_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package drives Chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def shots(tmp_path):
    d = Path(os.environ.get("ASSETKIT_SCREENSHOTS") or tmp_path)
    d.mkdir(parents=True, exist_ok=True)
    return d


def _open(browser, page: Path, width: int, requests=None):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    if requests is not None:
        ctx.on("request", lambda r: requests.append(r.url))
    tab = ctx.new_page()
    tab.goto(page.as_uri())
    return ctx, tab


# Layout facts measured in the page: the document does not scroll sideways; no text is wider than
# the box it is laid out in (a word that does not fit is a mid-word break or an overflow), except
# file names and paths, which may wrap anywhere; nothing uses word-break:break-all.
LAYOUT = """() => {
  const out = {overflow: document.documentElement.scrollWidth - window.innerWidth, narrow: [], breakAll: []};
  const canvas = document.createElement('canvas').getContext('2d');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script,style,.name,.hidden') || !n.textContent.trim()) continue;
    if (el.getClientRects().length === 0) continue;            // not rendered (display:none)
    let box = el;
    while (box && getComputedStyle(box).display.startsWith('inline')) box = box.parentElement;
    const cs = getComputedStyle(box), ecs = getComputedStyle(el);
    if (ecs.wordBreak === 'break-all' || cs.wordBreak === 'break-all') out.breakAll.push(el.tagName);
    const width = box.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    canvas.font = `${ecs.fontStyle} ${ecs.fontWeight} ${ecs.fontSize} ${ecs.fontFamily}`;
    const nowrap = el.closest('.badge') !== null;
    const words = nowrap ? [n.textContent.trim()] : n.textContent.split(/\\s+/);
    for (const w of words) {
      const ww = canvas.measureText(w).width;
      if (ww > width + 1) out.narrow.push([box.tagName + '.' + box.className, w, Math.round(ww), Math.round(width)]);
    }
  }
  return out;
}"""

IMAGES = """() => Array.from(document.images).map(i => ({
  alt: i.alt, complete: i.complete, natural: [i.naturalWidth, i.naturalHeight],
  shown: [i.getBoundingClientRect().width, i.getBoundingClientRect().height], inCard: !!i.closest('article')}))"""


@pytest.mark.parametrize("width", [1280, 390])
def test_layout_and_pictures_at_desktop_and_phone_width(batch, browser, shots, width):
    page, data, _ = batch
    requests = []
    ctx, tab = _open(browser, page, width, requests)
    try:
        tab.screenshot(path=str(shots / f"report-{width}.png"), full_page=True)
        facts = tab.evaluate(LAYOUT)
        assert facts["overflow"] <= 0, f"the page scrolls sideways by {facts['overflow']} px at {width} px"
        assert not facts["breakAll"]
        assert not facts["narrow"], facts["narrow"][:10]
        imgs = tab.evaluate(IMAGES)
        assert len(imgs) >= 2 * len(data["results"]), "originals, crops and results"
        for i in imgs:
            assert i["complete"] and i["natural"][0] > 0, i["alt"]
            if width == 1280:  # large enough to judge a crop, unless the picture itself is smaller
                assert max(i["shown"]) >= min(320, max(i["natural"])) - 1, i
        # a long file name wraps inside its card: its heading is no wider than the card
        h = tab.locator("h3.name", has_text=LONG[:20])
        assert h.count() == 1 and h.bounding_box()["width"] <= width
    finally:
        ctx.close()
    assert all(u.startswith(("data:", "file:")) for u in requests), requests


def test_status_filter_works_with_the_keyboard(batch, browser):
    page, data, _ = batch
    ctx, tab = _open(browser, page, 1280)
    try:
        total = tab.locator("article.asset").count()
        assert total == len(data["results"])
        for _ in range(400):  # Tab through the page to the "Failed" filter button
            tab.keyboard.press("Tab")
            if tab.evaluate("document.activeElement.dataset.filter") == "failed":
                break
        else:
            pytest.fail("the Failed filter cannot be reached with Tab")
        tab.keyboard.press("Enter")
        assert tab.get_attribute("button[data-filter=failed]", "aria-pressed") == "true"
        failed = {Path(r["source"]).name for r in data["results"] if "failed" in r["tally"].lower() or not r["outputs"]}
        shown = {Path(t).name for t in tab.locator("article.asset:visible h3").all_inner_texts()}
        assert shown == failed and 0 < len(shown) < total
        assert tab.locator("section.out:visible").count() == sum(
            1 for r in data["results"] for o in r["outputs"] if o["report_status"] == "failed")
        assert tab.locator("#shown").inner_text() == f"{len(shown)} files shown"
        tab.keyboard.press("Shift+Tab")  # back to "All" (the button before it), Space presses it
        while tab.evaluate("document.activeElement.dataset.filter") != "all":
            tab.keyboard.press("Shift+Tab")
        tab.keyboard.press(" ")
        assert tab.locator("article.asset:visible").count() == total
    finally:
        ctx.close()


def test_prints_every_card_without_the_filter(batch, browser, shots):
    page, _, _ = batch
    ctx, tab = _open(browser, page, 1280)
    try:
        total = tab.locator("article.asset").count()
        tab.click("button[data-filter=ready]")
        assert tab.locator("article.asset:visible").count() < total
        tab.emulate_media(media="print")
        assert tab.locator("article.asset:visible").count() == total  # printing shows every file
        assert not tab.locator(".filter").is_visible()
        tab.set_viewport_size({"width": 760, "height": 1000})  # about an A4 page's width
        facts = tab.evaluate(LAYOUT)
        assert facts["overflow"] <= 0 and not facts["narrow"], facts
        tab.screenshot(path=str(shots / "report-print.png"), full_page=True)
        pdf = tab.pdf(path=str(shots / "report-print.pdf"), format="A4", print_background=False)
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + \
            pdf.count(b"/Type/Page") >= 1
    finally:
        ctx.close()


def test_pictures_open_at_full_size(batch, browser):
    page, data, _ = batch
    ctx, tab = _open(browser, page, 1280)
    try:
        hrefs = tab.evaluate("Array.from(document.querySelectorAll('figure a')).map(a => a.href)")
        assert len(hrefs) >= len(data["results"])
        for h in hrefs:  # every picture links a file that exists, relative to the page
            assert Path(unquote(urlparse(h).path)).is_file(), h
        outputs = [o["output"] for r in data["results"] for o in r["outputs"] if o["report_status"] in ("ready", "fixed")]
        link = tab.locator("section.out figure a").first
        target = unquote(urlparse(link.evaluate("a => a.href")).path)
        link.click()
        tab.wait_for_load_state()
        assert unquote(urlparse(tab.url).path) == target
        assert any(Path(o).resolve() == Path(target) for o in outputs) or Path(target).is_file()
    finally:
        ctx.close()


def test_faces_and_video_poster_are_shown(batch, browser):
    page, data, extra = batch
    by_name = {Path(r["source"]).name: r for r in data["results"]}
    assert by_name["people.jpg"]["info"]["analysis"]["faces"], "the analysis should find the pasted face"
    ctx, tab = _open(browser, page, 1280)
    try:
        alts = tab.evaluate("Array.from(document.images).map(i => i.alt)")
        assert any(a.startswith("Original people.jpg with 1 face outlined") for a in alts), alts
        if extra["video"]:
            clip = tab.locator("article.asset", has=tab.locator("h3", has_text="clip.mp4"))
            poster = clip.locator("img[alt^='Poster frame for instagram/video']")
            assert poster.count() == 1 and poster.evaluate("i => i.naturalWidth") > 0
            out = next(o for o in by_name["clip.mp4"]["outputs"] if o["slot"] == "instagram/video")
            assert out["bytes"] and f"→ {out['bytes'] / 1e6:.1f} MB" in clip.inner_text() or \
                f"→ {out['bytes'] / 1e3:.1f} KB" in clip.inner_text()
    finally:
        ctx.close()


def test_works_without_javascript(batch, browser):
    page, data, _ = batch
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        tab = ctx.new_page()
        tab.goto(page.as_uri())
        assert tab.locator("article.asset:visible").count() == len(data["results"])
        assert not tab.locator(".filter").is_visible()  # a filter that cannot work is not offered
        assert all(tab.locator("img").nth(i).evaluate("i => i.naturalWidth") > 0
                   for i in range(tab.locator("img").count()))
    finally:
        ctx.close()
