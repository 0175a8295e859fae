"""Killed processes (issue 15: 6, 8, 9): a pool worker killed mid-batch (what the OOM killer does),
a killed `prepare` (its workers must not outlive it), and two runs into the same OUT folder."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import assetkit
from assetkit.fsutil import TMP_SUFFIX, sweep_temp

import fixtures as fx

pytestmark = pytest.mark.slow  # real kills of real process trees: tens of seconds on a loaded machine


def _photos(d: Path, n: int, size=(1600, 1200)) -> None:
    d.mkdir(parents=True, exist_ok=True)
    first = fx.make_photo(d / "p00.jpg", size, quality=80)
    for i in range(1, n):
        os.link(first, d / f"p{i:02d}.jpg")


def test_a_worker_killed_mid_batch_fails_its_file_and_a_fresh_pool_finishes(tmp_path):
    d = tmp_path / "in"
    _photos(d, 8)
    # the victim takes seconds to decode (a big PNG), so it is surely in a worker's hands when killed
    victim = fx.make_photo(tmp_path / "victim.png", (6000, 4500))
    os.replace(victim, d / "p03-victim.png")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out, report = tmp_path / "out", tmp_path / "report.json"
    env = {**os.environ, "TMPDIR": str(tmp)}  # where the pool notes which worker holds which file
    proc = subprocess.Popen([sys.executable, "-m", "assetkit", "prepare", str(d), "--for", "instagram/post",
                             "-o", str(out), "--jobs", "2", "--report", str(report)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        for note in tmp.glob("assetkit-pool-*/*"):
            try:
                if note.read_text().endswith("p03-victim.png"):
                    killed = int(note.name)
                    os.kill(killed, signal.SIGKILL)  # as the OOM killer does
                    break
            except (OSError, ValueError):
                pass
        time.sleep(0.01)
    stdout, stderr = proc.communicate(timeout=180)
    assert killed, "the victim was never seen in a worker's hands"
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr and "BrokenProcessPool" not in stderr, stderr
    data = json.loads(report.read_text())
    by = {Path(r["source"]).name: r for r in data["results"]}
    assert len(by) == 9
    [f] = by["p03-victim.png"]["findings"]
    assert f["code"] == "failed" and "the worker preparing this file stopped" in f["message"]
    assert "killed by signal 9" in f["message"] and "out of memory?" in f["message"]
    others = [r for name, r in by.items() if name != "p03-victim.png"]
    assert all(o["status"] in ("ready", "fixed") for r in others for o in r["outputs"]), others
    assert len(list((out / "instagram-post").glob("*.jpg"))) == 8
    assert "1 failed" in stdout  # the summary was printed
    assert not list(out.rglob(f"*{TMP_SUFFIX}*"))


def test_killed_prepare_takes_its_workers_with_it(tmp_path):
    d = tmp_path / "in"
    _photos(d, 40, size=(3000, 2000))
    proc = subprocess.Popen([sys.executable, "-m", "assetkit", "prepare", str(d), "--for", "instagram/post",
                             "-o", str(tmp_path / "out"), "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    top = psutil.Process(proc.pid)
    family: dict = {}
    deadline = time.monotonic() + 120
    # wait until the pool is up: two workers below the CLI (forked from it; from a forkserver, beside
    # a resource tracker, where the CLI has threads)
    while time.monotonic() < deadline and not list((tmp_path / "out").rglob("*.jpg")):
        for c in top.children(recursive=True):
            family.setdefault(c.pid, c)
        time.sleep(0.02)
    for c in top.children(recursive=True):
        family.setdefault(c.pid, c)
    assert len(family) >= 2, family
    proc.kill()
    proc.wait()
    gone, alive = psutil.wait_procs(list(family.values()), timeout=15)
    assert not alive, [(p.pid, p.cmdline()) for p in alive]


def test_a_second_run_leaves_the_first_runs_temporaries_alone(tmp_path):
    slot_dir = tmp_path / "out" / "instagram-post"
    slot_dir.mkdir(parents=True)
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = slot_dir / f".a.jpg.{writer.pid}-0123abcd{TMP_SUFFIX}"
        live.write_bytes(b"a 91 s encode in flight")
        dead_pid = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                                  capture_output=True, text=True).stdout.strip()
        dead = slot_dir / f".b.jpg.{dead_pid}-4567cdef{TMP_SUFFIX}"
        dead.write_bytes(b"left by a killed run")
        ffmpeg_style = slot_dir / f".c.{dead_pid}-89abcdef{TMP_SUFFIX}.mp4"
        ffmpeg_style.write_bytes(b"left by a killed encode")
        src = fx.make_photo(tmp_path / "a2.jpg", (1200, 1200))
        assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1)
        assert live.exists(), "the first run's file in flight was deleted"
        assert not dead.exists() and not ffmpeg_style.exists()
        writer.kill()
        writer.wait()
        assert sweep_temp(tmp_path / "out") == 1 and not live.exists()
    finally:
        writer.kill()
