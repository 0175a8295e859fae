"""One video source through the batch: probe once, then validate or prepare it for each video slot.

The same Job/JobResult values as photos, so ``prepare``, ``check``, the hot folder and the report
treat videos and photos alike (DESIGN: videos are sniffed from bytes and go through the same runs).
"""
from __future__ import annotations

import os
from pathlib import Path

import av

from ..batch import CHECKED, FAILED, PLANNED, PREPARED, UP_TO_DATE, Job, JobResult, SlotResult
from ..checks import Severity, finding
from ..plan import output_path_for, recipe_hash
from .probe import probe
from .transcode import prepare_video, resolve_trim
from .validate import validate

RECIPE_TAG = "assetkit-recipe:"


def read_recipe(path: Path) -> str | None:
    try:
        with av.open(str(path), metadata_errors="ignore") as c:
            comment = c.metadata.get("comment", "")
    except Exception:  # not there, or half-written by someone else: not up to date
        return None
    return comment[len(RECIPE_TAG):] if comment.startswith(RECIPE_TAG) else None


def default_fit(slot) -> str:
    """Pad (bars) keeps the whole picture: the safe default for fixed-aspect (16:9) slots."""
    return "pad"


def run_video_job(job: Job, result: JobResult) -> None:
    opts = job.options
    info = probe(job.path)  # MediaError("unreadable") for damaged or non-video files
    result.info = info.to_dict()
    video_slots = [s for s in job.slots if s.kind == "video"]
    if not video_slots:
        wanted = ", ".join(s.id for s in job.slots)
        result.findings.append(finding("unsupported", f"{Path(job.path).name} is a video; {wanted} take pictures only"))
        return
    st = os.stat(job.path)
    stat = (st.st_size, st.st_mtime_ns)
    for slot in video_slots:
        out = output_path_for(opts.out_dir, slot, job.rel_stem, ".mp4", opts.flat)
        recipe = recipe_hash(job.rel_stem, stat, slot, opts)
        if job.mode == "check" or opts.dry_run:
            found = validate(info, slot)
            blocking = _blocking(found, opts, info, slot)
            status = FAILED if blocking else (CHECKED if job.mode == "check" else PLANNED)
            result.outputs.append(SlotResult(slot.id, status, output=None if blocking or job.mode == "check" else str(out),
                                             findings=found))
            continue
        if not opts.force and out.exists() and read_recipe(out) == recipe:
            result.outputs.append(SlotResult(slot.id, UP_TO_DATE, output=str(out), bytes=out.stat().st_size))
            continue
        vr = prepare_video(job.path, slot, out, fit=opts.fit or default_fit(slot), trim=_trim(opts.trim),
                           allow_upscale=opts.allow_upscale, subtitles=opts.subtitles, loudness=opts.loudness,
                           x264_preset=os.environ.get("ASSETKIT_X264_PRESET", "medium"), recipe=recipe)
        res = SlotResult(slot.id, PREPARED if vr.ok else FAILED, output=str(vr.output) if vr.ok else None,
                         findings=list(vr.findings))
        if vr.ok:
            res.bytes = vr.output.stat().st_size
            res.size = vr.info.display_size
            res.extra = {"poster": str(vr.poster) if vr.poster else None, "duration": vr.info.duration,
                         "output_info": vr.info.to_dict()}
        result.outputs.append(res)


def _trim(text):
    if not text:
        return None
    from .transcode import parse_trim

    return parse_trim(text)


def _blocking(found, opts, info, slot) -> bool:
    """Would prepare write nothing? (too long without --trim, too small without --allow-upscale)"""
    for f in found:
        if f.severity is not Severity.ERROR:
            continue
        if f.code == "video-too-long" and opts.trim:
            span = resolve_trim(_trim(opts.trim), info, slot)
            if span and slot.max_duration and span[1] - span[0] <= slot.max_duration.value + 0.05:
                continue
        if f.code == "video-too-small" and opts.allow_upscale:
            continue
        return True
    return False
