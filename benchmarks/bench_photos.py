"""Photo throughput: assetkit against vipsthumbnail and ImageMagick, and against the decode floor.

Builds a corpus of photo-like 24 MP (6000x4000) and 12 MP (4000x3000) JPEGs (smooth shapes plus
sensor-like noise, quality 90, so file sizes are camera-like) in a temporary folder, then prepares
every file as an ``instagram/post`` square (1080x1080, centre crop-to-fill, JPEG quality 85) with:

- assetkit, in-process (``assetkit.prepare(..., jobs=1)``) and through the CLI with ``--jobs 1`` / ``2``;
- vipsthumbnail (``--size 1080x1080 --smartcrop centre``, ``[Q=85,strip]``), all files in one process;
- ImageMagick ``convert -resize 1080x1080^ -gravity center -extent 1080x1080 -quality 85``, plain and
  with ``-define jpeg:size=2160x2160`` (lets libjpeg shrink on load, like the other two do);
- the floor: Pillow decoding the same files at the DCT scale the pipeline picks, and nothing else.

CPU time is user + sys of this process (in-process runs) or of the finished children (tools), so
threaded tools are compared per CPU-second. Peak RSS per worker is ``ru_maxrss`` of a fresh process
that prepares one 24 MP file. Prints a markdown table and the target ratios.

    python benchmarks/bench_photos.py [--count 12] [--keep DIR]
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SIZES = {"24MP": (6000, 4000), "12MP": (4000, 3000)}
OUT = 1080


# ------------------------------------------------------------------------------------------ corpus


def make_photo(path: Path, size: tuple[int, int], seed: int) -> None:
    """Smooth shapes + texture + noise: compresses like a real photo at quality 90."""
    w, h = size
    rng = np.random.default_rng(seed)
    base = Image.fromarray(rng.integers(0, 256, (h // 250 + 2, w // 250 + 2, 3), dtype=np.uint8), "RGB")
    img = np.asarray(base.resize((w, h), Image.Resampling.BICUBIC), dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    texture = 12 * np.sin(xx / (7 + seed % 5)) * np.cos(yy / 11.0)
    img += texture[..., None]
    del texture, xx, yy
    img += rng.normal(0, 5, img.shape).astype(np.float32)
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").save(path, "JPEG", quality=90)


def build_corpus(root: Path, count: int) -> list[Path]:
    files = []
    for label, size in SIZES.items():
        for i in range(count):
            p = root / f"{label}_{i:02d}.jpg"
            if not p.exists():
                make_photo(p, size, seed=i + (100 if label == "24MP" else 0))
            files.append(p)
    return files


# ------------------------------------------------------------------------------------- measuring


def children_cpu() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024


def self_cpu() -> float:
    t = os.times()
    return t.user + t.system


def run_children(cmds: list[list[str]], env=None) -> tuple[float, float]:
    """Run commands one after another; (wall seconds, CPU seconds of the children)."""
    c0, _ = children_cpu()
    t0 = time.perf_counter()
    for cmd in cmds:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - t0
    c1, _ = children_cpu()
    return wall, c1 - c0


def env_for_repo() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def draft_size(w: int, h: int) -> tuple[int, int]:
    """The size the pipeline asks libjpeg for: the centre square window over the output size."""
    shrink = max(1.0, min(w, h) / OUT)
    return math.ceil(w / shrink), math.ceil(h / shrink)


def decode_floor(files: list[Path]) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), self_cpu()
    for f in files:
        with Image.open(f) as im:
            im.draft("RGB", draft_size(*im.size))
            im.load()
    return time.perf_counter() - t0, self_cpu() - c0


def assetkit_inprocess(files: list[Path], out: Path, jobs: int = 1) -> tuple[float, float]:
    """(wall, CPU) of ``assetkit.prepare``; CPU is this process's only, so meaningful for jobs=1."""
    import assetkit

    t0, c0 = time.perf_counter(), self_cpu()
    res = assetkit.prepare(files, "instagram/post", out_dir=out, jobs=jobs, crop="centre", variant="square",
                           quality=85, force=True)
    wall, cpu = time.perf_counter() - t0, self_cpu() - c0
    bad = [r.source for r in res.results if r.failed]
    assert not bad, bad
    return wall, cpu


def warm_pool_speedup(files: list[Path], out: Path, repeat: int) -> tuple[float, float]:
    """(wall jobs=1, wall jobs=2) with the two workers started and warmed beforehand, as in a long batch."""
    import assetkit
    from assetkit.batch import process_pool

    kw = dict(out_dir=out, crop="centre", variant="square", quality=85, force=True)
    pool = process_pool(2)
    try:
        assetkit.prepare(files[:4], "instagram/post", executor=pool, **kw)  # start and warm both workers
        two = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            assetkit.prepare(files, "instagram/post", executor=pool, **kw)
            two.append(time.perf_counter() - t0)
    finally:
        pool.shutdown()
    one = min(assetkit_inprocess(files, out)[0] for _ in range(repeat))
    return one, min(two)


