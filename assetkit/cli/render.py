"""Text a person reads: the summary table, grouped findings, --dry-run plans, the presets list.

Plain text wrapped at word boundaries to the terminal's width (COLUMNS is honoured); colour only on
a terminal. Everything is sorted by path, so the order never depends on which file finished first.
"""
from __future__ import annotations

import shutil
import textwrap
from collections import defaultdict
from pathlib import Path

import typer

from ..model import Severity, Status

COLOUR = {"failed": "red", "needs-review": "yellow", "fixed": "green", "ready": "green", "up-to-date": "cyan",
          "planned": "blue", "skipped": "white", "error": "red", "warning": "yellow", "info": "white"}
FEW = 3   # more files than this sharing one finding: said once, the files listed under it


def echo(text: str = "", err: bool = False) -> None:
    typer.echo(text, err=err)


def paint(word: str) -> str:
    return typer.style(word, fg=COLOUR.get(word))


def width() -> int:
    return max(40, shutil.get_terminal_size((100, 24)).columns)


def wrap(text: str, indent: int, first: int | None = None) -> list[str]:
    """Lines of ``text`` that fit the terminal, broken only between words."""
    w = textwrap.TextWrapper(width=width(), initial_indent=" " * (indent if first is None else first),
                             subsequent_indent=" " * indent, break_long_words=False, break_on_hyphens=False)
    return w.wrap(text) or [""]


def short(path) -> str:
    """A path as the person typed it: relative to the working folder when it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _codes(findings) -> str:
    return ", ".join(dict.fromkeys(f.code for f in findings if f.severity is not Severity.INFO))


def summary(result) -> None:
    """One line per file, then its slots: status and the codes of what needs a look."""
    rows = sorted(result.results, key=lambda r: short(r.source))
    if not rows:
        return
    slot_w = max([len(o.slot) for r in rows for o in r.outputs] + [4]) + 2
    status_w = max(len(str(s)) for s in Status) + 2
    echo(f"{'file / slot':<{slot_w + 2}}{'status':<{status_w}}notes")
    for r in rows:
        src = _codes(r.findings)
        if not r.outputs:
            echo(short(r.source))
            line = f"  {'-':<{slot_w}}{paint(str(r.status)) + ' ' * (status_w - len(str(r.status)))}"
            echo(line + (_codes(r.findings) or ", ".join(f.code for f in r.findings)))
            continue
        echo(short(r.source) + (f"  ({src})" if src else ""))
        for o in r.outputs:
            status = str(o.status)
            notes = wrap(_codes(o.findings), 2 + slot_w + status_w, 0)
            echo(f"  {o.slot:<{slot_w}}{paint(status)}{' ' * (status_w - len(status))}{notes[0]}".rstrip())
            for line in notes[1:]:
                echo(line)


def findings(result, *, label: str = "Needs a look (errors stop an output; warnings do not):",
             info: bool = False) -> None:
    """Each finding once: shared by more than FEW files, it is said once with the files under it."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for f in result.findings:
        groups[(f.severity, f.code, "", f.message)].append("")
    for r in sorted(result.results, key=lambda r: short(r.source)):
        for f in r.all_findings:
            if info or f.severity is not Severity.INFO:
                groups[(f.severity, f.code, f.slot or "", f.message)].append(short(r.source))
    if not groups:
        return
    echo("\n" + label)
    order = list(Severity)
    for (sev, code, slot, message), files in sorted(groups.items(), key=lambda g: (order.index(g[0][0]), g[0][1])):
        where = f" [{slot}]" if slot else ""
        files = [f for f in files if f]
        if len(files) > FEW:
            for line in wrap(f"{paint(str(sev))} {code}{where}: {len(files)} files: {message}", 4, 2):
                echo(line)
            for line in wrap(", ".join(files), 6):
                echo(line)
            continue
        for name in files or [""]:
            head = f"{name}{where}: " if name else ""
            for line in wrap(f"{paint(str(sev))} {head}{code}: {message}", 4, 2):
                echo(line)


