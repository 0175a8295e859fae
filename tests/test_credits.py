"""Credits, consent, logo and config: real files through the pipeline, compared with tolerances."""
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import assetkit
from assetkit import config, rights
from assetkit.cli import main
from assetkit.errors import UsageError
from assetkit.image import watermark

import fixtures as fx
from fixtures import prepare_one as prep

CREDIT = "Photo: A. Name / IOM"


def outputs(result):
    [r] = result.results
    return r.outputs


def pixels(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.int16)


def changed(a: np.ndarray, b: np.ndarray, threshold=40) -> np.ndarray:
    return np.abs(a - b).max(axis=2) > threshold


def solid(path, size, colour) -> Path:
    Image.new("RGB", size, colour).save(path, quality=95)
    return Path(path)


def astronaut_photo(path, *, size=(1200, 1100), side=800, at=None) -> Path:
    """skimage's astronaut (a real face) pasted on a plain background: big enough for instagram/post."""
    from skimage import data

    bg = Image.new("RGB", size, (90, 120, 150))
    at = at or (size[0] - side - 100, size[1] - side - 50)
    bg.paste(Image.fromarray(data.astronaut()).resize((side, side)), at)
    bg.save(path, quality=92)
    return Path(path)


def manifest(path, rows, header="file,credit,source,consent,caption,alt") -> Path:
    Path(path).write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return Path(path)


# ------------------------------------------------------------------------------ visible credit


@pytest.mark.parametrize("position", ["bottom-right", "top-left"])
def test_credit_pixels_in_the_chosen_corner_and_nowhere_else(tmp_path, position):
    src = fx.make_photo(tmp_path / "p.jpg", (1600, 1200))
    plain = outputs(prep(src, "instagram/post", tmp_path / "plain"))[0]
    [o] = outputs(prep(src, "instagram/post", tmp_path / "cred", credit=CREDIT, credit_position=position))
    assert o.extra["credit"]["position"] == position
    diff = changed(pixels(plain.output), pixels(o.output))
    h, w = diff.shape
    ys, xs = np.nonzero(diff)
    assert len(xs) > 500  # real glyphs were drawn
    x0, y0, x1, y1 = o.extra["credit"]["box"]
    slack = 16  # JPEG blocks touching the text
    assert xs.min() >= x0 - slack and xs.max() <= x1 + slack and ys.min() >= y0 - slack and ys.max() <= y1 + slack
    if position == "bottom-right":
        assert xs.min() > w / 3 and ys.min() > 0.85 * h
    else:
        assert xs.max() < 2 * w / 3 and ys.max() < 0.15 * h


def test_text_colour_flips_with_the_background(tmp_path):
    lum = {}
    for name, colour in (("white", (255, 255, 255)), ("black", (0, 0, 0))):
        src = solid(tmp_path / f"{name}.jpg", (1400, 1400), colour)
        [o] = outputs(prep(src, "instagram/post", tmp_path / name, credit=CREDIT))
        a = pixels(o.output)
        x0, y0, x1, y1 = o.extra["credit"]["box"]
        region = a[y0:y1, x0:x1]
        text = np.abs(region - np.array(colour)).max(axis=2) > 120  # the glyph cores
        assert text.sum() > 200
        lum[name] = float((region[text] @ np.array([0.2126, 0.7152, 0.0722])).mean())
        assert o.extra["credit"]["colour"] == ("dark" if name == "white" else "light")
    assert lum["white"] < 80 and lum["black"] > 180


def test_credit_is_legible_at_the_shown_size_of_a_profile_picture(tmp_path):
    src = fx.make_photo(tmp_path / "p.jpg", (1200, 1200))
    [o] = outputs(prep(src, "facebook/profile", tmp_path / "o", credit=CREDIT))
    # uploaded 1080x1080, shown at 160x160: at least 9 px there, so >= 61 px in the file
    assert o.extra["credit"]["size"] >= 9 * 1080 / 160
    assert not [f for f in o.findings if f.code == "credit-unreadable"]


