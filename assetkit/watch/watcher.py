"""The watcher: wakes on folder events (watchdog) or polls, decides each stable file with the
journal, runs the batch, records the outcome and moves the original. Built on batch: the same
``Job``, ``run_jobs`` and executors as ``prepare``.

How a file travels (one code path, whether woken by events or by ``--poll``):

1. ``Scanner.scan`` lists the folders under ROOT (a folder made by hand for a known slot is a drop
   folder at once) and hands out files whose (size, mtime) stayed the same for the settle time.
   Anything that is not a regular file goes to failed/ with a note, never read.
2. A stable file is hashed (``scanner.read_content``: never blocks, never reads past its size, stops
   when the watcher stops). The journal, keyed by (content hash, slot), decides: new or still
   ``queued`` (a killed run) -> prepare; recorded but not moved -> finish the move; ``done`` and
   dropped again -> an identical re-drop, moved to originals/ with a note; ``failed`` -> retried.
3. Outputs are written atomically by the engine, the journal records the outcome in one
   transaction, then the original is moved (originals/, failed/ or needs-review/ with a note). A kill
   between any two steps is finished on the next start: nothing is prepared twice, and the name
   chosen for (hash, slot) is kept, so a re-run reuses it. The original keeps the output's name:
   ``ready/instagram-post/a-2.jpg`` and ``originals/a-2.jpg`` are the same drop.
"""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import sys
import threading
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

from ..batch import InlineExecutor, _main_not_reimported, default_jobs, process_pool, run_jobs
from ..errors import UsageError
from ..fsutil import TMP_SUFFIX, sweep_temp
from ..model import Job, JobResult
from ..options import Options
from ..presets import PresetLibrary, Slot
from . import outcomes as oc
from .drops import (FAILED_DIR, NEEDS_REVIEW_DIR, ORIGINALS, READY, REPORTS, STATE, Drop, describe_names,
                    drop_for_name, folder_key, suggest, valid_names)
from .journal import DONE, FAILED_STATE, QUEUED, REVIEW, Journal, fold, stamp
from .scanner import Changed, Found, NotAFile, Scanner, Stopped, read_content

CONFIG = "assetkit.toml"


# --------------------------------------------------------------------------------------- config


