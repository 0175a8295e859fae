"""Problems caught before any file is touched: they are usage errors (one plain line, exit 2), not a
finding on every file. ``api.prepare`` and ``api.check`` call ``check_run`` first."""
from __future__ import annotations

from pathlib import Path


def check_run(paths, slots, options, *, writes: bool) -> None:
    """Raise UsageError for what would fail every file (an output folder that cannot be written, a
    missing logo or font, a variant no slot has, ...). ``writes``: False for check and --dry-run."""
    from .errors import UsageError

    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"{p}: no such file or folder")
