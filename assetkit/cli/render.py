"""Text a person reads: the summary table, grouped findings, --dry-run plans, the presets list.

Plain text wrapped between words to the terminal's width (COLUMNS is honoured), colour only on a
terminal, everything sorted by path (never by which file finished first).
"""
from __future__ import annotations

import re
import shutil
import textwrap
from collections import defaultdict
from pathlib import Path

import typer

from ..model import Severity, Status
from ..options import MediaKind

COLOUR = {"failed": "red", "needs-review": "yellow", "fixed": "green", "ready": "green", "up-to-date": "cyan",
          "planned": "blue", "error": "red", "warning": "yellow"}
FEW = 3   # more files than this share a finding: it is said once, the files listed under it


def echo(text: str = "", err: bool = False) -> None:
    typer.echo(text, err=err)


class _Wrapper(textwrap.TextWrapper):
    # between words only; a path longer than a whole line is broken after a "/" (marked \0), never mid-name
    wordsep_simple_re = re.compile(r"(\s+|\0)")


def say(text: str, indent: int = 4, first: int = 2, word: str | None = None) -> None:
    """``text`` wrapped between words; ``word`` (a status or severity) coloured where it first appears."""
    width = max(40, shutil.get_terminal_size((100, 24)).columns)
    text = " ".join(t.replace("/", "/\0") if len(t) > width - indent else t for t in text.split(" "))
    w = _Wrapper(width=width, initial_indent=" " * first, subsequent_indent=" " * indent, break_long_words=False,
                 break_on_hyphens=False)
    for i, line in enumerate(w.wrap(text) or [""]):
        line = line.replace("\0", "")
        echo(line.replace(word, typer.style(word, fg=COLOUR.get(word)), 1) if word and i == 0 else line)


def short(path) -> str:
    """A path as the person typed it: relative to the working folder when it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def by_path(results) -> list:
    return sorted(results, key=lambda r: short(r.source))


def _codes(findings) -> str:
    return ", ".join(dict.fromkeys(f.code for f in findings if f.severity is not Severity.INFO))


def summary(result) -> None:
    """A line per file (with what is wrong with the file itself), then a line per slot."""
    rows = by_path(result.results)
    if not rows:
        return
    col = max([len(o.slot) for r in rows for o in r.outputs] + [12]) + 2
    width = col + max(len(str(s)) for s in Status) + 2
    echo(f"{'file / slot':<{col + 2}}{'status':<{width - col}}notes")
    for r in rows:
        own = _codes(r.findings)
        say(short(r.source) + (f"  ({own})" if own else ""), 4, 0)
        if not r.outputs:
            say(f"{'-':<{col}}{str(r.status):<{width - col}}{own or ', '.join(f.code for f in r.findings)}",
                width + 2, 2, str(r.status))
        for o in r.outputs:
            say(f"{o.slot:<{col}}{str(o.status):<{width - col}}{_codes(o.findings)}".rstrip(), width + 2, 2,
                str(o.status))


def findings(result, label: str = "Needs a look (errors stop an output; warnings do not):", info=False) -> None:
    """Each finding once: when more than FEW files share one, it is said once with the files under it."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for f in result.findings:
        groups[(f.severity, f.code, "", f.message, "")].append("")
    for r in by_path(result.results):
        for f in r.all_findings:
            if info or f.severity is not Severity.INFO:
                groups[(f.severity, f.code, f.slot or "", f.message, f.section if info else "")].append(short(r.source))
    if groups:
        echo("\n" + label)
    rank = list(Severity)
    for (sev, code, slot, message, section), files in sorted(groups.items(), key=lambda g: rank.index(g[0][0])):
        where, files, sec = (f" [{slot}]" if slot else ""), [f for f in files if f], f"  ({section})" if section else ""
        if len(files) > FEW:
            say(f"{sev} {code}{where}: {len(files)} files: {message}{sec}", 4, 2, str(sev))
            say(", ".join(files), 6, 6)
        for name in [] if len(files) > FEW else files or [""]:
            say(f"{sev} {name + where + ': ' if name else ''}{code}: {message}{sec}", 4, 2, str(sev))


def counts(result, check: bool = False, total: int | None = None) -> str:
    """``3 files done: 2 fixed, 1 failed (4 outputs)``: files and outputs said plainly."""
    files = result.files if result.files is not None else len(result.results)
    c = result.counts()
    parts = ", ".join(f"{c[str(s)]} {s}" for s in Status if c.get(str(s)))
    n = sum(c.values())
    of = f" of {total}" if total is not None and total != files else ""
    noun = "file" if files == 1 and not of else "files"
    return f"{files}{of} {noun} {'checked' if check else 'done'}: {parts}" + (f" ({n} outputs)" if n != files else "")


def plans(result) -> None:
    """--dry-run: for every file, each output's plan summary (the plan's own line), or why there is none."""
    for r in by_path(result.results):
        echo(short(r.source))
        for f in r.findings:
            say(f"{f.severity}: {f.code}: {f.message}")
        for o in r.outputs:
            text = (o.plan or {}).get("summary")  # the plan's own line (photo and video fill it in)
            say(f"{o.slot} -> {short(o.output)}: {text}" if o.output else f"{o.slot}: {text or 'no output'}")
            for f in o.findings:
                say(f"{f.severity}: {f.code}: {f.message}", 6, 4)


def presets(lib, slot_text, limits_text) -> None:
    for sid in sorted(lib.slots):
        s = lib.slots[sid]
        default = " (default)" if sid in lib.defaults.get(s.platform, {}).values() else ""
        echo(f"{sid}{default}  [{'/'.join(k for k in MediaKind.values() if s.takes(k))}]")
        say(f"size: {slot_text(s)}; limits: {limits_text(s)}")
        say(f"source: {s.source}")


def slot(s) -> None:
    echo(f"{s.id}  {s.title} ({'/'.join(k for k in ('photo', 'video') if s.takes(k))})  from {s.file}")
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
    rows += [("mask", s.mask, s.mask_source)] if s.mask else []
    if s.codecs:
        rows.append(("codecs", f"{s.codecs.video}/{s.codecs.audio} in {s.codecs.container}", s.codecs.source))
    for name, value, source in rows:
        say(f"{name}: {value}", 6, 2)
        if source:
            say(f"source: {source}", 8, 6)
