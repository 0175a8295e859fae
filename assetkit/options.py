"""Every user choice for a run: the choice tables and one validated, fully defaulted record.

Choice tables (sharp's ``fit``/``gravity`` lookup tables): one Enum per closed set of values, each
value with the help text a person reads. The same table is the allowed values, the ``--help`` text
(``CropMode.help()``), the error message and its "did you mean" (``CropMode.parse("centr")``), for
Options, assetkit.toml, the manifest and the presets alike.

Options (black's Mode) is a flat frozen record. Its field types carry their constraints
(``Annotated[..., msgspec.Meta(...)]``); ``assetkit.validate`` checks a record, a config table, a
manifest row or a preset file against such types with one mechanism (msgspec) and one wording.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from enum import Enum
from typing import Annotated

from msgspec import Meta

from .errors import UsageError

DEFAULT_MAX_PIXELS = 250_000_000  # lets 200 MP phone photos through, stops bombs before they allocate


# ------------------------------------------------------------------------------- choice tables


class Choice(str, Enum):
    """A closed set of string values, each with its help text. Members compare equal to their value
    (``CropMode.CENTRE == "centre"``). A member whose value repeats another's is an alias
    (``CENTER = "centre", ""``): accepted by ``parse``, never listed."""

    def __new__(cls, value: str, help: str = ""):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.help = help
        return obj

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _missing_(cls, value):
        if isinstance(value, str):  # aliases are looked up by name: "center" -> CENTER -> CENTRE
            member = cls.__members__.get(value.strip().replace("-", "_").upper())
            if member is not None:
                return member
            norm = value.strip().lower()
            if norm != value:
                return cls._value2member_map_.get(norm)
        return None

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {n.lower().replace("_", "-"): m.value for n, m in cls.__members__.items()
                if n.lower().replace("_", "-") != m.value}

    @classmethod
    def listing(cls) -> str:
        """``smart, centre`` / ``pad, crop or blur``: the values for a message."""
        v = cls.values()
        return v[0] if len(v) == 1 else f"{', '.join(v[:-1])} or {v[-1]}"

    @classmethod
    def help(cls) -> str:
        """``smart: faces and saliency; centre: the middle of the picture`` for ``--help``."""
        return "; ".join(f"{m.value}: {m.help}" if m.help else m.value for m in cls)

    @classmethod
    def suggest(cls, value) -> str | None:
        """The nearest allowed value or alias (difflib), for "did you mean"."""
        from .errors import suggest

        if not isinstance(value, str):
            return None
        near = suggest(value.strip(), [*cls.values(), *cls.aliases()])
        return cls(near).value if near else None

    @classmethod
    def problem(cls, value) -> str:
        """``must be smart or centre, got 'centr' (did you mean 'centre'?)``."""
        near = cls.suggest(value)
        hint = f" (did you mean {near!r}?)" if near else ""
        return f"must be {cls.listing()}, got {value!r}{hint}"

    @classmethod
    def parse(cls, value, what: str) -> "Choice":
        """The member for ``value`` (aliases and case accepted), else UsageError naming ``what``."""
        try:
            return cls(value)
        except ValueError:
            raise UsageError(f"{what} {cls.problem(value)}") from None


class CropMode(Choice):
    SMART = "smart", "faces and saliency decide (the default)"
    CENTRE = "centre", "the middle of the picture"
    CENTER = "centre", ""            # alias: the US spelling


class Fit(Choice):
    """How a video is brought to the slot's aspect."""

    PAD = "pad", "scale to fit inside the frame, black bars fill the rest"
    CROP = "crop", "scale to cover the frame, cut the centre"
    BLUR = "blur", "scale to fit inside the frame over a blurred, enlarged copy of itself"
    SMART = "smart", "scale to cover the frame, cut a window that follows the faces (else the most salient part) shot by shot"


class Position(Choice):
    """A corner of the output: where the credit or the logo goes."""

    BOTTOM_RIGHT = "bottom-right", "bottom right corner"
    BOTTOM_LEFT = "bottom-left", "bottom left corner"
    TOP_RIGHT = "top-right", "top right corner"
    TOP_LEFT = "top-left", "top left corner"


class Source(Choice):
    """A manifest row's ``source``: whose picture it is (COPYRIGHT)."""

    OWN = "own", "taken by the organisation's own staff"
    EXTERNAL = "external", "from outside: must be credited and sourced"


