"""Problems caught before any file is touched: they are usage errors (one plain line, exit 2), not a
finding on every file. ``api.prepare`` and ``api.check`` call ``check_run`` first, so the library
raises the same ``UsageError`` the command line prints.
"""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import UsageError, suggest


def check_run(paths, slots, options, *, writes: bool) -> None:
    """Raise UsageError for what would fail every file: a missing input, an output folder that is a
    file or cannot be written, a logo, font, manifest or subtitles file that is missing or unusable,
    a variant none of ``slots`` has. ``writes``: False for check and --dry-run (no output folder)."""
    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"{p}: no such file or folder")
    _variant(options.variant, [s for s in slots if not isinstance(s, str)])
    for name, flag in (("manifest", "--manifest"), ("subtitles", "--subtitles"), ("logo", "--logo"),
                       ("font", "--font")):
        value = getattr(options, name, None)
        if value and not Path(value).is_file():
            raise UsageError(f"{flag} {value}: no such file")
    if not writes:
        return
    if options.logo:
        _logo(options.logo)
    if options.font:
        _font(options.font)
    out_folder(options.out_dir)


def out_folder(out_dir) -> None:
    """The output folder (or the nearest folder above it that exists) must be a folder we can write."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out_dir}: is a file; give a folder for the outputs")
    here = out
    while not here.exists():
        here = here.parent
    if not here.is_dir():
        raise UsageError(f"--out {out_dir}: {here} is a file, so the output folder cannot be made there")
    try:  # a real write: permissions, read-only mounts and full disks all answer here
        fd, probe = tempfile.mkstemp(prefix=".assetkit-probe-", dir=here)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        why = {errno.EACCES: "no permission to write", errno.EPERM: "no permission to write",
               errno.EROFS: "the disk is read-only", errno.ENOSPC: "the disk is full"}.get(e.errno, "it cannot be written")
        raise UsageError(f"--out {out_dir}: cannot write there ({why}); choose another output folder") from None


def _variant(name, slots) -> None:
    if not name or not slots:
        return
    slots = [s for s in slots if s.variants]
    names = sorted({v.name for s in slots for v in s.variants})
    if name not in names:
        near = suggest(name, names)
        hint = f"did you mean {near!r}? " if near else ""
        have = ", ".join(names) or "none"
        raise UsageError(f"--variant {name!r}: no such size for {', '.join(s.id for s in slots)}; {hint}"
                         f"(sizes: {have})")


def _logo(path) -> None:
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a file that is not a picture
        raise UsageError(f"--logo {path}: not a picture assetkit can read (use a PNG or JPEG)") from None


def _font(path) -> None:
    from PIL import ImageFont

    try:
        ImageFont.truetype(str(path), 12)
    except OSError:
        raise UsageError(f"--font {path}: not a TrueType or OpenType font (.ttf, .otf)") from None
