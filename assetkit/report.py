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
from .presets import Slot

REPORT_SCHEMA_VERSION = 1


def build(result) -> dict:
    data = json.loads(json.dumps(result.to_dict(), default=str))  # plain JSON values (tuples -> lists)
    data = {"schema_version": REPORT_SCHEMA_VERSION, "assetkit": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **data}
    return annotate(data)


# ------------------------------------------------------------------------ statuses for people

# in the order a person should look at them
STATUSES = ("failed", "needs-review", "fixed", "ready", "up-to-date", "planned")
STATUS_TEXT = {
    "failed": "Failed", "needs-review": "Needs review", "fixed": "Fixed", "ready": "Ready",
    "up-to-date": "Up to date", "planned": "Planned",
}
# a written output with one of these still needs a person's eyes, even when assetkit "fixed" it
REVIEW_CODES = frozenset({"upscaled"})


def output_status(output: dict, source_findings: list[dict] = ()) -> tuple[str, str]:
    """(report status, reason) of one output, from the engine status and the findings.

    failed: no usable output. needs-review: written (or flagged by the engine) but an error, an
    unfixable warning or an enlargement needs a person. fixed: written, and assetkit changed something
    the rules asked for (aspect crop, location removed, sRGB, compression). ready: written, only resized.
    up-to-date: skipped, the earlier output stands. planned: --dry-run or ``check``, nothing written.
    """
    findings = list(source_findings) + list(output.get("findings") or [])
    status = output.get("status")
    errors = [f for f in findings if f.get("severity") == "error"]
    review = errors + [f for f in findings if f.get("severity") == "warning" and
                       (not f.get("fixable") or f.get("code") in REVIEW_CODES)]
    fixed = [f for f in findings if f.get("fixable") and f not in review]
    if status == "failed":
        return "failed", _reason(errors or findings) or "no output was made"
    if status == "needs-review":
        return "needs-review", _reason(review or findings) or "a person should look before it goes out"
    if status == "up-to-date":
        return "up-to-date", "already prepared with the same settings; kept"
    if status in ("planned", "checked"):
        what = "checked only" if status == "checked" else "dry run"
        return "planned", f"{what}, nothing written" + (f"; {_reason(review)}" if review else "")
    if review:
        return "needs-review", _reason(review)
    if fixed:
        return "fixed", "fixed: " + ", ".join(dict.fromkeys(f["code"] for f in fixed))
    size = output.get("size")
    return "ready", f"resized to {size[0]}x{size[1]}" if size else "ready"


def _reason(findings) -> str:
    return "; ".join(f"{f.get('code')}: {f.get('message')}" for f in findings)


def result_status(result: dict) -> tuple[str, str]:
    """The status of a source: the first of its outputs' statuses in STATUSES order; failed without outputs."""
    outs = result.get("outputs") or []
    if not outs:
        return "failed", _reason(result.get("findings") or []) or "no output was made"
    worst = min(outs, key=lambda o: STATUSES.index(o["report_status"]))
    return worst["report_status"], worst["reason"]


def annotate(data: dict) -> dict:
    """Add report_status/reason to every output and source, and the summary. Pure: returns a new dict."""
    data = {**data, "results": [dict(r) for r in data.get("results", [])]}
    by_status = dict.fromkeys(STATUSES, 0)
    by_slot: dict[str, dict[str, int]] = {}
    needs: list[dict] = []
    for r in data["results"]:
        r["outputs"] = [dict(o) for o in r.get("outputs") or []]
        for o in r["outputs"]:
            o["report_status"], o["reason"] = output_status(o, r.get("findings") or [])
            by_status[o["report_status"]] += 1
            slot = by_slot.setdefault(o["slot"], dict.fromkeys(STATUSES, 0))
            slot[o["report_status"]] += 1
            if o["report_status"] in ("failed", "needs-review"):
                needs.append({"source": r["source"], "slot": o["slot"], "status": o["report_status"],
                              "reason": o["reason"]})
        r["report_status"], r["reason"] = result_status(r)
        if not r["outputs"]:
            by_status["failed"] += 1
            needs.append({"source": r["source"], "slot": None, "status": "failed", "reason": r["reason"]})
    needs.sort(key=lambda n: STATUSES.index(n["status"]))  # stable: batch order within a status
    data["summary"] = {"assets": len(data["results"]), "outputs": sum(len(r["outputs"]) for r in data["results"]),
                       "seconds": data.get("seconds", 0), "by_status": by_status, "by_slot": by_slot,
                       "needs_person": needs}
    return data


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
