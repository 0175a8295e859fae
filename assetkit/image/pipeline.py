"""The photo engine: one source and every photo slot asked for it, as an explicit list of steps
(imgproxy's ``mainPipeline``). Each step takes the job's working state and says whether to go on:

    STEPS = read_header -> read_rights -> animate -> skip_up_to_date -> decode_once -> analyse -> plan_slots
            -> carry_out

and carrying out one plan is ``render`` (crop + resize, orientation, sRGB) -> ``decorate`` (blur,
logo, credit: exactly what the plan says) -> ``encode`` (byte limit; the plan's metadata) -> write
atomically. Every decision is in the PhotoPlan (plan/photo.py); this module only carries it out, so
``check``, ``--dry-run``, ``prepare``, ``prepare_image``, ``preview`` and the hot folder agree.

``run(job) -> JobResult`` and ``up_to_date(job) -> JobResult | None`` are what the batch calls. This
module imports neither the batch, the CLI, the hot folder, the report nor the presets.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from .. import metadata, rights
from ..checks import finding
from ..errors import MediaError
from ..fsutil import write_atomic
from ..media import MediaInfo, identify, open_image, sniff_file
from ..model import Finding, Job, JobResult, Severity, SlotResult, Status, decide_status
from ..plan import geometry
from ..plan.paths import EXT, output_path
from ..plan.photo import PhotoPlan, make_plan, recipe, source_findings, wants_analysis

if TYPE_CHECKING:
    from .encode import Encoded

MEMORY = "<memory>"
ANIMATED = ("GIF", "WEBP")   # an animated one goes to video slots as an MP4 (video/animation.py)


@dataclass
class Work:
    """What the steps learn about one source, step by step (mutable, private to one run)."""

    job: Job
    result: JobResult
    image: Image.Image | None = None     # an in-memory picture (the library), instead of job.path
    im: Image.Image | None = None
    info: MediaInfo | None = None
    facts: rights.Rights = field(default_factory=rights.Rights)
    notes: list[Finding] = field(default_factory=list)  # about the file, reported once it proves usable
    stat: tuple[int, int] = (0, 0)
    todo: list = field(default_factory=list)            # slots still to plan
    decoded: Image.Image | None = None
    sx: float = 1.0
    sy: float = 1.0
    analysis: object = None
    graphic: bool | None = None
    plans: list[PhotoPlan] = field(default_factory=list)
    animated: list = field(default_factory=list)        # video slots an animated GIF/WebP goes to as an MP4

    @property
    def opts(self):
        return self.job.options

    @property
    def in_memory(self) -> bool:
        """Pixels come from the caller's image, not from a file this run opened."""
        return self.image is not None and self.im is self.image

    def close(self) -> None:
        if self.im is not None and self.im is not self.image:
            self.im.close()


# ------------------------------------------------------------------------------------------ steps


def read_header(w: Work) -> bool:
    """Header facts and what is true of the source whatever the slot; nothing for a picture given
    only video slots (12.3: one info finding, status skipped), unless it is an animated GIF or WebP:
    those go to every slot that takes video as an MP4 (15.15), the photo-only slots get the first frame."""
    slots = [s for s in w.job.slots if s.takes("photo")]
    video = [s for s in w.job.slots if s.takes("video")]
    if video and w.image is None and sniff_file(w.job.path)[1] in ANIMATED:
        slots = list(w.job.slots)   # decided once the header says whether it is animated
    if not slots:
        return _only_videos(w)
    path = w.job.path if w.image is None else _unread_file(w.image)
    if path is None:
        w.im, w.info = w.image, info_from_image(w.image)
    else:  # a file, or a picture opened from one and not yet decoded: read it as prepare does
        w.im = open_image(path)
        w.info = identify(path, w.opts.max_pixels, im=w.im)
        st = os.stat(path)
        w.stat = (st.st_size, st.st_mtime_ns)
    w.result.info = w.info.to_dict()
    w.result.findings += source_findings(w.info, w.opts.keep_location)
    if w.image is None and w.info.format in ANIMATED and w.info.frames > 1:
        w.animated = video
    w.todo = [s for s in slots if s.takes("photo") and s not in w.animated]
    if not w.todo and not w.animated:
        return _only_videos(w)
    return True


def _only_videos(w: Work) -> bool:
    wanted = ", ".join(s.id for s in w.job.slots)
    takes = "takes" if len(w.job.slots) == 1 else "take"
    w.result.findings.append(finding("skipped", f"a picture, and {wanted} {takes} only videos: nothing to make"))
    return False


