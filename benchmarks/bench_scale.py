"""Scale: memory stays flat with the batch size, and a Dask LocalCluster keeps up with the local pool.

1. Peak RSS of a 2,000-photo run against a 100-photo run (target: within 20%). Each run is a fresh
   process calling ``assetkit.prepare(..., jobs=2)``; a sampler thread adds up the RSS of that
   process and all its descendants (forkserver, pool workers) every 20 ms. Also reported: the driver
   process's own peak (VmHWM) and the pickled size of the BatchResult it keeps.
2. The same 200-photo batch on the local process pool (2 workers) and on a
   ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` (target: within 15%).
   The pool's time includes starting it (as a CLI run does); the cluster is started beforehand (a
   cluster is long-lived), its start-up time is printed separately. Best of ``--repeat`` runs each.

The photos are hard links to one 1300x1300 photo-like JPEG, prepared as instagram/post squares with
a centre crop, so the run is quick and the per-job overhead (what scale-out adds) is not hidden.

    python benchmarks/bench_scale.py [--small 100] [--large 2000] [--batch 200] [--repeat 2]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]


def make_folder(root: Path, n: int, master: Path) -> Path:
    d = root / f"photos-{n}"
    d.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        p = d / f"p{i:05d}.jpg"
        if not p.exists():
            os.link(master, p)
    return d


def make_master(path: Path, size=(1300, 1300)) -> Path:
    rng = np.random.default_rng(7)
    w, h = size
    base = Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8), "RGB").resize(size, Image.Resampling.BICUBIC)
    img = np.asarray(base, dtype=np.float32) + rng.normal(0, 5, (h, w, 3)).astype(np.float32)
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").save(path, "JPEG", quality=90)
    return path


MEMORY_RUN = r"""
import json, pickle, sys, threading, time
import psutil
import assetkit

peak = [0]
stop = threading.Event()

def sample():
    me = psutil.Process()
    while not stop.is_set():
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        peak[0] = max(peak[0], total)
        time.sleep(0.02)

t = threading.Thread(target=sample, daemon=True)
t.start()
t0 = time.perf_counter()
res = assetkit.prepare([sys.argv[1]], "instagram/post", out_dir=sys.argv[2], jobs=2, crop="centre", force=True)
wall = time.perf_counter() - t0
stop.set(); t.join()
assert not res.failed and len(res.results) == int(sys.argv[3]), res.counts()
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"tree_peak_mb": peak[0] / 2**20, "driver_hwm_mb": hwm / 1024, "wall": wall,
                  "result_kb": len(pickle.dumps(res)) / 1024}))
"""


def memory_run(src: Path, out: Path, n: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-c", MEMORY_RUN, str(src), str(out), str(n)], capture_output=True,
                       text=True, env=env)
    if r.returncode:
        raise SystemExit(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def pool_run(src: Path, out: Path, n: int) -> float:
    import assetkit

    t0 = time.perf_counter()
    res = assetkit.prepare([src], "instagram/post", out_dir=out, jobs=2, crop="centre", force=True)
    assert not res.failed and len(res.results) == n
    return time.perf_counter() - t0


def cluster_run(address: str, src: Path, out: Path, n: int) -> float:
    import assetkit
    from assetkit.batch import dask_executor

    with dask_executor(address) as ex:
        t0 = time.perf_counter()
        res = assetkit.prepare([src], "instagram/post", out_dir=out, executor=ex, crop="centre", force=True)
        wall = time.perf_counter() - t0
    assert not res.failed and len(res.results) == n
    return wall


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", type=int, default=100)
    ap.add_argument("--large", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))

    tmp = Path(tempfile.mkdtemp(prefix="assetkit-scale-"))
    try:
        master = make_master(tmp / "master.jpg")
        print(f"# {time.strftime('%Y-%m-%d')}, {len(os.sched_getaffinity(0))} CPUs, load average "
              f"{os.getloadavg()[0]:.1f} at the start\n")

        mem = {}
        for n in (args.small, args.large):
            src = make_folder(tmp, n, master)
            mem[n] = memory_run(src, tmp / f"out-mem-{n}", n)
            shutil.rmtree(tmp / f"out-mem-{n}", ignore_errors=True)
        print("| photos (1300x1300, jobs=2) | peak RSS, driver + workers | driver peak RSS | BatchResult kept "
              "(pickled) | wall s | photos / s |")
        print("|---:|---:|---:|---:|---:|---:|")
        for n, m in mem.items():
            print(f"| {n} | {m['tree_peak_mb']:.0f} MB | {m['driver_hwm_mb']:.0f} MB | {m['result_kb']:.0f} KB "
                  f"| {m['wall']:.1f} | {n / m['wall']:.1f} |")
        grow = mem[args.large]["tree_peak_mb"] / mem[args.small]["tree_peak_mb"] - 1
        print(f"\npeak RSS {args.large} vs {args.small} photos: {100 * grow:+.1f}% (target within 20%: "
              f"{'yes' if abs(grow) <= 0.2 else 'NO'})\n")

        from distributed import LocalCluster

        src = make_folder(tmp, args.batch, master)
        t0 = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster:
            start = time.perf_counter() - t0
            pool, dask = [], []
            for i in range(args.repeat):  # alternate, so background load hits both alike
                pool.append(pool_run(src, tmp / "out-pool", args.batch))
                dask.append(cluster_run(cluster.scheduler_address, src, tmp / "out-dask", args.batch))
        p, d = min(pool), min(dask)
        print(f"| {args.batch} photos, 2 workers | wall s (best of {args.repeat}) | photos / s |")
        print("|---|---:|---:|")
        print(f"| local process pool (`jobs=2`, start included) | {p:.2f} | {args.batch / p:.1f} |")
        print(f"| Dask LocalCluster (2 processes x 1 thread) | {d:.2f} | {args.batch / d:.1f} |")
        ratio = (args.batch / d) / (args.batch / p)
        print(f"\ncluster throughput = {100 * ratio:.0f}% of the pool (target >= 85%: "
              f"{'yes' if ratio >= 0.85 else 'NO'}); cluster start-up {start:.1f} s (not in the batch time); "
              f"all runs: pool {', '.join(f'{x:.2f}' for x in pool)}, cluster {', '.join(f'{x:.2f}' for x in dask)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
