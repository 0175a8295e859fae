"""The HTML contact sheet: one self-contained page a person reads after a batch.

Rendered from the same data as the JSON report (``summary.build``), so both say the same thing. The
markup is Jinja2 templates (autoescape on) and the CSS and filter script are files beside them
(``templates/``, ``static/``: package data). The page needs nothing from the network: pictures are
JPEG data: URIs, the CSS and script are inline and allowed by their hashes in a CSP that forbids
everything else. Without script every file is shown; statuses are words as well as colours; a print
stylesheet drops the filter bar and keeps cards whole.

The view functions (``card_view``, ``page_view``) turn report data into plain values for the
templates; the templates only lay them out.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import os
from importlib.resources import files
from pathlib import Path

from markupsafe import Markup

from .pictures import data_uri, faces, output_thumbnail, source_thumbnail, with_crop, with_faces
from .summary import STATUS_TEXT, STATUSES, order, tally

SYMBOL = {"failed": "✕", "needs-review": "!", "fixed": "✓", "ready": "✓", "up-to-date": "=", "planned": "…",
          "skipped": "–"}
LEVEL_TEXT = {"error": "Cannot go out", "review": "Look before it goes out", "warning": "To do"}
CARDS = "<!--assetkit:cards-->"  # where the streamed cards go; data cannot contain it (it is escaped)
CREDIT_FROM = {"flag": "--credit", "manifest": "the manifest", "metadata": "the file's metadata"}


# ------------------------------------------------------------------------------ templates


@functools.lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("assetkit.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(STATUS_TEXT=STATUS_TEXT, SYMBOL=SYMBOL, LEVEL_TEXT=LEVEL_TEXT)
    return env


@functools.lru_cache(maxsize=1)
def _static() -> dict:
    """The CSS and script (package data), and the CSP hashes that allow exactly them."""
    d = files("assetkit.report").joinpath("static")
    css = d.joinpath("report.css").read_text(encoding="utf-8")
    js = d.joinpath("report.js").read_text(encoding="utf-8")

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"

    csp = (f"default-src 'none'; img-src data:; style-src {sha(css)}; script-src {sha(js)}; "
           "base-uri 'none'; form-action 'none'")
    return {"css": css, "js": js, "csp": csp}


def render_html(data: dict, path: str | os.PathLike | None = None, presets=None) -> str:
    """The contact sheet for report ``data`` (report.build). ``path``: where the page will be written,
    so links to outputs and originals are relative to it; ``presets``: the library whose slots'
    safe areas are drawn (default: the built-in presets)."""
    top, bottom = page_parts(data, path)
    results = sorted(data.get("results") or [], key=lambda r: order(r.get("source", "")))
    return top + "".join(card(r, path, presets) for r in results) + bottom


def card(r: dict, path: str | os.PathLike | None = None, presets=None) -> str:
    """One file's card (an annotated result), on its own so a report can be streamed card by card."""
    base = Path(path).parent if path else Path.cwd()
    return _env().get_template("card.html.j2").render(c=card_view(r, presets if presets is not None else builtin(), base))


def page_parts(data: dict, path: str | os.PathLike | None = None) -> tuple[str, str]:
    """The page before and after the cards: header, summary, what needs a person; footer and script."""
    base = Path(path).parent if path else Path.cwd()
    page = _env().get_template("page.html.j2").render(p=page_view(data, base), s=_static(), cards=Markup(CARDS))
    top, bottom = page.split(CARDS)
    return top, bottom


def builtin():
    """The built-in presets: what the page draws when the caller does not say which library ran."""
    try:
        from ..presets import load_presets

        return load_presets()
    except Exception:  # a broken preset folder must not cost the report
        return None


def _slot(lib, slot_id: str):
    try:
        return lib.get(slot_id) if lib else None
    except Exception:
        return None


# ---------------------------------------------------------------------------------- views