def animate(w: Work) -> bool:
    """An animated GIF/WebP's video slots: converted to MP4 by the video engine (video/animation.py)."""
    if w.animated:
        from ..video import animation   # PyAV and ffmpeg only for a file that needs them

        animation.run(w.job, w.result, w.info, w.animated)
    if not w.todo:   # video slots only: nothing left for the photo steps
        w.result.findings += w.notes
        return False
    return True


def read_rights(w: Work) -> bool:
    """Credit and consent record: from the header and the manifest, before any decode."""
    row = None
    if w.image is None:  # an in-memory picture has no manifest row
        row, missing = rights.manifest_row(w.opts, w.job.path, w.job.rel_stem)
        w.result.findings += missing
    w.facts = rights.facts(w.opts, row, rights.read_source_credit(w.im),
                            metadata.read_kept(w.im, w.opts.keep_location))
    w.result.info["credit"] = w.facts.to_info()
    w.result.info["consent"] = row.consent if row else None
    w.notes = rights.file_findings(w.facts, [s.platform for s in w.todo])
    return True


def skip_up_to_date(w: Work) -> bool:
    """An output made with the same recipe stands: known from one small header read, no decode."""
    if w.job.mode != "prepare" or w.opts.force or w.opts.dry_run or w.image is not None:
        return True
    todo = []
    for slot in w.todo:
        done = _done(w, slot)
        if done:
            w.result.outputs.append(SlotResult(slot.id, Status.UP_TO_DATE, output=str(done),
                                               bytes=done.stat().st_size))
        else:
            todo.append(slot)
    w.todo = todo
    if not todo:
        w.result.findings += w.notes
        return False
    return True


def decode_once(w: Work) -> bool:
    """Decode once, at the smallest scale every slot still allows (JPEG DCT scaling). ``check`` and
    ``--dry-run`` of a JPEG whose plans need no pixels (no faces or saliency wanted: a centred or
    given focus, no consent, blurring or visible credit) decode nothing: a JPEG is a photo (never a
    graphic), so its header is the whole plan; only whether the data is cut is read, at 1/8 scale."""
    from .load import is_graphic, normalise_mode

    if header_only(w):
        from .load import cmyk_note, jpeg_cut_at_eighth

        note = cmyk_note(w.im)
        if note:
            w.notes.append(finding("not-srgb", note))
        cut = jpeg_cut_at_eighth(w.info.path)
        if cut and not w.opts.allow_partial:
            raise MediaError(w.info.path, "truncated", f"{cut}: the missing rows would be grey; refused "
                             "(--allow-partial writes it anyway)")
        if cut:
            w.notes.append(finding("truncated", f"{cut}: written anyway because --allow-partial was given; "
                                   "the missing rows are filled", severity=Severity.WARNING))
        w.graphic = False
        return True
    if w.in_memory:  # never mutate the caller's picture (draft): decode it whole
        w.image.load()
        w.decoded, w.sx, w.sy = normalise_mode(w.image), 1.0, 1.0
    else:
        w.decoded, w.sx, w.sy = decode(w.im, w.info, _shrink(w.info, w.todo, w.opts), options=w.opts, notes=w.notes)
        if w.animated:   # the video slots had the animation: say which slots the first frame is for
            photo = ", ".join(s.id for s in w.todo)
            w.notes = [finding(n.code, f"{n.message.split(':')[0]}: {photo} use{'s' if len(w.todo) == 1 else ''} "
                               "its first frame (the video slots get all of it, as an MP4)")
                       if n.code == "first-frame-only" else n for n in w.notes]
    w.graphic = is_graphic(w.decoded, w.info.format)
    return True


def header_only(w: Work) -> bool:
    """Can the plans be made from the header alone (see ``decode_once``)?"""
    return ((w.job.mode == "check" or w.opts.dry_run) and w.image is None and w.info.format == "JPEG"
            and w.info.frames == 1 and not wants_analysis(w.opts, w.facts))