class Settings:
    """Options for each drop folder: ``config.resolve`` (defaults < ROOT/assetkit.toml < flags),
    then the file's ``[folder."NAME"]`` table for that folder (trim, allow_upscale, ...), flags given
    on the command line still winning. The file is re-read when it changes (checked before each
    batch); a broken file keeps the last good options."""

    def __init__(self, root: Path, flags: dict, log: Callable[[str, str], None],
                 lib: PresetLibrary | None = None):
        self.root, self.path, self.log, self.lib = root, root / CONFIG, log, lib
        self.flags = {k: v for k, v in flags.items() if v is not None}
        self.out_dir = str(root / READY)
        self.mtime: int | None = None
        self.resolved = None
        self.folders: dict[str, dict] = {}
        self.refresh(first=True)

    def _resolve(self):
        from ..config import Resolved, resolve

        exists = self.path.is_file()
        resolved = resolve(self.flags, config=self.path if exists else None, cwd=self.root)
        if not exists and resolved.path is not None:  # only ROOT/assetkit.toml, never the working folder's
            resolved = Resolved(dict(self.flags))
        folders = {folder_key(k): v for k, v in (getattr(resolved, "folders", None) or {}).items()}
        for table in folders.values():  # checked now, not per file
            Options(out_dir=self.out_dir, **{**resolved.options, **table, **self.flags})
        Options(out_dir=self.out_dir, **resolved.options)
        return resolved, folders

    def refresh(self, first: bool = False) -> None:
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            mtime = None
        if mtime == self.mtime and not first:
            return
        self.mtime = mtime
        try:
            self.resolved, self.folders = self._resolve()
        except (UsageError, OSError, ValueError, TypeError) as e:
            if first:
                raise (e if isinstance(e, UsageError) else UsageError(f"{self.path}: {e}")) from None
            self.log("config", f"{CONFIG} not used ({e}); keeping the previous options")
            return
        if not first:
            self.log("config", f"{CONFIG} {'re-read' if mtime else 'removed'}: "
                               f"{self.resolved.options or 'defaults'}"
                               + (f"; drop folders: {self.folders}" if self.folders else ""))
        if self.lib is not None:
            for name in self.folders:
                if drop_for_name(name, self.lib) is None:
                    close = suggest(name, self.lib)
                    self.log("config", f'{CONFIG}: [folder."{name}"] is not a drop folder name, so it is not used'
                                       + (f" (did you mean {close}?)" if close else ""))
        for note in self.resolved.privacy_notes:
            self.log("config", note)

    def options(self, drop: str) -> Options:
        return Options(out_dir=self.out_dir, **{**self.resolved.options, **self.folders.get(folder_key(drop), {}),
                                                **self.flags})


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
    settings: Settings
    lib: PresetLibrary | None = None
    settle: float = 2.0
    poll: float | None = None
    jobs: int | None = None
    grace: float = 10.0       # after a stop, seconds the files in flight may take before their workers are ended
    out: TextIO = field(default_factory=lambda: sys.stdout)
    stop: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        for d in (*[d.path_name for d in self.drops], READY, NEEDS_REVIEW_DIR, FAILED_DIR, ORIGINALS, STATE):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        self.journal = Journal(self.root / STATE / "journal.sqlite")
        self.scanner = Scanner(self.root, self.drops, self.settle, self.lib)
        self.executor: Executor | None = None
        self.counts = {DONE: 0, FAILED_STATE: 0, REVIEW: 0, "duplicate": 0}
        self.busy_batch = False
        self._log_lock = threading.Lock()
        self.reports = _Reports(self)
        self.aborted = False      # workers ended after a stop: their files stay queued for the next start
        self._told: set[tuple[str, str]] = set()
        self._watched: set[str] = set()
        self.observer = None

    # ----------------------------------------------------------------------------- logging

    def log(self, event: str, text: str) -> None:
        with self._log_lock:  # the report thread logs too: whole lines
            self.out.write(f"{stamp()} {event} {text}\n")
            self.out.flush()

    def rel(self, p: Path | str) -> str:
        try:
            return Path(p).relative_to(self.root).as_posix()
        except ValueError:
            return str(p)

    # ------------------------------------------------------------------------------- main loop

    def run(self, once: bool = False) -> int:
        for d in (READY, REPORTS):
            sweep_temp(self.root / d)
        for p in self.root.glob(f".report.html.*{TMP_SUFFIX}*"):
            p.unlink(missing_ok=True)
        self._executor()  # workers up before the first file arrives
        self.observer = None if once or self.poll else self._start_observer()
        self._watched.update(d.path_name for d in self.drops)
        reaper = threading.Thread(target=self._reaper, daemon=True, name="assetkit-stop-grace")
        reaper.start()
        self.log("start", f"watching {self.root} ({'poll every %gs' % self.poll if self.poll else 'events'}, "
                          f"settle {self.settle:g}s): drop files into "
                          + ", ".join(f"{d.path_name}/" for d in self.drops)
                          + " (or a folder you make for any platform or slot)")
        try:
            while not self.stop.is_set():
                ready, next_due = self.scanner.scan()
                self._watch_new_folders()
                if ready:
                    self.settings.refresh()
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
            self.stop.set()
            if self.observer is not None:
                self.observer.stop()
                self.observer.join(timeout=5)
            if self.executor is not None:
                self.executor.shutdown(wait=True, cancel_futures=True)
            self.reports.close(None if once else self.grace)  # --once: every report; a stop: within the grace
            sweep_temp(self.root / READY)
            self.journal.close()
        c = self.counts
        self.log("stop", f"{oc.plural(c[DONE], 'file')} ready, {c[REVIEW]} to review, {c[FAILED_STATE]} failed, "
                         f"{oc.plural(c['duplicate'], 'duplicate')}")
        return 0

    def _reaper(self) -> None:
        """After a stop, give the files in flight ``grace`` seconds, then end the workers: a long
        encode never keeps the watcher from stopping (its file stays queued and is redone)."""
        self.stop.wait()
        if self.executor is None or _wait_idle(self, self.grace):
            return
        procs = list((getattr(self.executor, "_processes", None) or {}).values())
        if not procs:
            return
        self.aborted = True
        self.log("stopping", f"{oc.plural(len(procs), 'worker')} still busy after {self.grace:g} s: ended; "
                             f"their files are prepared on the next start")
        for p in procs:
            for pid in [*_descendants(p.pid), p.pid]:  # ffmpeg first: it would go on writing for nobody
                try:
                    os.kill(pid, signal.SIGTERM)
                except OSError:
                    pass  # already gone

    def _start_observer(self):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        wake = self.wake

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                wake.set()

        self._handler = Handler()
        observer = Observer()
        observer.schedule(self._handler, str(self.root), recursive=False)  # new folders made by hand
        for d in self.drops:
            observer.schedule(self._handler, str(self.root / d.path_name), recursive=True)
        observer.daemon = True
        observer.start()
        return observer

    def _watch_new_folders(self) -> None:
        """Say so when the scan meets a folder a person made since the start; events for it too."""
        for d in self.scanner.folders():
            if d.path_name in self._watched:
                continue
            self._watched.add(d.path_name)
            if self.observer is not None:
                try:
                    self.observer.schedule(self._handler, str(self.root / d.path_name), recursive=True)
                except OSError:
                    pass  # gone again, or out of inotify watches: the 10 s rescan still finds its files
            if d.known:
                self.log("folder", f"{d.path_name}/ is watched too: {d.takes_text()} for "
                                   + ", ".join(s.id for s in d.slots))
            else:
                self.log("folder", f"{d.path_name}/ is not a name assetkit knows: files put there go to "
                                   f"failed/ with a note listing the names that work")

    def _executor(self) -> Executor:
        n = self.jobs or default_jobs()
        if n == 1:
            return InlineExecutor()
        if self.executor is None:
            self.executor = _pool(n)
        return self.executor

    # ------------------------------------------------------------------------------ decisions

    def process(self, ready: list[Found]) -> None:
        tasks: list[_Task] = []
        hashes: set[str] = set()
        self.busy_batch = True
        for found in ready:
            if self.stop.is_set():
                break
            try:
                task = self.decide(found, hashes)
            except Exception as e:  # noqa: BLE001 - one file's trouble (a move refused, ...) stops nothing
                self._stuck(found.path, e)
                continue
            if task is not None:
                tasks.append(task)
                hashes.add(task.digest)
        if tasks and not self.stop.is_set():
            self.run_tasks(tasks)
        self.busy_batch = False

    def decide(self, found: Found, batch_hashes: set[str]) -> _Task | None:
        """What to do with one stable file; returns a task to prepare, or None when handled here."""
        path, drop = found.path, found.drop
        if found.odd is not None:
            self._refuse(path, drop, oc.odd_file_note(path.name, self.rel(path.parent), found.odd, stamp()),
                         f"not a photo or video file: {found.odd}")
            return None
        try:
            content = read_content(path, self.stop)
        except FileNotFoundError:
            return None
        except NotAFile as e:
            self._refuse(path, drop, oc.odd_file_note(path.name, self.rel(path.parent), e.what, stamp()),
                         f"not a photo or video file: {e.what}")
            return None
        except (Changed, Stopped):
            self.scanner.seen.pop(path, None)
            return None
        except OSError as e:
            self.log("waiting", f"{self.rel(path)}: cannot read it yet ({e.strerror})")
            self.scanner.seen.pop(path, None)
            return None
        if not drop.known:
            self._refuse(path, drop, oc.unknown_folder_note(path.name, drop.path_name, self._valid(),
                                                            suggest(drop.path_name, self.lib), stamp()),
                         f"{drop.path_name}/ is not a folder name assetkit knows")
            return None
        digest, kind = content.digest, content.kind
        want = {"image": "photo", "video": "video"}.get(kind)
        if want and not any(s.takes(want) for s in drop.slots):  # a video in facebook-cover/: say so, run nothing
            platform = drop.slots[0].platform
            where = sorted(self._folders_taking(kind), key=lambda n: not n.startswith(platform))
            self._refuse(path, drop, oc.wrong_kind_note(path.name, drop.path_name, kind, drop.takes_text(), where,
                                                        stamp()),
                         oc.wrong_kind(kind, drop.takes_text(), where))
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
                    self._duplicate(path, drop, mine)
                    return None
                # its outputs were deleted from ready/: prepare it again, under the same name
        known = [r for r in mine if r is not None]
        # a killed run (queued) or a retry (failed): redo under the name chosen the first time (fitted:
        # a too-long name journaled by an older version no longer fails at every start)
        stem = oc.fit_stem(known[0]["stem"]) if known else self._new_stem(path, drop)
        self.journal.queue(digest, slots, path, drop.name, stem)
        return _Task(path, drop, digest, kind, slots, stem, (content.size, content.mtime))

    def _valid(self) -> list[str]:
        return describe_names(self.lib) if self.lib is not None else sorted(d.name + "/" for d in self.drops)

    def _stuck(self, path: Path, e: Exception) -> None:
        """Leave the file where it is until the next start (the journal keeps its state), and say so."""
        self.scanner.busy.add(path)
        self.log("error", f"{self.rel(path)}: {type(e).__name__}: {e}; left in place, retried on the next start")

    def _new_stem(self, path: Path, drop: Drop) -> str:
        """The file's name (relative to its drop folder, no extension, fitted to the name limit), made
        unique against earlier drops and every folder it or its outputs go to: ``photo``, ``photo-2``, ..."""
        rel = path.relative_to(self.root / drop.path_name)
        base = oc.split_name(rel.name)[0]
        base = oc.fit_stem((rel.parent / base).as_posix() if rel.parent != Path(".") else base)
        base = re.sub(r"\s+$", "", base) or "file"
        n = 1
        while True:
            stem = base if n == 1 else f"{base}-{n}"
            if not self.journal.stem_taken(stem) and not self._name_used(stem, drop):
                return stem
            n += 1

    def _name_used(self, stem: str, drop: Drop) -> bool:
        folders = [self.root / READY / s.folder for s in drop.slots]
        folders += [self.root / f for f in (ORIGINALS, FAILED_DIR, NEEDS_REVIEW_DIR)]
        return any(_stem_exists(f, stem) for f in folders)

    def _dest(self, folder: str, stem: str, path: Path) -> Path:
        """``folder/<stem><ext>``: the name the outputs have (unique_path only if something raced in)."""
        return unique_path(self.root / folder / (stem + oc.split_name(path.name)[1]))

    def _duplicate(self, path: Path, drop: Drop, rows: list[sqlite3.Row]) -> None:
        outputs = ", ".join(self.rel(r["output"]) for r in rows if r["output"])
        dest = self._dest(ORIGINALS, self._new_stem(path, drop), path)
        note = oc.duplicate_note(path.name, self.rel(path.parent), rows[0]["name"], outputs, stamp())
        self._move(path, dest, note)  # the first drop's journal record stays as it was
        self.scanner.busy.discard(path)
        self.counts["duplicate"] += 1
        self.log("duplicate", f"{self.rel(path)}: same content as {rows[0]['name']} already in {outputs}; "
                              f"moved to {self.rel(dest)} (not prepared again)")

    def _refuse(self, path: Path, drop: Drop, note: str, why: str) -> None:
        """Files that are never prepared (unknown folder, not a regular file): to failed/ with a note.
        Nothing is journaled: dropped again in the right place, the file is prepared as any other."""
        self.scanner.busy.add(path)
        base, ext = oc.split_name(path.name)
        dest = unique_path(self.root / FAILED_DIR / (oc.fit_name(base) + ext))
        try:
            self._move(path, dest, note)
        except OSError as e:
            key = (str(path), why)
            if key not in self._told:  # once, not at every scan
                self._told.add(key)
                self.log("error", f"{self.rel(path)}: {why}; could not move it to failed/ ({e.strerror or e})")
            return
        self.scanner.busy.discard(path)
        self.counts[FAILED_STATE] += 1
        self.log("failed", f"{self.rel(path)} -> {self.rel(dest)} ({why})")

    # ------------------------------------------------------------------------------- execution

    def run_tasks(self, tasks: list[_Task]) -> None:
        """The batch's own bounded submission (batch.run_jobs): a dead worker fails its file only;
        once stopping, nothing new starts and the files in flight finish (within the grace time)."""
        executor = self._executor()
        started, finished = time.perf_counter(), []
        by_path = {str(t.path): t for t in tasks}

        def jobs():
            for t in tasks:
                if self.stop.is_set():
                    return  # not started: still queued in the journal, picked up on the next start
                yield Job(str(t.path), t.stem, t.slots, self.settings.options(t.drop.name))

        try:
            for result in run_jobs(jobs(), executor, window=2 * max(1, getattr(executor, "_max_workers", 1))):
                t = by_path[result.source]
                if self.aborted and not result.outputs:
                    continue  # its worker was ended by the stop: still queued, redone on the next start
                try:
                    result.source = str(self.finish(t, result))  # the report shows where it went
                    finished.append(result)
                except Exception as e:  # noqa: BLE001
                    self._stuck(t.path, e)
        finally:
            if finished:
                self.write_report(finished, time.perf_counter() - started)

    def write_report(self, results: list[JobResult], seconds: float) -> None:
        """The HTML contact sheet of this batch: ROOT/reports/<time>.html, and ROOT/report.html (latest).
        Rendered on the report thread: the watcher goes on with the next files meanwhile."""
        from .. import report
        from ..batch import BatchResult

        try:
            data = report.build(BatchResult(results, seconds, str(self.root / READY)))
        except Exception as e:  # noqa: BLE001 - a report problem never stops the watcher
            self.log("error", f"could not write the batch report: {type(e).__name__}: {e}")
            return
        archive = self.root / REPORTS / f"batch-{time.strftime('%Y%m%d-%H%M%S')}.html"
        n = 2
        while archive.exists() or archive in self.reports.claimed:  # a report still being rendered
            archive = archive.with_name(f"batch-{time.strftime('%Y%m%d-%H%M%S')}-{n}.html")
            n += 1
        self.reports.put(data, [archive, self.root / "report.html"], len(results))

    def finish(self, t: _Task, r: JobResult) -> Path:
        """Record the outcome (one transaction), then move the original; returns where it went."""
        by_slot = {o.slot: o for o in r.outputs}
        elsewhere = self._folders_taking(r.kind)
        outcomes = {s.id: oc.slot_outcome(s, by_slot.get(s.id), r, drop_takes=t.drop.takes_text(),
                                          elsewhere=elsewhere) for s in t.slots}
        self.journal.record(t.digest, {sid: (o.state, o.output, o.reason) for sid, o in outcomes.items()})
        rows = list(self.journal.rows(t.digest).get(s.id) for s in t.slots)
        return self._move_after(t.path, t.digest, rows)

    def _folders_taking(self, kind: str) -> list[str]:
        if self.lib is None:
            return []
        want = "video" if kind == "video" else "photo"
        return [n for n in valid_names(self.lib)
                if any(s.takes(want) for s in (self.lib.resolve(n) if n in self.lib.defaults else
                                               [x for x in self.lib.slots.values() if x.folder == n]))]

    def _move_after(self, path: Path, digest: str, rows: list, finishing: bool = False) -> Path:
        states = [r["state"] for r in rows]
        stem = rows[0]["stem"]
        folder = oc.folder_for(states)
        dest = self._dest(folder, oc.fit_stem(stem), path)
        if folder == ORIGINALS:
            self._move(path, dest)
            self.counts[DONE] += 1
            for r in rows:
                self.log("ready", f"{r['slot']} {self.rel(path)} -> {self.rel(r['output'])}"
                         + (" (finished an interrupted move)" if finishing else "")
                         + (f"; check it: {r['reason']}" if r["reason"] else ""))
        else:
            lines = [(self._title(r["slot"]), oc.Outcome(r["state"], r["output"], r["reason"])) for r in rows]
            note = oc.result_note(path.name, folder, self.rel(path.parent), stamp(), lines, rel=self.rel)
            self._move(path, dest, note)
            self.counts[FAILED_STATE if folder == FAILED_DIR else REVIEW] += 1
            why = "; ".join(f"{r['slot']}: {r['reason']}" for r in rows if r["state"] in (FAILED_STATE, REVIEW))
            self.log("failed" if folder == FAILED_DIR else "needs-review", f"{self.rel(path)} -> {self.rel(dest)} ({why})")
        self.journal.moved(digest, dest)
        self.scanner.busy.discard(path)
        self.scanner.seen.pop(path, None)
        return dest

    def _title(self, slot_id: str) -> str:
        try:
            s = self.lib.get(slot_id) if self.lib is not None else None
        except UsageError:
            s = None
        return f"{oc.slot_title(s)} ({slot_id})" if s is not None else slot_id

    @staticmethod
    def _move(path: Path, dest: Path, note: str | None = None) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if note is not None:
            write_note(dest.with_name(dest.name + ".txt"), note)
        os.replace(path, dest) if _same_device(path, dest.parent) else _copy_move(path, dest)


