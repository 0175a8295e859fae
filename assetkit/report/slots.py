"""Slots in words: the ``assetkit presets`` table and its --json."""
from __future__ import annotations

from dataclasses import asdict


def slot_dict(s) -> dict:
    d = asdict(s)
    d["id"] = s.id
    return d


def variants_text(s) -> str:
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


def limits_text(s) -> str:
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
