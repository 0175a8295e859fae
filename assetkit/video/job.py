"""The video engine: one source through the batch. Probe once, plan every video slot
(``plan/video``), carry each plan out (``transcode``), return a JobResult.

The same Job/JobResult values as photos, so ``prepare``, ``check``, ``--dry-run``, the hot folder
and the report treat videos and photos alike; ``check`` and ``--dry-run`` show the same plan that
``prepare`` carries out. Imports neither the batch, the CLI, the hot folder, the report nor the
presets (DESIGN: engines are handed values and return values).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import av

from .. import rights
from ..checks import finding
from ..errors import MediaError
from ..manifest import Row
from ..model import Job, JobResult, SlotResult, Status, decide_status
from ..plan.paths import output_path_for, recipe_extra, recipe_hash
from ..plan.video import VideoPlan, make_video_plan, parse_trim
from . import reframe
from .probe import probe

RECIPE_TAG = "assetkit-recipe:"
X264_PRESET_ENV = "ASSETKIT_X264_PRESET"  # tests and benchmarks trade quality for speed with it


def read_recipe(path: Path) -> str | None:
    try:
        with av.open(str(path), metadata_errors="ignore") as c:
            comment = c.metadata.get("comment", "")
    except Exception:  # not there, or half-written by someone else: not up to date
        return None
    return comment[len(RECIPE_TAG):] if comment.startswith(RECIPE_TAG) else None


def x264_preset() -> str:
    return os.environ.get(X264_PRESET_ENV, "medium")


def run(job: Job) -> JobResult:
    """Every video slot of one source; a bad file becomes a finding, never an exception."""
    result = JobResult(source=job.path, kind="video")
    if not any(s.takes("video") for s in job.slots):
        wanted = ", ".join(s.id for s in job.slots)
        result.findings.append(finding("skipped", f"a video; {wanted} "
                                       f"take{'s' if len(job.slots) == 1 else ''} pictures only"))
        return result
    try:
        _run(job, result)
    except MediaError as e:
        result.findings.append(finding(e.code, e.problem))
    return result


def up_to_date(job: Job) -> JobResult | None:
    """Without probing or decoding: a JobResult when every slot of the job has an output made
    with the same recipe, else None (a stat and the output's header, nothing more)."""
    slots = [s for s in job.slots if s.takes("video")]
    if not slots or job.mode == "check" or job.options.dry_run or job.options.force:
        return None
    result = JobResult(source=job.path, kind="video")
    try:
        stat, row, extra = _recipe_inputs(job, result)
    except (OSError, MediaError):
        return None
    outputs = []
    for slot in slots:
        out = output_path_for(job.options.out_dir, slot, job.rel_stem, ".mp4", job.options.flat)
        recipe = recipe_hash(job.rel_stem, stat, slot, job.options, {**(extra or {}), "x264": x264_preset()})
        if not out.exists() or read_recipe(out) != recipe:
            return None
        outputs.append(SlotResult(slot.id, Status.UP_TO_DATE, output=str(out), bytes=out.stat().st_size))
    result.outputs = outputs
    return result


def plans(job: Job, info, result: JobResult) -> list[tuple[object, VideoPlan]]:
    """The plan for every video slot of the job (what check, --dry-run and prepare share). A slot
    that follows the subject (``--fit smart``) gets the clip's shots, sampled once per source."""
    opts = job.options
    stat, row, extra = _recipe_inputs(job, result)
    # a video carries no EXIF: the credit comes from --credit (plain text) or the manifest
    credit = rights.resolve(opts.credit, row, rights.SourceCredit())
    if credit.line:
        result.info["credit"] = {"line": credit.line, "from": credit.origin, "source": credit.source}
    line = credit.line if opts.visible_credit else None
    overlay = {"credit": line, "logo": opts.logo} if (line or opts.logo) else None
    trim = parse_trim(opts.trim) if opts.trim else None  # parsed once for every slot
    slots = [s for s in job.slots if s.takes("video")]

    def plan_all(motion=None):
        return [(slot, make_video_plan(info, slot, opts, rel_stem=job.rel_stem, source_stat=stat,
                                       recipe_extra=extra, overlay=overlay, x264_preset=x264_preset(),
                                       trim=trim, motion=motion)) for slot in slots]

    out = plan_all()
    # A slot that follows the subject wants the clip's shots: sampled once for every such slot
    # (not for check, which reports findings, and they do not depend on where the window goes).
    span = reframe.motion_span(info, [p for _, p in out]) if job.mode != "check" else None
    if span is not None:
        out = plan_all(reframe.sample(info, span))
    return out


def run_clip(job: Job, result: JobResult, clip: str) -> None:
    """The job's video slots made from ``clip``, a stand-in for ``job.path`` (an animated GIF/WebP
    converted by video/animation.py): probed and encoded from the clip, named, credited and
    recipe-stamped as the job's own file."""
    _run(job, result, clip)


def _run(job: Job, result: JobResult, clip: str | None = None) -> None:
    opts = job.options
    info = probe(clip or job.path)  # once per file; MediaError("unreadable") for damaged or non-video files
    result.info = info.to_dict()
    for slot, plan in plans(job, info, result):
        if job.mode == "check" or opts.dry_run:
            status = Status.PLANNED if plan.writes else Status.FAILED
            output = plan.output if job.mode != "check" else None
            result.outputs.append(SlotResult(slot.id, status, output=output, findings=list(plan.findings),
                                             plan=plan.to_dict(), size=plan.frame if plan.writes else None))
            continue
        out = Path(plan.output) if plan.output else None
        if out is not None and not opts.force and out.exists() and read_recipe(out) == plan.recipe:
            result.outputs.append(SlotResult(slot.id, Status.UP_TO_DATE, output=str(out), bytes=out.stat().st_size,
                                             plan=plan.to_dict(), size=plan.frame))
            continue
        report = None
        if job.progress:
            report = lambda done, slot_id=slot.id, total=plan.duration: job.progress.put(  # noqa: E731
                (job.path, slot_id, done, total))
        from .transcode import carry_out

        with tempfile.TemporaryDirectory(prefix="assetkit-overlay-") as tmp:
            png = _overlay(Path(tmp), plan, opts) if plan.writes and plan.overlay else None
            vr = carry_out(plan, overlay_png=png, on_progress=report, source=info)
        res = SlotResult(slot.id, decide_status([*result.findings, *vr.findings], written=vr.ok),
                         output=str(vr.output) if vr.ok else None, findings=list(vr.findings), plan=plan.to_dict())
        if vr.ok:
            res.bytes = vr.output.stat().st_size
            res.size = vr.info.display_size
            res.extra = {"poster": str(vr.poster) if vr.poster else None, "duration": vr.info.duration,
                         "output_info": vr.info.to_dict()}
        result.outputs.append(res)


def _recipe_inputs(job: Job, result: JobResult) -> tuple[tuple[int, int], Row | None, dict | None]:
    """The source's stat, its manifest row (the same lookup as photos) and the recipe's extra inputs."""
    st = os.stat(job.path)
    row, found = rights.manifest_row(job.options, job.path, job.rel_stem)
    result.findings.extend(f for f in found if f not in result.findings)
    return (st.st_size, st.st_mtime_ns), row, recipe_extra(job.options, row)


def _overlay(tmp: Path, plan: VideoPlan, opts) -> Path | None:
    """The credit and logo drawn by the photo renderer on a transparent frame, for ffmpeg to overlay.

    With nothing under the text to measure, the credit is light with a dark soft shadow, which reads
    on any footage."""
    from PIL import Image

    from ..image import watermark

    canvas = Image.new("RGBA", plan.frame, (0, 0, 0, 0))
    if plan.overlay.get("logo"):
        canvas, _ = watermark.draw_logo(canvas, plan.overlay["logo"], scale=opts.logo_scale,
                                        opacity=opts.logo_opacity, position=opts.logo_position)
    if plan.overlay.get("credit"):
        canvas, _ = watermark.draw_credit(canvas, plan.overlay["credit"], position=opts.credit_position,
                                          font_path=opts.font)
    path = tmp / "overlay.png"
    canvas.save(path)
    return path
