"""Preset values: immutable Slot and its parts, what every stage reads (never the TOML)."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..options import MediaKind

KINDS = MediaKind.values()   # the choice table in options.py
PLATFORM_DEFAULT = "platform default"


@dataclass(frozen=True)
class Sourced:
    """A number from a preset together with where it comes from."""

    value: int | float
    source: str


@dataclass(frozen=True)
class Dimensions:
    width: int
    height: int
    source: str

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class Variant:
    name: str
    width: int
    height: int
    source: str
    auto: bool = True  # eligible for the automatic "loses the least picture" choice

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def aspect(self) -> float:
        return self.width / self.height


@dataclass(frozen=True)
class SafeArea:
    """A centred rectangle (in output pixels) that one device shows."""

    name: str
    width: int
    height: int
    source: str
    always_visible: bool = False

    def box(self, out_w: int, out_h: int) -> tuple[int, int, int, int]:
        left = (out_w - self.width) // 2
        top = (out_h - self.height) // 2
        return (left, top, left + self.width, top + self.height)


@dataclass(frozen=True)
class Codecs:
    container: str
    video: str
    audio: str
    source: str


@dataclass(frozen=True)
class Slot:
    platform: str
    name: str
    kind: str
    title: str
    source: str
    variants: tuple[Variant, ...] = ()
    shown: Dimensions | None = None
    mask: str | None = None  # "circle" for profile pictures
    mask_source: str | None = None
    safe_areas: tuple[SafeArea, ...] = ()
    max_bytes: Sourced | None = None
    graphics_format: str = "png"
    # video
    max_duration: Sourced | None = None
    aspect: Dimensions | None = None
    min_size: Dimensions | None = None
    preferred_size: Dimensions | None = None
    max_size: Dimensions | None = None
    codecs: Codecs | None = None
    max_frame_rate: Sourced | None = None
    also: tuple[str, ...] = ()   # further kinds of media the slot takes (instagram/story: photo and video)
    file: str = ""

    def takes(self, kind: str) -> bool:
        """Does this slot take media of ``kind`` ("photo" | "video")?"""
        return kind == self.kind or kind in self.also

    @property
    def id(self) -> str:
        return f"{self.platform}/{self.name}"

    @property
    def folder(self) -> str:
        """Folder name used for outputs and hot-folder drop boxes: ``instagram-post``."""
        return f"{self.platform}-{self.name}"

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        names = ", ".join(v.name for v in self.variants) or "none"
        raise UsageError(f"{self.id} has no variant {name!r} (variants: {names})")

    @property
    def always_visible(self) -> SafeArea | None:
        return next((a for a in self.safe_areas if a.always_visible), None)
