"""Organisation defaults: ``assetkit.toml`` -> Options fields; one resolver for every front end.

Precedence: Options defaults < assetkit.toml < flags given on the command line. The file is
``--config FILE``, else ``assetkit.toml`` in the working folder; never one found in the folders being
prepared (issue 15.5: a file dropped beside the photos must not be able to turn privacy off). The hot
folder passes ``ROOT/assetkit.toml`` explicitly. Relative paths (logo, font, manifest) are relative to
the file. Values are checked by the same types as Options (``assetkit.validate``), so a value that
fails here fails there; unknown sections, unknown keys and bad values fail with the file, the key
and the problem::

    [credit]
    template = "Photo: {artist} / IOM"
    position = "bottom-left"
    font = "fonts/Brand.ttf"
    visible = true
    manifest = "assets.csv"

    [logo]
    path = "logo.png"
    scale = 0.12
    opacity = 0.8
    position = "top-right"

    [consent]
    require = true
    blur_faces_without_consent = false

    [prepare]          # any prepare option by its flag name (also read by the hot folder)
    crop = "smart"
    allow_upscale = false
    quality = 85

    [folder."instagram-story"]   # hot folder: settings for one drop folder (any [prepare] key)
    trim = "auto"
"""
from __future__ import annotations

import tomllib

import msgspec
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path

from .errors import UsageError

FILENAME = "assetkit.toml"

# section -> file key -> Options field
SECTIONS: dict[str, dict[str, str]] = {
    "credit": {"template": "credit", "position": "credit_position", "font": "font",
               "visible": "visible_credit", "manifest": "manifest"},
    "logo": {"path": "logo", "scale": "logo_scale", "opacity": "logo_opacity", "position": "logo_position"},
    "consent": {"require": "require_consent", "blur_faces_without_consent": "blur_faces_without_consent"},
    "prepare": {k: k for k in ("crop", "focus", "variant", "allow_upscale", "quality", "max_pixels",
                               "keep_location", "fit", "trim", "loudness")},
}
PATH_FIELDS = {"font", "manifest", "logo"}   # relative to the config file; must exist
FOLDER = "folder"                            # [folder."NAME"]: per-drop-folder [prepare] keys
# settings that lower privacy: field -> what it does (printed on every run that uses one)
PRIVACY = {"keep_location": "outputs keep GPS and other location data"}


class ConfigError(UsageError):
    def __init__(self, file, key: str, problem: str):
        super().__init__(f"config {file}: {key}: {problem}" if key else f"config {file}: {problem}")
        self.file, self.key, self.problem = str(file), key, problem


@lru_cache(maxsize=None)
def _struct(section: str):
    from .options import Options
    from .validate import struct_from

    return struct_from(Options, SECTIONS[section], section)


@dataclass(frozen=True)
class ConfigFile:
    """One assetkit.toml, validated: Options fields, and per-drop-folder Options fields."""

    path: Path
    options: dict
    folders: dict[str, dict] = field(default_factory=dict)


