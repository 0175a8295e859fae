"""Broken and hostile files: byte-flipped, truncated and spliced variants of every supported format
(fixed seed). The batch must finish; each file is prepared or gets an `unreadable`/`too-many-pixels`
finding naming the problem; no internal error ("failed"), no partial output."""
import random

from PIL import Image

import assetkit
from assetkit.fsutil import TMP_SUFFIX

import fixtures as fx


def variants(src, rng, n=8):
    data = src.read_bytes()
    for i in range(n):
        b = bytearray(data)
        mode = i % 4
        if mode == 0:  # the header region, where parsers trust lengths and offsets
            for _ in range(8):
                b[rng.randrange(0, min(len(b), 2000))] = rng.randrange(256)
        elif mode == 1:
            for _ in range(30):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif mode == 2:
            b = b[: rng.randrange(10, len(b))]
        else:
            a = rng.randrange(len(b))
            b = b[:a] + b[a:a + 500] * 3 + b[a:]
        yield f"{src.stem}_{i}{src.suffix}", bytes(b)


def test_corrupted_files_never_break_the_batch(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    sources = [
        fx.make_photo(good / "a.jpg", (1200, 1200), gps=True, orientation=6),
        fx.make_transparent_png(good / "b.png", (1100, 1100)),
        fx.make_heic(good / "c.heic", (1100, 1100)),
        fx.make_webp(good / "d.webp", (1100, 1100)),
        fx.make_tiff(good / "e.tif", (1100, 1100)),
        fx.make_palette_gif(good / "f.gif", (1100, 1100)),
    ]
    bad = tmp_path / "bad"
    bad.mkdir()
    rng = random.Random(1)
    for src in sources:
        for name, data in variants(src, rng):
            (bad / name).write_bytes(data)
    out = tmp_path / "out"
    res = assetkit.prepare([bad], "instagram/post,twitter/post", out_dir=out, jobs=2)
    assert len(res.results) == 6 * 8
    for r in res.results:
        codes = {f.code for f in r.all_findings}
        assert "failed" not in codes, (r.source, [f.message for f in r.all_findings])
        if not any(o.output for o in r.outputs):
            assert codes & {"unreadable", "too-many-pixels", "too-small"}, (r.source, codes)
    assert not list(out.rglob(f"*{TMP_SUFFIX}*"))
    for p in out.rglob("*.*"):
        with Image.open(p) as im:
            im.load()  # every output that exists is complete