def test_a_credit_too_long_for_a_small_output_is_flagged_unreadable(tmp_path):
    src = fx.make_photo(tmp_path / "p.jpg", (1200, 1200))
    long = "Photo: " + "A very long photographer name and agency " * 3
    [o] = outputs(prep(src, "instagram/profile", tmp_path / "o", credit=long))
    assert "credit-unreadable" in [f.code for f in o.findings]


def test_credit_inside_the_youtube_always_visible_area(tmp_path):
    src = fx.make_photo(tmp_path / "p.jpg", (1280, 720))
    [o] = outputs(prep(src, "youtube/channel-art", tmp_path / "o", credit=CREDIT, allow_upscale=True))
    x0, y0, x1, y1 = o.extra["credit"]["box"]
    ax0, ay0 = (2560 - 1546) // 2, (1440 - 423) // 2
    assert ax0 <= x0 and x1 <= ax0 + 1546 and ay0 <= y0 and y1 <= ay0 + 423
    assert y1 > ay0 + 423 / 2  # bottom-right of the band, not of the 2560x1440 picture


def test_corner_choice_avoids_faces_pure():
    area = (0, 0, 1000, 1000)
    pos, box = watermark.choose_corner(area, (300, 50), "bottom-right", 20, [(700, 900, 900, 1000)])
    assert pos == "bottom-left" and box == (20, 930, 320, 980)
    everywhere = [(0, 0, 1000, 100), (0, 900, 1000, 1000)]
    pos, _ = watermark.choose_corner(area, (300, 50), "bottom-right", 20, everywhere)
    assert pos in watermark.POSITIONS  # no free corner: still placed


def test_faces_map_to_output_coordinates_pure():
    from assetkit.plan.crop import Analysis, Face

    a = Analysis((Face(0.5, 0.5, 0.6, 0.6),), None, (0.5, 0.5), 100, 100)
    # source 2000x1000, crop the right half, output 500x500: the face sits at the left of the output
    [b] = rights.faces_in_output(a, 2000, 1000, (1000, 0, 2000, 1000), (500, 500))
    assert b == (0, 225, 140, 308)  # head box (face grown for hair, ears and chin), clipped at the left
    assert rights.faces_in_output(a, 2000, 1000, (0, 0, 900, 1000), (500, 500)) == []  # cut away


def test_credit_moves_away_from_a_face_in_its_corner(tmp_path):
    src = astronaut_photo(tmp_path / "a.jpg", size=(1100, 1100), side=800, at=(300, 790))
    m = manifest(tmp_path / "m.csv", ["a.jpg,,own,yes,,"])
    [o] = outputs(prep(src, "instagram/post", tmp_path / "o", credit=CREDIT, manifest=str(m)))
    assert o.extra["credit"]["position"] != "bottom-right"


