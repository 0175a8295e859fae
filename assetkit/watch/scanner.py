"""The scanner: which files in the drop folders have stopped changing, and reading them safely.

A file is *stable* when its (size, mtime) stayed the same for the settle time. Temporary names
(``.part``, ``.crdownload``, ``~$*``, hidden files, assetkit's own temporaries) are never picked up.
Only regular files are media: a named pipe, a socket, a device or a link to one (``/dev/zero``) is
handed out at once as *odd* and never opened for reading, so it can neither block the watcher nor
feed it bytes for ever. Reading opens with ``O_NONBLOCK``, checks the kind again with ``fstat`` (the
name may have been swapped since the scan) and never reads past the size ``fstat`` gave.
"""
from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..fsutil import TMP_SUFFIX
from ..media import kind_of, sniff
from ..presets import PresetLibrary
from .drops import RESERVED, Drop, drop_for_name

TEMP_SUFFIXES = (".part", ".crdownload", ".tmp", ".temp", ".download", ".partial", ".filepart", ".!ut", ".swp")


def is_temporary(name: str) -> bool:
    """Names that belong to a copy in progress or to the system, never to a finished photo."""
    low = name.lower()
    return (name.startswith(".") or name.startswith("~$") or name.startswith("~") and low.endswith(".tmp")
            or low.endswith(TEMP_SUFFIXES) or TMP_SUFFIX in name or name in ("Thumbs.db", "desktop.ini"))


class NotAFile(Exception):
    """The path is not a regular file (pipe, device, socket, broken link): never media."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


class Changed(Exception):
    """The file changed while it was read (still being copied): wait for it to settle again."""


class Stopped(Exception):
    """The watcher was asked to stop while reading."""


@dataclass(frozen=True)
class Content:
    digest: str        # sha256 of exactly ``size`` bytes
    kind: str          # image | video | unknown (sniffed from the first bytes)
    size: int
    mtime: int


def read_content(path: Path, stop: threading.Event | None = None, chunk: int = 1 << 20) -> Content:
    """Hash and sniff a regular file without ever blocking on it or reading past its size.

    Raises NotAFile (a pipe, device, ...), Changed (size or mtime moved while reading), Stopped
    (``stop`` was set: a big file does not delay a shutdown), or OSError."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        try:
            link = stat.S_ISLNK(os.lstat(path).st_mode)
        except OSError:
            link = False
        if link and isinstance(e, FileNotFoundError):
            raise NotAFile("a link (shortcut) to something that is not there") from None
        raise
    try:
        st = os.fstat(fd)
        what = kind_of(st.st_mode)
        if what is not None:
            raise NotAFile(what)
        h, left, head = hashlib.sha256(), st.st_size, b""
        while left > 0:
            if stop is not None and stop.is_set():
                raise Stopped()
            data = os.read(fd, min(chunk, left))
            if not data:
                raise Changed()  # shorter than fstat said: truncated while we read
            if len(head) < 512:
                head += data[:512 - len(head)]
            h.update(data)
            left -= len(data)
        after = os.fstat(fd)
        if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            raise Changed()
        return Content(h.hexdigest(), sniff(head)[0], st.st_size, st.st_mtime_ns)
    finally:
        os.close(fd)


@dataclass
class _Seen:
    size: int
    mtime: int
    since: float  # monotonic time the (size, mtime) pair was first seen


@dataclass(frozen=True)
class Found:
    path: Path
    drop: Drop
    odd: str | None = None   # not a regular file: what it is (handed out at once, never read)


class Scanner:
    """Lists the folders under ROOT and says which files have stopped changing for ``settle`` seconds.

    ``drops`` are the folders made at start; any other folder under ROOT is read by name on each
    scan (``lib``): a known platform or slot is a drop like the others, an unknown name is handed
    out with ``Drop.known`` False."""

    def __init__(self, root: Path, drops: list[Drop], settle: float, lib: PresetLibrary | None = None):
        self.root, self.drops, self.settle, self.lib = root, drops, settle, lib
        self.seen: dict[Path, _Seen] = {}
        self.busy: set[Path] = set()  # handed out, not yet moved away
        self._named: dict[str, Drop] = {}

    def folders(self) -> list[Drop]:
        """The drop folders now: the pre-made ones, and every other folder a person made under ROOT."""
        out = list(self.drops)
        made = {d.path_name for d in self.drops}
        if self.lib is None:
            return out
        try:
            entries = sorted(os.scandir(self.root), key=lambda e: e.name)
        except OSError:
            return out
        for e in entries:
            if e.name in made or e.name.startswith(".") or e.name.lower() in RESERVED or is_temporary(e.name):
                continue
            try:
                if not e.is_dir(follow_symlinks=False):
                    continue
            except OSError:
                continue
            drop = self._named.get(e.name)
            if drop is None:
                drop = drop_for_name(e.name, self.lib) or Drop(e.name, (), "")
                self._named[e.name] = drop
            out.append(drop)
        return out

    def scan(self) -> tuple[list[Found], float | None]:
        """(files to decide now, seconds until the next file could become stable or None)."""
        now = time.monotonic()
        present: set[Path] = set()
        ready: list[Found] = []
        next_due: float | None = None
        for drop in self.folders():
            base = self.root / drop.path_name
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if is_temporary(name):
                        continue
                    p = Path(dirpath) / name
                    try:
                        st = os.stat(p)
                    except FileNotFoundError:
                        try:
                            os.lstat(p)
                        except OSError:
                            continue  # gone
                        st = None  # a link to nothing
                    except OSError:
                        continue
                    present.add(p)
                    if p in self.busy:
                        continue
                    odd = "a link (shortcut) to something that is not there" if st is None else kind_of(st.st_mode)
                    if odd is not None:
                        ready.append(Found(p, drop, odd))  # nothing to settle: never read
                        continue
                    s = self.seen.get(p)
                    if s is None or (s.size, s.mtime) != (st.st_size, st.st_mtime_ns):
                        self.seen[p] = s = _Seen(st.st_size, st.st_mtime_ns, now)
                    # an empty file is usually a copy that has not started: give it longer
                    wait_for = self.settle if st.st_size else max(10 * self.settle, 5.0)
                    left = s.since + wait_for - now
                    if left <= 0:
                        ready.append(Found(p, drop))
                    else:
                        next_due = left if next_due is None else min(next_due, left)
        for p in list(self.seen):
            if p not in present:
                del self.seen[p]
        self.busy &= present
        return ready, next_due

    def pending(self) -> int:
        return sum(1 for p in self.seen if p not in self.busy)
