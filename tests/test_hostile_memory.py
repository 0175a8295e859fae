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


def _raw_tiff_stream(path: Path, w: int, h: int) -> Path:
    """A valid uncompressed RGB TIFF (one strip), written row band by row band: a horizontal ramp in
    red, a vertical one in green (the test never holds the pixels)."""
    import numpy as np

    entries = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 3, 0), (259, 3, 1, 1), (262, 3, 1, 2),
               (273, 4, 1, 0), (277, 3, 1, 3), (278, 4, 1, h), (279, 4, 1, w * h * 3), (284, 3, 1, 1)]
    ifd_at = 8
    bps_at = ifd_at + 2 + 12 * len(entries) + 4
    data_at = bps_at + 6
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        value = {258: bps_at, 273: data_at}.get(tag, value)
        ifd += struct.pack("<HHI", tag, typ, count) + (struct.pack("<HH", value, 0) if typ == 3 and tag != 258
                                                       else struct.pack("<I", value))
    with open(path, "wb") as fh:
        fh.write(b"II*\x00" + struct.pack("<I", ifd_at) + ifd + struct.pack("<I", 0) + struct.pack("<HHH", 8, 8, 8))
        red = (np.arange(w) * 255 // w).astype(np.uint8)
        for y in range(0, h, 500):
            rows = min(500, h - y)
            band = np.empty((rows, w, 3), np.uint8)
            band[..., 0] = red
            band[..., 1] = (np.arange(y, y + rows) * 255 // h).astype(np.uint8)[:, None]
            band[..., 2] = 128
            fh.write(band.tobytes())
    return path


def test_an_uncompressed_tiff_over_the_budget_is_read_in_reduced_bands(tmp_path):
    """15.13: a 120 MP uncompressed TIFF (360 MB of RGB, 480 MB as Pillow holds it) under
    --max-pixels 2e8 (a 200 MB budget) was refused; it is now read in bands, reduced as they come."""
    src = _raw_tiff_stream(tmp_path / "scan-120mp.tif", 12000, 10000)
    args = ["prepare", src, "--for", "instagram/post", "--max-pixels", "200000000", "--jobs", "1", "--json",
            "-o", tmp_path / "out"]
    rc, out, err, peak = run_limited(args, timeout=60)
    [r] = json.loads(out)["results"]
    assert r["status"] in ("ready", "fixed"), r
    print(f"banded 120 MP TIFF: peak {peak:.0f} MB, {run_limited.cpu:.1f} CPU-s")
    assert peak < 200, f"the process tree peaked at {peak:.0f} MB, over the 200 MB budget"
    [o] = r["outputs"]
    with Image.open(o["output"]) as im:
        a = im.convert("RGB")
        w, h = a.size
        # the ramps survive the reduction: red rises left to right, green top to bottom, blue flat
        left, right = a.getpixel((5, h // 2)), a.getpixel((w - 6, h // 2))
        top, bottom = a.getpixel((w // 2, 5)), a.getpixel((w // 2, h - 6))
    assert right[0] - left[0] > 100 and bottom[1] - top[1] > 100 and abs(left[2] - 128) < 8
