"""Start-up: the commands that touch no media import no heavy library (issue 13.1, row D)."""
import json
import subprocess
import sys

import pytest

HEAVY = ("cv2", "numpy", "av", "ffmpeg")

PROBE = """
import io, json, sys
from contextlib import redirect_stdout
from assetkit.cli import main
with redirect_stdout(io.StringIO()):
    try:
        rc = main({argv!r})
    except SystemExit as e:
        rc = e.code
print(json.dumps([rc, sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})]))
"""


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["prepare", "--help"], ["presets"],
                                  ["presets", "show", "instagram/post"], ["caption", "Hello #World", "--for", "twitter"]])
def test_commands_without_media_import_no_heavy_library(argv):
    p = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv, heavy=set(HEAVY))],
                       capture_output=True, text=True, check=True)
    rc, heavy = json.loads(p.stdout.strip().splitlines()[-1])
    assert rc == 0 and heavy == [], f"{argv}: imported {heavy}"


def test_import_assetkit_is_lean_and_names_load_on_use():
    code = ("import sys, assetkit; before = sorted(m for m in sys.modules if m.startswith('assetkit'));"
            "assetkit.Options; assetkit.lint_caption; print(before, 'numpy' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert p.stdout.strip() == "['assetkit'] False"


def test_public_names_have_docstrings_and_py_typed_ships():
    from importlib.resources import files

    import assetkit

    assert files("assetkit").joinpath("py.typed").is_file()
    missing = [n for n in assetkit.__all__ if not isinstance(getattr(assetkit, n), dict)
               and not (getattr(assetkit, n).__doc__ or "").strip()]
    assert missing == []
    assert assetkit.lint_caption("x" * 150, "twitter")[0].code == "caption-too-long"


def test_batch_main_process_imports_no_pixel_library_and_smart_crop_no_opencv(tmp_path):
    """The main process of a batch whose workers start from a forkserver only lists files and hands
    out jobs: no numpy, OpenCV or libheif for JPEGs (~250 ms and 40 MB together; a one-thread CLI
    imports the workers' modules itself, once, and forks them); a smart-crop photo in the workers needs no OpenCV either (the CNN
    and saliency run on Pillow and numpy; OpenCV is the Haar fallback's)."""
    from PIL import Image

    src = tmp_path / "in"
    src.mkdir()
    for i in range(2):
        Image.new("RGB", (1600, 1200), (40 * i, 120, 200)).save(src / f"p{i}.jpg")
    code = f"""
import json, sys, threading, time
from pathlib import Path
import assetkit
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()  # a caller's thread: forkserver pool
res = assetkit.prepare({str(src)!r}, "instagram/post", out_dir={str(tmp_path / 'out')!r}, jobs=2)
main = sorted(m for m in ('numpy', 'cv2', 'pillow_heif') if m in sys.modules)
r = assetkit.prepare({str(src / 'p0.jpg')!r}, "instagram/post", out_dir={str(tmp_path / 'out1')!r}, jobs=1)
assert 'numpy' in sys.modules  # the one-file run worked in this process
print(json.dumps([main, 'cv2' in sys.modules, [o.status.value for j in res.results for o in j.outputs]]))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    main, cv2_in_worker_path, statuses = json.loads(p.stdout.strip().splitlines()[-1])
    assert main == [], f"the batch's main process imported {main}"
    assert statuses and all(s in ("fixed", "ready") for s in statuses), statuses
    assert cv2_in_worker_path is False