def test_logo_is_composited_with_its_transparency(tmp_path):
    src = solid(tmp_path / "grey.jpg", (1200, 1200), (128, 128, 128))
    logo = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    logo.paste((255, 0, 0, 255), (0, 0, 100, 100))  # left half opaque red, right half transparent
    logo.save(tmp_path / "logo.png")
    [o] = outputs(prep(src, "instagram/post", tmp_path / "o", logo=str(tmp_path / "logo.png"),
                       logo_scale=0.2, logo_opacity=1.0))
    a = pixels(o.output)
    x0, y0, x1, y1 = o.extra["logo"]
    assert x1 > 1000 and y0 < 60  # top-right
    left = a[y0 + 20:y1 - 20, x0 + 10:(x0 + x1) // 2 - 10].reshape(-1, 3).mean(axis=0)
    right = a[y0 + 20:y1 - 20, (x0 + x1) // 2 + 10:x1 - 10].reshape(-1, 3).mean(axis=0)
    assert left[0] > 200 and left[1] < 60
    assert np.abs(right - 128).max() < 8


# ------------------------------------------------------------------------------ metadata credit


def _xmp(path) -> str:
    with Image.open(path) as im:
        x = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp") or b""
    return x.decode() if isinstance(x, bytes) else x


@pytest.mark.parametrize("fmt", ["jpeg", "png"])
def test_credit_caption_and_alt_read_back_from_exif_and_xmp(tmp_path, fmt):
    if fmt == "png":  # few colours: a graphic, so the slot's PNG
        src = tmp_path / "g.png"
        Image.new("RGB", (1200, 1200), (30, 60, 200)).save(src)
    else:
        src = fx.make_photo(tmp_path / "g.jpg", (1200, 1200))
    m = manifest(tmp_path / "m.csv", [f"{src.name},{CREDIT},own,not-needed,Hello world,A blue square"])
    [o] = outputs(prep(src, "instagram/post", tmp_path / "o", manifest=str(m), visible_credit=False))
    assert o.output.endswith(".png" if fmt == "png" else ".jpg")
    with Image.open(o.output) as im:
        exif = im.getexif()
        assert exif.get(0x013B) == CREDIT and exif.get(0x8298) == CREDIT
    x = _xmp(o.output)
    assert re.search(r"<dc:creator>.*Photo: A\. Name / IOM.*</dc:creator>", x)
    assert re.search(r"<dc:rights>.*Photo: A\. Name / IOM.*</dc:rights>", x)
    assert "Hello world" in x and "A blue square" in x
    assert "credit" not in o.extra  # --no-visible-credit: metadata only


def test_template_fills_from_source_xmp_and_keeps_the_creator(tmp_path):
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           '<dc:creator><rdf:Seq><rdf:li>Ann Lee</rdf:li></rdf:Seq></dc:creator>'
           '</rdf:Description></rdf:RDF></x:xmpmeta>').encode()
    src = fx.make_photo(tmp_path / "x.jpg", (1200, 1200), xmp=xmp)
    res = prep(src, "instagram/post", tmp_path / "o", credit="Photo: {artist} / IOM")
    [o] = outputs(res)
    assert res.results[0].info["credit"]["line"] == "Photo: Ann Lee / IOM"
    with Image.open(o.output) as im:
        assert im.getexif().get(0x013B) == "Ann Lee"
        assert im.getexif().get(0x8298) == "Photo: Ann Lee / IOM"


def test_source_credit_from_exif():
    class Fake:
        info = {}

        def getexif(self):
            e = Image.Exif()
            e[0x013B] = "Cam Era"
            return e

    c = rights.read_source_credit(Fake())
    assert c.artist == "Cam Era" and c.found_in == ("EXIF",)


def test_no_credit_is_an_error_for_an_external_photo_and_a_warning_for_an_own_one(tmp_path):
    src = fx.make_photo(tmp_path / "e.jpg", (1200, 1200))
    for source, sev in (("external", "error"), ("own", "warning")):
        m = manifest(tmp_path / f"{source}.csv", [f"e.jpg,,{source},yes,,"])
        res = prep(src, "instagram/post", tmp_path / source, manifest=str(m))
        [f] = [f for f in res.results[0].findings if f.code == "no-credit"]
        assert f.severity == sev and "COPYRIGHT" in f.section
    res = prep(src, "instagram/post", tmp_path / "given", manifest=str(m), credit=CREDIT)
    assert "no-credit" not in [f.code for f in res.results[0].all_findings]


# ------------------------------------------------------------------------------------- consent


def test_face_without_consent_goes_to_needs_review_with_require_consent(tmp_path):
    indir = tmp_path / "in"
    indir.mkdir()
    astronaut_photo(indir / "astro.jpg")
    m = manifest(tmp_path / "assets.csv", [f"astro.jpg,{CREDIT},own,no,,"])
    out = tmp_path / "out"
    rc = main(["prepare", str(indir), "--for", "instagram/post", "-o", str(out), "--jobs", "1",
               "--manifest", str(m), "--require-consent", "--report", str(tmp_path / "r.json")])
    assert rc == 1
    assert (out / "needs-review" / "instagram-post" / "astro.jpg").is_file()
    assert not (out / "instagram-post" / "astro.jpg").exists()
    rep = json.loads((tmp_path / "r.json").read_text())
    [o] = rep["results"][0]["outputs"]
    assert o["status"] == "needs-review"
    [f] = [f for f in o["findings"] if f["code"] == "consent-missing"]
    assert f["severity"] == "error" and "consent=no" in f["message"]

    # without --require-consent: prepared, with a warning
    res = prep(indir / "astro.jpg", "instagram/post", tmp_path / "out2", manifest=str(m), crop="smart")
    [o] = outputs(res)
    assert o.status.written and not o.held
    assert [f.severity for f in o.findings if f.code == "consent-missing"] == ["warning"]

    # consent recorded: nothing to say
    ok = manifest(tmp_path / "ok.csv", [f"astro.jpg,{CREDIT},own,yes,,"])
    [o] = outputs(prep(indir / "astro.jpg", "instagram/post", tmp_path / "out3", manifest=str(ok),
                       require_consent=True))
    assert o.status.written and not o.held and "consent-missing" not in [f.code for f in o.findings]


def test_blur_faces_without_consent_hides_the_face_and_leaves_the_rest(tmp_path):
    src = astronaut_photo(tmp_path / "astro.jpg")
    m = manifest(tmp_path / "assets.csv", [f"astro.jpg,,own,no,,"])
    [plain] = outputs(prep(src, "instagram/post", tmp_path / "plain", manifest=str(m), visible_credit=False))
    [o] = outputs(prep(src, "instagram/post", tmp_path / "blur", manifest=str(m), visible_credit=False,
                       blur_faces_without_consent=True, require_consent=True))
    assert o.status.written and not o.held
    assert [f.code for f in o.findings if f.code in ("faces-blurred", "consent-missing")] == ["faces-blurred"]
    [(x0, y0, x1, y1)] = o.extra["blurred"]
    a, b = pixels(plain.output), pixels(o.output)
    inside = np.abs(a[y0:y1, x0:x1] - b[y0:y1, x0:x1]).mean()
    mask = np.ones(a.shape[:2], bool)
    mask[max(0, y0 - 60):y1 + 60, max(0, x0 - 60):x1 + 60] = False
    outside = np.abs(a[mask] - b[mask]).mean()
    assert inside > 15 and outside < 0.5
    from assetkit.image import analyse as smartcrop

    with Image.open(o.output) as im:
        assert smartcrop.analyse(im.convert("RGB").resize((512, 512))).faces == ()


# ------------------------------------------------------------------------------------ manifest


def test_malformed_manifest_names_the_row(tmp_path):
    src = fx.make_photo(tmp_path / "a.jpg", (1200, 1200))
    m = manifest(tmp_path / "assets.csv", ["a.jpg,x,own,yes,,", "b.jpg,x,own,yes,,", "c.jpg,x,own,maybe,,"])
    with pytest.raises(UsageError) as e:
        prep(src, "instagram/post", tmp_path / "o", manifest=str(m))
    assert str(e.value) == "assets.csv row 4: consent must be yes, no or not-needed, got 'maybe'"
    bad = manifest(tmp_path / "bad.csv", ["a.jpg,x,stolen,yes,,"])
    with pytest.raises(UsageError, match=r"bad.csv row 2: source must be own or external, got 'stolen'"):
        rights.load_manifest(bad)
    j = tmp_path / "m.json"
    j.write_text(json.dumps([{"file": "a.jpg", "focus": "2,3"}]))
    with pytest.raises(UsageError, match=r"m.json item 1: focus must be X,Y"):
        rights.load_manifest(j)
    # through the CLI: a usage error (exit 2) on stderr, before any file is touched
    assert main(["prepare", str(src), "--for", "instagram/post", "-o", str(tmp_path / "o"),
                 "--manifest", str(m)]) == 2
    assert not (tmp_path / "o").exists()


def test_manifest_rows_match_by_path_or_name_and_the_rest_is_reported(tmp_path):
    indir = tmp_path / "in"
    (indir / "trip").mkdir(parents=True)
    fx.make_photo(indir / "trip" / "Fête.jpg", (1200, 1200))
    fx.make_photo(indir / "other.jpg", (1200, 1200))
    import unicodedata

    nfd = unicodedata.normalize("NFD", "trip/Fête.jpg")
    j = tmp_path / "m.json"
    j.write_text(json.dumps([{"file": nfd, "credit": CREDIT, "source": "own", "consent": "yes"},
                             {"file": "ghost.jpg", "credit": "x"}]))
    res = assetkit.prepare([indir], "instagram/post", out_dir=tmp_path / "o", jobs=1, manifest=str(j))
    by = {Path(r.source).name: r for r in res.results}
    assert by["Fête.jpg"].info["credit"]["line"] == CREDIT
    assert [f.code for f in by["other.jpg"].findings if f.code.startswith("manifest")] == ["manifest-missing"]
    [f] = res.findings
    assert f.code == "manifest-unknown-row" and "ghost.jpg" in f.message and "item 2" not in f.message


# -------------------------------------------------------------------------------------- config


def test_config_file_applies_and_flags_override_it(tmp_path, monkeypatch):
    indir = tmp_path / "in"
    indir.mkdir()
    fx.make_photo(indir / "p.jpg", (1200, 1200))
    (tmp_path / "assetkit.toml").write_text('[credit]\ntemplate = "Photo: IOM"\nposition = "top-left"\n'
                                         '[consent]\nrequire = true\n')
    monkeypatch.chdir(tmp_path)
    rc = main(["prepare", str(indir), "--for", "instagram/post", "-o", "o1", "--jobs", "1", "--report", "r1.json"])
    assert rc == 0
    [o] = json.loads((tmp_path / "r1.json").read_text())["results"][0]["outputs"]
    assert o["extra"]["credit"]["text"] == "Photo: IOM" and o["extra"]["credit"]["position"] == "top-left"
    assert config.load_config(tmp_path / "assetkit.toml")["require_consent"] is True

    rc = main(["prepare", str(indir), "--for", "instagram/post", "-o", str(tmp_path / "o2"), "--jobs", "1",
               "--credit-position", "bottom-right", "--credit", "Photo: Flag", "--report", str(tmp_path / "r.json")])
    assert rc == 0
    [o] = json.loads((tmp_path / "r.json").read_text())["results"][0]["outputs"]
    assert o["extra"]["credit"]["text"] == "Photo: Flag" and o["extra"]["credit"]["position"] == "bottom-right"


def test_config_values_reach_the_cli(tmp_path):
    indir = tmp_path / "in"
    indir.mkdir()
    fx.make_photo(indir / "p.jpg", (1200, 1200))
    cfg = tmp_path / "org.toml"
    cfg.write_text('[credit]\ntemplate = "Photo: Org"\nposition = "top-right"\n')
    rc = main(["prepare", str(indir), "--for", "instagram/post", "-o", str(tmp_path / "o"), "--jobs", "1",
               "--config", str(cfg), "--report", str(tmp_path / "r.json")])
    assert rc == 0
    [o] = json.loads((tmp_path / "r.json").read_text())["results"][0]["outputs"]
    assert o["extra"]["credit"] == {**o["extra"]["credit"], "text": "Photo: Org", "position": "top-right"}


@pytest.mark.parametrize("body, message", [
    ('[logo]\nscale = 3\n', "[logo] scale: must be a number above 0 and at most 1"),
    ('[credit]\ncolour = "red"\n', "[credit] colour: unknown key"),
    ('[branding]\nx = 1\n', "[branding]: unknown section"),
    ('[credit]\nposition = "middle"\n', "[credit] position: must be bottom-right, bottom-left, top-right or top-left, got 'middle'"),
    ('[credit\n', "not valid TOML"),
])
def test_bad_config_names_file_key_and_problem(tmp_path, body, message):
    cfg = tmp_path / "assetkit.toml"
    cfg.write_text(body)
    with pytest.raises(UsageError) as e:
        config.load_config(cfg)
    assert "assetkit.toml" in str(e.value) and message in str(e.value)


def test_bad_template_placeholder_is_a_usage_error():
    with pytest.raises(UsageError, match=r"unknown placeholder \{name\}"):
        assetkit.Options(credit="Photo: {name}")


def test_source_credit_from_heic_exif_and_xmp(tmp_path):
    import pillow_heif

    pillow_heif.register_heif_opener()
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:rights><rdf:Alt>'
           '<rdf:li xml:lang="x-default">(c) Bo &amp; Co</rdf:li></rdf:Alt></dc:rights></rdf:Description>'
           '</rdf:RDF></x:xmpmeta>').encode()
    e = Image.Exif()
    e[0x013B] = "Heic Artist"
    Image.new("RGB", (64, 64), "red").save(tmp_path / "h.heic", xmp=xmp, exif=e.tobytes())
    with Image.open(tmp_path / "h.heic") as im:
        c = rights.read_source_credit(im)
    assert (c.artist, c.copyright, c.found_in) == ("Heic Artist", "(c) Bo & Co", ("EXIF", "XMP"))


