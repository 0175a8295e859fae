"""Writing a report (.json or .html) atomically, whole (``write``) or streamed while the batch runs
(``ReportWriter``). A report that cannot be written (a full disk, a read-only folder) is a
``ReportError`` naming the report's path; the outputs already written stay."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import AssetkitError
from . import json as jsonreport
from .summary import Summary, annotate_result, build, order, plain


class ReportError(AssetkitError):
    """The report could not be written; names the file and why, in words."""

    def __init__(self, path, error: OSError):
        self.path, self.error = str(path), error
        why = os.strerror(error.errno).lower() if error.errno else str(error)
        super().__init__(f"could not write the report {path}: {why}; the outputs already written are kept")


def is_html(path) -> bool:
    return Path(path).suffix.lower() in (".html", ".htm")


def write(data: dict, path: str | os.PathLike, presets=None) -> None:
    """Write report ``data`` (``build``) to ``path``: HTML for .html/.htm, JSON otherwise. ``presets``:
    the library the run used, whose slots' safe areas the page draws (default: the built-in presets)."""
    path = Path(path)
    if is_html(path):
        from .html import render_html

        text = render_html(data, path, presets)
    else:
        text = jsonreport.dumps(data)
    try:
        from ..fsutil import write_atomic

        write_atomic(path, text.encode("utf-8"))
    except OSError as e:
        raise ReportError(path, e) from None


class ReportWriter:
    """Streams a report to ``path`` (.json or .html) while the batch runs: each result is annotated
    and spooled to a temporary file as it arrives (an HTML card, pictures included, is rendered
    then), and only the summary stays in memory, however large the batch. ``finish`` writes the page
    atomically. ``presets``: the library the run used (default: the built-in presets); a watcher
    passes a fresh one per batch so a changed preset is drawn."""

    def __init__(self, path: str | os.PathLike, presets=None):
        self.path = Path(path)
        self.html = is_html(self.path)
        self.presets = presets
        self.summary = Summary()
        self.spool = tempfile.TemporaryFile("w+b")
        self.index: list[tuple[tuple, int, int]] = []  # (path order, offset, length): cards come out sorted
        self.error: OSError | None = None

    def add(self, result) -> None:
        r = annotate_result(plain(result))
        self.summary.add(r)
        if self.error:
            return
        if self.html:
            from .html import builtin, card

            if self.presets is None:
                self.presets = builtin()
            text = card(r, self.path, self.presets)
        else:
            text = jsonreport.result_line(r)
        blob = text.encode("utf-8")
        try:
            offset = self.spool.seek(0, os.SEEK_END)
            self.spool.write(blob)
        except OSError as e:  # a full disk must not stop the batch: said once, at the end
            self.error = e
            return
        self.index.append((order(r.get("source", "")), offset, len(blob)))

    def finish(self, batch) -> None:
        from ..fsutil import temp_path_for

        head = {k: v for k, v in build(_Empty(batch)).items() if k != "results"}
        head["summary"] = self.summary.to_dict(head.get("seconds", 0))
        tmp = None
        try:
            if self.error:
                raise self.error
            if self.html:
                from .html import page_parts

                top, bottom = page_parts(head, self.path)
            else:
                top, bottom = jsonreport.head_and_tail(head)
            tmp = temp_path_for(self.path)
            with open(tmp, "wb") as out:
                out.write(top.encode("utf-8"))
                sep = b"" if self.html else b",\n"
                for i, (_, offset, length) in enumerate(sorted(self.index)):
                    self.spool.seek(offset)
                    out.write((sep if i else b"") + self.spool.read(length))
                out.write(bottom.encode("utf-8"))
            os.replace(tmp, self.path)
        except OSError as e:
            raise ReportError(self.path, e) from None
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            self.spool.close()


class _Empty:
    """A BatchResult's dict without its results (they were streamed)."""

    def __init__(self, batch):
        self.batch = batch

    def to_dict(self) -> dict:
        d = self.batch.to_dict()
        d["results"] = []
        return d
