"""Broken and hostile files: byte-flipped, truncated and spliced variants of every supported format
(fixed seed). The batch must finish; each file is prepared or gets an `unreadable`/`too-many-pixels`
finding naming the problem; no internal error ("failed"), no partial output."""
import os
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
            assert codes & {"unreadable", "truncated", "unsupported-format", "too-many-pixels", "too-small"}, (r.source, codes)
    assert not list(out.rglob(f"*{TMP_SUFFIX}*"))
    for p in out.rglob("*.*"):
        with Image.open(p) as im:
            im.load()  # every output that exists is complete


# ------------------------------------------------------------------ limits enforced by the test itself


def run_limited(args, *, timeout: float, cwd=None, user: int | None = None, env=None):
    """Run ``assetkit ARGS`` in a subprocess; kill it (and its whole tree) after ``timeout`` seconds.

    Returns (returncode, stdout, stderr, peak memory of the process tree in MB). It is sampled every
    20 ms over the process and all its descendants (pool workers, forkserver), so a decode that
    balloons for a fraction of a second is seen. Each process counts its proportional set size (PSS:
    pages shared by forked workers counted once over the tree, as RSS would count them per process);
    RSS where the kernel gives no PSS."""
    import subprocess
    import sys
    import time

    import psutil

    cmd = [sys.executable, "-m", "assetkit", *map(str, args)]
    pre = (lambda: (os.setgid(user), os.setuid(user))) if user is not None else None
    cpu: dict = {}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                            preexec_fn=pre, text=True)
    top = psutil.Process(proc.pid)
    peak = 0
    deadline = time.monotonic() + timeout
    seen = {}
    while proc.poll() is None:
        if time.monotonic() > deadline:
            for p in [top, *seen.values()]:
                try:
                    p.kill()
                except psutil.Error:
                    pass
            out, err = proc.communicate()
            raise AssertionError(f"assetkit {' '.join(map(str, args))} still running after {timeout} s:\n{err[-2000:]}")
        try:
            for c in top.children(recursive=True):
                seen.setdefault(c.pid, c)
        except psutil.Error:
            pass
        peak = max(peak, sum(_pss(p) for p in [top, *seen.values()]))
        for p in [top, *seen.values()]:
            try:
                t = p.cpu_times()
                cpu[p.pid] = t.user + t.system
            except psutil.Error:
                pass
        time.sleep(0.02)
    out, err = proc.communicate()
    run_limited.cpu = sum(cpu.values())  # user + sys of the whole tree, as last sampled
    return proc.returncode, out, err, peak / 2**20



def _pss(p) -> int:
    try:
        with open(f"/proc/{p.pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return p.memory_info().rss
    except Exception:  # the process is gone
        return 0
