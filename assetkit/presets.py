"""Platform presets: TOML data -> validated, immutable Slot values.

One TOML file per platform (``presets/*.toml``, shipped inside the wheel). Every number carries a
``source``: the guideline section it comes from, or ``"platform default: <reason>"``. Loading
validates everything at once and fails with the file, the key and the problem, so a broken preset
never reaches the engine. The engine only ever sees Slot values (HandBrake's preset -> job split).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from .errors import PresetError, UsageError, suggest

SCHEMA_VERSION = 1
KINDS = ("photo", "video")
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


@dataclass
class PresetLibrary:
    """All slots known in this run, by id, and each platform's default slot per kind of media."""

    slots: dict[str, Slot] = field(default_factory=dict)
    defaults: dict[str, dict[str, str]] = field(default_factory=dict)  # platform -> kind -> slot id
    files: dict[str, str] = field(default_factory=dict)  # platform -> file it came from

    @property
    def platforms(self) -> list[str]:
        return sorted(self.defaults)

    def get(self, slot_id: str) -> Slot:
        try:
            return self.slots[slot_id]
        except KeyError:
            near = suggest(slot_id, self.slots)
            hint = f" (did you mean {near!r}?)" if near else ""
            raise UsageError(
                f"unknown slot {slot_id!r}{hint}; known slots: {', '.join(sorted(self.slots))}"
            ) from None

    def resolve(self, spec: str | Iterable[str], kinds: Iterable[str] = KINDS) -> list[Slot]:
        """Turn ``"instagram"``, ``"instagram/post,facebook/cover"`` or a list into slots.

        A bare platform name stands for its default slot for each kind of media asked for, so
        ``--for instagram`` gives instagram/post for photos and instagram/video for videos.
        """
        items = spec.split(",") if isinstance(spec, str) else list(spec)
        out: list[Slot] = []
        for raw in items:
            item = raw.strip().lower()
            if not item:
                continue
            if "/" in item:
                chosen = [self.get(item)]
            elif item in self.defaults:
                chosen = [self.get(sid) for k, sid in self.defaults[item].items() if k in kinds]
            else:
                near = suggest(item, [*self.platforms, *self.slots])
                hint = f" (did you mean {near!r}?)" if near else ""
                raise UsageError(
                    f"unknown platform or slot {raw.strip()!r}{hint}; platforms: {', '.join(self.platforms)}"
                    f"; slots: {', '.join(sorted(self.slots))}"
                )
            out.extend(s for s in chosen if s not in out)
        if not out:
            raise UsageError("no slot given: use --for PLATFORM or --for PLATFORM/SLOT")
        return out


def builtin_presets_dir() -> Path:
    """The presets shipped with the package (wheel), or the checkout's presets/ folder."""
    packaged = resources.files("assetkit") / "_presets"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "presets"


def load_presets(extra_dirs: Iterable[str | os.PathLike] = (), *, env: dict | None = None) -> PresetLibrary:
    """Load the built-in presets, then each extra folder (and ``ASSETKIT_PRESETS``) on top.

    A platform file in a later folder replaces the slots it defines and adds new ones; a new
    platform file adds a platform.
    """
    env = os.environ if env is None else env
    dirs: list[Path] = [builtin_presets_dir()]
    if env.get("ASSETKIT_PRESETS"):
        dirs += [Path(p) for p in env["ASSETKIT_PRESETS"].split(os.pathsep) if p]
    dirs += [Path(d) for d in extra_dirs]
    lib = PresetLibrary()
    for d in dirs:
        if not d.is_dir():
            raise PresetError(str(d), "", "presets folder does not exist")
        for f in sorted(d.glob("*.toml")):
            _merge(lib, load_file(f))
    return lib


def _merge(lib: PresetLibrary, parsed: tuple[str, dict[str, str], list[Slot], str]) -> None:
    platform, defaults, slots, path = parsed
    lib.defaults.setdefault(platform, {}).update({k: f"{platform}/{v}" for k, v in defaults.items()})
    lib.files[platform] = path
    for s in slots:
        lib.slots[s.id] = s
    for kind, sid in lib.defaults[platform].items():
        if sid not in lib.slots:
            raise PresetError(path, f"defaults.{kind}", f"names slot {sid!r}, which is not defined")


