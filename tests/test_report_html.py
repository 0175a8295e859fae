"""report/html.py and report/pictures.py: the page's markup (Jinja2 templates, autoescaped), its
pictures (crop, faces, safe areas drawn), the presets it draws from, and what makes it
self-contained (CSP hashes of its own CSS and script). The layout in a real browser is
test_report_browser.py."""
import base64
import hashlib
import io
import re
from importlib.resources import files
from pathlib import Path

import html5lib
import pytest
from PIL import Image

import assetkit
from assetkit import report
from assetkit.cli import main
from assetkit.presets import load_presets
from assetkit.report import html, pictures

import fixtures as fx

NS = "{http://www.w3.org/1999/xhtml}"


def _tree(text: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(text)


def _imgs(text: str) -> dict:
    return {i.get("alt"): i for i in _tree(text).iter(f"{NS}img")}


def _decode(src: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB")


ACME = """schema_version = 1
platform = "acme"
title = "Acme intranet"

[defaults]
photo = "banner"

[slots.banner]
kind = "photo"
title = "Banner"
source = "platform default: a test slot"

[[slots.banner.variants]]
name = "wide"
width = 1600
height = 400
source = "platform default: a test slot"

[[slots.banner.safe_areas]]
name = "phone"
width = 800
height = 400
always_visible = true
source = "platform default: a test slot"
"""


@pytest.fixture
def acme(tmp_path):
    d = tmp_path / "presets"
    d.mkdir()
    (d / "acme.toml").write_text(ACME)
    return d


def test_a_slot_from_presets_gets_its_safe_areas_drawn(tmp_path, acme, monkeypatch):
    """11.8: the page draws the safe areas of the library the run used, not a reload of the built-ins."""
    monkeypatch.chdir(tmp_path)
    fx.make_photo(tmp_path / "wide.jpg", (2000, 600), exif={fx.TAG_ARTIST: "A"})
    rc = main(["prepare", "wide.jpg", "--presets", str(acme), "--for", "acme/banner", "-o", "out", "--jobs", "1",
               "--crop", "centre", "--report", "r.html"])
    assert rc == 0
    imgs = _imgs((tmp_path / "r.html").read_text(encoding="utf-8"))
    [alt] = [a for a in imgs if a.startswith("Result for acme/banner")]
    assert "safe areas phone 800×400" in alt
    # the always-visible band is outlined where it is: a centred half of the width
    res = _decode(imgs[alt].get("src"))
    x = round(res.width / 4)  # the band's left edge
    column = [res.getpixel((x, y)) for y in range(res.height)]
    assert sum(1 for p in column if abs(p[0] - 0) < 60 and p[1] > 150 and p[2] > 200) > res.height * 0.8

    # the library is a parameter: the built-in one does not know acme/banner, so nothing is drawn
    lib = load_presets([acme])
    result = assetkit.prepare([tmp_path / "wide.jpg"], [lib.get("acme/banner")], out_dir=tmp_path / "o2",
                              presets=lib, jobs=1, crop="centre")
    for presets, drawn in ((lib, True), (None, False)):
        w = report.ReportWriter(tmp_path / "s.html", presets=presets)
        for r in result.results:
            w.add(r)
        w.finish(result)
        alts = list(_imgs((tmp_path / "s.html").read_text(encoding="utf-8")))
        assert any("safe areas phone" in a for a in alts) is drawn
        report.write(report.build(result), tmp_path / "w.html", presets=presets)
        assert any("safe areas phone" in a for a in _imgs((tmp_path / "w.html").read_text(encoding="utf-8"))) is drawn


def test_no_builtin_reload_helper_is_left():
    assert not hasattr(html, "_presets")


def _people(tmp_path) -> tuple[Path, tuple]:
    img = fx.background(1800, 1200, seed=1)
    head = fx.paste_person(img, 1200, 500, 320)
    img.save(tmp_path / "people.jpg", quality=92)
    return tmp_path / "people.jpg", head


def test_faces_found_are_outlined_on_the_original(tmp_path):
    """16.5: the faces the analysis found are drawn as boxes on the original."""
    src, head = _people(tmp_path)
    result = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1)
    data = report.build(result)
    found = data["results"][0]["info"]["analysis"]["faces"]
    assert found, "the analysis finds the pasted face"
    text = html.render_html(data, tmp_path / "r.html")
    imgs = _imgs(text)
    [alt] = [a for a in imgs if a.startswith("Original people.jpg")]
    assert alt == f"Original people.jpg with {len(found)} face{'s' if len(found) > 1 else ''} outlined"
    assert "face found (outlined)" in text or "faces found (outlined)" in text
    pic = _decode(imgs[alt].get("src"))
    f = found[0]
    x0, y0, x1 = round(f["x0"] * pic.width), round(f["y0"] * pic.height), round(f["x1"] * pic.width)
    top_edge = [pic.getpixel((x, y0 + 1)) for x in range(x0 + 4, x1 - 4)]
    cyan = sum(1 for p in top_edge if p[0] < 90 and p[1] > 170 and p[2] > 190)
    assert cyan > 0.7 * len(top_edge)
    # the crop on the original shows them too, with the crop box
    assert any(a.startswith("Crop for instagram/post on the original") for a in imgs)


def test_pictures_are_large_enough_to_judge_and_link_the_full_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    fx.make_photo(src / "a.jpg", (1600, 1200), exif={fx.TAG_ARTIST: "A"})
    data = report.build(assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1, crop="centre"))
    page = tmp_path / "reports" / "r.html"
    page.parent.mkdir()
    text = html.render_html(data, page)
    doc = _tree(text)
    imgs = list(doc.iter(f"{NS}img"))
    assert len(imgs) == 3
    assert all(max(int(i.get("width")), int(i.get("height"))) >= 320 for i in imgs)
    links = [a.get("href") for a in doc.iter(f"{NS}a") if a.find(f"{NS}img") is not None]
    assert sorted(links) == sorted(["../in/a.jpg", "../in/a.jpg", "../out/instagram-post/a.jpg"])
    for href in links:
        assert (page.parent / href).resolve().is_file()


