"""Hot-folder latency and throughput, against ``assetkit.prepare`` on the same files.

    python benchmarks/bench_watch.py [--settle 2] [--n 100] [--size 2000x1500] [--jobs N]

1. An idle watcher (a subprocess, as a user runs it) gets one photo at a time (renamed into the drop
   folder, as a copy tool finishes): latency = drop -> output in ready/. Target: settle + 1 s.
2. N photos dropped at once: time until the last output exists, and files/s.
3. ``assetkit.prepare`` on the same N photos (same slot, same worker count): files/s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import assetkit  # noqa: E402
import fixtures as fx  # noqa: E402
from assetkit.batch import default_jobs  # noqa: E402

SLOT, FOLDER = "instagram/post", "instagram-post"


def make_photos(folder: Path, n: int, size: tuple[int, int], prefix: str) -> list[Path]:
    base = fx.make_photo(folder / "base.jpg", size, quality=85).read_bytes()
    out = []
    for i in range(n):
        text = f"bench {prefix} {i}".encode()  # a JPEG comment: same picture, distinct content hash
        p = folder / f"{prefix}{i:03d}.jpg"
        p.write_bytes(base[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + base[2:])
        out.append(p)
    (folder / "base.jpg").unlink()
    return out


def wait_outputs(root: Path, names: list[str], timeout: float) -> float:
    want = [root / "ready" / FOLDER / n for n in names]
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if all(p.exists() for p in want):
            return time.perf_counter()
        time.sleep(0.005)
    raise SystemExit(f"timed out waiting for {len(want)} outputs")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--settle", type=float, default=2.0)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--size", default="2000x1500")
    ap.add_argument("--jobs", type=int, default=default_jobs())
    ap.add_argument("--poll", type=float, default=None)
    a = ap.parse_args()
    size = tuple(int(v) for v in a.size.split("x"))

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root, staged = tmp / "hot", tmp / "staged"
        (root / FOLDER).mkdir(parents=True)
        staged.mkdir()
        singles = make_photos(staged, 3, size, "single")
        many = make_photos(staged, a.n, size, "many")
        copies = tmp / "prepare-input"
        copies.mkdir()
        for p in many:
            (copies / p.name).write_bytes(p.read_bytes())

        env = {**os.environ, "PYTHONPATH": str(REPO)}
        cmd = [sys.executable, "-c", "from assetkit.cli import run; run()", "watch", str(root), "--for", SLOT,
               "--settle", str(a.settle), "--jobs", str(a.jobs)] + (["--poll", str(a.poll)] if a.poll else [])
        log = open(tmp / "watch.log", "w")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.time() + 30
            while " start " not in (tmp / "watch.log").read_text():
                if time.time() > deadline or proc.poll() is not None:
                    raise SystemExit("watcher did not start:\n" + (tmp / "watch.log").read_text())
                time.sleep(0.05)
            time.sleep(1.0)  # idle

            latencies = []
            for p in singles:
                t0 = time.perf_counter()
                os.replace(p, root / FOLDER / p.name)
                latencies.append(wait_outputs(root, [p.name], 60) - t0)
                time.sleep(0.5)

            t0 = time.perf_counter()
            for p in many:
                os.replace(p, root / FOLDER / p.name)
            t_many = wait_outputs(root, [p.name for p in many], 600) - t0
        finally:
            proc.terminate()
            proc.wait(60)
            log.close()

        t = time.perf_counter()
        res = assetkit.prepare([copies], SLOT, out_dir=tmp / "prepared", jobs=a.jobs)
        t_prepare = time.perf_counter() - t
        assert not res.failed and len(res.results) == a.n

    work = t_many - a.settle
    print(f"assetkit watch benchmark: {size[0]}x{size[1]} JPEG -> {SLOT}, {a.jobs} workers, settle {a.settle:g} s, "
          f"{'poll ' + str(a.poll) + ' s' if a.poll else 'events'}, {os.cpu_count()} CPUs")
    print(f"  1 file into an idle watcher: latency {', '.join(f'{x:.2f}' for x in latencies)} s "
          f"(median {statistics.median(latencies):.2f} s; target settle + 1 = {a.settle + 1:.1f} s)")
    print(f"  {a.n} files at once: last ready after {t_many:.2f} s = settle + {work:.2f} s "
          f"-> {a.n / t_many:.1f} files/s overall, {a.n / work:.1f} files/s after settling")
    print(f"  assetkit.prepare on the same {a.n} files: {t_prepare:.2f} s -> {a.n / t_prepare:.1f} files/s "
          f"(includes starting its process pool)")


if __name__ == "__main__":
    main()
