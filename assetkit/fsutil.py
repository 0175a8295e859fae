"""Atomic writes: a temporary name in the target folder, then a rename, so a crash or kill never
leaves a half-written output under its real name. Leftover temporaries are swept on the next run."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

TMP_SUFFIX = ".assetkit-tmp"


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


def sweep_temp(root: str | os.PathLike) -> int:
    """Remove temporaries a killed run left behind. Returns how many."""
    root = Path(root)
    if not root.is_dir():
        return 0
    n = 0
    for p in root.rglob(f".*{TMP_SUFFIX}*"):
        try:
            p.unlink()
            n += 1
        except OSError:
            pass
    return n
