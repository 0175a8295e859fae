"""Reports: the JSON report (versioned, described by ``report.schema.json`` in this package) built from a
BatchResult. The HTML contact sheet (html_report.py) is rendered from the same data.

``build`` adds what a person wants first, as pure functions of the batch data so JSON and HTML agree:
a ``report_status`` and ``reason`` per output and per source (ready / fixed / needs-review / failed /
up-to-date / planned) and a ``summary`` (counts by status and by slot, the batch time, and the
``needs_person`` list: failed first, then needs-review, each with the reason).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .fsutil import write_atomic
from .model import Status
from .presets import Slot

REPORT_SCHEMA_VERSION = 1


def build(result) -> dict:
    data = plain(result)
    data = {"schema_version": REPORT_SCHEMA_VERSION, "assetkit": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **data}
    return annotate(data)


# ------------------------------------------------------------------------ statuses for people

# in the order a person should look at them: the one vocabulary of model.Status
STATUSES = tuple(str(s) for s in Status)
STATUS_TEXT = {str(s): s.text for s in Status}


def output_status(output: dict, source_findings: list[dict] = ()) -> tuple[str, str]:
    """(status, reason) of one output: the engine's status (model.decide_status) and why, in words."""
    findings = list(source_findings) + list(output.get("findings") or [])
    status = output.get("status") or "failed"
    errors = [f for f in findings if f.get("severity") == "error"]
    review = errors + [f for f in findings if f.get("review")]
    fixed = [f for f in findings if f.get("fixable") and f not in review]
    if status == "failed":
        return status, _reason(errors or findings) or "no output was made"
    if status == "needs-review":
        return status, _reason(review or findings) or "a person should look before it goes out"
    if status == "up-to-date":
        return status, "already prepared with the same settings; kept"
    if status == "planned":
        return status, "nothing written" + (f"; {_reason(review)}" if review else "")
    if status == "skipped":
        return status, _reason(findings) or "not for this slot"
    if status == "fixed":
        return status, "fixed: " + ", ".join(dict.fromkeys(f["code"] for f in fixed))
    size = output.get("size")
    return status, f"resized to {size[0]}x{size[1]}" if size else "ready"


def _reason(findings) -> str:
    return "; ".join(f"{f.get('code')}: {f.get('message')}" for f in findings)


def result_status(result: dict) -> tuple[str, str]:
    """The status of a source: the first of its outputs' statuses in STATUSES order; failed without outputs."""
    outs = result.get("outputs") or []
    if not outs:
        status = result.get("status") or "failed"
        return status, _reason(result.get("findings") or []) or "no output was made"
    worst = min(outs, key=lambda o: STATUSES.index(o["report_status"]))
    return worst["report_status"], worst["reason"]


def annotate_result(r: dict) -> dict:
    """report_status/reason on one source and each of its outputs. Pure: returns a new dict."""
    r = {**r, "outputs": [dict(o) for o in r.get("outputs") or []]}
    for o in r["outputs"]:
        o["report_status"], o["reason"] = output_status(o, r.get("findings") or [])
    r["report_status"], r["reason"] = result_status(r)
    return r


class Summary:
    """Counts by status and by slot, and what needs a person, accumulated one result at a time."""

    def __init__(self):
        self.assets = self.outputs = 0
        self.by_status = dict.fromkeys(STATUSES, 0)
        self.by_slot: dict[str, dict[str, int]] = {}
        self.needs: list[dict] = []

    def add(self, r: dict) -> None:
        self.assets += 1
        self.outputs += len(r["outputs"])
        for o in r["outputs"]:
            self.by_status[o["report_status"]] += 1
            self.by_slot.setdefault(o["slot"], dict.fromkeys(STATUSES, 0))[o["report_status"]] += 1
            if o["report_status"] in ("failed", "needs-review"):
                self.needs.append({"source": r["source"], "slot": o["slot"], "status": o["report_status"],
                                   "reason": o["reason"]})
        if not r["outputs"]:
            self.by_status[r["report_status"]] += 1
            if r["report_status"] == "failed":
                self.needs.append({"source": r["source"], "slot": None, "status": "failed", "reason": r["reason"]})

    def to_dict(self, seconds: float) -> dict:
        needs = sorted(self.needs, key=lambda n: STATUSES.index(n["status"]))  # stable: batch order within
        return {"assets": self.assets, "outputs": self.outputs, "seconds": seconds, "by_status": self.by_status,
                "by_slot": self.by_slot, "needs_person": needs}


