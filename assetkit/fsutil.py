"""Atomic writes: a temporary name in the target folder, then a rename, so a crash or kill never
leaves a half-written output under its real name. Leftover temporaries are swept on the next run,
but only those whose writer is gone: the writer's pid is in the temporary's name
(``.NAME.PID-RANDOM.assetkit-tmp``), so a second run into the same folder leaves the first run's
files in flight alone."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

TMP_SUFFIX = ".assetkit-tmp"
# File names are at most 255 bytes on every common filesystem; outputs keep room for the temporary's
# decoration (".NAME.PID-RANDOM.assetkit-tmp.ext", ~40 bytes) so writing never fails on a long name.
NAME_BYTES = 200


def fit_name(name: str, limit: int = NAME_BYTES) -> str:
    """``name`` if it fits ``limit`` bytes (UTF-8), else its stem cut at a character boundary plus
    ``~`` and a short hash of the whole name, extension kept: two long names that differ only at
    the end still get distinct outputs, and the same name always gets the same output."""
    raw = name.encode("utf-8")
    if len(raw) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext.encode()) > 16:
        stem, ext = name, ""
    tag = "~" + hashlib.sha1(raw).hexdigest()[:8] + (f".{ext}" if ext else "")
    cut = stem.encode("utf-8")[: limit - len(tag.encode())].decode("utf-8", "ignore")
    return cut + tag


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{TMP_SUFFIX}"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def temp_path_for(path: str | os.PathLike) -> Path:
    """A temporary name beside ``path`` that sweep_temp recognises (for writers such as ffmpeg)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.parent / f".{path.stem}.{os.getpid()}-{secrets.token_hex(4)}{TMP_SUFFIX}{path.suffix}"


_PID = re.compile(r"\.(\d+)-[0-9a-f]{8}" + re.escape(TMP_SUFFIX))


def writer_alive(pid: int) -> bool:
    """Is process ``pid`` running on this machine? (A pid reused since is taken as alive: the
    temporary then waits for a later sweep, which is harmless; deleting a live one is not.)"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # pragma: no cover - e.g. Windows for a pid that is gone
        return False
    return True


def sweep_temp(root: str | os.PathLike) -> int:
    """Remove temporaries a killed run left behind (their writer's pid is no longer alive).
    Returns how many."""
    root = Path(root)
    if not root.is_dir():
        return 0
    n = 0
    for p in root.rglob(f".*{TMP_SUFFIX}*"):
        m = _PID.search(p.name)
        if m and writer_alive(int(m.group(1))):
            continue  # another run (or this one) is still writing it
        try:
            p.unlink()
            n += 1
        except OSError:
            pass
    return n
