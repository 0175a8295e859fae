"""One video source through the batch: probe once, then validate or prepare it for each video slot.

The same Job/JobResult values as photos, so ``prepare``, ``check``, the hot folder and the report
treat videos and photos alike (DESIGN: videos are sniffed from bytes and go through the same runs).
"""
from __future__ import annotations

import os
from pathlib import Path

import av

import tempfile

from PIL import Image

from .. import credits
from ..checks import finding
from ..errors import MediaError
from ..model import Job, JobResult, Severity, SlotResult, Status, decide_status
from ..plan.photo import output_path_for, recipe_hash
from .probe import probe
from .transcode import plan_geometry, prepare_video, resolve_trim
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


def run(job: Job) -> JobResult:
    """The video engine: every video slot of one source; a bad file becomes a finding."""
    result = JobResult(source=job.path, kind="video")
    try:
        _run(job, result)
    except MediaError as e:
        result.findings.append(finding(e.code, e.problem))
    return result


def _run(job: Job, result: JobResult) -> None:
    opts = job.options
    info = probe(job.path)  # MediaError("unreadable") for damaged or non-video files
    result.info = info.to_dict()
    video_slots = [s for s in job.slots if s.takes("video")]
    if not video_slots:
        wanted = ", ".join(s.id for s in job.slots)
        result.findings.append(finding("unsupported", f"{Path(job.path).name} is a video; {wanted} take pictures only"))
        return
    st = os.stat(job.path)
    stat = (st.st_size, st.st_mtime_ns)
    from ..image.pipeline import manifest_row, recipe_extra  # the same manifest lookup as photos

    row = manifest_row(job, result)
    # a video carries no EXIF: the credit comes from --credit (plain text) or the manifest
    credit = credits.resolve(opts.credit, row, credits.SourceCredit())
    if credit.line:
        result.info["credit"] = {"line": credit.line, "from": credit.origin, "source": credit.source}
    for slot in video_slots:
        out = output_path_for(opts.out_dir, slot, job.rel_stem, ".mp4", opts.flat)
        recipe = recipe_hash(job.rel_stem, stat, slot, opts, recipe_extra(opts, row))
        if job.mode == "check" or opts.dry_run:
            found = validate(info, slot)
            blocking = _blocking(found, opts, info, slot)
            status = Status.FAILED if blocking else Status.PLANNED
            result.outputs.append(SlotResult(slot.id, status, output=None if blocking or job.mode == "check" else str(out),
                                             findings=found))
            continue
        if not opts.force and out.exists() and read_recipe(out) == recipe:
            result.outputs.append(SlotResult(slot.id, Status.UP_TO_DATE, output=str(out), bytes=out.stat().st_size))
            continue
        fit = opts.fit or default_fit(slot)
        span = resolve_trim(_trim(opts.trim), info, slot)
        total = (span[1] - span[0]) if span else info.duration
        report = (lambda done, slot_id=slot.id: job.progress.put((job.path, slot_id, done, total))) if job.progress else None
        with tempfile.TemporaryDirectory(prefix="assetkit-overlay-") as tmp:
            overlay = _overlay(Path(tmp), info, slot, fit, opts, credit.line if opts.visible_credit else None)
            vr = prepare_video(job.path, slot, out, fit=fit, trim=_trim(opts.trim), allow_upscale=opts.allow_upscale,
                               subtitles=opts.subtitles, loudness=opts.loudness, overlay_png=overlay,
                               x264_preset=os.environ.get("ASSETKIT_X264_PRESET", "medium"), recipe=recipe,
                               on_progress=report)
        res = SlotResult(slot.id, decide_status([*result.findings, *vr.findings], written=vr.ok),
                         output=str(vr.output) if vr.ok else None, findings=list(vr.findings))
        if vr.ok:
            res.bytes = vr.output.stat().st_size
            res.size = vr.info.display_size
            res.extra = {"poster": str(vr.poster) if vr.poster else None, "duration": vr.info.duration,
                         "output_info": vr.info.to_dict()}
        result.outputs.append(res)


def _overlay(tmp: Path, info, slot, fit: str, opts, credit: str | None) -> Path | None:
    """The credit and logo drawn by the photo renderer on a transparent frame, for ffmpeg to overlay.

    With nothing under the text to measure, the credit is light with a dark soft shadow, which reads
    on any footage."""
    if not credit and not opts.logo:
        return None
    from ..image import watermark

    frame = plan_geometry(info, slot, fit, opts.allow_upscale).frame
    canvas = Image.new("RGBA", frame, (0, 0, 0, 0))
    if opts.logo:
        canvas, _ = watermark.draw_logo(canvas, opts.logo, scale=opts.logo_scale, opacity=opts.logo_opacity,
                                        position=opts.logo_position)
    if credit:
        canvas, _ = watermark.draw_credit(canvas, credit, position=opts.credit_position, font_path=opts.font)
    path = tmp / "overlay.png"
    canvas.save(path)
    return path


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
