"""Reports: the JSON report (versioned) built from a BatchResult. The HTML contact sheet is rendered
from the same data."""
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
    data = result.to_dict()
    return {"schema_version": REPORT_SCHEMA_VERSION, "assetkit": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **data}


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