def _with_iptc(jpeg: bytes, records: dict) -> bytes:
    """Insert an APP13 Photoshop/IPTC segment (as cameras and DAMs write it) after SOI."""
    import struct

    iim = b"".join(b"\x1c" + bytes(k) + struct.pack(">H", len(v)) + v for k, v in records.items())
    if len(iim) % 2:
        iim += b"\x00"
    res = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    body = b"Photoshop 3.0\x00" + res
    return jpeg[:2] + b"\xff\xed" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def test_source_credit_from_iptc(tmp_path):
    src = fx.make_photo(tmp_path / "i.jpg", (1200, 1200))
    src.write_bytes(_with_iptc(src.read_bytes(), {(2, 80): b"Iptc Person", (2, 116): b"(c) Iptc Org"}))
    res = prep(src, "instagram/post", tmp_path / "o", credit="Photo: {artist} / {copyright}")
    assert res.results[0].info["credit"]["line"] == "Photo: Iptc Person / (c) Iptc Org"


@pytest.mark.parametrize("slot", ["instagram/profile", "facebook/profile"])
def test_credit_on_a_circle_masked_profile_is_drawn_inside_the_circle(tmp_path, slot):
    # the platform shows profile pictures as a circle: a corner credit would be cut off
    src = fx.make_photo(tmp_path / "p.jpg", (1200, 1200))
    [plain] = outputs(prep(src, slot, tmp_path / "plain"))
    [o] = outputs(prep(src, slot, tmp_path / "cred", credit=CREDIT))
    assert o.extra["credit"]["position"] == "bottom-centre"
    assert not [f for f in o.findings if f.code == "credit-unreadable"]
    diff = changed(pixels(plain.output), pixels(o.output))
    h, w = diff.shape
    ys, xs = np.nonzero(diff)
    assert len(xs) > 300  # real glyphs were drawn
    r = np.hypot(xs + 0.5 - w / 2, ys + 0.5 - h / 2)
    assert r.max() <= w / 2 - 1, r.max()  # every changed pixel lies inside the circle the platform keeps
    assert ys.min() > h / 2  # in the lower half, where a caption reads
