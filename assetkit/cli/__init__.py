"""The ``assetkit`` command (Typer): parsing and printing only; every decision is the library's.

``main(argv) -> int`` runs in-process (tests call it); ``run()`` is the console script.
"""
from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in-process; returns the exit status instead of exiting."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ["--version"]:  # answered before Typer and the library are imported: start-up stays cheap
        from .. import __version__

        sys.stdout.write(f"assetkit {__version__}\n")
        return 0
    from .app import main as run_app

    return run_app(argv)


def run() -> None:
    """The console script: SIGTERM (kill, systemd, CI timeouts) stops like Ctrl-C."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    # numpy's OpenBLAS would start a thread per core at import: assetkit does no BLAS work, a pool
    # worker is one core, and a process with one thread can fork its workers (batch._start_method)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    signal.signal(signal.SIGTERM, stop)
    sys.exit(main())