def read(path: str | Path) -> ConfigFile:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(p, "", f"cannot read it: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(p, "", f"not valid TOML: {e}") from None
    options: dict = {}
    folders: dict[str, dict] = {}
    for section, table in data.items():
        if section == FOLDER:
            if not isinstance(table, dict):
                raise ConfigError(p, f"[{FOLDER}]", 'must hold tables: [folder."instagram"]')
            for name, sub in table.items():
                folders[name] = _section(p, "prepare", sub, f'[folder."{name}"]')
            continue
        if section not in SECTIONS:
            from .validate import _near

            raise ConfigError(p, f"[{section}]", f"unknown section (sections: {', '.join([*SECTIONS, FOLDER])})"
                              + _near(section, [*SECTIONS, FOLDER]))
        options.update(_section(p, section, table, f"[{section}]"))
    return ConfigFile(p, options, folders)


def _section(p: Path, section: str, table, where: str) -> dict:
    from .validate import Invalid, convert

    if not isinstance(table, dict):
        raise ConfigError(p, where, "must be a [section] table")
    table = {str(k).replace("-", "_"): v for k, v in table.items()}
    try:
        parsed = convert(table, _struct(section))
    except Invalid as e:
        raise ConfigError(p, f"{where} {e.key}", e.problem) from None
    out = {}
    for key, fld in SECTIONS[section].items():
        value = getattr(parsed, key)
        if value is None or value is msgspec.UNSET:
            continue
        value = value.value if isinstance(value, Enum) else value
        if fld in PATH_FIELDS:
            value = value if Path(value).is_absolute() else str((p.parent / value).resolve())
            if not Path(value).exists():
                raise ConfigError(p, f"{where} {key}", f"{value} does not exist")
        out[fld] = value
    return out


def load_config(path: str | Path) -> dict:
    """Options fields from one config file, validated (its ``[folder.*]`` tables: ``read``)."""
    return read(path).options


def find_config(paths=(), explicit: str | Path | None = None, cwd: Path | None = None) -> Path | None:
    """``explicit``, else assetkit.toml in the working folder, else None. ``paths`` (the folders being
    prepared) are never searched: a file among the photos is not the organisation's setting."""
    if explicit:
        if not Path(explicit).is_file():
            raise UsageError(f"--config {explicit}: no such file")
        return Path(explicit)
    found = Path(cwd or Path.cwd()) / FILENAME
    return found if found.is_file() else None


def merge(config: dict, flags: dict) -> dict:
    """Flags given on the command line (not None) win over the config file."""
    return {**config, **{k: v for k, v in flags.items() if v is not None}}


@dataclass(frozen=True)
class Resolved:
    """What a run will use: Options fields (defaults < assetkit.toml < flags), the file they came
    from (None: no file), one line per setting that lowers privacy (printed on every run), the
    hot folder's per-drop-folder fields, and config files lying in the prepared folders that were
    not read (so the CLI can say so)."""

    options: dict
    path: Path | None = None
    privacy_notes: tuple[str, ...] = ()
    folders: dict = field(default_factory=dict)   # hot folder: drop-folder name -> Options fields ([folder.NAME])
    ignored: tuple[Path, ...] = ()


def resolve(flags: dict, *, config: str | Path | None = None, paths=(), cwd: Path | None = None,
            only: set[str] | None = None) -> Resolved:
    """The one resolver used by the CLI (prepare, check, preview), the hot folder and the library.

    ``flags``: Options fields given explicitly (None = not given). ``config``: an explicit file; else
    ``assetkit.toml`` in ``cwd`` (the working folder). ``paths``: the inputs, only to name config files
    among them that are *not* read. ``only``: keep just these fields (a command that takes a subset).
    Raises ConfigError/UsageError naming the file, key and problem.
    """
    from .options import fspath

    found = find_config(paths, config, cwd)
    cfg = read(found) if found else ConfigFile(Path(), {})
    flags = {k: fspath(v) for k, v in flags.items()}
    merged = {k: v for k, v in merge(cfg.options, flags).items() if v is not None}
    if only is not None:
        merged = {k: v for k, v in merged.items() if k in only}
    notes = []
    for name, effect in PRIVACY.items():
        if merged.get(name):
            where = f"{found}: " if flags.get(name) is None and found else ""
            notes.append(f"{where}{name} = true: {effect}" if where else f"--{name.replace('_', '-')}: {effect}")
        for folder, fields_ in cfg.folders.items():
            if fields_.get(name) and flags.get(name) is None:
                notes.append(f'{found}: [folder."{folder}"] {name} = true: {effect} (drop folder {folder})')
    ignored = tuple(c for c in _configs_in(paths) if not found or c.resolve() != found.resolve())
    return Resolved(merged, found, tuple(notes), cfg.folders, ignored)


def _configs_in(paths) -> list[Path]:
    out = []
    for p in paths:
        folder = Path(p) if Path(p).is_dir() else Path(p).parent
        if (folder / FILENAME).is_file() and folder / FILENAME not in out:
            out.append(folder / FILENAME)
    return out
