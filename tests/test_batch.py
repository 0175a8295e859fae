"""Batches: bad input never stops the batch, originals untouched, atomic writes, re-runs skip,
an interrupted run leaves nothing partial and a re-run finishes the rest."""
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

import assetkit
from assetkit.batch import collect_jobs
from assetkit.fsutil import TMP_SUFFIX
from assetkit.options import Options

import fixtures as fx


def digest(folder: Path) -> dict:
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def messy(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    fx.make_photo(d / "good.jpg", (1300, 1300))
    fx.make_photo(d / "Fête à l'école 1.jpg", (1300, 1300))
    fx.make_zero_bytes(d / "empty.jpg")
    fx.make_text_as_jpg(d / "text.jpg")
    fx.make_truncated_jpeg(d / "truncated.jpg", (1300, 1300))
    fx.make_bomb_png(d / "bomb.png")
    fx.make_random_bytes_jpg(d / "random.jpg")
    (d / "notes.md").write_text("not media, passed over in a folder scan")
    return d


def test_bad_inputs_get_findings_and_the_batch_completes(tmp_path, messy):
    before = digest(messy)
    res = assetkit.prepare([messy], "instagram/post", out_dir=tmp_path / "out", jobs=2)
    by_name = {Path(r.source).name: r for r in res.results}
    assert set(by_name) == {"good.jpg", "Fête à l'école 1.jpg", "empty.jpg", "text.jpg", "truncated.jpg",
                            "bomb.png", "random.jpg"}
    assert by_name["good.jpg"].outputs[0].status.written
    assert by_name["Fête à l'école 1.jpg"].outputs[0].status.written
    expect = {"empty.jpg": ("unreadable", "empty"), "text.jpg": ("unreadable", "not a picture"),
              "random.jpg": ("unreadable", "not a picture"), "truncated.jpg": ("truncated", "ends before"),
              "bomb.png": ("too-many-pixels", "10000 MP")}
    for name, (code, words) in expect.items():
        [f] = by_name[name].findings
        assert f.code == code and words in f.message, (name, f)
    assert res.exit_status == 1
    assert digest(messy) == before  # originals untouched
    outs = sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert outs == ["Fête à l'école 1.jpg", "good.jpg"]


def test_bomb_is_refused_before_allocating(tmp_path):
    import resource

    src = fx.make_bomb_png(tmp_path / "bomb.png")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    res = assetkit.check([src], "instagram/post", jobs=1)
    assert res.results[0].findings[0].code == "too-many-pixels"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KB: nowhere near 30 GB


def test_rerun_skips_up_to_date_and_force_redoes(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(3):
        fx.make_photo(d / f"p{i}.jpg", (1300, 1300), seed=i)
    out = tmp_path / "out"
    first = assetkit.prepare([d], "instagram/post", out_dir=out, jobs=1)
    assert _written(first.counts()) == 3
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.jpg")}
    second = assetkit.prepare([d], "instagram/post", out_dir=out, jobs=1)
    assert second.counts() == {"up-to-date": 3}
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.jpg")} == mtimes
    # a changed source or changed options are redone; --force redoes all
    time.sleep(0.01)
    fx.make_photo(d / "p0.jpg", (1300, 1300), seed=9)
    third = assetkit.prepare([d], "instagram/post", out_dir=out, jobs=1)
    assert third.counts()["up-to-date"] == 2 and _written(third.counts()) == 1
    assert _written(assetkit.prepare([d], "instagram/post", out_dir=out, jobs=1, quality=80).counts()) == 3
    assert _written(assetkit.prepare([d], "instagram/post", out_dir=out, jobs=1, quality=80, force=True).counts()) == 3


def test_colliding_names_get_distinct_outputs(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    fx.make_photo(d / "a.jpg", (500, 500))
    fx.make_heic(d / "a.heic", (500, 500))
    fx.make_photo(d / "sub" / "a.jpg", (500, 500))
    jobs = collect_jobs([d], assetkit.load_presets().resolve("twitter/profile"), Options(out_dir=str(tmp_path / "o")))
    stems = sorted(j.rel_stem for j in jobs)
    assert stems == ["a_heic", "a_jpg", "sub/a"]
    res = assetkit.prepare([d], "twitter/profile", out_dir=tmp_path / "o", jobs=1, flat=True)
    names = sorted(str(p.relative_to(tmp_path / "o")) for p in (tmp_path / "o").rglob("*.jpg"))
    assert names == ["a_heic-twitter-profile.jpg", "a_jpg-twitter-profile.jpg", "sub/a-twitter-profile.jpg"]


def test_outputs_never_land_inside_the_input_scan(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    fx.make_photo(d / "a.jpg", (1200, 1200))
    assetkit.prepare([d], "instagram/post", out_dir=d / "prepared", jobs=1)
    res = assetkit.prepare([d], "instagram/post", out_dir=d / "prepared", jobs=1)
    assert [Path(r.source).name for r in res.results] == ["a.jpg"]


def test_several_slots_decode_each_source_once(tmp_path, monkeypatch):
    from assetkit.image import pipeline

    calls = []
    real = pipeline.decode
    monkeypatch.setattr(pipeline, "decode", lambda *a, **k: calls.append(1) or real(*a, **k))
    src = fx.make_photo(tmp_path / "a.jpg", (3000, 2000))
    res = assetkit.prepare([src], "instagram/post,facebook/cover,twitter/post,youtube/channel-art",
                           out_dir=tmp_path / "o", jobs=1)
    assert all(o.status.written for o in res.results[0].outputs) and len(res.results[0].outputs) == 4
    assert len(calls) == 1


def test_dry_run_writes_nothing_and_shows_the_plan(tmp_path):
    src = fx.make_photo(tmp_path / "a.jpg", (3000, 2000))
    res = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "o", jobs=1, dry_run=True, crop="centre")
    [o] = res.results[0].outputs
    assert o.status == "planned" and not (tmp_path / "o").exists()
    assert o.plan["out_size"] == (1270, 720) and o.plan["crop"] == (0, 150, 3000, 1850)
    assert o.plan["format"] == "jpeg" and o.plan["crop_reason"] == "centre"


# The run under test stops itself after its 4th result until the test's SIGTERM arrives: the signal
# always lands part-way, however loaded the machine (no timing guess), and the in-flight files still
# finish. The pause is in the main process only; the workers and the signal path are the real ones.
_PAUSING_RUN = """
import sys, time
from pathlib import Path
import assetkit.batch as b
real, paused = b.run_jobs, Path(sys.argv.pop())
def run_jobs(*a, **k):
    for i, r in enumerate(real(*a, **k), 1):
        yield r
        if i == 4:
            paused.write_text("paused")
            while True:
                time.sleep(0.05)
b.run_jobs = run_jobs
from assetkit.cli import run
run()
"""


def test_terminated_run_leaves_no_partial_files_and_rerun_finishes(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    n = 16
    first = fx.make_photo(d / "p00.jpg", (2600, 1800), quality=80)
    for i in range(1, n):
        shutil.copy(first, d / f"p{i:02d}.jpg")
    out = tmp_path / "out"
    paused = tmp_path / "paused"
    cmd = [sys.executable, "-c", _PAUSING_RUN, "prepare", str(d), "--for",
           "instagram/post,youtube/channel-art", "-o", str(out), "--jobs", "2", str(paused)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not paused.exists():
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=120)
    finally:
        proc.kill()
    done = list(out.rglob("*.jpg"))
    assert rc == 130, proc.stderr.read()
    assert 8 <= len(done) < 2 * n, "the run should have been stopped part-way"
    assert not list(out.rglob(f"*{TMP_SUFFIX}*"))
    for p in done:  # every file present is complete
        with Image.open(p) as im:
            im.load()
    # the re-run finishes the rest and skips what was done
    res = assetkit.prepare([d], "instagram/post,youtube/channel-art", out_dir=out, jobs=2)
    c = res.counts()
    assert c["up-to-date"] == len(done) and _written(c) == 2 * n - len(done)
    assert len(list(out.rglob("*.jpg"))) == 2 * n


def test_killed_run_leftovers_are_swept(tmp_path):
    out = tmp_path / "out" / "instagram-post"
    out.mkdir(parents=True)
    (out / f".a.jpg.123-abcd{TMP_SUFFIX}").write_bytes(b"half")
    src = fx.make_photo(tmp_path / "a.jpg", (1200, 1200))
    assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1)
    assert not list((tmp_path / "out").rglob(f"*{TMP_SUFFIX}*"))


def test_a_worker_that_raises_becomes_a_failed_finding(tmp_path, monkeypatch):
    from assetkit.image import pipeline

    def boom(*a, **k):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(pipeline, "render", boom)
    src = fx.make_photo(tmp_path / "a.jpg", (1200, 1200))
    src2 = fx.make_photo(tmp_path / "b.jpg", (1200, 1200))
    res = assetkit.prepare([src, src2], "instagram/post", out_dir=tmp_path / "o", jobs=1)
    assert len(res.results) == 2
    for r in res.results:
        assert r.findings[0].code == "failed" and "simulated bug" in r.findings[0].message
    assert res.exit_status == 1


def _written(counts) -> int:
    """Outputs written in this run (ready, fixed or needs-review), whatever the findings made them."""
    return sum(counts.get(s, 0) for s in ("ready", "fixed", "needs-review"))


def test_up_to_date_rerun_and_one_job_start_no_pool(tmp_path, monkeypatch):
    from assetkit import batch

    d = tmp_path / "in"
    d.mkdir()
    for i in range(4):
        fx.make_photo(d / f"p{i}.jpg", (1300, 1300), seed=i)
    out = tmp_path / "out"
    started = []
    real = batch.process_pool
    monkeypatch.setattr(batch, "process_pool", lambda *a, **k: started.append(a) or real(*a, **k))
    first = assetkit.prepare([d], "instagram/post", out_dir=out, jobs=2)
    assert _written(first.counts()) == 4 and len(started) == 1  # one pool for the run
    # every output up to date: each engine's up_to_date(job) answers in this process; no pool starts
    again = assetkit.prepare([d], "instagram/post", out_dir=out, jobs=2)
    assert again.counts() == {"up-to-date": 4} and len(started) == 1
    # --jobs 1, and a single file, run in this process
    assetkit.prepare([d], "instagram/post", out_dir=tmp_path / "o1", jobs=1)
    assetkit.prepare([d / "p0.jpg"], "instagram/post", out_dir=tmp_path / "o2", jobs=2)
    assert len(started) == 1


def test_pool_forks_from_a_one_thread_process_and_uses_a_forkserver_beside_threads():
    """Forking from the CLI's one-thread main process shares the modules it imported (~0.4 s of a
    forkserver's start saved per run); beside another thread fork could copy a held lock, so the
    forkserver is used."""
    import subprocess
    import sys

    code = ("import threading, time\nfrom assetkit.batch import _start_method\n"
            "first = _start_method()\n"
            "threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n"
            "print(first, _start_method())\n")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["fork", "forkserver"]
