"""Rules -> Findings. Every finding has a stable code, a severity, a message a person understands,
the guideline section it enforces, and whether ``prepare`` fixes it.

The CODES table is the single list of finding codes: it feeds the report schema, the docs and the
rule functions alike.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"      # no usable output for this slot (or needs a person before it goes out)
    WARNING = "warning"  # output written, but a person should look
    INFO = "info"        # something assetkit changed or noticed

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    section: str
    fixable: bool
    meaning: str


_M = "2016 MEASUREMENT GUIDELINES"
CODES: dict[str, Code] = {c.code: c for c in [
    Code("unreadable", Severity.ERROR, "", False, "the file is not a picture or video assetkit can read, or it is damaged"),
    Code("too-many-pixels", Severity.ERROR, "", False, "the picture claims more pixels than --max-pixels allows (decompression bomb guard)"),
    Code("too-small", Severity.ERROR, _M, False, "the picture is smaller than the slot's size; it would have to be enlarged"),
    Code("upscaled", Severity.WARNING, _M, True, "enlarged to the slot's size because --allow-upscale was given"),
    Code("aspect-crop", Severity.INFO, _M, True, "cropped to the slot's aspect ratio; says how much of the picture is lost"),
    Code("file-too-large", Severity.WARNING, _M, True, "larger in bytes than the slot allows; the output is compressed to fit"),
    Code("size-limit", Severity.ERROR, _M, False, "the output could not be brought under the slot's byte limit"),
    Code("gps-present", Severity.WARNING, "SECURITY AND PRIVACY", True, "the source carries location data; outputs never do"),
    Code("private-metadata", Severity.INFO, "SECURITY AND PRIVACY", True, "the source carries camera serials or owner names; outputs never do"),
    Code("safe-area", Severity.WARNING, _M, False, "a face or the subject falls outside the area every device shows, or under a profile's circle mask"),
    Code("not-srgb", Severity.INFO, "2016 MEASUREMENT GUIDELINES > FACEBOOK IMAGE GUIDELINES > Cover photo", True, "not sRGB (CMYK, another ICC profile, 16-bit or palette); converted to sRGB"),
    Code("low-quality", Severity.WARNING, "GENERAL GUIDELINES > Instagram", False, "too small to be the high-resolution photo the guidelines ask for"),
    Code("unsupported", Severity.ERROR, "", False, "this kind of file cannot go into this slot (a video for a photo slot, or the reverse)"),
    Code("failed", Severity.ERROR, "", False, "preparing the file failed unexpectedly; the message says why"),
]}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    section: str = ""
    fixable: bool = False
    slot: str | None = None  # None: about the source file itself

    def to_dict(self) -> dict:
        d = asdict(self)
        d["severity"] = str(self.severity)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        return cls(**{**d, "severity": Severity(d["severity"])})


def register(code: Code) -> None:
    """Let a stage module (video, credits) add its codes to the one table."""
    CODES[code.code] = code


def finding(code: str, message: str, *, slot: str | None = None, severity: Severity | None = None,
            section: str | None = None) -> Finding:
    c = CODES[code]
    return Finding(code, severity or c.severity, message, c.section if section is None else section, c.fixable, slot)


def worst(findings) -> Severity | None:
    order = [Severity.ERROR, Severity.WARNING, Severity.INFO]
    present = {f.severity for f in findings}
    return next((s for s in order if s in present), None)