def test_a_small_picture_is_shown_at_its_own_size(tmp_path):
    """12.1 at the unit level: a picture that needs no resize comes back open and unchanged in size."""
    Image.new("RGB", (200, 120), (10, 200, 30)).save(tmp_path / "logo.png")
    thumb = pictures.thumbnail(str(tmp_path / "logo.png"))
    assert thumb is not None and thumb.size == (200, 120)
    assert thumb.getpixel((5, 5)) == (10, 200, 30)  # readable: not a closed image
    assert pictures.data_uri(thumb).startswith("data:image/jpeg;base64,")


def _fake(tmp_path, **over):
    out = tmp_path / "out.jpg"
    Image.new("RGB", (1080, 1080), (90, 90, 90)).save(out)
    r = {"source": str(tmp_path / "x.jpg"), "kind": "image", "info": {"width": 2000, "height": 2000},
         "seconds": 0.1, "status": "ready", "findings": [],
         "outputs": [{"slot": "instagram/post", "status": "ready", "output": str(out), "findings": [], "bytes": 1234,
                      "size": [1080, 1080], "held": False, "extra": {},
                      "plan": {"summary": "1080x1080 JPEG (square), crop 0,0-2000,2000, keeps 100%",
                               "crop": [0, 0, 2000, 2000], "kept": 1.0}}]}
    r.update(over)
    return report.annotate({"seconds": 1, "results": [r]})


def test_the_plans_summary_line_is_shown(tmp_path):
    text = html.render_html(_fake(tmp_path), tmp_path / "r.html")
    doc = _tree(text)
    plans = [p for p in doc.iter(f"{NS}p") if p.get("class") == "plan"]
    assert ["".join(p.itertext()) for p in plans] == ["1080x1080 JPEG (square), crop 0,0-2000,2000, keeps 100%"]


def test_messages_are_escaped_and_names_in_them_may_wrap(tmp_path):
    long = "IMG_" + "x" * 80 + ".jpg"
    data = _fake(tmp_path, source=str(tmp_path / long), findings=[
        {"code": "gps-present", "severity": "warning", "message": f"{long} has <script>alert(1)</script> GPS",
         "section": "", "fixable": True}])
    text = html.render_html(data, tmp_path / "r.html")
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert f'<span class="name">{long}</span> has &lt;script&gt;' in text


