"""(source info, slot, options, analysis) -> Plan: what will be done to one picture for one slot.

A Plan is plain, immutable data built before any full-size pixel is touched: the crop box and why,
the output size and format, the encoder settings, the findings. ``--dry-run`` prints it, the report
draws it, and the executor (image/render.py) only carries it out. Every front end (CLI, hot folder,
library) goes through ``make_plan``: none of them reads presets on its own.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .. import __version__
from ..checks import Finding, finding
from ..errors import UsageError
from . import geometry
from ..media import MediaInfo
from ..options import Options, parse_focus  # noqa: F401 - re-exported for callers
from ..presets import Slot

@dataclass(frozen=True)
class Plan:
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
    extra: dict = field(default_factory=dict)

    @property
    def writes(self) -> bool:
        return self.output is not None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["findings"] = [f.to_dict() for f in self.findings]
        return d


EXT = {"jpeg": ".jpg", "png": ".png"}


def output_path(out_dir: str | Path, slot: Slot, rel_stem: str, fmt: str, flat: bool = False) -> Path:
    """``OUT/<platform>-<slot>/<relative path>.<ext>``, or ``OUT/<rel>-<platform>-<slot>.<ext>`` with --flat."""
    return output_path_for(out_dir, slot, rel_stem, EXT[fmt], flat)


def output_path_for(out_dir: str | Path, slot: Slot, rel_stem: str, ext: str, flat: bool = False) -> Path:
    rel = Path(rel_stem)
    if flat:
        return Path(out_dir) / rel.parent / f"{rel.name}-{slot.folder}{ext}"
    return Path(out_dir) / slot.folder / rel.parent / f"{rel.name}{ext}"


def output_format(slot: Slot, graphic: bool) -> str:
    """JPEG for photos; the slot's graphics format (PNG) for graphics: transparency or few colours."""
    return slot.graphics_format if graphic else "jpeg"


def make_plan(info: MediaInfo, slot: Slot, options: Options, *, rel_stem: str,
              analysis=None, graphic: bool | None = None, source_stat: tuple[int, int] = (0, 0),
              recipe_extra=None) -> Plan:
    """Decide everything about one (picture, slot) pair. Pure: no pixels, no I/O.

    ``graphic`` (transparency or few colours, known once pixels are decoded) picks PNG over JPEG;
    without it the header's alpha flag decides.
    """
    sid = slot.id
    findings: list[Finding] = []
    if not slot.takes("photo"):
        return _no_output(info, slot, options, [finding(
            "unsupported", f"{Path(info.path).name} is a picture; {sid} is a {slot.kind} slot", slot=sid)])
    src_w, src_h = info.width, info.height
    variant = geometry.choose_variant(slot.variants, src_w, src_h, options.variant)
    if variant is None:  # --variant names nothing in this slot
        names = ", ".join(v.name for v in slot.variants)
        raise UsageError(f"--variant {options.variant!r}: {sid} has variants {names}")
    choice = _crop_choice(src_w, src_h, variant.aspect, slot, options, analysis)
    box = choice.box
    kept = geometry.kept_share(src_w, src_h, box)
    win_w, win_h = box[2] - box[0], box[3] - box[1]
    upscale = not geometry.fits(box, variant.width, variant.height)
    if upscale:
        msg = (f"{Path(info.path).name} is {src_w}x{src_h}; the {variant.name} crop is {win_w:.0f}x{win_h:.0f}, smaller than {sid} ({variant.width}x{variant.height})")
        if not options.allow_upscale:
            findings.append(finding("too-small", msg + ": it would have to be enlarged. Use a larger original, "
                                    "or --allow-upscale to enlarge it anyway", slot=sid, section=variant.source))
            return _no_output(info, slot, options, findings, variant=variant.name, box=box, kept=kept,
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
    findings += _safe_area_findings(slot, box, analysis, src_w, src_h)
    fmt = output_format(slot, info.has_alpha if graphic is None else graphic)
    out = output_path(options.out_dir, slot, rel_stem, fmt, options.flat)
    plan = Plan(
        source=info.path, slot=sid, variant=variant.name, out_size=(variant.width, variant.height),
        crop=geometry.int_box(box), crop_reason=choice.reason, crop_detail=choice.detail, kept=round(kept, 4),
        format=fmt, quality=options.quality, max_bytes=int(slot.max_bytes.value) if slot.max_bytes else None,
        output=str(out), upscale=upscale, findings=tuple(findings),
    )
    return replace(plan, recipe=recipe_hash(rel_stem, source_stat, slot, options, recipe_extra))


def _no_output(info, slot, options, findings, *, variant="", box=(0, 0, 0, 0), kept=0.0, reason="", detail=""):
    return Plan(source=info.path, slot=slot.id, variant=variant, out_size=(0, 0), crop=geometry.int_box(box),
                crop_reason=reason, crop_detail=detail, kept=round(kept, 4), format="", quality=options.quality,
                max_bytes=None, output=None, upscale=False, findings=tuple(findings))


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


def _band(slot: Slot) -> tuple[float, float] | None:
    area = slot.always_visible
    if area is None:
        return None
    v = slot.variants[0]
    return (area.width / v.width, area.height / v.height)


def _safe_area_findings(slot, box, analysis, src_w, src_h) -> list[Finding]:
    if analysis is None:
        return []
    from .crop import subject_cut_by_circle, subject_outside_band

    out = []
    band = _band(slot)
    if band:
        missed = subject_outside_band(box, analysis, src_w, src_h, band)
        if missed:
            area = slot.always_visible
            out.append(finding("safe-area", f"{'; '.join(missed)} outside the {area.width}x{area.height} "
                               f"area that every device shows", slot=slot.id, section=area.source))
    if slot.mask == "circle" and subject_cut_by_circle(box, analysis, src_w, src_h):
        out.append(finding("safe-area", "the subject would be cut by the circular profile mask",
                           slot=slot.id, section=slot.mask_source or slot.source))
    return out


def recipe_hash(source: str, source_stat: tuple[int, int], slot: Slot, options: Options, extra=None) -> str:
    """What an output depends on: the source (name, size, mtime), the slot definition, the options
    and the assetkit version. Known before decoding, so an up-to-date output costs no decode.
    ``extra``: per-file inputs outside the options (the manifest row, the logo file's stat)."""
    data = {
        "v": __version__, "src": [unicodedata.normalize("NFC", str(source)), *source_stat],
        "slot": asdict(slot), "opts": options.recipe(),
    }
    if extra:
        data["extra"] = extra
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]
