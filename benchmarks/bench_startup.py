"""Start-up cost of the installed ``assetkit`` command (issue 13, row D: ``--version`` <= 0.15 CPU-s).

Each command runs as a user runs it, the console script in a fresh process; the figure is the child's
user + sys CPU seconds (``resource.getrusage(RUSAGE_CHILDREN)`` around each run), the median of
``--runs`` runs, beside a bare ``python -c pass`` for the interpreter's own floor.

    python benchmarks/bench_startup.py [--runs 15]
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

GOAL = {"--version": 0.15}
COMMANDS = [["--version"], ["--help"], ["prepare", "--help"], ["presets"], ["caption", "Hello #World", "--for", "twitter"]]


def cpu_seconds(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    exe = shutil.which("assetkit", path=str(Path(sys.executable).parent)) or shutil.which("assetkit")
    if not exe:
        sys.exit("the assetkit command is not installed (pip install -e .)")
    rows = [("python -c pass", [sys.executable, "-c", "pass"])] + [
        ("assetkit " + " ".join(c), [exe, *c]) for c in COMMANDS]
    print(f"{'command':<44} {'median CPU s':>12} {'min':>7} {'goal':>6}")
    worst = 0
    for name, argv in rows:
        times = sorted(cpu_seconds(argv) for _ in range(args.runs))
        goal = GOAL.get(" ".join(argv[1:])) if argv[0] == exe else None
        print(f"{name[:44]:<44} {statistics.median(times):>12.3f} {times[0]:>7.3f} {goal or '':>6}")
        if goal and statistics.median(times) > goal:
            worst = 1
    return worst


if __name__ == "__main__":
    sys.exit(main())
