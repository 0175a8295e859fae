"""The photo pipeline for one source and every slot asked for it, as an explicit list of steps:

    open header -> source findings -> up-to-date check -> decode once (shrink-on-load)
    -> analyse (small upright copy: faces, saliency, colours) -> plan per slot
    -> render (crop+resize, orient, sRGB) -> encode (byte limit) -> write atomically
"""
from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from .. import metadata
from ..batch import CHECKED, FAILED, PLANNED, PREPARED, UP_TO_DATE, Job, JobResult, SlotResult
from ..checks import Finding, Severity, finding
from ..fsutil import write_atomic
from ..media import MediaInfo, identify, open_image
from ..plan import EXT, Plan, make_plan, output_path, recipe_hash
from . import geometry
from .encode import encode
from .load import decode, is_graphic, preview
from .render import render

SMART_AVAILABLE = True
try:
    from . import smartcrop
except ImportError:  # the smart-crop stage is optional at import time; plans fall back to centre
    smartcrop = None  # type: ignore[assignment]
    SMART_AVAILABLE = False


def source_findings(info: MediaInfo, keep_location: bool = False) -> list[Finding]:
    """What is true of the source whatever the slot: private data, colour space."""
    out = []
    name = Path(info.path).name
    if info.location:
        fate = "kept because you asked (--keep-location)" if keep_location else "removed from every output"
        out.append(finding("gps-present", f"{name} carries location data ({', '.join(info.location)}): {fate}"))
    if info.private:
        out.append(finding("private-metadata", f"{name} carries {', '.join(info.private)}: removed from every output"))
    if not info.is_srgb:
        what = info.icc or ("CMYK" if info.mode == "CMYK" else f"{info.mode} pixels")
        out.append(finding("not-srgb", f"{name} is {what}: converted to sRGB 8-bit"))
    return out


def run_image_job(job: Job, result: JobResult) -> None:
    opts = job.options
    im = open_image(job.path)
    try:
        info = identify(job.path, opts.max_pixels, im=im)
        result.info = info.to_dict()
        result.findings += source_findings(info, opts.keep_location)
        photo_slots = [s for s in job.slots if s.kind == "photo"]
        if not photo_slots:
            wanted = ", ".join(s.id for s in job.slots)
            result.findings.append(finding("unsupported", f"{Path(job.path).name} is a picture; {wanted} "
                                           "take videos only"))
            return
        st = os.stat(job.path)
        stat = (st.st_size, st.st_mtime_ns)

        # Up to date? The recipe is known before decoding, so skipping costs one header read.
        todo = []
        for slot in photo_slots:
            done = _up_to_date(job, slot, stat) if job.mode == "prepare" and not opts.force and not opts.dry_run else None
            if done:
                result.outputs.append(SlotResult(slot.id, UP_TO_DATE, output=str(done), bytes=done.stat().st_size))
            else:
                todo.append(slot)
        if not todo:
            return

        # Decode once, at the smallest scale every slot still allows.
        decoded, sx, sy = decode(im, info, _shrink(info, todo, opts))
        icc = im.info.get("icc_profile")
        kept = metadata.read_kept(im, opts.keep_location)
        small = None
        analysis = None
        want_smart = opts.crop == "smart" and opts.focus is None and SMART_AVAILABLE
        if want_smart:
            small = preview(decoded, info.orientation)
            analysis = smartcrop.analyse(small)
        graphic = is_graphic(decoded, info.format)

        for slot in todo:
            plan = make_plan(info, slot, opts, rel_stem=job.rel_stem, analysis=analysis,
                             graphic=graphic, source_stat=stat)
            result.outputs.append(_carry_out(job, info, plan, decoded, sx, sy, icc, kept))
        if analysis is not None:
            result.info["analysis"] = analysis.to_dict()
    finally:
        im.close()


def _shrink(info: MediaInfo, slots, opts) -> float:
    """Source pixels per output pixel that every slot still has (the JPEG draft scale allowed)."""
    if opts.dry_run:
        return 8.0  # a plan needs only the small analysis copy
    ratios = []
    for slot in slots:
        v = geometry.choose_variant(slot.variants, info.width, info.height, opts.variant)
        if v is None:
            return 1.0
        box = geometry.window_at(info.width, info.height, v.aspect, info.width / 2, info.height / 2)
        ratios.append(min((box[2] - box[0]) / v.width, (box[3] - box[1]) / v.height))
    return max(1.0, min(ratios))


def _up_to_date(job: Job, slot, stat) -> Path | None:
    recipe = recipe_hash(job.rel_stem, stat, slot, job.options)
    for fmt in EXT:
        p = output_path(job.options.out_dir, slot, job.rel_stem, fmt, job.options.flat)
        if p.exists() and metadata.read_recipe(p) == recipe:
            return p
    return None


def _carry_out(job: Job, info: MediaInfo, plan: Plan, decoded: Image.Image, sx: float, sy: float,
               icc: bytes | None, kept: metadata.Kept) -> SlotResult:
    findings = list(plan.findings)
    res = SlotResult(plan.slot, FAILED, findings=findings, plan=plan.to_dict())
    if not plan.writes:
        return res
    if job.mode == "check":
        res.status = CHECKED
        return res
    if job.options.dry_run:
        res.status, res.output = PLANNED, plan.output
        return res
    img = render(decoded, sx, sy, info, plan, icc)
    enc = encode(img, plan.format, plan.quality, plan.max_bytes,
                 exif=metadata.build_exif(kept), xmp=metadata.build_xmp(kept, plan.recipe))
    if enc is None:
        findings.append(finding("size-limit", f"could not bring {plan.slot} under {plan.max_bytes / 1e6:g} MB",
                                slot=plan.slot))
        return res
    for note in enc.notes:
        findings.append(finding("file-too-large", note, slot=plan.slot, severity=Severity.WARNING))
    write_atomic(plan.output, enc.data)
    res.status, res.output, res.bytes, res.size = PREPARED, plan.output, len(enc.data), enc.size
    res.extra["quality"] = enc.quality
    return res
