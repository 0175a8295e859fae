"""Hot folder: drop files into ``ROOT/<platform>/`` or ``ROOT/<platform>-<slot>/``, collect them from
``ROOT/ready/<platform>-<slot>/``. Built on batch: the same ``Job``, ``run_job`` and executors as
``prepare``.

How a file travels (one code path, whether woken by watchdog events or by ``--poll``):

1. ``Scanner.scan`` lists the drop folders and keeps (size, mtime) per file; a file is *stable* when
   both stayed the same for the settle time. Temporary names (``.part``, ``.crdownload``, ``~$*``,
   hidden files, assetkit's own temporaries) are never picked up.
2. A stable file is hashed (sha256). The journal (``ROOT/.assetkit/journal.sqlite``, keyed by
   (content hash, slot)) decides: new or still ``queued`` (a killed run) -> prepare; ``done`` and
   still in the drop folder at the journaled path -> the move was interrupted, finish it; ``done``
   otherwise -> an identical re-drop, moved to originals/ with a note; ``failed`` re-dropped -> retried.
3. Outputs are written atomically by the pipeline, then the journal records the outcome in one
   transaction, then the original is moved (originals/, failed/ or needs-review/ with a reason file).
   A kill between any two steps is finished on the next start; nothing is prepared twice and the
   output name chosen for (hash, slot) is kept in the journal, so a re-run reuses it.

Outcomes: every slot prepared -> ``done`` (original to originals/); a slot whose rule needs a person
(status needs-review, or a consent/credit error) -> ``needs-review``; anything else that left no output
(unreadable file, ``too-small`` without allow_upscale, ...) -> ``failed``. A failed file can be
dropped again after changing ``assetkit.toml``: failed content is retried, done content is not.
"""
from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import sys
import threading
import time
import tomllib
import unicodedata
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, TextIO

from .batch import InlineExecutor, default_jobs, run_jobs
from .model import Job, JobResult
from .checks import Severity
from .errors import UsageError
from .fsutil import TMP_SUFFIX, sweep_temp
from .media import sniff_file
from .options import Options
from .presets import PresetLibrary, Slot, load_presets

READY, NEEDS_REVIEW_DIR, FAILED_DIR, ORIGINALS, STATE = "ready", "needs-review", "failed", "originals", ".assetkit"
RESERVED = {READY, NEEDS_REVIEW_DIR, FAILED_DIR, ORIGINALS, STATE, "reports"}
CONFIG = "assetkit.toml"

# journal states
QUEUED, DONE, FAILED_STATE, REVIEW = "queued", "done", "failed", "needs-review"

# finding codes that a person must resolve (the credits/consent rules): needs-review, not failed
REVIEW_CODES = {"consent-missing", "no-credit"}

TEMP_SUFFIXES = (".part", ".crdownload", ".tmp", ".temp", ".download", ".partial", ".filepart", ".!ut", ".swp")



def is_temporary(name: str) -> bool:
    """Names that belong to a copy in progress or to the system, never to a finished photo."""
    low = name.lower()
    return (name.startswith(".") or name.startswith("~$") or name.startswith("~") and low.endswith(".tmp")
            or low.endswith(TEMP_SUFFIXES) or TMP_SUFFIX in name or name in ("Thumbs.db", "desktop.ini"))


# ---------------------------------------------------------------------------------- drop folders


@dataclass(frozen=True)
class Drop:
    """One drop folder and the slots files dropped there are prepared for."""

    name: str                 # folder name: instagram, facebook-cover
    slots: tuple[Slot, ...]

    def slots_for(self, kind: str) -> tuple[Slot, ...]:
        """The slots for a file of this kind (sniffed ``image``/``video``/``unknown``). An unreadable
        file is judged against the photo slots; a kind no slot takes goes to all, and the pipeline
        says why ("unsupported")."""
        want = "video" if kind == "video" else "photo"
        return tuple(s for s in self.slots if s.takes(want)) or self.slots


