"""Small files that decode huge (issue 15, "Memory bounded"): every file of such a set is decided
within seconds and the whole process tree stays under a memory ceiling, at 2 jobs. The limits are
enforced by the test itself: a subprocess with a timeout, its tree's memory sampled every 20 ms."""
import json
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

import fixtures as fx
from test_hostile import run_limited

pytestmark = pytest.mark.slow  # decodes of 200+ MP pictures: tens of seconds on a loaded machine


def _png_stream(path: Path, w: int, h: int, colour_type: int, channels: int) -> Path:
    """A complete, valid PNG of one colour, written row by row (the test never holds the pixels)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    z = zlib.compressobj(9)
    row = b"\x00" + bytes([90, 140, 200, 255][:channels]) * w
    idat = bytearray()
    for _ in range(h):
        idat += z.compress(row)
    idat += z.flush()
    ihdr = struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", bytes(idat)) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="module")
def huge(tmp_path_factory):
    d = tmp_path_factory.mktemp("huge")
    _png_stream(d / "rgba-196mp.png", 14000, 14000, 6, 4)      # ~0.8 MB file, 784 MB decoded
    _png_stream(d / "rgb-120mp.png", 12000, 10000, 2, 3)       # 360 MB decoded
    gif = Image.new("P", (15000, 15000), 1)                     # 225 MP palette: ~100 KB file
    gif.putpalette([0, 0, 0, 200, 60, 40] + [0] * 762)
    gif.save(d / "palette-225mp.gif", transparency=0)
    del gif
    fx.make_photo(d / "normal.jpg", (3000, 2000))
    return d


def _decided(out: str) -> dict:
    return {Path(r["source"]).name: r for r in json.loads(out)["results"]}


@pytest.mark.parametrize("command,ceiling", [("prepare", 800), ("check", 400)])
def test_files_that_decode_huge_are_decided_quickly_in_bounded_memory(huge, tmp_path, command, ceiling):
    args = [command, huge, "--for", "instagram/post", "--jobs", "2", "--json"]
    if command == "prepare":
        args += ["-o", tmp_path / "out"]
    rc, out, err, peak = run_limited(args, timeout=4 * 10 + 20)  # 4 files, < 10 s each, + start-up
    by = _decided(out)
    assert set(by) == {"rgba-196mp.png", "rgb-120mp.png", "palette-225mp.gif", "normal.jpg"}, err
    for name in ("rgba-196mp.png", "rgb-120mp.png"):
        [f] = by[name]["findings"]
        assert f["code"] == "too-many-pixels" and "MB" in f["message"] and "--max-pixels" in f["message"], f
    assert by["normal.jpg"]["status"] in ("ready", "fixed", "planned")
    assert by["palette-225mp.gif"]["status"] in ("ready", "fixed", "planned", "needs-review"), by["palette-225mp.gif"]
    print(f"{command}: peak {peak:.0f} MB, {run_limited.cpu:.1f} CPU-s, wall per file", {n: r["seconds"] for n, r in by.items()})
    assert peak < ceiling, f"{command}: the process tree peaked at {peak:.0f} MB (ceiling {ceiling} MB)"
    # decided in seconds: the refusals from the header at once; the whole set in < 10 CPU-s a file
    # (CPU, not wall: this machine is shared, and a wall-clock limit would measure the neighbours)
    assert by["rgba-196mp.png"]["seconds"] < 1 and by["rgb-120mp.png"]["seconds"] < 1
    assert run_limited.cpu < 10 * len(by), run_limited.cpu
