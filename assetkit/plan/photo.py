"""(media info, slot, options, analysis, rights) -> PhotoPlan: everything that will be done to one
picture for one slot, decided before any full-size pixel is touched.

A PhotoPlan is plain, immutable data: the crop box and why, the output size, format and encoder
settings, the final output path (needs-review/ when consent holds it back), every finding, the
metadata to write, where the credit and the logo go and which faces are blurred. ``--dry-run``
prints it, the report draws it, and the engine (image/pipeline.py) only carries it out. Every photo
front end (prepare, check, --dry-run, prepare_image, preview, the hot folder) goes through
``make_plan``: none of them reads presets or options around it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from .. import rights as rights_
from ..checks import finding
from ..errors import UsageError
from ..metadata import Kept
from ..model import Finding
from . import geometry
from .paths import EXT, output_path, output_path_for, recipe_extra, recipe_hash  # noqa: F401 - re-exported

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class LogoSpec:
    """The logo drawn on an output: file, width as a share of ``area``'s width, opacity, corner."""

    path: str
    scale: float
    opacity: float
    position: str
    area: Box


@dataclass(frozen=True)
class PhotoPlan:
    source: str
    slot: str
    variant: str
    out_size: tuple[int, int]
    crop: tuple[int, int, int, int]     # upright source pixels
    crop_reason: str                     # focus | centre | faces | largest-group | saliency
    crop_detail: str
    kept: float                          # share of the picture kept by the crop
    format: str                          # jpeg | png
    quality: int
    max_bytes: int | None
    output: str | None                   # None: no output (an error finding stands)
    upscale: bool
    findings: tuple[Finding, ...] = ()
    recipe: str = ""
    held: bool = False                   # output goes to needs-review/: a rule (consent) holds it back
    metadata: Kept = Kept()              # what the output's EXIF/XMP carry (credit, caption, alt, date)
    credit: object = None                # watermark.CreditLayout, or None: no visible credit
    logo: LogoSpec | None = None
    blur: tuple[Box, ...] = ()           # head boxes to blur, in output pixels
    faces: tuple[Box, ...] = ()          # head boxes in output pixels (the credit keeps off them)
    summary: str = ""

    @property
    def writes(self) -> bool:
        return self.output is not None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["findings"] = [f.to_dict() for f in self.findings]
        d["credit"] = self.credit.to_dict() if self.credit else None
        meta = {k: v for k, v in asdict(self.metadata).items() if v and k != "gps"}
        d["metadata"] = {**meta, "location": bool(self.metadata.gps), "recipe": self.recipe}
        return d


Plan = PhotoPlan  # the name render.py and the library use


def with_row_focus(options, rights: rights_.Rights | None):
    """A manifest row's focus point applies when no focus was given."""
    row = rights.row if rights else None
    if row and row.focus and options.focus is None:
        return options.with_(focus=row.focus)
    return options


def wants_analysis(options, rights: rights_.Rights | None) -> bool:
    """Does planning need the faces and saliency (smart crop, consent, blurring, credit placement)?"""
    smart = options.crop == "smart" and with_row_focus(options, rights).focus is None
    return smart or bool(rights and rights_.needs_faces(options, rights))


def recipe(slot, options, rights: rights_.Rights | None, rel_stem: str, source_stat: tuple[int, int]) -> str:
    """The recipe hash of one output: what ``make_plan`` writes and the up-to-date check compares."""
    opts = with_row_focus(options, rights)
    return recipe_hash(rel_stem, source_stat, slot, opts, recipe_extra(opts, rights.row if rights else None))


