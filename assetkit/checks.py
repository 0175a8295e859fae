"""Rules -> Findings. Every finding has a stable code, a severity, a message a person understands,
the guideline section it enforces, and whether ``prepare`` fixes it.

The CODES table is the single list of finding codes: it feeds the report schema, the docs and the
rule functions alike.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import Finding, Severity


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    section: str
    fixable: bool
    meaning: str
    review: bool = False   # a written output with this finding needs a person's eyes (status needs-review)


_M = "2016 MEASUREMENT GUIDELINES"
CODES: dict[str, Code] = {c.code: c for c in [
    Code("unreadable", Severity.ERROR, "", False, "the file is not a picture or video assetkit can read, or it is damaged"),
    Code("too-many-pixels", Severity.ERROR, "", False, "the picture claims more pixels than --max-pixels allows (decompression bomb guard)"),
    Code("too-small", Severity.ERROR, _M, False, "the picture is smaller than the slot's size; it would have to be enlarged"),
    Code("upscaled", Severity.WARNING, _M, True, "enlarged to the slot's size because --allow-upscale was given", review=True),
    Code("aspect-crop", Severity.INFO, _M, True, "cropped to the slot's aspect ratio; says how much of the picture is lost"),
    Code("file-too-large", Severity.WARNING, _M, True, "larger in bytes than the slot allows; the output is compressed to fit"),
    Code("size-limit", Severity.ERROR, _M, False, "the output could not be brought under the slot's byte limit"),
    Code("gps-present", Severity.WARNING, "SECURITY AND PRIVACY", True, "the source carries location data; outputs never do"),
    Code("private-metadata", Severity.INFO, "SECURITY AND PRIVACY", True, "the source carries camera serials or owner names; outputs never do"),
    Code("safe-area", Severity.WARNING, _M, False, "a face or the subject falls outside the area every device shows, or under a profile's circle mask", review=True),
    Code("not-srgb", Severity.INFO, "", True, "not sRGB (CMYK, another ICC profile, 16-bit or palette); converted to sRGB"),
    Code("unsupported", Severity.ERROR, "", False, "this kind of file cannot go into this slot (a video for a photo slot, or the reverse)"),
    Code("failed", Severity.ERROR, "", False, "preparing the file failed unexpectedly; the message says why"),
    Code("skipped", Severity.INFO, "", False, "not for the slots asked: a video given photo-only slots, or the reverse"),
    # video (issue 14, 15.3): what phones and cameras make that a platform plays wrong; prepare fixes each
    Code("video-hdr", Severity.INFO, "", True, "HDR (PQ or HLG) or BT.2020 colour; converted to BT.709 SDR, which every platform plays as shot"),
    Code("video-interlaced", Severity.WARNING, "", True, "interlaced (broadcast or camcorder); deinterlaced, or it shows combing on every screen"),
    Code("video-audio-tracks", Severity.INFO, "", True, "more than one audio track; platforms play one, so the default (or first) is kept and the rest named"),
    Code("video-frame-rate", Severity.WARNING, "", True, "a higher frame rate than the slot plays; written at the slot's maximum"),
    Code("face-detector-fallback", Severity.WARNING, "", False, "the face detector could not be loaded: faces were looked for with the older Haar cascade, which misses profile, tilted and small faces (smart crop, consent and blurring may miss people)"),
    # robust (issue 15): what a scan passes over, and pictures that are not what they seem
    Code("not-a-file", Severity.WARNING, "", False, "a FIFO, socket, device or link to one: skipped without reading it"),
    Code("not-media", Severity.INFO, "", False, "files in the folders given that are neither pictures nor videos assetkit reads: counted and skipped"),
    Code("truncated", Severity.ERROR, "", False, "the picture's data ends before its last row (a cut file); --allow-partial writes it anyway, with a warning", review=True),
    Code("animation-video", Severity.INFO, "", True, "an animated GIF or WebP for a video slot: written as a short H.264 MP4 with its frame timing, as the platforms play animations"),
    Code("first-frame-only", Severity.WARNING, "", False, "an animation or a multi-page file: only the first frame or page is used"),
    Code("unsupported-format", Severity.ERROR, "", False, "a valid file in a variant the decoders do not read (e.g. a 16-bit CIELab TIFF): not damaged, but not usable"),
]}


def register(code: Code) -> None:
    """Let a stage module (video, credits) add its codes to the one table."""
    CODES[code.code] = code


def finding(code: str, message: str, *, slot: str | None = None, severity: Severity | None = None,
            section: str | None = None) -> Finding:
    c = CODES[code]
    severity = severity or c.severity
    return Finding(code, severity, message, c.section if section is None else section, c.fixable, slot,
                   c.review and severity is not Severity.INFO)