class Consent(Choice):
    """A manifest row's ``consent``: is there a signed Photography Consent Form (COPYRIGHT)."""

    YES = "yes", "a signed consent form is on file"
    NO = "no", "no consent: faces are a problem"
    NOT_NEEDED = "not-needed", "no identifiable person, or consent is not required"


class MediaKind(Choice):
    PHOTO = "photo", "still pictures"
    VIDEO = "video", "clips"


class GraphicsFormat(Choice):
    """The format a slot uses for graphics (pictures with transparency)."""

    PNG = "png", "lossless, keeps transparency"
    JPEG = "jpeg", "lossy, flattened"


class MaskShape(Choice):
    CIRCLE = "circle", "the platform shows the picture in a circle (profile pictures)"


# ------------------------------------------------------------------------ constrained value types
# The description is the wording of the error message: "must be <description>, got <value>".

Fraction = Annotated[float, Meta(gt=0, le=1, description="a number above 0 and at most 1")]
Unit = Annotated[float, Meta(ge=0, le=1, description="a fraction between 0 and 1")]
Quality = Annotated[int, Meta(ge=1, le=100, description="a whole number 1-100")]
Positive = Annotated[int, Meta(gt=0, description="a positive whole number")]
Text = Annotated[str, Meta(min_length=1, pattern=r"\S", description="a non-empty string")]
PathText = Annotated[str, Meta(min_length=1, pattern=r"\S", description="a file path")]
Focus = Annotated[tuple[Unit, Unit], Meta(description="[X, Y] as fractions between 0 and 1")]


@dataclass(frozen=True)
class Options:
    """Every user choice for a run, validated once and fully defaulted (black's Mode).

    Choice fields hold the plain value (``"centre"``, also when given ``"center"``); path fields
    hold ``str`` (a ``Path`` given is converted)."""

    out_dir: PathText = "prepared"
    crop: CropMode = "smart"             # --focus wins over both
    focus: Focus | None = None
    variant: Text | None = None
    allow_upscale: bool = False
    quality: Quality = 85
    max_pixels: Positive = DEFAULT_MAX_PIXELS
    force: bool = False
    dry_run: bool = False
    flat: bool = False
    keep_location: bool = False          # privacy opt-out: only when the user explicitly asks
    allow_partial: bool = False          # a cut picture (truncated data) is written, with a warning
    # video
    fit: Fit | None = None               # None: plan/video.default_fit (smart when the clip is cut, else pad)
    trim: Text | None = None             # "START-END" | "auto"
    loudness: bool = False
    subtitles: PathText | None = None
    # credits, watermark, consent (assetkit/rights.py, image/watermark.py)
    credit: Text | None = None           # text or template with {artist} {copyright} {source}
    manifest: PathText | None = None     # CSV/JSON: file, credit, source, consent, caption, alt, focus
    visible_credit: bool = True          # False: the credit goes into metadata only
    credit_position: Position = "bottom-right"
    font: PathText | None = None         # TrueType/OpenType file; None: Pillow's bundled FreeType font
    logo: PathText | None = None
    logo_scale: Fraction = 0.15          # share of the output (or always-visible area) width
    logo_opacity: Fraction = 0.8
    logo_position: Position = "top-right"
    require_consent: bool = False        # a face without consent -> error, output to needs-review/
    blur_faces_without_consent: bool = False

    def __post_init__(self):
        from .validate import check_options

        for name, value in check_options(self).items():
            object.__setattr__(self, name, value)
        if self.credit:
            from .rights import check_template

            check_template(self.credit)

    def with_(self, **changes) -> "Options":
        return replace(self, **changes)

    def recipe(self) -> dict:
        """The options that change output pixels or bytes (for up-to-date checks)."""
        skip = {"out_dir", "force", "dry_run", "flat"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


def flag(field: str) -> str:
    """The command-line spelling of an Options field: ``logo_opacity`` -> ``--logo-opacity``."""
    return "--" + field.replace("_", "-")


def parse_focus(text: str | None) -> tuple[float, float] | None:
    if not text:
        return None
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"--focus takes X,Y as fractions, e.g. 0.3,0.4; got {text!r}") from None
    return (x, y)


def fspath(v):
    """``Path`` -> ``str`` for the path fields (Options keeps plain values)."""
    return os.fspath(v) if isinstance(v, os.PathLike) else v
