"""What the hot folder makes of a result: the state of each slot, the folder the original goes to,
and the notes a person reads in failed/ and needs-review/. Pure: no files, no clock.

One vocabulary: a slot's outcome comes from ``model.Status`` and ``SlotResult.held`` only. A slot
with no output (``Status.FAILED``, or nothing this folder takes) -> failed/; an output a rule held
back (``held``: consent) -> needs-review/; any other written output -> ready/ (the original to
originals/). A warning, however many (a missing credit, an enlarged picture), never holds a file:
the report lists it.

Notes speak to the person who dropped the file: what is wrong and what to do next, never command
line flags or finding codes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .. import fsutil
from ..fsutil import NAME_BYTES
from ..model import Finding, JobResult, Severity, SlotResult, Status
from .drops import FAILED_DIR, NEEDS_REVIEW_DIR, ORIGINALS
from .journal import DONE, FAILED_STATE, REVIEW

# A drop's name (its stem) leaves room under fsutil's output-name limit for "-N" and the longest
# extension, so the output, the original in originals/ or failed/ and its note all keep the same name.
NAME_LIMIT = NAME_BYTES - 24


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 files``."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def split_name(name: str) -> tuple[str, str]:
    """(base, extension): a real extension only (``.jpg``, ``.HEIC``), not the tail of a long name."""
    m = re.fullmatch(r"(.+?)(\.[A-Za-z0-9]{1,10})", name)
    return (m.group(1), m.group(2)) if m else (name, "")


def fit_name(name: str, limit: int = NAME_LIMIT) -> str:
    """``name`` if it fits in ``limit`` UTF-8 bytes, else shortened by the shared helper (its start and
    a short hash of the whole name): the same long name always gives the same short one."""
    return fsutil.fit_name(name, limit)


def fit_stem(stem: str, limit: int = NAME_LIMIT) -> str:
    """Each part of a relative stem (``trip/IMG_0001``) fitted to ``limit`` bytes."""
    return "/".join(fit_name(part, limit) for part in stem.split("/"))


def slot_title(slot) -> str:
    platform = {"youtube": "YouTube"}.get(slot.platform, slot.platform.capitalize())
    title = slot.title[:1].lower() + slot.title[1:] if slot.title else slot.name
    return f"{platform} {title}"


@dataclass(frozen=True)
class Outcome:
    state: str                 # journal state: done | needs-review | failed
    output: str | None         # the written file (for needs-review: where it is held)
    reason: str | None         # plain words: what is wrong and what to do next
    status: Status | None = None


def slot_outcome(slot, o: SlotResult | None, r: JobResult, *, drop_takes: str = "",
                 elsewhere: Sequence[str] = ()) -> Outcome:
    """One slot's outcome from the engine's result (``o``: this slot's, None when it made none)."""
    if o is not None and o.status.written and o.output:
        if o.held:
            found = [f for f in o.findings if f.review or f.severity is Severity.ERROR] or o.findings
            return Outcome(REVIEW, o.output, advice(found, slot, r), o.status)
        if o.status is Status.NEEDS_REVIEW:
            # written, but a person must look before it is posted (enlarged, subject at the edge): the
            # output stays in ready/, its original goes to needs-review/ with a note saying what to check
            look = [f for f in o.findings if f.review] or o.findings
            return Outcome(REVIEW, o.output, advice(look, slot, r), o.status)
        return Outcome(DONE, o.output, None, o.status)
    found = [f for f in ((o.findings if o else []) + r.findings) if f.severity is Severity.ERROR]
    if not found and r.status is Status.SKIPPED or any(f.code in ("skipped", "unsupported") for f in found):
        return Outcome(FAILED_STATE, None, wrong_kind(r.kind, drop_takes, elsewhere), Status.FAILED)
    found = found or (o.findings if o else []) or r.findings
    return Outcome(FAILED_STATE, None, advice(found, slot, r), Status.FAILED)


def folder_for(states: Sequence[str]) -> str:
    """Where the original goes (``model.Status.folder`` of its worst slot): failed/ if any slot failed,
    needs-review/ if any needs a person (held back, or written but to be looked at), else originals/."""
    if FAILED_STATE in states:
        return FAILED_DIR
    if REVIEW in states:
        return NEEDS_REVIEW_DIR
    return ORIGINALS


# ---------------------------------------------------------------------------------- plain words


def _size(text: str) -> tuple[int, int] | None:
    sizes = re.findall(r"(\d{2,5})x(\d{2,5})", text)
    return (int(sizes[-1][0]), int(sizes[-1][1])) if sizes else None


def _no_flags(text: str) -> str:
    """A finding's message without the parts that speak of command-line flags."""
    parts = re.split(r"(?<=[;.])\s+|,\s+(?=or\b|use\b)|\s+\((?=[^)]*--)", text)
    kept = [re.sub(r"\s*\(at [^()]*:\d+\)", "", p) for p in parts if "--" not in p]  # no source locations
    return " ".join(kept).strip(" ;,") if kept else ""


def advice(found: Sequence[Finding], slot, r: JobResult) -> str:
    """What is wrong and what to do next, one sentence or two per problem, for a person."""
    lines: list[str] = []
    for f in found:
        text = _advice(f, slot, r)
        if text not in lines:
            lines.append(text)
    return " ".join(lines) or "It could not be prepared, and assetkit gave no reason. Try it again; if it fails " \
                              "again, pass this note to whoever looks after the hot folder."


def _advice(f: Finding, slot, r: JobResult) -> str:
    info = r.info or {}
    what = "clip" if r.kind == "video" else "picture"
    if f.code == "too-small":
        need = _size(f.message)
        have = (info.get("width"), info.get("height"))
        has = f"is {have[0]}x{have[1]} pixels, " if all(have) else "is "
        needs = f"the {need[0]}x{need[1]} that {slot_title(slot)} needs" if need else f"what {slot_title(slot)} needs"
        return (f"The picture {has}smaller than {needs}. Use a larger original (the full-size photo from the "
                f"camera or phone, not a copy from a chat app or a screenshot). If an enlarged, softer picture "
                f"is acceptable, whoever looks after the hot folder can allow enlarging for this folder.")
    if f.code == "video-too-long":
        limit = getattr(getattr(slot, "max_duration", None), "value", None)
        dur = info.get("duration")
        long = f" is {dur:.0f} s long" if isinstance(dur, (int, float)) else " is too long"
        to = f"{limit:g} s or less" if limit else "the length the platform allows"
        return (f"The clip{long}; {slot_title(slot)} takes {to}. Trim the clip to {to} and drop it in again "
                f"(or ask whoever looks after the hot folder to set a trim for this folder).")
    if f.code == "video-too-small":
        need = _size(f.message.split("below the")[-1]) if "below the" in f.message else None
        at_least = f" (at least {need[0]}x{need[1]})" if need else ""
        return f"The clip is too small for {slot_title(slot)}{at_least}. Use a larger original video."
    if f.code == "unreadable":
        return ("The file is not a picture or video assetkit can read, or it is damaged. Open it on your "
                "computer to check it, save or export it again (JPEG, PNG, HEIC or MP4), and drop the new copy in.")
    if f.code == "too-many-pixels":
        return ("The picture has far more pixels than any post needs, more than assetkit opens safely. "
                "Save a smaller copy (for example 6000 pixels wide) and drop that in.")
    if f.code == "size-limit":
        return (f"The {what} could not be made small enough in bytes for {slot_title(slot)}. "
                f"Use a simpler or shorter original.")
    if f.code == "upscaled":
        return (f"The picture was enlarged to fit {slot_title(slot)} and may look soft: check it before "
                f"posting, or use a larger original.")
    if f.code == "safe-area":
        return (f"A face or the subject may be cut off or covered where {slot_title(slot)} is shown: check "
                f"the prepared picture before posting.")
    if f.code == "consent-missing":
        return ("The picture shows people with no signed Photography Consent Form on record. Get the form "
                "signed and recorded, or choose another picture; post this one only once consent is on record.")
    if f.code in ("failed", "ffmpeg-failed"):
        detail = _no_flags(f.message)
        return ("Something went wrong while preparing it" + (f" ({detail})" if detail else "") +
                ". Drop it in again; if it fails again, pass this note to whoever looks after the hot folder.")
    text = _no_flags(f.message)
    if not text:
        from ..checks import CODES

        code = CODES.get(f.code)
        text = _no_flags(code.meaning) if code else ""
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else "It could not be prepared."


def wrong_kind(kind: str, takes: str, elsewhere: Sequence[str]) -> str:
    what = {"video": "a video", "image": "a photo"}.get(kind, "not a photo or video")
    where = f" Put it into a folder that takes {'videos' if kind == 'video' else 'photos'}, such as " \
            f"{', '.join(n + '/' for n in elsewhere[:4])}." if elsewhere else ""
    return f"This folder takes {takes or 'other files'}; this file is {what}.{where}"


def wrong_kind_note(name: str, folder: str, kind: str, takes: str, elsewhere: Sequence[str], when: str) -> str:
    what = {"video": "a video", "image": "a photo"}.get(kind, "not a photo or video")
    return (f"{name} is {what}, but {folder}/ takes {takes} only, so it was not prepared.\n\n"
            f"Put it into a folder that takes {'videos' if kind == 'video' else 'photos'}: "
            f"{', '.join(n + '/' for n in elsewhere[:6])}.\n(put into {folder}/ on {when})\n")


def result_note(name: str, folder: str, dropped: str, when: str, lines: Sequence[tuple[str, Outcome]],
                rel=lambda p: p) -> str:
    """The note beside an original in failed/ or needs-review/."""
    if folder == FAILED_DIR:
        head = f"{name} could not be prepared."
        tail = (f"What to do next: fix what is said above and put the file into {dropped}/ again. "
                f"A file from failed/ is always tried again.")
    else:
        head = f"{name} needs a person to look at it before it is posted."
        tail = ("What to do next: deal with what is said above. The prepared file waits in the folder named "
                "above; move it where it is needed once it may be posted.")
    body = []
    for title, o in lines:
        if o.state == DONE:
            body.append(f"- {title}: prepared, in {rel(o.output)}")
        elif o.state == REVIEW:
            where = "is held in" if NEEDS_REVIEW_DIR in Path(o.output or "").parts else "is in"
            body.append(f"- {title}: {o.reason} The prepared file {where} {rel(o.output)}.")
        else:
            body.append(f"- {title}: {o.reason}")
    return "\n".join([head, "", *body, "", tail, f"(dropped into {dropped}/ on {when})", ""])


def unknown_folder_note(name: str, folder: str, valid: Sequence[str], close: str | None, when: str) -> str:
    mean = f"Did you mean {close}/? " if close else ""
    return (f"{name} was put into {folder}/, a folder name assetkit does not know, so it was not prepared.\n\n"
            f"{mean}Put the file into a folder named for where it will be posted. These names work:\n"
            + "".join(f"  {n}\n" for n in valid)
            + f"\nYou may make any of these folders yourself; assetkit starts watching it at once.\n"
              f"(put into {folder}/ on {when})\n")


def odd_file_note(name: str, folder: str, what: str, when: str) -> str:
    return (f"{name} in {folder}/ is {what}, so assetkit did not read it.\n\n"
            f"Only ordinary photo and video files can be prepared: copy the photo or video itself into "
            f"{folder}/ (not a link or shortcut to it).\n(found in {folder}/ on {when})\n")


def duplicate_note(name: str, folder: str, first: str, outputs: str, when: str) -> str:
    return (f"{name} was dropped into {folder}/ on {when}, but the same picture (identical content) was "
            f"already prepared from {first}: {outputs}.\nIt was not prepared again; the prepared file is still there.\n")