def analyse(w: Work) -> bool:
    """Faces and saliency on a small upright copy, once for every slot, when planning needs them."""
    if wants_analysis(w.opts, w.facts):
        from . import analyse as smartcrop
        from .load import preview

        w.analysis = smartcrop.analyse(preview(w.decoded, w.info.orientation))
        w.result.info["faces"] = len(w.analysis.faces)
        if w.analysis.detector == "haar":  # the detector chain fell back (faces' finding)
            w.notes.append(finding("face-detector-fallback", "faces were looked for with the older Haar detector, "
                                   f"which misses profile, tilted and small faces: {w.analysis.detector_note}"))
        if w.opts.crop == "smart" and _focus(w) is None:
            w.result.info["analysis"] = w.analysis.to_dict()
    return True


def plan_slots(w: Work) -> bool:
    w.plans = [make_plan(w.info, slot, w.opts, w.analysis, w.facts, rel_stem=w.job.rel_stem,
                         graphic=w.graphic, source_stat=w.stat) for slot in w.todo]
    return True


def carry_out(w: Work) -> bool:
    """Each plan: planned (check, --dry-run), or rendered, decorated, encoded and written."""
    about_file = [*w.result.findings, *w.notes]
    for plan in w.plans:
        w.result.outputs.append(_carry_out(w, plan, about_file))
    w.result.findings += w.notes
    return True


STEPS = (read_header, read_rights, animate, skip_up_to_date, decode_once, analyse, plan_slots, carry_out)


def run(job: Job) -> JobResult:
    """The photo engine: every photo slot of one source; a bad file becomes a finding."""
    w = Work(job, JobResult(source=job.path, kind="image"))
    try:
        _steps(w, STEPS)
    except MediaError as e:
        w.result.findings.append(finding(e.code, e.problem))
    finally:
        w.close()
    return w.result


def up_to_date(job: Job) -> JobResult | None:
    """The job's result when *every* photo slot's output is up to date, else None: a stat and a
    header read (recipe, credit), no decode, so the batch can skip a pool for a re-run."""
    if job.mode != "prepare" or job.options.force or job.options.dry_run:
        return None
    w = Work(job, JobResult(source=job.path, kind="image"))
    try:
        ran = _steps(w, (read_header, read_rights, skip_up_to_date))
        if ran == 2 and w.animated:   # the MP4s of an animation: their recipes, no conversion
            from ..video.job import up_to_date as video_up_to_date

            done = video_up_to_date(replace(job, slots=tuple(w.animated)))
            if done is None:
                return None
            w.result.outputs += done.outputs
    except (MediaError, OSError):
        return None  # let run() report it
    finally:
        w.close()
    return w.result if ran == 2 else None


def plan_source(job: Job, image: Image.Image | None = None) -> Work:
    """Run the steps up to the plans and keep the decoded pixels, for the library's in-memory front
    ends (``prepare_image``, ``preview``): then ``produce`` each plan. Close the Work when done."""
    w = Work(job, JobResult(source=MEMORY if image is not None else job.path, kind="image"), image=image)
    try:
        if _steps(w, (read_header, read_rights, decode_once, analyse, plan_slots)) == 5:
            w.result.findings += w.notes
    except BaseException:
        w.close()
        raise
    return w


def _steps(w: Work, steps) -> int:
    """Run steps in order until one says stop; returns how many ran to the end."""
    for i, step in enumerate(steps):
        if not step(w):
            return i
    return len(steps)


# -------------------------------------------------------------------------------------- one output


def produce(w: Work, plan: PhotoPlan) -> Image.Image:
    """The output pixels for one plan: rendered, then decorated as the plan says."""
    img = render(w.decoded, w.sx, w.sy, w.info, plan, w.im.info.get("icc_profile"))
    return decorate(img, plan)[0]


def decorate(img: Image.Image, plan: PhotoPlan) -> tuple[Image.Image, dict]:
    """After resize, before encode: blur faces, logo, visible credit, exactly as planned."""
    from . import watermark

    done: dict = {}
    if plan.blur:
        img = watermark.blur_faces(img, list(plan.blur))
        done["blurred"] = [list(b) for b in plan.blur]
    if plan.logo:
        lg = plan.logo
        img, box = watermark.draw_logo(img, lg.path, scale=lg.scale, opacity=lg.opacity, position=lg.position,
                                       area=lg.area)
        done["logo"] = list(box)
    if plan.credit:
        img, colour = watermark.draw_credit_layout(img, plan.credit)
        done["credit"] = {**plan.credit.to_dict(), "colour": colour}
    return img, done


def encode_plan(img: Image.Image, plan: PhotoPlan) -> Encoded | None:
    """Encode as planned: format, quality, byte limit, the plan's metadata and recipe."""
    return encode(img, plan.format, plan.quality, plan.max_bytes,
                  exif=metadata.build_exif(plan.metadata), xmp=metadata.build_xmp(plan.metadata, plan.recipe))