class _Reports:
    """One thread that renders the batch reports in order (a page of 50 pictures takes seconds), so
    neither new files nor a stop wait for it. On close, what is not written in time is given up
    before its file is touched: no half-written page, no temporary left behind."""

    def __init__(self, w: Watcher):
        import queue

        self.w, self.q, self.lock, self.abandoned = w, queue.Queue(), threading.Lock(), False
        self.claimed: set[Path] = set()
        self.thread = threading.Thread(target=self._run, daemon=True, name="assetkit-reports")
        self.thread.start()

    def put(self, data: dict, paths: list[Path], n: int) -> None:
        self.claimed.add(paths[0])
        self.q.put((data, paths, n))

    def _run(self) -> None:
        from ..fsutil import write_atomic
        from ..report.html import render_html

        while True:
            item = self.q.get()
            if item is None:
                return
            data, paths, n = item
            try:
                pages = [(p, render_html(data, p, self.w.lib)) for p in paths]
                with self.lock:
                    if self.abandoned:
                        return
                    for p, text in pages:
                        write_atomic(p, text.encode("utf-8"))
                self.w.log("report", f"{self.w.rel(paths[-1])} ({oc.plural(n, 'file')})")
            except Exception as e:  # noqa: BLE001 - a report problem never stops the watcher
                self.w.log("error", f"could not write the batch report: {type(e).__name__}: {e}")

    def close(self, timeout: float | None) -> None:
        self.q.put(None)
        self.thread.join(timeout)
        with self.lock:
            self.abandoned = True
        if self.thread.is_alive():
            self.w.log("stopping", "the last batch report was not finished in time; the next batch writes one")


