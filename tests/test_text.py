"""Issue 15.18: a visible credit in any of the offices' scripts is drawn in real letters, not .notdef
boxes, and right-to-left text is shaped and laid out right to left.

Pixels are compared: every letter of the credit, drawn the way the credit is drawn, against the
.notdef glyph of each font of the chain at the same size (what Pillow draws for a character the font
lacks); Arabic is checked by where its first logical word lands and by the joining of its letters."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from assetkit.plan import layout, text

SIZE = 40
NOT_A_CHAR = "\U0010FFFD"   # private use, plane 16: no font maps it, so every font draws its .notdef

CREDITS = {
    "latin": "Photo: Siobh\u00e1n O'Brien, \u0141\u00f3d\u017a, M\u00fcller, Se\u00f1ora Garc\u00eda",
    "cyrillic": "\u0424\u043e\u0442\u043e: \u0410\u043d\u043d\u0430 \u0416\u0443\u043a\u043e\u0432\u0430",
    "greek": "\u03a6\u03c9\u03c4\u03bf\u03b3\u03c1\u03b1\u03c6\u03af\u03b1: \u0391\u03bb\u03ad\u03be\u03b7\u03c2",
    "arabic": "\u062a\u0635\u0648\u064a\u0631: \u0645\u062d\u0645\u062f \u0639\u0644\u064a",
}


def ink(line: text.Line, pad: int = 4) -> np.ndarray:
    """The line drawn black on white, cropped to its ink: a 2-D bool array."""
    l, t, r, b = line.bbox()
    img = Image.new("L", (r - l + 2 * pad, b - t + 2 * pad), 255)
    line.draw_at(ImageDraw.Draw(img), (pad, pad), fill=0)
    a = np.asarray(img) < 128
    ys, xs = np.nonzero(a)
    if not len(xs):
        return a[:0, :0]
    return a[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def notdef_glyphs() -> list[np.ndarray]:
    out = []
    for path in text.chain():
        assert not text.has(path, NOT_A_CHAR)
        f = text.load(path, SIZE)
        out.append(ink(text.Line(((f, NOT_A_CHAR, 0),))))
    return out


@pytest.mark.parametrize("script", sorted(CREDITS))
def test_every_letter_is_a_real_glyph(script):
    credit = CREDITS[script]
    assert text.split(credit)[1] == ""            # some font of the chain has every letter
    boxes = notdef_glyphs()
    assert all(b.sum() > 0 for b in boxes)       # the .notdef boxes are visible, so the test can fail
    for ch in {c for c in credit if not c.isspace()}:
        drawn = ink(layout.text_line(ch, None, SIZE))
        assert drawn.sum() > 0, f"{ch!r} drew nothing"
        for box in boxes:
            assert drawn.shape != box.shape or not np.array_equal(drawn, box), \
                f"{ch!r} (U+{ord(ch):04X}) in the {script} credit is drawn as the .notdef box"


def test_arabic_first_word_is_at_the_right_and_letters_join():
    first, second = "\u0645\u062d\u0645\u062f", "\u0639\u0644\u064a"      # Muhammad, Ali
    whole = ink(layout.text_line(f"{first} {second}", None, SIZE))
    cols = whole.any(axis=0)
    gaps = [x for x in range(1, len(cols) - 1) if not cols[x]]
    assert gaps, "no space between the two words"
    # the widest blank stretch is the space between the words
    runs, start = [], gaps[0]
    for a, b in zip(gaps, gaps[1:] + [None]):
        if b != a + 1:
            runs.append((start, a))
            start = b
    gap = max(runs, key=lambda r: r[1] - r[0])
    left, right = gap[0], whole.shape[1] - gap[1] - 1
    w_first = ink(layout.text_line(first, None, SIZE)).shape[1]
    w_second = ink(layout.text_line(second, None, SIZE)).shape[1]
    assert abs(right - w_first) <= 3 and abs(left - w_second) <= 3, \
        f"first logical word should be at the right: left {left} px, right {right} px, " \
        f"words {w_first} and {w_second} px"
    # shaped: the letters of the word join (one stroke), where their isolated forms are four shapes
    import cv2

    def shapes(a):
        return cv2.connectedComponents(a.astype(np.uint8), connectivity=8)[0] - 1

    joined = shapes(ink(layout.text_line(first, None, SIZE)))
    isolated = shapes(ink(layout.text_line("\u200c".join(first), None, SIZE)))
    assert joined == 1 and isolated == 4, (joined, isolated)


def test_mixed_credit_runs_follow_the_paragraph_direction():
    ltr = layout.text_line("Photo: \u0645\u062d\u0645\u062f", None, SIZE)
    assert not ltr.rtl and ltr.runs[0][1] == "Photo: " and ltr.runs[1][2] > ltr.runs[0][2]
    rtl = layout.text_line("\u062a\u0635\u0648\u064a\u0631: \u0645\u062d\u0645\u062f / Reuters", None, SIZE)
    assert rtl.rtl and rtl.runs[-1][1] == "Reuters"
    assert rtl.runs[-1][2] == 0 and rtl.runs[0][2] > 0      # the Latin run is drawn at the left


def test_cjk_from_a_system_font_when_there_is_one():
    credit = "\u6444\u5f71\uff1a\u738b\u5c0f\u660e"
    if text.split(credit)[1]:
        pytest.skip("no CJK font on this machine (.ci/run installs fonts-droid-fallback)")
    boxes = notdef_glyphs()
    for ch in credit:
        drawn = ink(layout.text_line(ch, None, SIZE))
        assert drawn.sum() > 0 and all(drawn.shape != b.shape or not np.array_equal(drawn, b) for b in boxes)


def test_a_brand_font_keeps_its_letters_and_the_chain_fills_its_gaps(tmp_path):
    import shutil

    # a font with Latin and no Cyrillic: the Arabic wheel's font has neither, so use it as the "brand"
    brand = tmp_path / "Brand.ttf"
    shutil.copy(text.chain()[1], brand)
    parts, missing = text.split("\u0645\u062d\u0645\u062f \u0416", str(brand))
    assert missing == ""
    assert parts[0][0] == str(brand) and parts[-1][0] != str(brand)


def test_credit_drawn_on_a_prepared_picture_and_missing_letters_are_a_finding(tmp_path):
    from fixtures import prepare_one

    src = tmp_path / "in.jpg"
    Image.new("RGB", (1600, 1200), (40, 90, 140)).save(src, quality=92)
    credit = CREDITS["cyrillic"] + " \u0645\u062d\u0645\u062f"
    [r] = prepare_one(src, "twitter/post", tmp_path / "out", credit=credit).results
    [o] = r.outputs
    assert "credit-glyphs" not in [f.code for f in o.findings]
    x0, y0, x1, y1 = o.extra["credit"]["box"]
    with Image.open(o.output) as im:
        a = np.asarray(im.convert("L")) > 200        # white letters on the dark blue
    assert a[y0:y1, x0:x1].sum() > 200 and a[y0:y1, x0:x1].sum() > 0.95 * a.sum()
    # the drawn credit is the chain's rendering: as wide as the line the layout measured
    cols = np.nonzero(a[y0:y1, x0:x1].any(axis=0))[0]
    want = layout.text_line(credit, None, o.extra["credit"]["size"]).size[0]
    assert abs((cols[-1] - cols[0] + 1) - want) <= 4

    strange = "\U00013000"                         # an Egyptian hieroglyph: no font here has it
    if not text.split(strange)[1]:
        pytest.skip("a font on this machine has Egyptian hieroglyphs")
    [r] = prepare_one(src, "twitter/post", tmp_path / "out2", credit=f"Photo: {strange}").results
    [f] = [f for f in r.outputs[0].findings if f.code == "credit-glyphs"]
    assert "U+13000" in f.message