def anchor(source: str) -> str:
    return "a-" + hashlib.sha1(source.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def _bytes(n) -> str:
    if n is None:
        return "–"
    for unit, k in (("MB", 1e6), ("KB", 1e3)):
        if n >= k:
            return f"{n / k:.1f} {unit}"
    return f"{n} B"


def _px(w, h) -> str:
    return f"{w}×{h} px" if w and h else "–"


def _href(path: str | None, base: Path) -> str | None:
    """``path`` as a link relative to the page (the page and its outputs move together)."""
    if not path:
        return None
    try:
        return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(path).resolve().as_uri()


def shown_path(path: str | None, base: Path) -> str:
    """A path as a person reads it: relative to the page's folder or the working folder when it lies
    inside one, as given otherwise."""
    if not path:
        return ""
    p = Path(path)
    for root in (base, Path.cwd()):
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            continue
    return str(path)


def segments(text: str, names) -> list[tuple[str, bool]]:
    """``text`` cut into (part, is_a_name) around the file names it mentions, so only names may wrap
    anywhere: the rest of a message breaks between words only."""
    names = sorted({n for n in names if n and len(n) > 3}, key=len, reverse=True)
    parts = [(text, False)]
    for name in names:
        out = []
        for part, is_name in parts:
            if is_name or name not in part:
                out.append((part, is_name))
                continue
            pieces = part.split(name)
            for i, piece in enumerate(pieces):
                if piece:
                    out.append((piece, False))
                if i < len(pieces) - 1:
                    out.append((name, True))
        parts = out
    return parts


def _names(*paths) -> set:
    names = set()
    for p in paths:
        if p:
            names |= {str(p), Path(p).name}
    return names


def _pic(img, alt: str, href: str | None) -> dict | None:
    if img is None:
        return None
    return {"src": data_uri(img), "width": img.width, "height": img.height, "alt": alt, "href": href}


def _findings(findings, names=()) -> list[dict]:
    """Findings as the page lists them; the credit has its own line, so no-credit is not repeated."""
    shown = sorted((f for f in findings or [] if f.get("code") != "no-credit"), key=_urgency)
    return [{"severity": str(f.get("severity")), "code": str(f.get("code")),
             "message": segments(str(f.get("message")), names),
             "section": f.get("section") or "", "fixed": bool(f.get("fixable"))} for f in shown]


def _urgency(f: dict) -> int:
    """Findings most urgent first: errors, what needs review, warnings, notes."""
    if f.get("severity") == "error":
        return 0
    return 1 if f.get("review") else 2 if f.get("severity") == "warning" else 3


def _credit(info: dict, r: dict) -> str:
    """The credit in words (COPYRIGHT): its own line, whether or not there is one."""
    credit = info.get("credit") or {}
    if credit.get("line"):
        origin = CREDIT_FROM.get(credit.get("from"), credit.get("from") or "")
        text = f"{credit['line']} (from {origin})" if origin else credit["line"]
    elif info.get("artist") or info.get("copyright"):
        text = " / ".join(str(x) for x in (info.get("artist"), info.get("copyright")) if x)
    else:
        text = "none recorded"
    if credit.get("source"):
        text += f"; source: {credit['source']}"
    return text


def _consent(info: dict, codes: set) -> str:
    consent, found = info.get("consent"), info.get("faces")
    if consent:
        state = f"{consent} (manifest)"
    elif "consent-missing" in codes:
        state = "not recorded, and a face is visible"
    else:
        state = "not needed: no face found" if found == 0 else "not recorded"
    if "faces-blurred" in codes:
        state += "; faces blurred"
    return state


def _video_facts(d: dict) -> list[tuple[str, str]]:
    facts = []
    dur = d.get("duration")
    if isinstance(dur, (int, float)):
        facts.append(("Duration", f"{dur:.1f} s"))
    disp = d.get("display_size")
    if isinstance(disp, (list, tuple)) and len(disp) == 2:
        facts.append(("Display size", _px(*disp)))
    elif d.get("display_width") and d.get("display_height"):
        facts.append(("Display size", _px(d["display_width"], d["display_height"])))
    return facts


def _source_bytes(r: dict):
    info = r.get("info") or {}
    if info.get("bytes") is not None:
        return info["bytes"]
    try:
        return os.stat(r["source"]).st_size
    except (OSError, KeyError):
        return None


def card_view(r: dict, lib, base: Path) -> dict:
    """What one file's card shows, as plain values."""
    source = r.get("source", "")
    info = r.get("info") or {}
    outputs = r.get("outputs") or []
    boxes = faces(info)
    thumb = source_thumbnail(r)
    codes = {f.get("code") for f in r.get("findings") or []} | {
        f.get("code") for o in outputs for f in o.get("findings") or []}
    faces_text = f" · {len(boxes)} face{'s' if len(boxes) != 1 else ''} found (outlined)" if boxes else ""
    names = _names(source, *(o.get("output") for o in outputs))
    what = "Frame of the original" if r.get("kind") == "video" else "Original"
    original = _pic(with_faces(thumb, boxes) if thumb else None, f"{what} {Path(source).name}"
                    + (f" with {len(boxes)} face{'s' if len(boxes) != 1 else ''} outlined" if boxes else ""),
                    _href(source, base))
    facts = [("Size", _px(info.get("width") or info.get("display_width"), info.get("height") or info.get("display_height"))),
             ("Bytes", _bytes(_source_bytes(r))),
             ("Format", str(info.get("format") or info.get("container") or r.get("kind") or "–")),
             ("Credit", _credit(info, r)), ("Consent", _consent(info, codes))]
    if r.get("kind") == "video":
        facts += _video_facts(info)
    marks = tally(r)
    return {
        "id": anchor(source), "source": source, "kind": r.get("kind"),
        "statuses": " ".join(s for s, _ in marks),
        "tally": [{"status": s, "n": n} for s, n in marks], "no_outputs": not outputs,
        "all": marks[0][0] if len(marks) == 1 else "mixed",
        # a file without outputs: its findings (listed beside) say why; said once
        "reason": segments(r.get("reason", ""), names) if not _findings(r.get("findings"))
        else [("not for the slots asked" if marks[0][0] == "skipped" else "no output", False)],
        "original": original, "original_caption": what + faces_text, "shown": shown_path(source, base),
        "no_original": "no frame could be read from the video" if r.get("kind") == "video"
        else "the file could not be read as a picture",
        "facts": facts, "findings": _findings(r.get("findings"), names),
        "outputs": [output_view(r, o, lib, base, thumb, boxes, names) for o in outputs],
    }


def output_view(r: dict, o: dict, lib, base: Path, src_thumb, boxes, names=()) -> dict:
    """What one slot's part of a card shows."""
    slot_id = o.get("slot", "")
    plan = o.get("plan") or {}
    info = r.get("info") or {}
    status = o.get("report_status", "failed")
    crop = None
    if src_thumb is not None and plan.get("crop"):
        c = plan["crop"]
        crop = _pic(with_crop(src_thumb, info, c, boxes),
                    f"Crop for {slot_id} on the original: box from {c[0]},{c[1]} to {c[2]},{c[3]} "
                    f"(keeps {100 * (plan.get('kept') or 0):.0f}% of the picture)", _href(r.get("source"), base))
    slot = _slot(lib, slot_id)
    overlay = []
    if slot is not None and getattr(slot, "safe_areas", ()):
        overlay.append("safe areas " + ", ".join(f"{a.name} {a.width}×{a.height}" for a in slot.safe_areas))
    if slot is not None and getattr(slot, "mask", None) == "circle":
        overlay.append("circle mask")
    video = r.get("kind") == "video"
    what = "Poster frame" if video else "Result"
    result = _pic(output_thumbnail(o, slot),
                  f"{what} for {slot_id}" + (f" with {'; '.join(overlay)} outlined" if overlay else ""),
                  _href(o.get("output"), base) if status != "planned" else None)
    size = o.get("size") or (plan.get("out_size") if plan.get("out_size") and plan["out_size"][0] else None)
    facts = [("Pixels", f'{_px(info.get("width"), info.get("height"))} → {_px(*size) if size else "–"}'),
             ("Bytes", f'{_bytes(_source_bytes(r))} → {_bytes(o.get("bytes"))}')]
    if not plan.get("summary") and plan.get("crop") and (plan.get("kept") or 0) > 0:
        facts.append(("Crop", f'{plan.get("variant", "")}, keeps {100 * plan["kept"]:.0f}%, '
                              f'{plan.get("crop_detail") or plan.get("crop_reason", "")}'))
    if video:
        facts += _video_facts(o.get("extra") or {})
    return {
        "slot": slot_id, "status": status,
        # a failed or held slot's reason is its findings, listed below: said once
        "reason": ([] if status in ("failed", "needs-review") and o.get("findings")
                   else segments(o.get("reason", ""), names)),
        "summary": "" if status == "failed" else plan.get("summary") or "",  # a failed plan's findings say it
        "crop": crop, "result": result,
        "result_caption": what + (" · " + "; ".join(overlay) if overlay else ""),
        "no_result": {"failed": "no output", "planned": "nothing written (dry run or check)",
                      "skipped": "not for this slot"}.get(status, "no preview"),
        "facts": facts, "file": shown_path(o.get("output"), base),
        "file_href": _href(o.get("output"), base) if status != "planned" else None,
        "findings": _findings(o.get("findings"), names),
    }


def page_view(data: dict, base: Path | None = None) -> dict:
    base = base or Path.cwd()
    summary = data.get("summary") or {}
    by_status = summary.get("by_status") or {}
    present = [s for s in STATUSES if by_status.get(s)]
    groups = []
    for g in summary.get("needs_by_reason") or []:
        files: dict[str, dict] = {}  # each file once, with the slots it is about (details are on its card)
        for f in g["files"]:
            e = files.setdefault(f["source"], {"id": anchor(f["source"]), "source": shown_path(f["source"], base),
                                               "slots": []})
            if f.get("slot") and f["slot"] not in e["slots"]:
                e["slots"].append(f["slot"])
        groups.append({**g, "files": list(files.values())})
    return {
        "assets": summary.get("assets", 0), "outputs": summary.get("outputs", 0),
        "seconds": float(data.get("seconds") or 0), "created": str(data.get("created", "")),
        "version": str(data.get("assetkit", "")), "schema_version": str(data.get("schema_version", "")),
        "out_dir": shown_path(data.get("out_dir"), base), "interrupted": bool(data.get("interrupted")),
        "counts": [{"status": s, "n": by_status[s]} for s in present],
        "statuses": present,  # the table's columns: the statuses that occur
        "by_slot": [{"slot": sid, "cells": [c.get(s, 0) for s in present]}
                    for sid, c in sorted((summary.get("by_slot") or {}).items())],
        "groups": groups,
        "needs_files": len({f["source"] for g in summary.get("needs_by_reason") or [] for f in g["files"]}),
    }
