"""Output names and the recipe hash: where an output goes, and what it depends on.

Pure except ``recipe_extra``, which stats the logo and font files (a change to either remakes the
outputs). Photo and video plans share these, so both name outputs and skip up-to-date ones alike.
"""
from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from dataclasses import asdict
from pathlib import Path

from .. import __version__

EXT = {"jpeg": ".jpg", "png": ".png"}


def output_path(out_dir: str | os.PathLike, slot, rel_stem: str, fmt: str, flat: bool = False) -> Path:
    """``OUT/<platform>-<slot>/<relative path>.<ext>``, or ``OUT/<rel>-<platform>-<slot>.<ext>`` with flat."""
    return output_path_for(out_dir, slot, rel_stem, EXT[fmt], flat)


def output_path_for(out_dir: str | os.PathLike, slot, rel_stem: str, ext: str, flat: bool = False) -> Path:
    """:func:`output_path` with the extension given (``.mp4`` for videos)."""
    from ..fsutil import fit_name  # a 250-byte source name still makes an output (shortened, hashed)

    rel = Path(rel_stem)
    if flat:
        return Path(out_dir) / rel.parent / fit_name(f"{rel.name}-{slot.folder}{ext}")
    return Path(out_dir) / slot.folder / rel.parent / fit_name(f"{rel.name}{ext}")


def recipe_extra(options, row) -> dict | None:
    """Per-file inputs outside the options: the manifest row, the logo and font files' stat."""
    extra = {}
    if row:
        extra["row"] = [row.credit, row.source, row.consent, row.caption, row.alt, row.focus]
    for key in ("logo", "font"):
        p = getattr(options, key)
        if p and os.path.exists(p):
            st = os.stat(p)
            extra[key] = [st.st_size, st.st_mtime_ns]
    return extra or None


def recipe_hash(source: str, source_stat: tuple[int, int], slot, options, extra=None) -> str:
    """What an output depends on: the source (name, size, mtime), the slot definition, the options
    and the assetkit version. Known before decoding, so an up-to-date output costs no decode.
    ``extra``: per-file inputs outside the options (:func:`recipe_extra`)."""
    data = {
        "v": __version__, "src": [unicodedata.normalize("NFC", str(source)), *source_stat],
        "slot": asdict(slot), "opts": options.recipe(),
    }
    if extra:
        data["extra"] = extra
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]