def make_plan(info, slot, options, analysis=None, rights: rights_.Rights | None = None, *, rel_stem: str,
              graphic: bool | None = None, source_stat: tuple[int, int] = (0, 0)) -> PhotoPlan:
    """Decide everything about one (picture, slot) pair. No pixels (font metrics only).

    ``analysis`` (faces, saliency of the upright picture) places a smart crop and the credit and
    decides consent; ``rights`` (``rights.facts``) gives the credit, the manifest row and the metadata
    to carry. ``graphic`` (transparency or few colours, known once pixels are decoded) picks PNG
    over JPEG; without it the header's alpha flag decides.
    """
    rights = rights or rights_.Rights()
    opts = with_row_focus(options, rights)
    sid = slot.id
    findings: list[Finding] = []
    if not slot.takes("photo"):
        return _no_output(info, slot, opts, [finding(
            "unsupported", f"a picture; {sid} is a {slot.kind} slot", slot=sid)])
    src_w, src_h = info.width, info.height
    variant = geometry.choose_variant(slot.variants, src_w, src_h, opts.variant)
    if variant is None:  # the variant asked for names nothing in this slot
        names = ", ".join(v.name for v in slot.variants)
        raise UsageError(f"variant {opts.variant!r}: {sid} has variants {names}")
    smart = opts.crop == "smart" and opts.focus is None and analysis is not None
    choice = _crop_choice(src_w, src_h, variant.aspect, slot, opts, analysis if smart else None)
    box = choice.box
    kept = geometry.kept_share(src_w, src_h, box)
    win_w, win_h = box[2] - box[0], box[3] - box[1]
    upscale = not geometry.fits(box, variant.width, variant.height)
    if upscale:
        msg = (f"the picture is {src_w}x{src_h}; the {variant.name} crop is {win_w:.0f}x{win_h:.0f}, "
               f"smaller than {sid} ({variant.width}x{variant.height})")
        if not opts.allow_upscale:
            findings.append(finding("too-small", msg + ": it would have to be enlarged. Use a larger original, "
                                    "or --allow-upscale to enlarge it anyway", slot=sid, section=variant.source))
            return _no_output(info, slot, opts, findings, variant=variant.name, box=box, kept=kept,
                              reason=choice.reason, detail=choice.detail)
        findings.append(finding("upscaled", msg + ": enlarged because --allow-upscale was given", slot=sid,
                                section=variant.source))
    if kept < 0.995:
        findings.append(finding("aspect-crop", f"cropped to {variant.width}x{variant.height} "
                                f"({variant.name}): {100 * (1 - kept):.0f}% of the picture is cut; "
                                f"{choice.detail}", slot=sid, section=variant.source))
    if slot.max_bytes and info.bytes > slot.max_bytes.value:
        findings.append(finding("file-too-large", f"the original is {info.bytes / 1e6:.1f} MB, over the "
                                f"{slot.max_bytes.value / 1e6:.0f} MB limit; the output is compressed to fit",
                                slot=sid, section=slot.max_bytes.source))
    if smart:
        findings += _safe_area_findings(slot, box, analysis, src_w, src_h)
    out_size = (variant.width, variant.height)
    crop = geometry.int_box(box)
    fmt = output_format(slot, info.has_alpha if graphic is None else graphic)
    output = str(output_path(opts.out_dir, slot, rel_stem, fmt, opts.flat))

    # rights: consent per output (blur, hold, warn), in output coordinates
    faces = tuple(rights_.faces_in_output(analysis, src_w, src_h, crop, out_size))
    decision = rights_.consent(faces, rights, opts, sid)
    findings += decision.findings
    if decision.held:
        output = rights_.held_path(output, opts.out_dir)
    credit = _credit_layout(slot, out_size, faces, rights, opts)
    if credit is not None and not credit.legible:
        where = " inside the profile's circle" if slot.mask == "circle" else ""
        findings.append(finding("credit-unreadable", f"the credit would be {credit.size} px high{where} in a "
                                f"{out_size[0]}x{out_size[1]} output, under the {credit.minimum} px readable at "
                                "the slot's display size; shorten it", slot=sid))
    if credit is not None and credit.missing:
        findings.append(finding("credit-glyphs", f"no font has {', '.join(credit.missing)} "
                                f"({', '.join(f'U+{ord(c):04X}' for c in credit.missing)}) of the credit "
                                f"'{credit.text}': they would be drawn as boxes; name a --font that has "
                                "them (for Chinese, Japanese, Korean: install Noto Sans CJK)", slot=sid))
    area = _area(slot, out_size) or (0, 0, *out_size)
    logo = LogoSpec(opts.logo, opts.logo_scale, opts.logo_opacity, opts.logo_position, area) if opts.logo else None
    plan = PhotoPlan(
        source=info.path, slot=sid, variant=variant.name, out_size=out_size, crop=crop,
        crop_reason=choice.reason, crop_detail=choice.detail, kept=round(kept, 4), format=fmt,
        quality=opts.quality, max_bytes=int(slot.max_bytes.value) if slot.max_bytes else None, output=output,
        upscale=upscale, findings=tuple(findings), recipe=recipe(slot, options, rights, rel_stem, source_stat),
        held=decision.held, metadata=rights_.metadata_record(rights), credit=credit, logo=logo,
        blur=faces if decision.blur else (), faces=faces,
    )
    return _summarised(plan)


def output_format(slot, graphic: bool) -> str:
    """JPEG for photos; the slot's graphics format (PNG) for graphics: transparency or few colours."""
    return slot.graphics_format if graphic else "jpeg"


