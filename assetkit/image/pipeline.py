"""The photo pipeline for one source and every slot asked for it, as an explicit list of steps:

    open header -> source findings -> up-to-date check -> decode once (shrink-on-load)
    -> analyse (small upright copy: faces, saliency, colours) -> plan per slot
    -> credit + consent per slot (faces in output coordinates; needs-review routing)
    -> render (crop+resize, orient, sRGB) -> blur faces without consent -> logo -> visible credit
    -> encode (byte limit; credit, caption and alt text in EXIF/XMP) -> write atomically
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from .. import credits, metadata
from ..checks import finding
from ..errors import MediaError
from ..model import Finding, Job, JobResult, Severity, SlotResult, Status, decide_status
from ..fsutil import write_atomic
from ..media import MediaInfo, identify, open_image
from ..plan.photo import EXT, Plan, make_plan, output_path, recipe_hash
from ..plan import geometry
from .encode import encode
from .load import decode, is_graphic, preview
from .render import render
from . import watermark

from . import analyse as smartcrop


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


def run(job: Job) -> JobResult:
    """The photo engine: every photo slot of one source; a bad file becomes a finding."""
    result = JobResult(source=job.path, kind="image")
    try:
        _run(job, result)
    except MediaError as e:
        result.findings.append(finding(e.code, e.problem))
    return result


def _run(job: Job, result: JobResult) -> None:
    opts = job.options
    im = open_image(job.path)
    try:
        info = identify(job.path, opts.max_pixels, im=im)
        result.info = info.to_dict()
        result.findings += source_findings(info, opts.keep_location)
        photo_slots = [s for s in job.slots if s.takes("photo")]
        if not photo_slots:
            wanted = ", ".join(s.id for s in job.slots)
            result.findings.append(finding("unsupported", f"{Path(job.path).name} is a picture; {wanted} "
                                           "take videos only"))
            return
        st = os.stat(job.path)
        stat = (st.st_size, st.st_mtime_ns)

        # Credit and consent record: known from the header and the manifest, before any decode.
        row = manifest_row(job, result)
        if row and row.focus and opts.focus is None:
            opts = opts.with_(focus=row.focus)
            job = replace(job, options=opts)
        credit = credits.resolve(opts.credit, row, credits.read_source_credit(im))
        result.info["credit"] = {"line": credit.line, "from": credit.origin, "source": credit.source}
        result.info["consent"] = row.consent if row else None
        notes = []  # reported once the file is known to be usable (not on a file that fails to decode)
        missing = credits.no_credit_message(Path(job.path).name, credit)
        if missing:
            notes.append(finding("no-credit", missing[0], severity=missing[1]))
        if row and row.caption:
            from .. import captions

            for platform in dict.fromkeys(s.platform for s in photo_slots):
                notes += captions.lint(row.caption, platform, where="the manifest caption")
        extra = recipe_extra(opts, row)

        # Up to date? The recipe is known before decoding, so skipping costs one header read.
        todo = []
        for slot in photo_slots:
            done = _up_to_date(job, slot, stat, extra) if job.mode == "prepare" and not opts.force and not opts.dry_run else None
            if done:
                result.outputs.append(SlotResult(slot.id, Status.UP_TO_DATE, output=str(done), bytes=done.stat().st_size))
            else:
                todo.append(slot)
        if not todo:
            result.findings += notes
            return

        # Decode once, at the smallest scale every slot still allows.
        decoded, sx, sy = decode(im, info, _shrink(info, todo, opts))
        icc = im.info.get("icc_profile")
        kept = _kept(metadata.read_kept(im, opts.keep_location), credit, row)
        small = None
        analysis = faces = None
        want_smart = opts.crop == "smart" and opts.focus is None 
        if want_smart:
            small = preview(decoded, info.orientation)
            analysis = faces = smartcrop.analyse(small)
        elif wants_faces(opts, credit):
            # consent, blurring and credit placement need faces whatever the crop
            faces = smartcrop.analyse(preview(decoded, info.orientation))
        graphic = is_graphic(decoded, info.format)

        for slot in todo:
            plan = make_plan(info, slot, opts, rel_stem=job.rel_stem, analysis=analysis,
                             graphic=graphic, source_stat=stat, recipe_extra=extra)
            plan, marks = rights_marks(plan, slot, info, faces, row, credit, opts)
            result.outputs.append(_carry_out(job, info, plan, decoded, sx, sy, icc, kept, marks, result.findings + notes))
        if faces is not None and faces.detector == "haar":  # faces: the one hunk of the detector chain
            notes.append(finding("face-detector-fallback", "faces were looked for with the older Haar detector, "
                                 f"which misses profile, tilted and small faces: {faces.detector_note}"))
        result.findings += notes
        if faces is not None:
            result.info["faces"] = len(faces.faces)
        if analysis is not None:
            result.info["analysis"] = analysis.to_dict()
    finally:
        im.close()


def _shrink(info: MediaInfo, slots, opts) -> float:
    """Source pixels per output pixel that every slot still has (the JPEG draft scale allowed)."""
    # check and --dry-run decode at the same scale as prepare: the analysis copy (faces, saliency)
    # is then made from the same pixels, so they find the same faces and plan the same crop
    ratios = []
    for slot in slots:
        v = geometry.choose_variant(slot.variants, info.width, info.height, opts.variant)
        if v is None:
            return 1.0
        box = geometry.window_at(info.width, info.height, v.aspect, info.width / 2, info.height / 2)
        ratios.append(min((box[2] - box[0]) / v.width, (box[3] - box[1]) / v.height))
    return max(1.0, min(ratios))


def _up_to_date(job: Job, slot, stat, extra=None) -> Path | None:
    recipe = recipe_hash(job.rel_stem, stat, slot, job.options, extra)
    for fmt in EXT:
        p = output_path(job.options.out_dir, slot, job.rel_stem, fmt, job.options.flat)
        if p.exists() and metadata.read_recipe(p) == recipe:
            return p
    return None


# ------------------------------------------------------------------------- credits and consent


def manifest_row(job: Job, result: JobResult) -> credits.Row | None:
    if not job.options.manifest:
        return None
    manifest = credits.load_manifest(job.options.manifest)
    rel = (Path(job.rel_stem).parent / Path(job.path).name).as_posix()
    row = manifest.lookup(rel)
    if row is None:
        result.findings.append(finding("manifest-missing", f"{rel} has no row in {Path(manifest.path).name}: "
                                       "its credit, source and consent are unknown"))
    return row


def recipe_extra(opts, row) -> dict | None:
    extra = {}
    if row:
        extra["row"] = [row.credit, row.source, row.consent, row.caption, row.alt, row.focus]
    for key in ("logo", "font"):
        p = getattr(opts, key)
        if p and os.path.exists(p):
            st = os.stat(p)
            extra[key] = [st.st_size, st.st_mtime_ns]
    return extra or None


def _kept(kept: metadata.Kept, credit: credits.Credit, row) -> metadata.Kept:
    """The credit into EXIF Artist/Copyright and XMP dc:creator/dc:rights; caption and alt text."""
    if credit.line:
        kept = replace(kept, artist=credit.artist or credit.line, copyright=credit.copyright or credit.line)
    if row:
        kept = replace(kept, description=row.caption or kept.description, alt=row.alt or kept.alt)
    return kept


def wants_faces(opts, credit) -> bool:
    return bool(opts.manifest or opts.require_consent or opts.blur_faces_without_consent
                or (credit.line and opts.visible_credit))


@dataclass(frozen=True)
class Marks:
    """What is drawn on one output after resize: face boxes to blur, where the credit goes."""

    credit: str | None = None
    faces: tuple = ()              # head boxes in output pixels
    blur: bool = False
    review: bool = False


def rights_marks(plan: Plan, slot, info: MediaInfo, analysis, row, credit, opts) -> tuple[Plan, Marks]:
    """Consent and credit findings for one slot, in output coordinates; the needs-review route."""
    if not plan.writes:
        return plan, Marks()
    faces = tuple(credits.faces_in_output(analysis, info.width, info.height, plan.crop, plan.out_size))
    findings = list(plan.findings)
    output, blur, review = plan.output, False, False
    if faces and not (row and row.consent_ok):
        recorded = f"consent={row.consent}" if row and row.consent else "no consent recorded"
        n = f"{len(faces)} face{'s' if len(faces) > 1 else ''}"
        if opts.blur_faces_without_consent:
            blur = True
            findings.append(finding("faces-blurred", f"{n} visible and {recorded}: blurred beyond recognition",
                                    slot=plan.slot))
        elif opts.require_consent:
            review = True
            output = str(Path(opts.out_dir) / "needs-review" / Path(plan.output).relative_to(opts.out_dir))
            findings.append(finding("consent-missing", f"{n} visible and {recorded}: held for review in "
                                    f"needs-review/ (--require-consent); get a signed consent form or use "
                                    "--blur-faces-without-consent", slot=plan.slot, severity=Severity.ERROR))
        else:
            findings.append(finding("consent-missing", f"{n} visible and {recorded}: make sure a signed consent "
                                    "form exists (--require-consent holds such photos back)", slot=plan.slot))
    text = credit.line if opts.visible_credit else None
    if text:
        lay = watermark.layout(text, plan.out_size, shown=_shown(slot), area=_area(slot, plan.out_size),
                               font_path=opts.font)
        if not lay.legible:
            findings.append(finding("credit-unreadable", f"the credit would be {lay.size} px high in a "
                                    f"{plan.out_size[0]}x{plan.out_size[1]} output, under the {lay.minimum} px "
                                    "readable at the slot's display size; shorten it", slot=plan.slot))
    plan = replace(plan, findings=tuple(findings), output=output)
    return plan, Marks(text, faces, blur, review)


def _shown(slot) -> tuple[int, int] | None:
    return (slot.shown.width, slot.shown.height) if slot.shown else None


def _area(slot, out_size) -> tuple[int, int, int, int] | None:
    a = slot.always_visible
    return a.box(*out_size) if a else None


def decorate(img: Image.Image, plan: Plan, slot, marks: Marks, opts) -> tuple[Image.Image, dict]:
    """After resize, before encode: blur faces, logo, visible credit."""
    done: dict = {}
    if marks.blur and marks.faces:
        img = watermark.blur_faces(img, list(marks.faces))
        done["blurred"] = [list(b) for b in marks.faces]
    area = _area(slot, plan.out_size)
    if opts.logo:
        img, box = watermark.draw_logo(img, opts.logo, scale=opts.logo_scale, opacity=opts.logo_opacity,
                                       position=opts.logo_position, area=area)
        done["logo"] = list(box)
    if marks.credit:
        img, drawn = watermark.draw_credit(img, marks.credit, position=opts.credit_position, font_path=opts.font,
                                           shown=_shown(slot), faces=list(marks.faces), area=area)
        done["credit"] = {"text": marks.credit, "position": drawn.position, "box": list(drawn.box),
                          "size": drawn.size, "colour": drawn.colour}
    return img, done


def _carry_out(job: Job, info: MediaInfo, plan: Plan, decoded: Image.Image, sx: float, sy: float,
               icc: bytes | None, kept: metadata.Kept, marks: Marks = Marks(), source_findings=()) -> SlotResult:
    findings = list(plan.findings)
    res = SlotResult(plan.slot, Status.FAILED, findings=findings, plan=plan.to_dict())
    if not plan.writes:
        return res
    if job.mode == "check" or job.options.dry_run:
        res.status = Status.PLANNED
        res.output = None if job.mode == "check" else plan.output
        return res
    img = render(decoded, sx, sy, info, plan, icc)
    slot = next(s for s in job.slots if s.id == plan.slot)
    img, drawn = decorate(img, plan, slot, marks, job.options)
    enc = encode(img, plan.format, plan.quality, plan.max_bytes,
                 exif=metadata.build_exif(kept), xmp=metadata.build_xmp(kept, plan.recipe))
    if enc is None:
        findings.append(finding("size-limit", f"could not bring {plan.slot} under {plan.max_bytes / 1e6:g} MB",
                                slot=plan.slot))
        return res
    for note in enc.notes:
        findings.append(finding("file-too-large", note, slot=plan.slot, severity=Severity.WARNING))
    write_atomic(plan.output, enc.data)
    res.output, res.bytes, res.size, res.held = plan.output, len(enc.data), enc.size, marks.review
    res.status = decide_status([*source_findings, *findings], written=True, held=marks.review)
    res.extra["quality"] = enc.quality
    res.extra.update(drawn)
    return res