def drops_for(spec: str | Iterable[str] | None, lib: PresetLibrary) -> list[Drop]:
    """``None`` -> one folder per platform (its photo and video defaults); ``instagram`` -> the same
    for one platform; ``facebook/cover`` or ``facebook-cover`` -> one slot."""
    items = lib.platforms if spec is None else ([s for s in spec.split(",")] if isinstance(spec, str) else list(spec))
    by_folder = {s.folder: s for s in lib.slots.values()}
    drops: list[Drop] = []
    for raw in items:
        item = raw.strip().lower()
        if not item:
            continue
        if item in by_folder and item not in lib.defaults:
            item = by_folder[item].id
        slots = tuple(lib.resolve(item))
        name = slots[0].folder if "/" in item else item
        if name in RESERVED:
            raise UsageError(f"{name!r} cannot be a drop folder: it is one of {', '.join(sorted(RESERVED))}")
        if all(d.name != name for d in drops):
            drops.append(Drop(name, slots))
    if not drops:
        raise UsageError("no drop folder: use --for PLATFORM or --for PLATFORM/SLOT")
    return drops


# --------------------------------------------------------------------------------------- config


def read_config(path: Path) -> dict:
    """ROOT/assetkit.toml: the same file format as ``prepare``'s (``[prepare]``, ``[credit]``,
    ``[logo]``, ``[consent]``), validated the same way."""
    from .config import load_config

    out = load_config(path)
    Options(**out)  # values that only make sense together (crop mode, quality range, ...)
    return out


class Config:
    """Options = defaults < ROOT/assetkit.toml < flags given on the command line; the file is re-read
    when its mtime changes (checked before each batch). A broken file keeps the last good options."""

    def __init__(self, root: Path, flags: dict, log: Callable[..., None]):
        self.path, self.flags, self.log = root / CONFIG, {k: v for k, v in flags.items() if v is not None}, log
        self.mtime: int | None = None
        self.file: dict = {}
        self.out_dir = str(root / READY)
        self.refresh(first=True)

    def refresh(self, first: bool = False) -> None:
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            mtime = None
        if mtime == self.mtime:
            return
        self.mtime = mtime
        try:
            self.file = read_config(self.path) if mtime is not None else {}
            if not first:
                self.log("config", f"{CONFIG} {'re-read' if mtime else 'removed'}: {self.file or 'defaults'}")
        except (UsageError, tomllib.TOMLDecodeError, OSError, ValueError) as e:
            if first:
                raise UsageError(f"{self.path}: {e}") from None
            self.log("config", f"{CONFIG} not used ({e}); keeping the previous options")

    @property
    def options(self) -> Options:
        return Options(out_dir=self.out_dir, **{**self.file, **self.flags})


# -------------------------------------------------------------------------------------- journal