def _spin(n: int) -> int:
    s = 0
    for i in range(n):
        s += i
    return s


def machine_ceiling(n: int = 16, work: int = 2_000_000) -> float:
    """Wall speed-up of 2 processes over 1 on a pure CPU loop: what this machine allows right now
    (other load, shared cores). Same forkserver start method as assetkit's pool."""
    import multiprocessing

    t0 = time.perf_counter()
    for _ in range(n):
        _spin(work)
    one = time.perf_counter() - t0
    with multiprocessing.get_context("forkserver").Pool(2) as p:
        p.map(_spin, [work // 10] * 2)
        t0 = time.perf_counter()
        p.map(_spin, [work] * n, chunksize=1)
        two = time.perf_counter() - t0
    return one / two


def assetkit_cli(src: Path, out: Path, jobs: int) -> tuple[float, float]:
    cmd = [sys.executable, "-m", "assetkit", "prepare", str(src), "--for", "instagram/post", "--variant", "square",
           "--crop", "centre", "--quality", "85", "--jobs", str(jobs), "--force", "-o", str(out)]
    return run_children([cmd], env_for_repo())


ONE_JOB = """
import resource, sys
from assetkit.batch import Job, run_job
from assetkit.options import Options
from assetkit.presets import load_presets
slot = load_presets().get("instagram/post")
opts = Options(out_dir=sys.argv[2], crop="centre", variant="square", quality=85, force=True)
r = run_job(Job(sys.argv[1], "one", (slot,), opts))
assert not r.failed, r.to_dict()
print(peak())
"""

# VmHWM is this process's own peak (ru_maxrss would include the parent's, inherited across fork+exec)
PEAK = """
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
"""

BASELINE = """
import assetkit.image.pipeline, assetkit.batch
print(peak())
"""


def peak_rss_one_job(path: Path, out: Path) -> tuple[float, float]:
    """(peak RSS MB of a fresh process preparing one file, of the same process only importing)."""
    env = env_for_repo()
    job = subprocess.run([sys.executable, "-c", PEAK + ONE_JOB, str(path), str(out)], check=True, capture_output=True,
                         text=True, env=env)
    base = subprocess.run([sys.executable, "-c", PEAK + BASELINE], check=True, capture_output=True, text=True, env=env)
    return int(job.stdout.split()[-1]) / 1024, int(base.stdout.split()[-1]) / 1024


def vips_cmds(files: list[Path], out: Path) -> list[list[str]] | None:
    exe = shutil.which("vipsthumbnail")
    if not exe:
        return None
    return [[exe, *map(str, files), "--size", f"{OUT}x{OUT}", "--smartcrop", "centre",
             "-o", f"{out}/%s.jpg[Q=85,strip]"]]


def imagemagick() -> str | None:
    """The real ImageMagick (a stand-in ``convert`` may shadow it on PATH)."""
    for cand in (shutil.which("magick"), "/usr/bin/convert", shutil.which("convert")):
        if cand and os.path.exists(cand):
            try:
                v = subprocess.run([cand, "-version"], capture_output=True, text=True, timeout=10).stdout
            except (OSError, subprocess.SubprocessError):
                continue
            if v.startswith("Version: ImageMagick"):
                head = open(os.path.realpath(cand), "rb").read(4)
                if head == b"\x7fELF":
                    return cand
    return None


def magick_cmds(exe: str, files: list[Path], out: Path, shrink_on_load: bool) -> list[list[str]]:
    pre = ["-define", f"jpeg:size={2 * OUT}x{2 * OUT}"] if shrink_on_load else []
    return [[exe, *pre, str(f), "-resize", f"{OUT}x{OUT}^", "-gravity", "center", "-extent", f"{OUT}x{OUT}",
             "-quality", "85", str(out / f.name)] for f in files]


def check_outputs(out: Path, n: int) -> None:
    files = [p for p in out.rglob("*.jpg")]
    assert len(files) == n, (out, len(files), n)
    for p in files[:3]:
        with Image.open(p) as im:
            assert im.size == (OUT, OUT), (p, im.size)


# -------------------------------------------------------------------------------------------- main


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import PIL

    return (f"{cpu}, {ncpu} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"Pillow {PIL.__version__}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=12, help="files of each size (default 12)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each cheap measurement; the best counts")
    ap.add_argument("--keep", type=Path, help="build/reuse the corpus in this folder instead of a temp dir")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="assetkit-bench-"))
    src = args.keep or tmp / "src"
    src.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        files = build_corpus(src, args.count)
        n = len(files)
        mb = sum(f.stat().st_size for f in files) / n / 1e6
        print(f"corpus: {n} JPEGs ({args.count} x 24 MP, {args.count} x 12 MP, quality 90, mean {mb:.1f} MB) "
              f"in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        big = [f for f in files if f.name.startswith("24MP")]
        rows: dict[str, tuple[float, float]] = {}

        def out(name):
            d = tmp / "out" / name
            d.mkdir(parents=True, exist_ok=True)
            return d

        best = lambda *runs: min(runs, key=lambda r: r[1])  # noqa: E731 - best of N by CPU time
        decode_floor(files[:2])  # warm the page cache
        assetkit_inprocess(files[:2], out("warm"))  # and the imports
        rows["decode floor (Pillow draft + load)"] = best(*(decode_floor(files) for _ in range(args.repeat)))
        rows["assetkit library, jobs=1"] = best(*(assetkit_inprocess(files, out("lib")) for _ in range(args.repeat)))
        check_outputs(tmp / "out" / "lib", n)
        lib2 = min(assetkit_inprocess(files, out("lib2"), jobs=2)[0] for _ in range(args.repeat))
        warm1, warm2 = warm_pool_speedup(files, out("warm2"), args.repeat)
        ceiling = machine_ceiling()
        rows["assetkit CLI --jobs 1"] = best(*(assetkit_cli(src, out("cli1"), 1) for _ in range(args.repeat)))
        cli2 = min(assetkit_cli(src, out("cli2"), 2)[0] for _ in range(args.repeat))
        check_outputs(tmp / "out" / "cli2", n)
        cmds = vips_cmds(files, out("vips"))
        if cmds:
            rows["vipsthumbnail --smartcrop centre"] = best(*(run_children(cmds) for _ in range(args.repeat)))
            check_outputs(tmp / "out" / "vips", n)
        im = imagemagick()
        if im:
            rows["ImageMagick convert"] = run_children(magick_cmds(im, files, out("im"), False))
            check_outputs(tmp / "out" / "im", n)
            rows["ImageMagick convert -define jpeg:size"] = run_children(magick_cmds(im, files, out("im2"), True))
        rss, base_rss = peak_rss_one_job(big[0], out("rss"))
        load = os.getloadavg()[0]

        print(f"\n{n} photos ({args.count} x 24 MP + {args.count} x 12 MP) -> instagram/post square "
              f"{OUT}x{OUT}, centre crop, JPEG q85; {machine()}; {time.strftime('%Y-%m-%d')}; "
              f"load average {load:.1f} at the end\n")
        print("| run | wall s | CPU s | images / CPU-s | ms CPU / image | images / wall-s |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, (wall, cpu) in rows.items():
            print(f"| {name} | {wall:.2f} | {cpu:.2f} | {n / cpu:.2f} | {1000 * cpu / n:.0f} | {n / wall:.2f} |")
        for name, wall in (("assetkit library, jobs=2", lib2), ("assetkit CLI --jobs 2", cli2)):
            print(f"| {name} | {wall:.2f} | (workers) | | | {n / wall:.2f} |")
        print(f"\npeak RSS of one worker preparing a 24 MP JPEG: {rss:.0f} MB "
              f"(the same process after imports only: {base_rss:.0f} MB)\n")

        lib = n / rows["assetkit library, jobs=1"][1]
        targets = []
        if cmds:
            targets.append(("per-core throughput vs vipsthumbnail", lib / (n / rows["vipsthumbnail --smartcrop centre"][1]),
                            ">= 1.2x", lambda r: r >= 1.2))
        if im:
            targets.append(("per-core throughput vs ImageMagick", lib / (n / rows["ImageMagick convert"][1]),
                            ">= 4x", lambda r: r >= 4))
            targets.append(("per-core throughput vs ImageMagick with jpeg:size",
                            lib / (n / rows["ImageMagick convert -define jpeg:size"][1]), "(info)", None))
        targets.append(("CPU time per image vs decode floor", rows["assetkit library, jobs=1"][1]
                        / rows["decode floor (Pillow draft + load)"][1], "<= 1.5x", lambda r: r <= 1.5))
        targets.append(("library jobs=2 vs jobs=1 (wall, pool start included)", rows["assetkit library, jobs=1"][0]
                        / lib2, "(info)", None))
        targets.append(("warm pool, 2 workers vs 1 (wall)", warm1 / warm2, ">= 1.8x", lambda r: r >= 1.8))
        targets.append(("machine ceiling: 2 vs 1 processes of a pure CPU loop", ceiling, "(info)", None))
        targets.append(("CLI --jobs 2 vs --jobs 1 (wall, incl. start-up)", rows["assetkit CLI --jobs 1"][0] / cli2,
                        "(info)", None))
        print("| ratio | measured | target | met |")
        print("|---|---:|---|---|")
        for name, val, target, ok in targets:
            print(f"| {name} | {val:.2f}x | {target} | {'-' if ok is None else ('yes' if ok(val) else 'NO')} |")
        print(f"| peak RSS per worker, 24 MP | {rss:.0f} MB | < 150 MB | {'yes' if rss < 150 else 'NO'} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
