"""Dask scale-out: the same jobs on a LocalCluster give the same outputs as the local pool; a job that
fails on a worker (an exception, or the worker process dying) is a failed finding and the batch
completes; without dask.distributed the --dask flag names the extra to install."""
import sys
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import assetkit
from assetkit import batch
from assetkit.cli import main
from assetkit.options import Options
from assetkit.presets import load_presets

import fixtures as fx

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def cluster():
    """Two single-thread worker processes, like the local pool on this machine."""
    import cloudpickle
    import dask

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the failing jobs below run on workers
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                      silence_logs=40) as c:
            yield c


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    d = tmp_path_factory.mktemp("in")
    for i, (size, pattern) in enumerate([((1400, 1000), "quadrants"), ((1200, 1600), "quadrants"),
                                         ((1300, 1300), "quadrants"), ((2000, 1200), "quadrants")]):
        fx.make_photo(d / f"p{i}.jpg", size, pattern=pattern, seed=i, orientation=6 if i == 1 else None)
    return d


def pixels(p: Path) -> np.ndarray:
    with Image.open(p) as im:
        return np.asarray(im.convert("RGB"))


def outputs(root: Path) -> dict:
    return {p.relative_to(root): p for p in sorted(root.rglob("*")) if p.is_file()}


def test_cluster_gives_the_same_outputs_as_the_local_pool(tmp_path, photos, cluster):
    slots = "instagram/post,facebook/cover"
    out = tmp_path / "out"  # the same folder for both runs: the recipe in each output's XMP names it
    local = assetkit.prepare([photos], slots, out_dir=out, jobs=2, crop="centre")
    out.rename(tmp_path / "local")
    with batch.dask_executor(cluster.scheduler_address) as ex:
        assert ex._max_workers == 2
        seen = []
        remote = assetkit.prepare([photos], slots, out_dir=out, executor=ex, crop="centre", on_result=seen.append)
    out.rename(tmp_path / "dask")
    assert len(seen) == 4 and remote.exit_status == local.exit_status == 0
    assert remote.counts() == local.counts() and sum(remote.counts().get(s, 0) for s in ("ready", "fixed")) == 8
    a, b = outputs(tmp_path / "local"), outputs(tmp_path / "dask")
    assert a.keys() == b.keys() and len(a) == 8
    for rel in a:
        assert np.array_equal(pixels(a[rel]), pixels(b[rel])), rel
        assert a[rel].read_bytes() == b[rel].read_bytes(), rel
    # findings come back to the client as on the local pool
    key = lambda r: Path(r.source).name  # noqa: E731
    assert sorted((key(r), [f.code for f in r.all_findings]) for r in local.results) == \
        sorted((key(r), [f.code for f in r.all_findings]) for r in remote.results)


def _raise_on_worker(job):
    raise RuntimeError(f"worker could not run {Path(job.path).name}")


def _die_mid_write(job):
    """The real job, but the worker process dies between writing the temporary file and renaming it
    into place (as in an out-of-memory kill)."""
    import os

    os.replace = lambda *a, **k: os._exit(3)
    return batch.run_job(job)


class Sabotage(Executor):
    """Sends the jobs for chosen files to a function that fails on the worker; the rest run normally."""

    def __init__(self, inner, bad: dict):
        self.inner, self.bad, self._max_workers = inner, bad, inner._max_workers

    def submit(self, fn, job, *args, **kwargs):
        return self.inner.submit(self.bad.get(Path(job.path).name, fn), job, *args, **kwargs)


def test_a_job_that_fails_on_a_worker_is_a_failed_finding_and_the_batch_completes(tmp_path, photos, cluster):
    bad = {"p1.jpg": _raise_on_worker, "p2.jpg": _die_mid_write}
    opts = Options(out_dir=str(tmp_path / "out"), crop="centre")
    jobs = batch.collect_jobs([photos], load_presets().resolve("instagram/post"), opts)
    with batch.dask_executor(cluster.scheduler_address, retries=0) as ex:
        # one job in flight at a time: with allowed-failures=0 Dask would also fail a job that merely
        # waited on the worker that died; here only the job that killed it fails
        res = batch.run_batch(jobs, executor=Sabotage(ex, bad), out_dir=opts.out_dir, window=1)
    by_name = {Path(r.source).name: r for r in res.results}
    assert set(by_name) == {"p0.jpg", "p1.jpg", "p2.jpg", "p3.jpg"}
    assert by_name["p0.jpg"].outputs[0].status.written and by_name["p3.jpg"].outputs[0].status.written
    [f] = by_name["p1.jpg"].findings
    assert f.code == "failed" and "RuntimeError" in f.message and "could not run p1.jpg" in f.message
    [f] = by_name["p2.jpg"].findings
    assert f.code == "failed" and "KilledWorker" in f.message
    assert res.exit_status == 1
    names = sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert names == ["p0.jpg", "p3.jpg"]  # nothing partial: the dead worker's temporary file is swept


def test_missing_extra_is_a_usage_error_naming_it(tmp_path, photos, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(assetkit.UsageError, match=r"assetkit\[distributed\]"):
        with batch.dask_executor("tcp://127.0.0.1:1"):
            pass
    rc = main(["prepare", str(photos), "--for", "instagram/post", "-o", str(tmp_path / "out"),
               "--dask", "tcp://127.0.0.1:1"])
    assert rc == 2
    assert "pip install 'assetkit[distributed]'" in capsys.readouterr().err
    monkeypatch.setenv("ASSETKIT_DASK", "tcp://127.0.0.1:1")
    assert main(["prepare", str(photos), "--for", "instagram/post", "-o", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()