class Journal:
    """SQLite, one row per (content sha256, slot id). WAL + one transaction per outcome, so a
    ``kill -9`` at any moment leaves either the old or the new state."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS files (
        hash TEXT NOT NULL, slot TEXT NOT NULL, state TEXT NOT NULL,
        source TEXT NOT NULL, name TEXT NOT NULL, drop_folder TEXT NOT NULL, stem TEXT NOT NULL,
        output TEXT, reason TEXT, moved_to TEXT, updated REAL NOT NULL,
        PRIMARY KEY (hash, slot));
    CREATE INDEX IF NOT EXISTS files_stem ON files (slot, stem);
    """

    def __init__(self, path: Path, readonly: bool = False):
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=10)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a killed process
            self.db.executescript(self.SCHEMA)
        self.db.row_factory = sqlite3.Row

    def rows(self, digest: str) -> dict[str, sqlite3.Row]:
        return {r["slot"]: r for r in self.db.execute("SELECT * FROM files WHERE hash = ?", (digest,))}

    def stem_taken(self, slot: str, stem: str) -> bool:
        key = _fold(stem)
        return any(_fold(r[0]) == key for r in self.db.execute("SELECT stem FROM files WHERE slot = ?", (slot,)))

    def queue(self, digest: str, slots: Iterable[Slot], source: Path, drop: str, stem: str) -> None:
        with self.db:
            for s in slots:
                self.db.execute(
                    "INSERT INTO files (hash, slot, state, source, name, drop_folder, stem, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash, slot) DO UPDATE SET state = excluded.state, "
                    "source = excluded.source, name = excluded.name, drop_folder = excluded.drop_folder, "
                    "stem = excluded.stem, reason = NULL, moved_to = NULL, updated = excluded.updated",
                    (digest, s.id, QUEUED, str(source), source.name, drop, stem, time.time()))

    def record(self, digest: str, outcomes: dict[str, tuple[str, str | None, str | None]]) -> None:
        """slot -> (state, output, reason), all in one transaction."""
        with self.db:
            for slot, (state, output, reason) in outcomes.items():
                self.db.execute("UPDATE files SET state = ?, output = ?, reason = ?, updated = ? "
                                "WHERE hash = ? AND slot = ?", (state, output, reason, time.time(), digest, slot))

    def moved(self, digest: str, dest: Path) -> None:
        with self.db:
            self.db.execute("UPDATE files SET moved_to = ?, updated = ? WHERE hash = ?", (str(dest), time.time(), digest))

    def status(self) -> dict:
        rows = [dict(r) for r in self.db.execute("SELECT * FROM files ORDER BY updated")]
        out: dict = {"counts": {}, QUEUED: [], DONE: [], FAILED_STATE: [], REVIEW: []}
        for r in rows:
            out["counts"][r["state"]] = out["counts"].get(r["state"], 0) + 1
            out.setdefault(r["state"], []).append(
                {"name": r["name"], "drop": r["drop_folder"], "slot": r["slot"], "hash": r["hash"][:12],
                 "output": r["output"], "reason": r["reason"], "moved_to": r["moved_to"],
                 "updated": _stamp(r["updated"])})
        return out

    def close(self) -> None:
        self.db.close()


def _fold(s: str) -> str:
    return unicodedata.normalize("NFC", s).casefold()


def _stamp(t: float | None = None) -> str:
    return datetime.fromtimestamp(t if t is not None else time.time()).strftime("%Y-%m-%d %H:%M:%S")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def unique_path(path: Path) -> Path:
    """``path`` if free, else ``name-2.ext``, ``name-3.ext``, ..."""
    if not path.exists():
        return path
    n = 2
    while True:
        p = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not p.exists():
            return p
        n += 1


# -------------------------------------------------------------------------------------- scanner


@dataclass
class _Seen:
    size: int
    mtime: int
    since: float  # monotonic time the (size, mtime) pair was first seen


class Scanner:
    """Lists the drop folders and says which files have stopped changing for ``settle`` seconds."""

    def __init__(self, root: Path, drops: list[Drop], settle: float):
        self.root, self.drops, self.settle = root, drops, settle
        self.seen: dict[Path, _Seen] = {}
        self.busy: set[Path] = set()  # handed out, not yet moved away

    def scan(self) -> tuple[list[tuple[Path, Drop]], float | None]:
        """(stable files, seconds until the next file could become stable or None)."""
        now = time.monotonic()
        present: set[Path] = set()
        ready: list[tuple[Path, Drop]] = []
        next_due: float | None = None
        for drop in self.drops:
            base = self.root / drop.name
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if is_temporary(name):
                        continue
                    p = Path(dirpath) / name
                    try:
                        st = p.stat()
                    except OSError:
                        continue
                    present.add(p)
                    if p in self.busy:
                        continue
                    s = self.seen.get(p)
                    if s is None or (s.size, s.mtime) != (st.st_size, st.st_mtime_ns):
                        self.seen[p] = s = _Seen(st.st_size, st.st_mtime_ns, now)
                    # an empty file is usually a copy that has not started: give it longer
                    wait_for = self.settle if st.st_size else max(10 * self.settle, 5.0)
                    left = s.since + wait_for - now
                    if left <= 0:
                        ready.append((p, drop))
                    else:
                        next_due = left if next_due is None else min(next_due, left)
        for p in list(self.seen):
            if p not in present:
                del self.seen[p]
        self.busy &= present
        return ready, next_due

    def pending(self) -> int:
        return sum(1 for p in self.seen if p not in self.busy)