def annotate(data: dict) -> dict:
    """Add report_status/reason to every output and source, and the summary. Pure: returns a new dict."""
    data = {**data, "results": [annotate_result(r) for r in data.get("results", [])]}
    summary = Summary()
    for r in data["results"]:
        summary.add(r)
    data["summary"] = summary.to_dict(data.get("seconds", 0))
    return data


def plain(obj) -> dict:
    """A result's dict as plain JSON values (tuples -> lists, paths -> str)."""
    return json.loads(json.dumps(obj.to_dict(), default=str))


class ReportWriter:
    """Streams a report to ``path`` (.json or .html) while the batch runs: each result is annotated
    and spooled to a temporary file as it arrives (an HTML card, thumbnails included, is rendered
    then), and only the summary stays in memory, however large the batch. ``finish`` writes the page
    atomically."""

    def __init__(self, path: str | os.PathLike):
        import tempfile

        self.path = Path(path)
        self.html = self.path.suffix.lower() in (".html", ".htm")
        self.summary = Summary()
        self.spool = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.first = True

    def add(self, result) -> None:
        r = annotate_result(plain(result))
        self.summary.add(r)
        if self.html:
            from .html_report import card

            self.spool.write(card(r, self.path))
        else:
            self.spool.write(("" if self.first else ",\n") + json.dumps(r, default=str))
        self.first = False

    def finish(self, batch) -> None:
        from .fsutil import temp_path_for

        head = {k: v for k, v in build(_Empty(batch)).items() if k != "results"}
        head["summary"] = self.summary.to_dict(head.get("seconds", 0))
        self.spool.seek(0)
        tmp = temp_path_for(self.path)
        try:
            with open(tmp, "w", encoding="utf-8") as out:
                if self.html:
                    from .html_report import page_parts

                    top, bottom = page_parts(head, self.path)
                    out.write(top)
                    _copy(self.spool, out)
                    out.write(bottom)
                else:
                    text = json.dumps(head, indent=2, default=str)
                    out.write(text[:-2] + ',\n  "results": [\n')  # the head without its closing brace
                    _copy(self.spool, out)
                    out.write("\n  ]\n}\n")
            os.replace(tmp, self.path)
        finally:
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


def _copy(src, dst, size: int = 1 << 20) -> None:
    while chunk := src.read(size):
        dst.write(chunk)


def schema() -> dict:
    """The JSON Schema (draft 2020-12) of the report, shipped in the package."""
    from importlib.resources import files

    return json.loads(files("assetkit").joinpath("report.schema.json").read_text(encoding="utf-8"))


def write(data: dict, path: str | os.PathLike) -> None:
    path = Path(path)
    if path.suffix.lower() in (".html", ".htm"):
        from .html_report import render_html

        write_atomic(path, render_html(data, path).encode("utf-8"))
    else:
        write_atomic(path, (json.dumps(data, indent=2, default=str) + "\n").encode("utf-8"))


def slot_dict(s: Slot) -> dict:
    d = asdict(s)
    d["id"] = s.id
    return d


def variants_text(s: Slot) -> str:
    if not s.variants:
        parts = []
        if s.aspect:
            parts.append(f"aspect {s.aspect.width}:{s.aspect.height}")
        if s.min_size:
            parts.append(f"min {s.min_size}")
        if s.max_size:
            parts.append(f"max {s.max_size}")
        return ", ".join(parts) or "native size"
    return ", ".join(f"{v.name} {v.width}x{v.height}" + ("" if v.auto else "*") for v in s.variants)


def limits_text(s: Slot) -> str:
    parts = []
    if s.max_bytes:
        parts.append(f"max {s.max_bytes.value / 1e6:g} MB")
    if s.max_duration:
        parts.append(f"max {s.max_duration.value:g} s")
    if s.shown:
        parts.append(f"shown at {s.shown}")
    if s.mask:
        parts.append(f"{s.mask} mask")
    if s.safe_areas:
        parts.append("safe areas: " + ", ".join(f"{a.name} {a.width}x{a.height}" for a in s.safe_areas))
    return "; ".join(parts) or "-"