def _wait_idle(w: Watcher, seconds: float) -> bool:
    """True when the watcher finished its batch within ``seconds`` of the stop."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not getattr(w, "busy_batch", False):
            return True
        time.sleep(0.1)
    return not getattr(w, "busy_batch", False)


def _descendants(pid: int) -> list[int]:
    """Child processes of ``pid``, deepest first (Linux /proc; elsewhere none are found)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/children") as fh:
                kids = [int(k) for k in fh.read().split()]
        except (OSError, ValueError):
            continue
        for k in kids:
            out.extend([*_descendants(k), k])
    return out


def _stem_exists(folder: Path, stem: str) -> bool:
    """Is there a file ``folder/<stem>.<any extension>`` (names compared after normalisation)?"""
    p = folder / stem
    if not p.parent.is_dir():
        return False
    key = fold(p.name)
    try:
        return any(fold(oc.split_name(q.name)[0]) == key for q in p.parent.iterdir())
    except OSError:
        return False


def unique_path(path: Path) -> Path:
    """``path`` if free, else ``name-2.ext``, ``name-3.ext``, ..."""
    if not os.path.lexists(path):
        return path
    base, ext = oc.split_name(path.name)
    n = 2
    while True:
        p = path.with_name(f"{base}-{n}{ext}")
        if not os.path.lexists(p):
            return p
        n += 1


def write_note(path: Path, text: str) -> None:
    """Atomic, under a short temporary name (a long file name plus a long temporary suffix would
    pass the 255-byte limit)."""
    import secrets

    tmp = path.parent / f".note.{os.getpid()}-{secrets.token_hex(4)}{TMP_SUFFIX}"
    try:
        with open(tmp, "xb") as fh:
            fh.write(text.encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _same_device(a: Path, b: Path) -> bool:
    try:
        return os.lstat(a).st_dev == b.stat().st_dev
    except OSError:
        return False


def _copy_move(path: Path, dest: Path) -> None:
    import shutil

    shutil.move(str(path), str(dest))


def _pool(n: int) -> Executor:
    """batch.process_pool's pool, started now (the first photo is not slower), with workers that
    ignore Ctrl-C (the watcher stops them itself) and follow the watcher's death, even by kill -9."""
    pool = process_pool(n, ignore_sigint=True)
    with _main_not_reimported():  # watch() from a plain script: the workers must not run it again
        for f in [pool.submit(int) for _ in range(n)]:
            f.result()
    return pool