# -------------------------------------------------------------------------------------- watcher


@dataclass
class _Task:
    path: Path
    drop: Drop
    digest: str
    kind: str
    slots: tuple[Slot, ...]
    stem: str
    size_mtime: tuple[int, int] = (0, 0)


@dataclass
class Watcher:
    root: Path
    drops: list[Drop]
    config: Config
    settle: float = 2.0
    poll: float | None = None
    jobs: int | None = None
    out: TextIO = field(default_factory=lambda: sys.stdout)
    stop: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        for d in (*[d.name for d in self.drops], READY, NEEDS_REVIEW_DIR, FAILED_DIR, ORIGINALS, STATE):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        self.journal = Journal(self.root / STATE / "journal.sqlite")
        self.scanner = Scanner(self.root, self.drops, self.settle)
        self.executor: Executor | None = None
        self.counts = {DONE: 0, FAILED_STATE: 0, REVIEW: 0, "duplicate": 0}

    # ----------------------------------------------------------------------------- logging

    def log(self, event: str, text: str) -> None:
        self.out.write(f"{_stamp()} {event} {text}\n")
        self.out.flush()

    def rel(self, p: Path | str) -> str:
        try:
            return Path(p).relative_to(self.root).as_posix()
        except ValueError:
            return str(p)

    # ------------------------------------------------------------------------------- main loop

    def run(self, once: bool = False) -> int:
        sweep_temp(self.root / READY)
        self._executor()  # workers up before the first file arrives
        observer = None if once or self.poll else self._start_observer()
        self.log("start", f"watching {self.root} ({'poll every %gs' % self.poll if self.poll else 'events'}, "
                          f"settle {self.settle:g}s): drop files into "
                          + ", ".join(f"{d.name}/" for d in self.drops))
        try:
            while not self.stop.is_set():
                ready, next_due = self.scanner.scan()
                if ready:
                    self.config.refresh()
                    self.process(ready)
                    continue  # scan again at once: more may have arrived meanwhile
                if once and next_due is None:
                    break
                # sleep until an event, the next settle deadline, or the next poll
                idle = self.poll if self.poll else 10.0
                timeout = min(idle, next_due + 0.02) if next_due is not None else idle
                self.wake.wait(timeout)
                self.wake.clear()
        finally:
            if observer is not None:
                observer.stop()
                observer.join(timeout=5)
            if self.executor is not None:
                self.executor.shutdown(wait=True, cancel_futures=True)
            sweep_temp(self.root / READY)
            self.journal.close()
        c = self.counts
        self.log("stop", f"{c[DONE]} ready, {c[REVIEW]} needs-review, {c[FAILED_STATE]} failed, "
                         f"{c['duplicate']} duplicate")
        return 0

    def _start_observer(self):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        wake = self.wake

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                wake.set()

        observer = Observer()
        for d in self.drops:
            observer.schedule(Handler(), str(self.root / d.name), recursive=True)
        observer.daemon = True
        observer.start()
        return observer

    def _executor(self) -> Executor:
        n = self.jobs or default_jobs()
        if n == 1:
            return InlineExecutor()
        if self.executor is None:
            self.executor = _pool(n)
        return self.executor

    # ------------------------------------------------------------------------------ decisions

    def process(self, ready: list[tuple[Path, Drop]]) -> None:
        tasks: list[_Task] = []
        hashes: set[str] = set()
        for path, drop in ready:
            if self.stop.is_set():
                return
            try:
                task = self.decide(path, drop, hashes)
            except Exception as e:  # noqa: BLE001 - one file's trouble (a move refused, ...) stops nothing
                self._stuck(path, e)
                continue
            if task is not None:
                tasks.append(task)
                hashes.add(task.digest)
        if tasks:
            self.run_tasks(tasks)

    def decide(self, path: Path, drop: Drop, batch_hashes: set[str]) -> _Task | None:
        """What to do with one stable file; returns a task to prepare, or None when handled here."""
        try:
            st = path.stat()
            digest = sha256_file(path)
            kind, _ = sniff_file(path)
        except FileNotFoundError:
            return None
        except OSError as e:
            self.log("waiting", f"{self.rel(path)}: cannot read it yet ({e.strerror})")
            self.scanner.seen.pop(path, None)
            return None
        if digest in batch_hashes:
            return None  # the same content twice in one batch: the copy is judged after the first is done
        self.scanner.busy.add(path)
        slots = drop.slots_for(kind)
        rows = self.journal.rows(digest)
        mine = [rows.get(s.id) for s in slots]
        if mine and all(r is not None for r in mine):
            states = {r["state"] for r in mine}
            same_file = all(r["source"] == str(path) and not r["moved_to"] for r in mine)
            if same_file and QUEUED not in states:
                # killed after the journal recorded the outcome, before the original was moved
                self._move_after(path, digest, mine, finishing=True)
                return None
            if states == {DONE} and not same_file:
                if all(r["output"] and Path(r["output"]).exists() for r in mine):
                    self._duplicate(path, digest, mine)
                    return None
                # its outputs were deleted from ready/: prepare it again, under the same name
        known = [r for r in mine if r is not None]
        # a killed run (queued) or a retry (failed): redo under the name chosen the first time
        stem = known[0]["stem"] if known else self._new_stem(path, drop, slots)
        self.journal.queue(digest, slots, path, drop.name, stem)
        return _Task(path, drop, digest, kind, slots, stem, (st.st_size, st.st_mtime_ns))

    def _stuck(self, path: Path, e: Exception) -> None:
        """Leave the file where it is until the next start (the journal keeps its state), and say so."""
        self.scanner.busy.add(path)
        self.log("error", f"{self.rel(path)}: {type(e).__name__}: {e}; left in place, retried on the next start")

    def _new_stem(self, path: Path, drop: Drop, slots: tuple[Slot, ...]) -> str:
        """The file's name (relative to its drop folder, no extension), made unique against earlier
        outputs of these slots: ``photo``, then ``photo-2``, ..."""
        rel = path.relative_to(self.root / drop.name).with_suffix("")
        base = re.sub(r"\s+$", "", rel.as_posix()) or "file"
        n = 1
        while True:
            stem = base if n == 1 else f"{base}-{n}"
            if not any(self.journal.stem_taken(s.id, stem) or self._output_exists(s, stem) for s in slots):
                return stem
            n += 1

    def _output_exists(self, slot: Slot, stem: str) -> bool:
        p = self.root / READY / slot.folder / stem
        return p.parent.is_dir() and any(_fold(q.stem) == _fold(p.name) for q in p.parent.iterdir() if q.is_file())

    def _duplicate(self, path: Path, digest: str, rows: list[sqlite3.Row]) -> None:
        outputs = ", ".join(self.rel(r["output"]) for r in rows if r["output"])
        dest = unique_path(self.root / ORIGINALS / path.name)
        note = (f"{path.name} was dropped into {self.rel(path.parent)}/ on {_stamp()}, but the same picture "
                f"(identical content) was already prepared from {rows[0]['name']}: {outputs}.\n"
                f"It was not prepared again; the prepared file is still there.\n")
        self._move(path, dest, note)  # the first drop's journal record stays as it was
        self.counts["duplicate"] += 1
        self.log("duplicate", f"{self.rel(path)}: same content as {rows[0]['name']} already in {outputs}; "
                              f"moved to {self.rel(dest)} (not prepared again)")

    # ------------------------------------------------------------------------------- execution

    def run_tasks(self, tasks: list[_Task]) -> None:
        """The batch's own bounded submission (batch.run_jobs): a dead worker fails its file only;
        once stopping, nothing new starts and the files in flight finish."""
        options = self.config.options
        executor = self._executor()
        started, finished = time.perf_counter(), []
        by_path = {str(t.path): t for t in tasks}

        def jobs():
            for t in tasks:
                if self.stop.is_set():
                    return  # not started: still queued in the journal, picked up on the next start
                yield Job(str(t.path), t.stem, t.slots, options)

        try:
            for result in run_jobs(jobs(), executor, window=2 * max(1, getattr(executor, "_max_workers", 1))):
                t = by_path[result.source]
                try:
                    result.source = str(self.finish(t, result))  # the report shows where it went
                    finished.append(result)
                except Exception as e:  # noqa: BLE001
                    self._stuck(t.path, e)
        finally:
            if finished:
                self.write_report(finished, time.perf_counter() - started)

    def write_report(self, results: list[JobResult], seconds: float) -> None:
        """The HTML contact sheet of this batch: ROOT/reports/<time>.html, and ROOT/report.html (latest)."""
        from . import report
        from .batch import BatchResult

        try:
            data = report.build(BatchResult(results, seconds, str(self.root / READY)))
            path = self.root / "reports" / f"batch-{time.strftime('%Y%m%d-%H%M%S')}.html"
            report.write(data, unique_path(path))
            report.write(data, self.root / "report.html")
            self.log("report", f"{self.rel(self.root / 'report.html')} ({len(results)} files)")
        except Exception as e:  # noqa: BLE001 - a report problem never stops the watcher
            self.log("error", f"could not write the batch report: {type(e).__name__}: {e}")

    def finish(self, t: _Task, r: JobResult) -> Path:
        """Record the outcome (one transaction), then move the original; returns where it went."""
        outcomes: dict[str, tuple[str, str | None, str | None]] = {}
        by_slot = {o.slot: o for o in r.outputs}
        for s in t.slots:
            o = by_slot.get(s.id)
            if o is not None and o.status.written and not o.held and o.output:
                outcomes[s.id] = (DONE, o.output, None)
                continue
            found = [f for f in ((o.findings if o else []) + r.findings) if f.severity == Severity.ERROR] or \
                    (o.findings if o else []) or r.findings
            reason = "; ".join(f"{f.message}" + (f" ({f.code})" if f.code else "") for f in found) or \
                "it could not be prepared (no reason given)"
            review = (o is not None and o.held) or any(f.code in REVIEW_CODES for f in found)
            outcomes[s.id] = (REVIEW if review else FAILED_STATE, None, reason)
        self.journal.record(t.digest, outcomes)
        rows = list(self.journal.rows(t.digest).get(s.id) for s in t.slots)
        return self._move_after(t.path, t.digest, rows)

    def _move_after(self, path: Path, digest: str, rows: list, finishing: bool = False) -> Path:
        states = [r["state"] for r in rows]
        name = path.name
        if FAILED_STATE in states or REVIEW in states:
            folder = FAILED_DIR if FAILED_STATE in states else NEEDS_REVIEW_DIR
            event = "failed" if folder == FAILED_DIR else "needs-review"
            dest = unique_path(self.root / folder / name)
            lines = [f"{name} (dropped into {self.rel(path.parent)}/) "
                     f"{'could not be prepared' if event == 'failed' else 'needs a person to look at it'}:"]
            for r in rows:
                if r["state"] in (FAILED_STATE, REVIEW):
                    lines.append(f"- {r['slot']}: {r['reason']}")
                elif r["output"]:
                    lines.append(f"- {r['slot']}: prepared anyway as {self.rel(r['output'])}")
            if event == "failed":
                lines.append("Fix the file (or the options in assetkit.toml, e.g. allow_upscale = true) and drop "
                             "it in again; failed files are retried.")
            self._move(path, dest, "\n".join(lines) + "\n")
            self.counts[FAILED_STATE if event == "failed" else REVIEW] += 1
            why = "; ".join(f"{r['slot']}: {r['reason']}" for r in rows if r["state"] in (FAILED_STATE, REVIEW))
            self.log(event, f"{self.rel(path)} -> {self.rel(dest)} ({why})")
        else:
            dest = unique_path(self.root / ORIGINALS / name)
            self._move(path, dest)
            self.counts[DONE] += 1
            for r in rows:
                self.log("ready", f"{r['slot']} {self.rel(path)} -> {self.rel(r['output'])}"
                         + (" (finished an interrupted move)" if finishing else ""))
        self.journal.moved(digest, dest)
        self.scanner.busy.discard(path)
        self.scanner.seen.pop(path, None)
        return dest

    @staticmethod
    def _move(path: Path, dest: Path, note: str | None = None) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if note is not None:
            from .fsutil import write_atomic

            write_atomic(dest.with_name(dest.name + ".txt"), note.encode("utf-8"))
        os.replace(path, dest) if _same_device(path, dest.parent) else _copy_move(path, dest)