def test_a_video_card_shows_a_frame_the_poster_and_the_outputs_bytes(tmp_path):
    poster = tmp_path / "clip.jpg"
    Image.new("RGB", (1080, 608), (200, 20, 20)).save(poster)
    (tmp_path / "clip.mp4").write_bytes(b"\0" * 5000)
    data = _fake(tmp_path, source=str(tmp_path / "src.mp4"), kind="video",
                 info={"duration": 12.0, "display_width": 1920, "display_height": 1080, "container": "mp4"},
                 outputs=[{"slot": "instagram/video", "status": "ready", "output": str(tmp_path / "clip.mp4"),
                           "findings": [], "bytes": 2_345_678, "size": [1080, 608], "held": False, "plan": None,
                           "extra": {"poster": str(poster), "duration": 12.0}}])
    text = html.render_html(data, tmp_path / "r.html")
    imgs = _imgs(text)
    [alt] = [a for a in imgs if a.startswith("Poster frame for instagram/video")]
    assert _decode(imgs[alt].get("src")).getpixel((10, 10))[0] > 150
    assert "→ 2.3 MB" in text and "12.0 s" in text
    assert 'href="clip.mp4"' in text  # the picture opens the video itself


def test_page_allows_only_its_own_css_and_script(tmp_path):
    text = html.render_html(_fake(tmp_path), tmp_path / "r.html")
    [meta] = [m for m in _tree(text).iter(f"{NS}meta") if m.get("http-equiv") == "Content-Security-Policy"]
    csp = meta.get("content")
    assert "default-src 'none'" in csp and "img-src data:" in csp and "unsafe-inline" not in csp
    style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", text, re.S).group(1)
    for body in (style, script):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert ' style="' not in text  # no style attributes (the CSP would block them)


def test_markup_css_and_script_are_package_data():
    d = files("assetkit.report")
    for name in ("templates/page.html.j2", "templates/card.html.j2", "static/report.css", "static/report.js",
                 "report.schema.json"):
        assert d.joinpath(name).is_file(), name
    css = d.joinpath("static/report.css").read_text()
    assert "break-all" not in css  # no mid-word breaks in text ...
    assert ".name{overflow-wrap:anywhere}" in css  # ... names alone wrap anywhere
    assert "@media print" in css


def test_report_modules_import_downwards_only():
    """No import circle inside report/: no module imports the package itself or one above it."""
    order = ["summary", "json", "slots", "pictures", "html", "writer"]
    for i, name in enumerate(order):
        src = files("assetkit.report").joinpath(f"{name}.py").read_text()
        imported = set(re.findall(r"from \.(\w+) import", src)) | set(re.findall(r"from \. import (\w+)", src))
        assert imported <= set(order[:i]), (name, imported)
        assert "from . import" not in src.replace("from . import json as jsonreport", "")


def test_three_good_slots_and_one_too_small_is_not_a_red_failed_card(tmp_path):
    good = lambda slot: {"slot": slot, "status": "ready", "output": None, "findings": [], "bytes": 10,  # noqa: E731
                         "size": [1080, 1080], "held": False, "extra": {}, "plan": None}
    bad = {"slot": "youtube/channel-art", "status": "failed", "output": None, "bytes": None, "size": None,
           "held": False, "extra": {}, "plan": None,
           "findings": [{"code": "too-small", "severity": "error", "message": "too small", "section": "",
                         "fixable": False}]}
    data = _fake(tmp_path, outputs=[good("instagram/post"), good("facebook/post"), good("twitter/post"), bad],
                 findings=[{"code": "no-credit", "severity": "warning", "message": "x.jpg has no credit",
                            "section": "", "fixable": False}])
    doc = _tree(html.render_html(data, tmp_path / "r.html"))
    [card] = list(doc.iter(f"{NS}article"))
    assert "all-failed" not in card.get("class") and "all-mixed" in card.get("class")
    tally = [p for p in card.iter(f"{NS}p") if p.get("class") == "tally"][0]
    assert " ".join("".join(tally.itertext()).split()) == "✕ 1 Failed · ✓ 3 Ready"
    text = "".join(card.itertext())
    assert "Credit" in text and "none recorded" in text
    assert "no-credit" not in text  # the credit is its own line, not a finding repeated on the card
    # the page: summary, then what needs a person (grouped), then the files
    heads = ["".join(h.itertext()) for h in doc.iter(f"{NS}h2")]
    assert heads == ["Summary", "Needs a person (1)", "Files"]
    groups = ["".join(h.itertext()) for h in doc.iter(f"{NS}h3") if (h.get("id") or "").startswith("g-")]
    assert groups == ["Cannot go out 1 file is smaller than the slot", "To do 1 file has no credit"]
