"""Hot folder: drop files into ``ROOT/<platform>/`` or ``ROOT/<platform>-<slot>/`` (pre-made, or a
folder a person makes), collect them from ``ROOT/ready/<platform>-<slot>/``.

- ``drops``: which folder names mean which slots (and the names that work, for notes).
- ``scanner``: settle detection; only regular files are read, without blocking, never past their size.
- ``journal``: SQLite, exactly once per (content, slot), across kills.
- ``outcomes``: results -> folders (one status vocabulary: ``model.Status`` and ``held``) and the
  plain-language notes in failed/ and needs-review/.
- ``watcher``: events or polling, the batch, signals.

Outcomes: every slot written -> ``done`` (original to originals/); an output a rule held back
(consent) -> ``needs-review``; a slot with no output (unreadable file, too small, a video in a
photo-only folder) -> ``failed``. A failed file can be dropped again after changing ``assetkit.toml``:
failed content is retried, done content is not.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from dataclasses import fields
from pathlib import Path
from typing import Iterable, TextIO

from ..errors import UsageError
from ..presets import PresetLibrary, load_presets
from .drops import (FAILED_DIR, NEEDS_REVIEW_DIR, ORIGINALS, READY, RESERVED, STATE, Drop, drop_for_name,
                    drops_for, folder_key, valid_names)
from .journal import DONE, FAILED_STATE, QUEUED, REVIEW, Journal, empty_status
from .scanner import Scanner, is_temporary, read_content
from .watcher import CONFIG, Settings, Watcher, _Task


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
          stop: threading.Event | None = None, grace: float = 10.0, **options) -> int:
    """Run the hot folder on ``root`` until SIGINT/SIGTERM (or ``stop`` is set; or, with ``once``,
    until what is there now is done). Returns 0 after a clean shutdown.

    ``options`` are :class:`~assetkit.options.Options` fields (``None`` = not given); they win over
    ``root/assetkit.toml`` (``[prepare]``, then ``[folder."NAME"]`` per drop folder), which wins over
    the defaults. After a stop, files in flight get ``grace`` seconds before their workers are ended.
    """
    from ..options import Options

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
    logs: list = []
    settings = Settings(root, options, lambda e, t: logs.append((e, t)), lib)
    w = Watcher(root, drops, settings, lib=lib, settle=settle, poll=poll, jobs=jobs, grace=grace,
                out=stream, stop=stop or threading.Event())
    settings.log = w.log
    for e, t in logs:
        w.log(e, t)

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
        return empty_status()
    j = Journal(path, readonly=True)
    try:
        return j.status()
    finally:
        j.close()


__all__ = ["watch", "status", "drops_for", "drop_for_name", "valid_names", "folder_key", "is_temporary",
           "read_content", "Drop", "Journal", "Scanner", "Settings", "Watcher", "UsageError",
           "QUEUED", "DONE", "FAILED_STATE", "REVIEW", "READY", "FAILED_DIR", "NEEDS_REVIEW_DIR",
           "ORIGINALS", "RESERVED", "CONFIG"]
