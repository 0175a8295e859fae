"""Preset files -> Slot values: schema, named migrations by ``schema_version``, the library.

A preset file is checked against the schema below (msgspec Structs: the one validation mechanism,
``assetkit.validate``) and then against the rules the types cannot say (every number cites its
source; a photo slot has an output size; a safe area fits). A broken file fails with the file, the
key and the problem, so a broken preset never reaches the engine (HandBrake's preset -> job split).

An older file is upgraded in memory by the named migrations in ``MIGRATIONS`` (HandBrake's
``hb_presets_import`` upgrade chain), one version at a time, before it is validated; a newer file
than this assetkit reads is refused with a plain reason.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Callable, Iterable

from msgspec import Meta, Struct

from ..errors import PresetError
from ..options import GraphicsFormat, MaskShape, MediaKind
from .library import PresetLibrary
from .model import KINDS, PLATFORM_DEFAULT, Codecs, Dimensions, SafeArea, Slot, Sourced, Variant

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Migration:
    """Upgrades a raw preset table from ``version`` to ``version + 1``."""

    version: int
    name: str
    upgrade: Callable[[dict], dict]


# from-version -> migration. Empty while schema 1 is the only one there has been; a change to the
# file format adds SCHEMA_VERSION + 1 and the migration that rewrites a version-1 table into it.
MIGRATIONS: dict[int, Migration] = {}


# ----------------------------------------------------------------------------------- the schema

Count = Annotated[int, Meta(gt=0)]
Amount = Annotated[float, Meta(gt=0)]
Name = Annotated[str, Meta(pattern=r"^[a-z0-9_-]+$", description="lower-case letters, digits, '-' or '_'")]


class _T(Struct, forbid_unknown_fields=True, frozen=True):
    pass


class SourcedT(_T):
    value: Amount
    source: str


class DimsT(_T):
    width: Count
    height: Count
    source: str


class VariantT(_T):
    name: Name
    width: Count
    height: Count
    source: str
    auto: bool = True   # eligible for the automatic "loses the least picture" choice


class SafeAreaT(_T):
    name: str
    width: Count
    height: Count
    source: str
    always_visible: bool = False


class MaskT(_T):
    shape: MaskShape
    source: str


class CodecsT(_T):
    container: str
    video: str
    audio: str
    source: str


class SlotT(_T):
    kind: MediaKind | list[MediaKind]
    source: str
    title: str | None = None
    variants: list[VariantT] = []
    shown: DimsT | None = None
    mask: MaskT | None = None
    safe_areas: list[SafeAreaT] = []
    max_bytes: SourcedT | None = None
    graphics_format: GraphicsFormat = GraphicsFormat.PNG
    max_duration: SourcedT | None = None
    aspect: DimsT | None = None
    min_size: DimsT | None = None
    preferred_size: DimsT | None = None
    max_size: DimsT | None = None
    codecs: CodecsT | None = None
    max_frame_rate: SourcedT | None = None


class DefaultsT(_T):
    photo: str | None = None
    video: str | None = None


class FileT(_T):
    schema_version: int
    platform: Name
    slots: dict[str, dict]      # each slot is checked on its own, so errors name it: slots.post.kind
    title: str | None = None
    defaults: DefaultsT = DefaultsT()


# ------------------------------------------------------------------------------------- loading


def builtin_presets_dir() -> Path:
    """The presets shipped with the package (wheel: assetkit/_presets), or the checkout's presets/."""
    packaged = resources.files("assetkit") / "_presets"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "presets"


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
    """(platform, defaults kind -> slot name, slots, path) from one preset file, validated."""
    path = str(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise PresetError(path, "", f"not valid TOML: {e}") from None
    except OSError as e:
        raise PresetError(path, "", f"cannot read: {e.strerror}") from None
    data = migrate(path, data)
    f = _convert(path, data, FileT, "")
    slots = [_slot(path, f.platform, name, raw) for name, raw in f.slots.items()]
    by_name = {s.name: s for s in slots}
    defaults = {}
    for kind in KINDS:
        name = getattr(f.defaults, kind)
        if name is None:
            continue
        if name not in by_name:
            raise PresetError(path, f"defaults.{kind}", f"names slot {name!r}, which is not defined")
        if not by_name[name].takes(kind):
            raise PresetError(path, f"defaults.{kind}", f"slot {name!r} is not a {kind} slot")
        defaults[kind] = name
    return f.platform, defaults, slots, path


def migrate(path: str, data: dict) -> dict:
    """Upgrade a raw preset table to SCHEMA_VERSION through the named migrations."""
    version = data.get("schema_version")
    if version is None:
        raise PresetError(path, "schema_version", "is missing")
    if not isinstance(version, int) or isinstance(version, bool):
        raise PresetError(path, "schema_version", f"must be int, got {type(version).__name__} {version!r}")
    if version > SCHEMA_VERSION:
        raise PresetError(path, "schema_version",
                          f"is {version}, this assetkit reads {SCHEMA_VERSION} (a newer assetkit wrote it)")
    while version < SCHEMA_VERSION:
        m = MIGRATIONS.get(version)
        if m is None:
            raise PresetError(path, "schema_version", f"is {version}, this assetkit reads {SCHEMA_VERSION}")
        data = {**m.upgrade(dict(data)), "schema_version": version + 1}
        version += 1
    return data


def _convert(path: str, data, typ, prefix: str):
    from ..validate import Invalid, convert

    try:
        return convert(data, typ)
    except Invalid as e:
        key = f"{prefix}.{e.key}" if prefix and e.key else (prefix or e.key)
        raise PresetError(path, key, e.problem) from None


def _source(path: str, src: str, key: str) -> str:
    src = src.strip()
    if not src:
        raise PresetError(path, f"{key}.source", "is empty: cite the guideline section or say 'platform default: <reason>'")
    if src.lower().startswith(PLATFORM_DEFAULT) and not src[len(PLATFORM_DEFAULT):].lstrip(" :").strip():
        raise PresetError(path, f"{key}.source", "a platform default must say why: 'platform default: <reason>'")
    return src


def _slot(path: str, platform: str, name: str, raw) -> Slot:
    p = f"slots.{name}"
    if not isinstance(raw, dict):
        raise PresetError(path, p, "must be a table")
    _convert(path, name, Name, p)
    t: SlotT = _convert(path, raw, SlotT, p)
    kinds = [k.value for k in (t.kind if isinstance(t.kind, list) else [t.kind])]
    if not kinds or len(set(kinds)) != len(kinds):
        raise PresetError(path, f"{p}.kind", f"must be one of {', '.join(KINDS)} or a list of them, got {raw.get('kind')!r}")

    def dims(d: DimsT | None, key: str) -> Dimensions | None:
        return None if d is None else Dimensions(d.width, d.height, _source(path, d.source, f"{p}.{key}"))

    def sourced(s: SourcedT | None, key: str) -> Sourced | None:
        if s is None:
            return None
        value = int(s.value) if float(s.value).is_integer() else s.value
        return Sourced(value, _source(path, s.source, f"{p}.{key}"))

    variants = tuple(Variant(v.name, v.width, v.height, _source(path, v.source, f"{p}.variants[{i}]"), v.auto)
                     for i, v in enumerate(t.variants))
    if len({v.name for v in variants}) != len(variants):
        raise PresetError(path, f"{p}.variants", "variant names must be unique")
    if "photo" in kinds:
        if not variants:
            raise PresetError(path, f"{p}.variants", "a photo slot needs at least one output size")
        if not any(v.auto for v in variants):
            raise PresetError(path, f"{p}.variants", "at least one variant must have auto = true")
    areas = []
    for i, a in enumerate(t.safe_areas):
        ap = f"{p}.safe_areas[{i}]"
        area = SafeArea(a.name, a.width, a.height, _source(path, a.source, ap), a.always_visible)
        if variants and (area.width > variants[0].width or area.height > variants[0].height):
            raise PresetError(path, ap, f"{area.width}x{area.height} does not fit the "
                                        f"{variants[0].width}x{variants[0].height} output")
        areas.append(area)
    codecs = None
    if t.codecs is not None:
        c = t.codecs
        codecs = Codecs(c.container, c.video, c.audio, _source(path, c.source, f"{p}.codecs"))
    return Slot(
        platform=platform, name=name, kind=kinds[0], title=t.title or name, source=_source(path, t.source, p),
        variants=variants, shown=dims(t.shown, "shown"),
        mask=t.mask.shape.value if t.mask else None,
        mask_source=_source(path, t.mask.source, f"{p}.mask") if t.mask else None,
        safe_areas=tuple(areas), max_bytes=sourced(t.max_bytes, "max_bytes"),
        graphics_format=t.graphics_format.value, max_duration=sourced(t.max_duration, "max_duration"),
        aspect=dims(t.aspect, "aspect"), min_size=dims(t.min_size, "min_size"),
        preferred_size=dims(t.preferred_size, "preferred_size"), max_size=dims(t.max_size, "max_size"),
        codecs=codecs, max_frame_rate=sourced(t.max_frame_rate, "max_frame_rate"), also=tuple(kinds[1:]),
        file=path,
    )


__all__ = ["SCHEMA_VERSION", "MIGRATIONS", "Migration", "builtin_presets_dir", "load_presets", "load_file",
           "migrate"]
