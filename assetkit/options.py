"""Every user choice for a run, as one validated, fully defaulted record (black's Mode)."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .errors import UsageError
from .media import DEFAULT_MAX_PIXELS

CROP_MODES = ("smart", "centre")
FIT_MODES = ("pad", "crop", "blur")


@dataclass(frozen=True)
class Options:
    """Every user choice for a run, validated once and fully defaulted (black's Mode)."""

    out_dir: str = "prepared"
    crop: str = "smart"                  # smart | centre (--focus wins over both)
    focus: tuple[float, float] | None = None
    variant: str | None = None
    allow_upscale: bool = False
    quality: int = 85
    max_pixels: int = DEFAULT_MAX_PIXELS
    force: bool = False
    dry_run: bool = False
    flat: bool = False
    keep_location: bool = False          # privacy opt-out: only when the user explicitly asks
    # video
    fit: str | None = None               # pad | crop | blur (None: pad for 16:9 slots, else crop)
    trim: str | None = None              # "START-END" | "auto"
    loudness: bool = False
    subtitles: str | None = None
    # credits, watermark, consent (assetkit/credits.py, image/watermark.py)
    credit: str | None = None            # text or template with {artist} {copyright} {source}
    manifest: str | None = None          # CSV/JSON: file, credit, source, consent, caption, alt, focus
    visible_credit: bool = True          # False: the credit goes into metadata only
    credit_position: str = "bottom-right"
    font: str | None = None              # TrueType/OpenType file; None: Pillow's bundled FreeType font
    logo: str | None = None
    logo_scale: float = 0.15             # share of the output (or always-visible area) width
    logo_opacity: float = 0.8
    logo_position: str = "top-right"
    require_consent: bool = False        # a face without consent -> error, output to needs-review/
    blur_faces_without_consent: bool = False

    def __post_init__(self):
        if self.crop not in CROP_MODES:
            raise UsageError(f"--crop must be one of {', '.join(CROP_MODES)}, got {self.crop!r}")
        if self.fit is not None and self.fit not in FIT_MODES:
            raise UsageError(f"--fit must be one of {', '.join(FIT_MODES)}, got {self.fit!r}")
        if self.focus is not None:
            fx, fy = self.focus
            if not (0 <= fx <= 1 and 0 <= fy <= 1):
                raise UsageError(f"--focus takes two fractions between 0 and 1 (X,Y), got {fx},{fy}")
        if not 1 <= self.quality <= 100:
            raise UsageError(f"--quality must be 1-100, got {self.quality}")
        if self.max_pixels <= 0:
            raise UsageError("--max-pixels must be positive")
        from .image.watermark import check_position

        check_position(self.credit_position, "--credit-position")
        check_position(self.logo_position, "--logo-position")
        if not 0 < self.logo_scale <= 1:
            raise UsageError(f"--logo-scale must be a fraction of the width (0-1], got {self.logo_scale}")
        if not 0 <= self.logo_opacity <= 1:
            raise UsageError(f"--logo-opacity must be 0-1, got {self.logo_opacity}")
        if self.credit:
            from .credits import check_template

            check_template(self.credit)

    def with_(self, **changes) -> "Options":
        return replace(self, **changes)

    def recipe(self) -> dict:
        """The options that change output pixels or bytes (for up-to-date checks)."""
        skip = {"out_dir", "force", "dry_run", "flat"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


def parse_focus(text: str | None) -> tuple[float, float] | None:
    if not text:
        return None
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"--focus takes X,Y as fractions, e.g. 0.3,0.4; got {text!r}") from None
    return (x, y)