def _carry_out(w: Work, plan: PhotoPlan, about_file) -> SlotResult:
    findings = list(plan.findings)
    res = SlotResult(plan.slot, Status.FAILED, findings=findings, plan=plan.to_dict())
    if not plan.writes:
        return res
    if w.job.mode == "check" or w.opts.dry_run:
        res.status = Status.PLANNED
        res.output = None if w.job.mode == "check" else plan.output
        res.size = tuple(plan.out_size)  # the size it would get, as video's check and --dry-run say
        return res
    img = render(w.decoded, w.sx, w.sy, w.info, plan, w.im.info.get("icc_profile"))
    img, drawn = decorate(img, plan)
    enc = encode_plan(img, plan)
    if enc is None:
        findings.append(finding("size-limit", f"could not bring {plan.slot} under {plan.max_bytes / 1e6:g} MB",
                                slot=plan.slot))
        return res
    for note in enc.notes:
        findings.append(finding("file-too-large", note, slot=plan.slot, severity=Severity.WARNING))
    write_atomic(plan.output, enc.data)
    res.output, res.bytes, res.size, res.held = plan.output, len(enc.data), enc.size, plan.held
    res.status = decide_status([*about_file, *findings], written=True, held=plan.held)
    res.extra["quality"] = enc.quality
    res.extra.update(drawn)
    return res


# ------------------------------------------------------------------------------------------ helpers
# The pixel stages are imported when first used: the batch imports this module in its own process
# for ``up_to_date`` (a re-run), which needs no numpy, OpenCV, LittleCMS or FreeType.


def decode(*args, **kwargs):
    """``image.load.decode``, imported on first use."""
    from .load import decode as decode_

    return decode_(*args, **kwargs)


def render(*args, **kwargs):
    """``image.render.render``, imported on first use."""
    from .render import render as render_

    return render_(*args, **kwargs)


def encode(*args, **kwargs):
    """``image.encode.encode``, imported on first use."""
    from .encode import encode as encode_

    return encode_(*args, **kwargs)


def info_from_image(image: Image.Image, path: str = MEMORY) -> MediaInfo:
    """Header facts of an in-memory PIL image, as ``media.identify`` gives them for a file."""
    from ..media import _icc_description  # the same readers identify uses

    exif = metadata.exif_of(image)
    orientation = metadata.orientation(image, exif)
    w, h = geometry.upright_size(*image.size, orientation)
    location, private, thumbnail = metadata.privacy_facts(image, exif)
    if thumbnail:
        private += ("an embedded thumbnail of the uncropped picture",)
    return MediaInfo(path=path, kind="image", format=image.format or "PIL", bytes=0, width=w, height=h,
                     stored_width=image.width, stored_height=image.height, orientation=orientation,
                     mode=image.mode, icc=_icc_description(image.info.get("icc_profile")),
                     has_alpha="A" in image.mode or "transparency" in image.info,
                     location=location, private=private, has_thumbnail=thumbnail)


def _unread_file(image: Image.Image) -> str | None:
    """The file behind a picture opened and not yet decoded (``Image.open(path)``): decoded from its
    own handle at prepare's scale (JPEG DCT scaling), so prepare_image finds the faces prepare finds
    and the caller's image stays as it was. None for a decoded or in-memory picture."""
    name = getattr(image, "filename", "")
    if name and getattr(image, "tile", None) and os.path.isfile(name):
        return str(name)
    return None


def _focus(w: Work):
    row = w.facts.row
    return w.opts.focus if w.opts.focus is not None else (row.focus if row else None)


def _done(w: Work, slot) -> Path | None:
    want = recipe(slot, w.opts, w.facts, w.job.rel_stem, w.stat)
    for fmt in EXT:
        p = output_path(w.opts.out_dir, slot, w.job.rel_stem, fmt, w.opts.flat)
        if p.exists() and metadata.read_recipe(p) == want:
            return p
    return None


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


def run_image(image: Image.Image, job: Job) -> JobResult:
    """``run`` for an in-memory PIL image (``check`` of a picture already open): never writes."""
    w = Work(job, JobResult(source=MEMORY, kind="image"), image=image)
    try:
        _steps(w, STEPS)
    except MediaError as e:
        w.result.findings.append(finding(e.code, e.problem))
    finally:
        w.close()
    return w.result