def counts(result, *, check: bool = False) -> str:
    """``3 files: 2 fixed, 1 failed (4 outputs)`` -- files and outputs said plainly."""
    files = result.files if result.files is not None else len(result.results)
    c = result.counts()
    n = sum(c.values())
    parts = ", ".join(f"{c[str(s)]} {s}" for s in Status if c.get(str(s)))
    noun = "file" if files == 1 else "files"
    what = "checked" if check else "done"
    outputs = f" ({n} outputs)" if n != files else ""
    return f"{files} {noun} {what}: {parts}{outputs}" if files else "no files"


def plans(result) -> None:
    """--dry-run: for every file, each output's plan summary (the plan's own line), or why none."""
    for r in sorted(result.results, key=lambda r: short(r.source)):
        echo(short(r.source))
        for f in r.findings:
            for line in wrap(f"{f.severity}: {f.code}: {f.message}", 4, 2):
                echo(line)
        for o in r.outputs:
            p = o.plan or {}
            text = p.get("summary") or _plan_text(p)
            head = f"{o.slot} -> {short(o.output)}" if o.output else f"{o.slot}: no output"
            for line in wrap(f"{head}: {text}" if text and o.output else head, 4, 2):
                echo(line)
            for f in o.findings:
                for line in wrap(f"{f.severity}: {f.code}: {f.message}", 6, 4):
                    echo(line)


def _plan_text(p: dict) -> str:
    # until every engine fills plan["summary"] (contract): the photo plan's own numbers
    c, size = p.get("crop"), p.get("out_size")
    if not (c and size):
        return ""
    return (f"{size[0]}x{size[1]} {p.get('format')} ({p.get('variant')}), crop {c[0]},{c[1]} to {c[2]},{c[3]} "
            f"({p.get('crop_detail')}), keeps {100 * p.get('kept', 0):.0f}%")


def check_findings(result) -> None:
    """check: every file (sorted) with all its findings, the guideline section after each."""
    for f in result.findings:
        for line in wrap(f"{paint(str(f.severity))} {f.code}: {f.message}", 4, 0):
            echo(line)
    for r in sorted(result.results, key=lambda r: short(r.source)):
        echo(short(r.source))
        if not r.all_findings:
            echo("  ok: no findings")
        for f in r.all_findings:
            where = f" [{f.slot}]" if f.slot else ""
            sec = f"  ({f.section})" if f.section else ""
            for line in wrap(f"{paint(str(f.severity))} {f.code}{where}: {f.message}{sec}", 4, 2):
                echo(line)


def presets(lib, slot_text, limits_text) -> None:
    for sid in sorted(lib.slots):
        s = lib.slots[sid]
        default = " (default)" if sid in lib.defaults.get(s.platform, {}).values() else ""
        kind = "/".join(k for k in ("photo", "video") if s.takes(k)) if hasattr(s, "takes") else s.kind
        echo(f"{sid}{default}  [{kind}]")
        for line in wrap(f"size: {slot_text(s)}; limits: {limits_text(s)}", 4, 2):
            echo(line)
        for line in wrap(f"source: {s.source}", 4, 2):
            echo(line)


def slot(s) -> None:
    echo(f"{s.id}  {s.title} ({s.kind})  from {s.file}")
    rows = [("source", s.source, None)]
    rows += [(f"variant {v.name}", f"{v.width}x{v.height}" + ("" if v.auto else "  (only with --variant)"), v.source)
             for v in s.variants]
    rows += [(k.replace("_", " "), str(getattr(s, k)), getattr(s, k).source)
             for k in ("shown", "aspect", "min_size", "preferred_size", "max_size") if getattr(s, k)]
    rows += [(k.replace("_", " "), f"{getattr(s, k).value}", getattr(s, k).source)
             for k in ("max_bytes", "max_duration") if getattr(s, k)]
    rows += [(f"safe area {a.name}", f"{a.width}x{a.height} centred"
              + ("  (always visible: the subject goes here)" if a.always_visible else ""), a.source)
             for a in s.safe_areas]
    if s.mask:
        rows.append(("mask", s.mask, s.mask_source))
    if s.codecs:
        rows.append(("codecs", f"{s.codecs.video}/{s.codecs.audio} in {s.codecs.container}", s.codecs.source))
    for name, value, source in rows:
        for line in wrap(f"{name}: {value}", 6, 2):
            echo(line)
        if source:
            for line in wrap(f"source: {source}", 8, 6):
                echo(line)