def _credit_layout(slot, out_size, faces, rights, opts):
    text = rights.credit.line if opts.visible_credit else None
    if not text:
        return None
    from .layout import place_credit  # font metrics (Pillow's FreeType), no pixels

    shown = (slot.shown.width, slot.shown.height) if slot.shown else None
    return place_credit(text, out_size, position=opts.credit_position, font_path=opts.font,
                                  shown=shown, faces=faces, area=_area(slot, out_size),
                                  circle=slot.mask == "circle")


def _summarised(plan: PhotoPlan) -> PhotoPlan:
    """The one line a person reads (``--dry-run``, the report)."""
    from dataclasses import replace

    if not plan.writes:
        errors = [f for f in plan.findings if str(f.severity) == "error"] or list(plan.findings)
        why = f"{errors[0].code}: {errors[0].message}" if errors else "nothing to do"
        return replace(plan, summary=f"no output ({why})")
    w, h = plan.out_size
    c = plan.crop
    parts = [f"{w}x{h} {plan.format.upper()} ({plan.variant}), crop {c[0]},{c[1]} to {c[2]},{c[3]} "
             f"({plan.crop_detail}), keeps {100 * plan.kept:.0f}%"]
    if plan.upscale:
        parts.append("enlarged")
    if plan.credit:
        parts.append(f"credit {plan.credit.position}")
    if plan.logo:
        parts.append(f"logo {plan.logo.position}")
    if plan.blur:
        parts.append(f"{len(plan.blur)} face{'s' if len(plan.blur) > 1 else ''} blurred")
    if plan.held:
        parts.append("held in needs-review/")
    return replace(plan, summary="; ".join(parts))


def _no_output(info, slot, options, findings, *, variant="", box=(0, 0, 0, 0), kept=0.0, reason="", detail=""):
    return _summarised(PhotoPlan(
        source=info.path, slot=slot.id, variant=variant, out_size=(0, 0), crop=geometry.int_box(box),
        crop_reason=reason, crop_detail=detail, kept=round(kept, 4), format="", quality=options.quality,
        max_bytes=None, output=None, upscale=False, findings=tuple(findings)))


@dataclass(frozen=True)
class _Choice:
    box: geometry.Box
    reason: str
    detail: str


def _crop_choice(src_w, src_h, aspect, slot, options, analysis) -> _Choice:
    if options.focus is not None:
        box = geometry.focus_window(src_w, src_h, aspect, options.focus)
        return _Choice(box, "focus", f"around the focus point {options.focus[0]:g},{options.focus[1]:g}")
    if options.crop == "smart" and analysis is not None:
        from .crop import choose_crop

        c = choose_crop(src_w, src_h, aspect, analysis, band=_band(slot), circle=slot.mask == "circle")
        return _Choice(c.box, c.reason, c.detail)
    return _Choice(geometry.focus_window(src_w, src_h, aspect), "centre", "centred")


def _band(slot) -> tuple[float, float] | None:
    area = slot.always_visible
    if area is None:
        return None
    v = slot.variants[0]
    return (area.width / v.width, area.height / v.height)


def _area(slot, out_size) -> Box | None:
    """The always-visible area in output pixels (youtube/channel-art), None for the whole output."""
    a = slot.always_visible
    return a.box(*out_size) if a else None


def _safe_area_findings(slot, box, analysis, src_w, src_h) -> list[Finding]:
    from .crop import subject_cut_by_circle, subject_outside_band

    out = []
    band = _band(slot)
    if band:
        missed = subject_outside_band(box, analysis, src_w, src_h, band)
        if missed:
            area = slot.always_visible
            out.append(finding("safe-area", f"{'; '.join(missed)} (the centred {area.width}x{area.height} that "
                               f"every device shows)", slot=slot.id, section=area.source))
    if slot.mask == "circle" and subject_cut_by_circle(box, analysis, src_w, src_h):
        out.append(finding("safe-area", "the subject would be cut by the circular profile mask",
                           slot=slot.id, section=slot.mask_source or slot.source))
    return out


def source_findings(info, keep_location: bool = False) -> list[Finding]:
    """What is true of the source whatever the slot: private data, colour space."""
    out = []
    if info.location:
        fate = "kept because you asked (--keep-location)" if keep_location else "removed from every output"
        out.append(finding("gps-present", f"location data in the original ({', '.join(info.location)}): {fate}"))
    if info.private:
        out.append(finding("private-metadata", f"the original carries {', '.join(info.private)}: removed from every output"))
    if not info.is_srgb:
        what = info.icc or ("CMYK" if info.mode == "CMYK" else f"{info.mode} pixels")
        out.append(finding("not-srgb", f"the original is {what}: converted to sRGB 8-bit"))
    return out