def _same_device(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def _copy_move(path: Path, dest: Path) -> None:
    import shutil

    shutil.move(str(path), str(dest))


def _worker_init(watcher_pid: int) -> None:
    """In each pool worker: ignore Ctrl-C (the watcher stops its workers itself), and exit when the
    watcher is gone. A ``kill -9`` of the watcher would otherwise leave idle workers behind (their
    parent is the forkserver, not the watcher)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch_parent():
        while True:
            time.sleep(1.0)
            try:
                os.kill(watcher_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # pragma: no cover - the pid was reused by another user's process
                os._exit(0)

    threading.Thread(target=watch_parent, daemon=True, name="assetkit-parent-watch").start()


def _pool(n: int) -> Executor:
    """batch.process_pool's pool, with workers that ignore Ctrl-C and follow the watcher's death."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        ctx.set_forkserver_preload(["assetkit.image.pipeline"])
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),))
    for f in [pool.submit(int) for _ in range(n)]:  # start the workers now: the first photo is not slower
        f.result()
    return pool


# ------------------------------------------------------------------------------------ front door


def _lock(root: Path):
    """One watcher per ROOT (an flock the kernel releases when the process dies, even by kill -9)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    fh = open(root / STATE / "watch.lock", "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise UsageError(f"another assetkit watch is already running on {root}") from None
    return fh


def watch(root: str | os.PathLike, slots: str | Iterable[str] | None = None, *, settle: float = 2.0,
          poll: float | None = None, once: bool = False, jobs: int | None = None,
          presets: PresetLibrary | None = None, out: TextIO | None = None,
          stop: threading.Event | None = None, **options) -> int:
    """Run the hot folder on ``root`` until SIGINT/SIGTERM (or ``stop`` is set; or, with ``once``,
    until what is there now is done). Returns 0 after a clean shutdown.

    ``options`` are :class:`~assetkit.plan.Options` fields (``None`` = not given); they win over
    ``root/assetkit.toml``'s ``[prepare]`` table, which wins over the defaults.
    """
    if settle < 0 or (poll is not None and poll <= 0):
        raise UsageError("--settle must be >= 0 and --poll > 0")
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    (root / STATE).mkdir(exist_ok=True)
    lib = presets or load_presets()
    drops = drops_for(slots, lib)
    unknown = set(options) - {f.name for f in fields(Options)}
    if unknown:
        raise UsageError(f"unknown option(s): {', '.join(sorted(unknown))}")
    lock = _lock(root)
    stream = out or sys.stdout
    w = Watcher(root, drops, Config(root, options, lambda e, t: None), settle=settle, poll=poll, jobs=jobs,
                out=stream, stop=stop or threading.Event())
    w.config.log = w.log

    previous = {}
    if threading.current_thread() is threading.main_thread():
        def on_signal(signum, frame):
            if not w.stop.is_set():
                w.log("stopping", f"{signal.Signals(signum).name}: finishing the files in flight")
            w.stop.set()
            w.wake.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        return w.run(once=once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if lock is not None:
            lock.close()


def status(root: str | os.PathLike) -> dict:
    """What the journal of ``root`` holds: counts and lists of queued, done, failed, needs-review."""
    path = Path(root) / STATE / "journal.sqlite"
    if not path.exists():
        return {"counts": {}, QUEUED: [], DONE: [], FAILED_STATE: [], REVIEW: []}
    j = Journal(path, readonly=True)
    try:
        return j.status()
    finally:
        j.close()


__all__ = ["watch", "status", "drops_for", "read_config", "is_temporary", "Journal", "Scanner", "Watcher"]
