"""The photo plan is pure: (MediaInfo, slot, Options, Analysis, Rights) -> PhotoPlan, no pixels, no files."""
import pytest

import assetkit
from assetkit import rights
from assetkit.manifest import Row
from assetkit.media import MediaInfo
from assetkit.options import Options
from assetkit.plan import make_plan
from assetkit.plan.crop import Analysis, Face

LIB = assetkit.load_presets()
CREDIT = "Photo: A. Name / IOM"


def info(w=2400, h=1600, **kw):
    return MediaInfo(path="/in/a.jpg", kind="image", format="JPEG", bytes=1000, width=w, height=h,
                     stored_width=w, stored_height=h, mode="RGB", **kw)


def face_at(cx, cy, side=0.12):
    return Analysis((Face(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2),), None, (cx, cy), 600, 400)


def facts(opts, row=None):
    return rights.facts(opts, row)


def plan(slot="instagram/post", analysis=None, row=None, src=(2400, 1600), **kw):
    opts = Options(out_dir="/out", **kw)
    return make_plan(info(*src), LIB.get(slot), opts, analysis, facts(opts, row), rel_stem="trip/a")


def test_plan_is_complete_and_summarised():
    p = plan(crop="centre", variant="square", credit=CREDIT, logo="/logos/org.png")
    assert p.out_size == (1080, 1080) and p.crop == (400, 0, 2000, 1600) and p.format == "jpeg"
    assert p.output == "/out/instagram-post/trip/a.jpg" and not p.held
    assert p.metadata.artist == CREDIT and p.metadata.copyright == CREDIT
    assert p.credit.text == CREDIT and p.credit.position == "bottom-right"
    x0, y0, x1, y1 = p.credit.box
    assert 1080 / 3 < x0 < x1 <= 1080 and 900 < y0 < y1 <= 1080
    assert (p.logo.path, p.logo.position, p.logo.area) == ("/logos/org.png", "top-right", (0, 0, 1080, 1080))
    assert p.summary.startswith("1080x1080 JPEG (square), crop 400,0 to 2000,1600 (centred), keeps 67%")
    assert "credit bottom-right" in p.summary and "logo top-right" in p.summary
    d = p.to_dict()
    for key in ("crop", "out_size", "variant", "crop_detail", "kept", "format", "summary"):
        assert key in d
    assert d["metadata"]["artist"] == CREDIT and d["metadata"]["recipe"] == p.recipe


def test_no_output_plan_says_why_in_its_summary():
    p = plan(src=(800, 600))
    assert not p.writes and p.summary.startswith("no output (too-small: ")


def test_face_without_consent_held_for_review_in_the_plan():
    row = Row("a.jpg", consent="no")
    p = plan(analysis=face_at(0.3, 0.4), row=row, variant="square", require_consent=True, manifest="m.csv")
    assert p.held and p.output == "/out/needs-review/instagram-post/trip/a.jpg"
    [f] = [f for f in p.findings if f.code == "consent-missing"]
    assert f.severity == "error" and "consent=no" in f.message
    assert "held in needs-review/" in p.summary and p.faces and not p.blur


def test_blur_boxes_are_the_faces_in_output_pixels():
    p = plan(analysis=face_at(0.3, 0.4), row=Row("a.jpg", consent="no"), variant="square",
             blur_faces_without_consent=True, manifest="m.csv")
    assert not p.held and p.blur == p.faces and len(p.blur) == 1
    x0, y0, x1, y1 = p.blur[0]
    assert 0 <= x0 < x1 <= 1080 and 0 <= y0 < y1 <= 1080
    assert "faces-blurred" in [f.code for f in p.findings] and "1 face blurred" in p.summary


def test_consent_recorded_means_nothing_to_say():
    p = plan(analysis=face_at(0.3, 0.4), row=Row("a.jpg", consent="yes"), require_consent=True, manifest="m.csv")
    assert not p.held and not p.blur and "consent-missing" not in [f.code for f in p.findings]


def test_credit_keeps_off_a_face_in_its_corner():
    # a face low and right in a square: the credit leaves bottom-right
    p = plan(analysis=face_at(0.78, 0.85, 0.2), src=(1600, 1600), credit=CREDIT, crop="smart")
    assert p.credit.position != "bottom-right"


@pytest.mark.parametrize("slot", ["instagram/profile", "facebook/profile", "twitter/profile"])
def test_credit_on_a_circle_masked_slot_sits_inside_the_circle(slot):
    p = plan(slot, src=(1600, 1600), credit=CREDIT, crop="centre")
    w, h = p.out_size
    r = min(w, h) / 2
    x0, y0, x1, y1 = p.credit.box
    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        assert (x - w / 2) ** 2 + (y - h / 2) ** 2 <= r ** 2, (slot, p.credit.box)
    assert p.credit.position == "bottom-centre" and p.credit.legible
    assert "credit-unreadable" not in [f.code for f in p.findings]


def test_a_long_credit_on_a_small_circle_is_flagged_and_still_inside():
    long = "Photo: " + "A very long photographer name and agency " * 3
    p = plan("instagram/profile", src=(1200, 1200), credit=long, crop="centre")
    assert "credit-unreadable" in [f.code for f in p.findings]
    [f] = [f for f in p.findings if f.code == "credit-unreadable"]
    assert "inside the profile's circle" in f.message
    x0, y0, x1, y1 = p.credit.box
    assert (x0 - 160) ** 2 + (y1 - 160) ** 2 <= 160 ** 2


def test_metadata_only_credit_has_no_layout():
    p = plan(credit=CREDIT, visible_credit=False)
    assert p.credit is None and p.metadata.artist == CREDIT and "credit" not in p.summary


def test_manifest_focus_and_caption_reach_the_plan():
    row = Row("a.jpg", credit="Row Credit", caption="Hello", alt="A field", focus=(0.1, 0.5))
    p = plan(row=row, variant="square", manifest="m.csv")
    assert p.crop_reason == "focus" and p.crop[0] == 0
    assert (p.metadata.artist, p.metadata.description, p.metadata.alt) == ("Row Credit", "Hello", "A field")
    # the recipe changes with the row, so an edited manifest remakes the output
    other = plan(row=Row("a.jpg", credit="Other"), variant="square", manifest="m.csv")
    assert other.recipe != p.recipe


def test_unknown_variant_speaks_of_the_parameter():
    with pytest.raises(assetkit.UsageError, match="variant 'squar'"):
        plan(variant="squar")
