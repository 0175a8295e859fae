"""Speed in the path users run (issue 13's table): the installed ``assetkit`` CLI with its default
options, interpreter start included, beside vipsthumbnail and ImageMagick in the same run.

Every figure is CPU seconds (user + sys) of finished child processes, pool workers included
(``RUSAGE_CHILDREN``), medians of runs that alternate between the tools so background load hits
them alike; ratios are "images per CPU-second, assetkit over the other tool". Rows:

- A: ``assetkit prepare DIR --for instagram/post --variant square`` (defaults: smart crop, the
  process pool) vs ``vipsthumbnail --smartcrop attention`` (vips' own smart crop), 1080x1080 q85.
- B: the same vs vipsthumbnail ``--smartcrop centre`` and ImageMagick ``convert -resize ^ -extent``.
- C: 4 slots in one run (facebook/cover, twitter/profile, twitter/post, youtube/channel-art) vs 4
  vipsthumbnail passes (attention) at the same sizes.
- D: ``assetkit --version`` alone.
- E: a re-run where every output is up to date: CPU per file beyond ``--version``.
- F: wall time of ``--jobs 2`` over ``--jobs 1``, beside the machine's own 2-over-1 ceiling (two
  processes of a pure CPU loop) measured in the same run.
- peak RSS of a ``--jobs 1`` run on one 24 MP JPEG (one process does the work: its VmHWM).
- the decode floor: Pillow's draft decode of the same files, nothing else, in a fresh interpreter;
  ``--jobs 1`` over it is the per-photo cost (13.3).
- HEIC (12 MP, iPhone size) and a large PNG graphic, assetkit vs vipsthumbnail where it reads them.

    python benchmarks/bench_cli.py [--count 8] [--repeat 3] [--assetkit PATH]

vipsthumbnail and ImageMagick rows appear where installed (``apt-get install libvips-tools
imagemagick``); assetkit is the ``assetkit`` next to this Python unless ``--assetkit`` says otherwise.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = (6000, 4000)                      # 24 MP, a camera's 3:2
FOUR = {"facebook/cover": (851, 315), "twitter/profile": (400, 400), "twitter/post": (1024, 512),
        "youtube/channel-art": (2560, 1440)}


# ------------------------------------------------------------------------------------------ corpus

def photo(path: Path, size: tuple[int, int], seed: int, fmt: str = "JPEG") -> None:
    """Smooth shapes, texture and sensor-like noise: compresses like a real photo (q90 ~ 7 MB at 24 MP)."""
    w, h = size
    rng = np.random.default_rng(seed)
    base = Image.fromarray(rng.integers(0, 256, (h // 250 + 2, w // 250 + 2, 3), dtype=np.uint8), "RGB")
    img = np.asarray(base.resize((w, h), Image.Resampling.BICUBIC), dtype=np.float32)
    img += rng.normal(0, 5, img.shape).astype(np.float32)
    im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
        im.save(path, "HEIF", quality=85)
    else:
        im.save(path, fmt, quality=90)


def graphic(path: Path, size=(5000, 5000)) -> None:
    """A large flat-colour graphic (logo/chart-like): what a PNG source usually is."""
    from PIL import ImageDraw

    im = Image.new("RGB", size, (250, 250, 245))
    d = ImageDraw.Draw(im)
    for i in range(40):
        x, y = (i * 397) % size[0], (i * 613) % size[1]
        d.rectangle((x, y, x + 600, y + 300), fill=((i * 53) % 255, (i * 97) % 255, (i * 31) % 255))
    im.save(path, "PNG")


# ------------------------------------------------------------------------------------- measuring

def become_subreaper() -> None:
    """Orphaned descendants (a pool's forkserver and its workers outlive the CLI process by a moment)
    are re-parented to this process instead of init, so waiting for them adds their CPU time to
    RUSAGE_CHILDREN: pool workers are counted, not just the CLI process."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("cannot become a child subreaper (Linux only): pool CPU would go uncounted")


def _descendants() -> dict[int, str]:
    out = {}
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and int(open(f"/proc/{p}/stat").read().split(")")[-1].split()[1]) == os.getpid():
                out[int(p)] = open(f"/proc/{p}/cmdline").read().replace("\0", " ")[:100]
        except (OSError, IndexError, ValueError):
            pass
    return out


LINGERED: list[str] = []


def reap(timeout: float = 10.0) -> None:
    """Wait for every descendant left behind (they exit once the CLI has); one still there after
    ``timeout`` (an idle forkserver or resource tracker) is stopped and reported, not waited for."""
    end = time.monotonic() + timeout
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        if time.monotonic() > end:
            for pid, cmd in _descendants().items():
                LINGERED.append(cmd)
                os.kill(pid, 9)  # a resource tracker ignores SIGTERM
            end = time.monotonic() + timeout
        time.sleep(0.01)


def run(cmd: list[str], env=None) -> tuple[float, float]:
    """(wall s, CPU s of the command and every process it started) of one command."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - t0
    reap()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({p.returncode}): {p.stderr.decode()[-800:]}")
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def peak_rss_mib(cmd: list[str]) -> float:
    """Peak RSS of the process that runs ``cmd``: its VmHWM, sampled until it exits (ru_maxrss would
    carry this benchmark's own high-water mark across fork + exec)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        try:
            for line in open(f"/proc/{proc.pid}/status"):
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.005)
    reap()
    return peak / 1024


def _spin(n: int) -> int:
    s = 0
    for i in range(n):
        s += i
    return s


def ceiling(n: int = 8, work: int = 3_000_000) -> float:
    """Wall speed-up of 2 processes over 1 on a pure CPU loop: what this machine allows right now."""
    import multiprocessing

    t0 = time.perf_counter()
    for _ in range(n):
        _spin(work)
    one = time.perf_counter() - t0
    with multiprocessing.get_context("forkserver").Pool(2) as p:
        p.map(_spin, [1000] * 2)
        t0 = time.perf_counter()
        p.map(_spin, [work] * n, chunksize=1)
        two = time.perf_counter() - t0
    return one / two


class Runs:
    """Alternating repeats of named commands; medians of wall and CPU per name."""

    def __init__(self):
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.wall.setdefault(name, []).append(wall)
        self.cpu.setdefault(name, []).append(cpu)

    def c(self, name: str) -> float:
        return statistics.median(self.cpu[name])

    def w(self, name: str) -> float:
        return statistics.median(self.wall[name])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=8, help="24 MP JPEGs in the corpus")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rerun-files", type=int, default=100)
    ap.add_argument("--assetkit", default=str(Path(sys.executable).with_name("assetkit")))
    a = ap.parse_args()
    become_subreaper()
    ak = a.assetkit
    vips = shutil.which("vipsthumbnail")
    # Debian's ImageMagick 6 (a `convert` stand-in elsewhere on PATH may only serve image viewers)
    convert = next((c for c in ("/usr/bin/convert", shutil.which("magick")) if c and os.path.exists(c)), None)
    tmp = Path(tempfile.mkdtemp(prefix="assetkit-bench-cli-"))
    src = tmp / "src"
    src.mkdir()
    files = []
    for i in range(a.count):
        f = src / f"p{i:02d}.jpg"
        photo(f, SIZE, i)
        files.append(f)
    heic = tmp / "heic"
    heic.mkdir()
    for i in range(4):
        photo(heic / f"h{i}.heic", (4032, 3024), 50 + i, "HEIF")
    png = tmp / "png"
    png.mkdir()
    graphic(png / "chart.png")
    reruns = tmp / "rerun"
    reruns.mkdir()
    photo(reruns / "base.jpg", (1300, 1300), 99)
    for i in range(a.rerun_files - 1):
        os.link(reruns / "base.jpg", reruns / f"r{i:03d}.jpg")
    subprocess.run([ak, "prepare", str(reruns), "--for", "instagram/post", "-o", str(tmp / "rerun-out")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    reap()  # its pool's processes are this process's now: reaped here, not counted in the first run

    def out(name: str) -> Path:
        d = tmp / "out" / f"{name}-{time.monotonic_ns()}"
        d.mkdir(parents=True)
        return d

    R = Runs()
    commands = {
        "assetkit defaults": lambda: [ak, "prepare", str(src), "--for", "instagram/post", "--variant", "square",
                                      "-o", str(out("ak"))],
        "assetkit --jobs 1": lambda: [ak, "prepare", str(src), "--for", "instagram/post", "--variant", "square",
                                      "--jobs", "1", "-o", str(out("ak1"))],
        "assetkit --crop centre": lambda: [ak, "prepare", str(src), "--for", "instagram/post", "--variant", "square",
                                           "--crop", "centre", "-o", str(out("akc"))],
        "assetkit 4 slots": lambda: [ak, "prepare", str(src), "--for", ",".join(FOUR), "-o", str(out("ak4"))],
        "assetkit --version": lambda: [ak, "--version"],
        "assetkit re-run (up to date)": lambda: [ak, "prepare", str(reruns), "--for", "instagram/post",
                                                 "-o", str(tmp / "rerun-out")],
        "assetkit HEIC": lambda: [ak, "prepare", str(heic), "--for", "instagram/post", "--variant", "square",
                                  "-o", str(out("akh"))],
        "assetkit PNG": lambda: [ak, "prepare", str(png), "--for", "instagram/post", "-o", str(out("akp"))],
    }
    # The decode floor (13.3): Pillow's draft decode of the same files for a 1080 square, nothing else,
    # in a fresh interpreter like the CLI's.
    floor = ("import sys\nfrom PIL import Image\nfor f in sys.argv[1:]:\n    im = Image.open(f)\n"
             "    s = min(im.size) / 1080\n    im.draft('RGB', (int(im.width / s), int(im.height / s)))\n    im.load()\n")
    commands["decode floor (Pillow draft)"] = lambda: [sys.executable, "-c", floor, *map(str, files)]
    if vips:
        def v(smart, size, folder=src):
            o = out("v")
            names = sorted(str(p) for p in Path(folder).iterdir())
            return [vips, *names, "--size", f"{size[0]}x{size[1]}", "--smartcrop", smart,
                    "-o", f"{o}/%s.jpg[Q=85,strip]"]
        commands["vipsthumbnail attention"] = lambda: v("attention", (1080, 1080))
        commands["vipsthumbnail centre"] = lambda: v("centre", (1080, 1080))
        for sid, size in FOUR.items():
            commands[f"vipsthumbnail {sid}"] = lambda size=size: v("attention", size)
        commands["vipsthumbnail HEIC"] = lambda: v("attention", (1080, 1080), heic)
        commands["vipsthumbnail PNG"] = lambda: v("attention", (1080, 1080), png)
    if convert:
        def im():
            o = out("im")
            return ["sh", "-c", " && ".join(
                f"{convert} '{f}' -resize 1080x1080^ -gravity center -extent 1080x1080 -quality 85 '{o}/{f.stem}.jpg'"
                for f in files)]
        commands["ImageMagick convert"] = im
    for _ in range(a.repeat):
        for name, make in commands.items():
            print(f"  {name} ...", file=sys.stderr, flush=True)
            R.add(name, *run(make()))
    rss = peak_rss_mib([ak, "prepare", str(files[0]), "--for", "instagram/post", "--variant", "square",
                        "--jobs", "1", "-o", str(out("rss"))])
    ceil = ceiling()  # last: its own forkserver lives as long as this process

    n = len(files)
    print(f"# assetkit CLI speed ({time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; {n} x 24 MP JPEG, median of {a.repeat} alternating runs)\n")
    print("| run | wall s | CPU s | ms CPU / image |")
    print("|---|---:|---:|---:|")
    for name in commands:
        per = len(FOUR) * n if "4 slots" in name else (a.rerun_files if "re-run" in name else n)
        per = 4 if "HEIC" in name else (1 if "PNG" in name else per)
        if name == "assetkit --version":
            per = 1
        print(f"| {name} | {R.w(name):.2f} | {R.c(name):.2f} | {1000 * R.c(name) / per:.0f} |")
    print("\n| | measured | goal | |")
    print("|---|---:|---|---|")

    def row(label, value, goal, ok, fmt="{:.2f}x"):
        print(f"| {label} | {fmt.format(value)} | {goal} | {'met' if ok else '**not met**'} |")

    ak_cpu = R.c("assetkit defaults")
    if vips:
        r = R.c("vipsthumbnail attention") / ak_cpu
        row("A: defaults vs vipsthumbnail --smartcrop attention", r, ">= 1.5x", r >= 1.5)
        r = R.c("vipsthumbnail centre") / ak_cpu
        row("B: defaults vs vipsthumbnail centre", r, ">= 1.2x", r >= 1.2)
    if convert:
        r = R.c("ImageMagick convert") / ak_cpu
        row("B: defaults vs ImageMagick convert", r, ">= 4x", r >= 4)
    if vips:
        r = sum(R.c(f"vipsthumbnail {sid}") for sid in FOUR) / R.c("assetkit 4 slots")
        row("C: 4 slots vs 4 vipsthumbnail passes", r, ">= 2.5x", r >= 2.5)
    r = R.c("assetkit --jobs 1") / R.c("decode floor (Pillow draft)")
    row("per photo: --jobs 1 over the decode floor (CPU)", r, "<= 1.5x", r <= 1.5)
    d = R.c("assetkit --version")
    row("D: assetkit --version", d, "<= 0.15 CPU-s", d <= 0.15, "{:.3f} s")
    e = (R.c("assetkit re-run (up to date)") - d) / a.rerun_files * 1000
    row(f"E: re-run, {a.rerun_files} files up to date, beyond start-up", e, "<= 10 ms / file", e <= 10, "{:.1f} ms")
    f = R.w("assetkit --jobs 1") / R.w("assetkit defaults")
    row(f"F: 2 jobs vs 1 (wall), machine ceiling {ceil:.2f}x", f / ceil, ">= 0.9 of the ceiling", f / ceil >= 0.9,
        "{:.2f}")
    row("peak RSS, --jobs 1 on one 24 MP JPEG", rss, "<= 100 MiB", rss <= 100, "{:.0f} MiB")
    if vips:
        print(f"\nHEIC 12 MP: assetkit {R.c('assetkit HEIC'):.2f} CPU-s vs vipsthumbnail {R.c('vipsthumbnail HEIC'):.2f} "
              f"({R.c('vipsthumbnail HEIC') / R.c('assetkit HEIC'):.2f}x); PNG 25 MP graphic: assetkit "
              f"{R.c('assetkit PNG'):.2f} vs vipsthumbnail {R.c('vipsthumbnail PNG'):.2f} "
              f"({R.c('vipsthumbnail PNG') / R.c('assetkit PNG'):.2f}x)")
    if LINGERED:
        print(f"\n{len(LINGERED)} helper process(es) outlived the CLI by more than 10 s and were stopped: "
              + "; ".join(sorted(set(c.split(" main")[0][-60:] for c in LINGERED))))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