def load_file(path: str | os.PathLike) -> tuple[str, dict[str, str], list[Slot], str]:
    path = str(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise PresetError(path, "", f"not valid TOML: {e}") from None
    except OSError as e:
        raise PresetError(path, "", f"cannot read: {e.strerror}") from None
    v = _Validator(path)
    version = v.req(data, "schema_version", int)
    if version != SCHEMA_VERSION:
        raise PresetError(path, "schema_version", f"is {version}, this assetkit reads {SCHEMA_VERSION}")
    platform = v.name(v.req(data, "platform", str), "platform")
    v.unknown(data, "", {"schema_version", "platform", "title", "defaults", "slots"})
    slots_data = v.req(data, "slots", dict)
    slots = [v.slot(platform, name, sd) for name, sd in slots_data.items()]
    defaults = v.opt(data, "defaults", dict) or {}
    v.unknown(defaults, "defaults", set(KINDS))
    for kind, name in defaults.items():
        if not isinstance(name, str) or name not in slots_data:
            raise PresetError(path, f"defaults.{kind}", f"names slot {name!r}, which is not defined")
        declared = slots_data[name].get("kind")
        if kind not in (declared if isinstance(declared, list) else [declared]):
            raise PresetError(path, f"defaults.{kind}", f"slot {name!r} is not a {kind} slot")
    return platform, dict(defaults), slots, path


class _Validator:
    """Reads preset values, raising PresetError(file, key, problem) on the first bad one."""

    SLOT_KEYS = {
        "kind", "title", "source", "variants", "shown", "mask", "safe_areas", "max_bytes",
        "graphics_format", "max_duration", "aspect", "min_size", "preferred_size", "max_size", "codecs",
        "max_frame_rate",
    }

    def __init__(self, path: str):
        self.path = path

    def fail(self, key: str, problem: str):
        raise PresetError(self.path, key, problem)

    def req(self, d: dict, key: str, typ: type, prefix: str = ""):
        full = f"{prefix}.{key}" if prefix else key
        if key not in d:
            self.fail(full, "is missing")
        return self._typed(d[key], typ, full)

    def opt(self, d: dict, key: str, typ: type, prefix: str = ""):
        if key not in d:
            return None
        return self._typed(d[key], typ, f"{prefix}.{key}" if prefix else key)

    def _typed(self, value: Any, typ: type, key: str):
        ok = isinstance(value, typ) and not (typ in (int, float) and isinstance(value, bool))
        if typ is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if not ok:
            self.fail(key, f"must be {typ.__name__}, got {type(value).__name__} {value!r}")
        return value

    def unknown(self, d: dict, prefix: str, allowed: set[str]):
        for k in d:
            if k not in allowed:
                where = f"{prefix}.{k}" if prefix else k
                self.fail(where, f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def name(self, value: str, key: str) -> str:
        if not value or not all(c.isalnum() or c in "-_" for c in value) or value != value.lower():
            self.fail(key, f"{value!r} must be lower-case letters, digits, '-' or '_'")
        return value

    def source(self, d: dict, prefix: str) -> str:
        src = self.req(d, "source", str, prefix).strip()
        if not src:
            self.fail(f"{prefix}.source", "is empty: cite the guideline section or say 'platform default: <reason>'")
        if src.lower().startswith(PLATFORM_DEFAULT):
            reason = src[len(PLATFORM_DEFAULT):].lstrip(" :").strip()
            if not reason:
                self.fail(f"{prefix}.source", "a platform default must say why: 'platform default: <reason>'")
        return src

    def positive(self, d: dict, key: str, prefix: str) -> int:
        n = self.req(d, key, int, prefix)
        if n <= 0:
            self.fail(f"{prefix}.{key}", f"must be a positive whole number, got {n}")
        return n

    def dims(self, d: dict, key: str, prefix: str) -> Dimensions | None:
        t = self.opt(d, key, dict, prefix)
        if t is None:
            return None
        p = f"{prefix}.{key}"
        self.unknown(t, p, {"width", "height", "source"})
        return Dimensions(self.positive(t, "width", p), self.positive(t, "height", p), self.source(t, p))

    def sourced(self, d: dict, key: str, prefix: str) -> Sourced | None:
        t = self.opt(d, key, dict, prefix)
        if t is None:
            return None
        p = f"{prefix}.{key}"
        self.unknown(t, p, {"value", "source"})
        value = self.req(t, "value", float, p)
        if value <= 0:
            self.fail(f"{p}.value", f"must be positive, got {value}")
        return Sourced(int(value) if float(value).is_integer() else value, self.source(t, p))

    def slot(self, platform: str, name: str, d: Any) -> Slot:
        p = f"slots.{name}"
        if not isinstance(d, dict):
            self.fail(p, "must be a table")
        self.name(name, p)
        self.unknown(d, p, self.SLOT_KEYS)
        raw_kind = d.get("kind")
        kinds = raw_kind if isinstance(raw_kind, list) else [self.req(d, "kind", str, p)]
        if not kinds or any(k not in KINDS for k in kinds) or len(set(kinds)) != len(kinds):
            self.fail(f"{p}.kind", f"must be one of {', '.join(KINDS)} or a list of them, got {raw_kind!r}")
        kind, also = kinds[0], tuple(kinds[1:])
        variants = []
        for i, vd in enumerate(self.opt(d, "variants", list, p) or []):
            vp = f"{p}.variants[{i}]"
            if not isinstance(vd, dict):
                self.fail(vp, "must be a table")
            self.unknown(vd, vp, {"name", "width", "height", "source", "auto"})
            auto = vd.get("auto", True)
            if not isinstance(auto, bool):
                self.fail(f"{vp}.auto", "must be true or false")
            variants.append(Variant(
                self.name(self.req(vd, "name", str, vp), f"{vp}.name"),
                self.positive(vd, "width", vp), self.positive(vd, "height", vp), self.source(vd, vp), auto,
            ))
        if len({v.name for v in variants}) != len(variants):
            self.fail(f"{p}.variants", "variant names must be unique")
        if "photo" in kinds:
            if not variants:
                self.fail(f"{p}.variants", "a photo slot needs at least one output size")
            if not any(v.auto for v in variants):
                self.fail(f"{p}.variants", "at least one variant must have auto = true")
        areas = []
        for i, ad in enumerate(self.opt(d, "safe_areas", list, p) or []):
            ap = f"{p}.safe_areas[{i}]"
            if not isinstance(ad, dict):
                self.fail(ap, "must be a table")
            self.unknown(ad, ap, {"name", "width", "height", "source", "always_visible"})
            area = SafeArea(self.req(ad, "name", str, ap), self.positive(ad, "width", ap),
                            self.positive(ad, "height", ap), self.source(ad, ap), bool(ad.get("always_visible", False)))
            if variants and (area.width > variants[0].width or area.height > variants[0].height):
                self.fail(ap, f"{area.width}x{area.height} does not fit the {variants[0].width}x{variants[0].height} output")
            areas.append(area)
        mask = self.opt(d, "mask", dict, p)
        if mask is not None:
            self.unknown(mask, f"{p}.mask", {"shape", "source"})
            if mask.get("shape") != "circle":
                self.fail(f"{p}.mask.shape", f"must be 'circle', got {mask.get('shape')!r}")
        codecs = self.opt(d, "codecs", dict, p)
        if codecs is not None:
            cp = f"{p}.codecs"
            self.unknown(codecs, cp, {"container", "video", "audio", "source"})
            codecs = Codecs(self.req(codecs, "container", str, cp), self.req(codecs, "video", str, cp),
                            self.req(codecs, "audio", str, cp), self.source(codecs, cp))
        gfmt = self.opt(d, "graphics_format", str, p) or "png"
        if gfmt not in ("png", "jpeg"):
            self.fail(f"{p}.graphics_format", f"must be 'png' or 'jpeg', got {gfmt!r}")
        return Slot(
            platform=platform, name=name, kind=kind,
            title=self.opt(d, "title", str, p) or name, source=self.source(d, p),
            variants=tuple(variants), shown=self.dims(d, "shown", p),
            mask="circle" if mask else None, mask_source=self.source(mask, f"{p}.mask") if mask else None,
            safe_areas=tuple(areas), max_bytes=self.sourced(d, "max_bytes", p), graphics_format=gfmt,
            max_duration=self.sourced(d, "max_duration", p), aspect=self.dims(d, "aspect", p),
            min_size=self.dims(d, "min_size", p), preferred_size=self.dims(d, "preferred_size", p),
            max_size=self.dims(d, "max_size", p), codecs=codecs, max_frame_rate=self.sourced(d, "max_frame_rate", p),
            also=also, file=self.path,
        )
