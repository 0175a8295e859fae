"""Organisation defaults: ``assetkit.toml`` -> a dict of Options fields.

Looked for as ``--config FILE``, else ``assetkit.toml`` in the (first) input folder, else in the
working folder. The CLI and the hot folder read the same format; flags given on the command line
override it. Relative paths (logo, font, manifest) are relative to the file. Unknown sections,
unknown keys and bad values fail with the file, the key and the problem::

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
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError

FILENAME = "assetkit.toml"


class ConfigError(UsageError):
    def __init__(self, file, key: str, problem: str):
        super().__init__(f"config {file}: {key}: {problem}" if key else f"config {file}: {problem}")


def _str(v):
    return v if isinstance(v, str) and v.strip() else None


def _bool(v):
    return v if isinstance(v, bool) else None


def _fraction(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1 else None


def _position(v):
    from .image.watermark import POSITIONS

    return v if v in POSITIONS else None


def _int(v):
    return v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else None


def _choice(*allowed):
    return lambda v: v if v in allowed else None


def _focus(v):
    ok = isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) and 0 <= x <= 1 for x in v)
    return tuple(float(x) for x in v) if ok else None


_POS = "one of bottom-right, bottom-left, top-right, top-left"
# section -> key -> (Options field, parser, what a good value is, is a path)
SCHEMA = {
    "credit": {
        "template": ("credit", _str, "a non-empty string", False),
        "position": ("credit_position", _position, _POS, False),
        "font": ("font", _str, "a font file path", True),
        "visible": ("visible_credit", _bool, "true or false", False),
        "manifest": ("manifest", _str, "a CSV or JSON file path", True),
    },
    "logo": {
        "path": ("logo", _str, "a picture file path", True),
        "scale": ("logo_scale", _fraction, "a number above 0 and at most 1 (share of the width)", False),
        "opacity": ("logo_opacity", _fraction, "a number above 0 and at most 1", False),
        "position": ("logo_position", _position, _POS, False),
    },
    "consent": {
        "require": ("require_consent", _bool, "true or false", False),
        "blur_faces_without_consent": ("blur_faces_without_consent", _bool, "true or false", False),
    },
    "prepare": {
        "crop": ("crop", _choice("smart", "centre"), "smart or centre", False),
        "focus": ("focus", _focus, "[X, Y] as fractions between 0 and 1", False),
        "variant": ("variant", _str, "a variant name", False),
        "allow_upscale": ("allow_upscale", _bool, "true or false", False),
        "quality": ("quality", lambda v: v if _int(v) and v <= 100 else None, "a whole number 1-100", False),
        "max_pixels": ("max_pixels", _int, "a positive whole number", False),
        "keep_location": ("keep_location", _bool, "true or false", False),
        "fit": ("fit", _choice("pad", "crop", "blur"), "pad, crop or blur", False),
        "trim": ("trim", _str, "START-END or auto", False),
        "loudness": ("loudness", _bool, "true or false", False),
    },
}


def load_config(path: str | Path) -> dict:
    """Options fields from one config file, validated."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(p, "", f"cannot read it: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(p, "", f"not valid TOML: {e}") from None
    out: dict = {}
    for section, table in data.items():
        if section not in SCHEMA:
            raise ConfigError(p, f"[{section}]", f"unknown section (sections: {', '.join(SCHEMA)})")
        if not isinstance(table, dict):
            raise ConfigError(p, section, "must be a [section] table")
        for key, value in table.items():
            spec = SCHEMA[section].get(key.replace("-", "_"))
            if spec is None:
                raise ConfigError(p, f"[{section}] {key}", f"unknown key (keys: {', '.join(SCHEMA[section])})")
            field, parse, good, is_path = spec
            parsed = parse(value)
            if parsed is None:
                raise ConfigError(p, f"[{section}] {key}", f"must be {good}, got {value!r}")
            if is_path:
                parsed = str((p.parent / parsed).resolve()) if not Path(parsed).is_absolute() else parsed
                if not Path(parsed).exists():
                    raise ConfigError(p, f"[{section}] {key}", f"{parsed} does not exist")
            out[field] = parsed
    return out


def find_config(paths, explicit: str | Path | None = None) -> Path | None:
    """``explicit``, else assetkit.toml in the first input folder (or a file's folder), else in the
    working folder, else None."""
    if explicit:
        if not Path(explicit).is_file():
            raise UsageError(f"--config {explicit}: no such file")
        return Path(explicit)
    for p in list(paths)[:1]:
        folder = Path(p) if Path(p).is_dir() else Path(p).parent
        if (folder / FILENAME).is_file():
            return folder / FILENAME
    cwd = Path.cwd() / FILENAME
    return cwd if cwd.is_file() else None


def merge(config: dict, flags: dict) -> dict:
    """Flags given on the command line (not None) win over the config file."""
    return {**config, **{k: v for k, v in flags.items() if v is not None}}


@dataclass(frozen=True)
class Resolved:
    """What a run will use: Options fields (defaults < assetkit.toml < flags), the file they came
    from (None: no file), and one line per setting that lowers privacy (printed on every run)."""

    options: dict
    path: Path | None = None
    privacy_notes: tuple[str, ...] = ()
    folders: dict = field(default_factory=dict)   # hot folder: drop-folder name -> Options fields ([folder.NAME])


def resolve(flags: dict, *, config: str | Path | None = None, paths=(), cwd: Path | None = None,
            only: set[str] | None = None) -> Resolved:
    """The one resolver used by the CLI (prepare, check, preview), the hot folder and the library.

    ``flags``: Options fields given explicitly (None = not given). ``config``: an explicit file; else
    ``assetkit.toml`` in ``cwd`` (the working folder). ``only``: keep just these fields (a command
    that takes a subset). Raises ConfigError/UsageError naming the file, key and problem.
    """
    found = find_config(paths, config)
    base = load_config(found) if found else {}
    flags = {k: str(v) if isinstance(v, Path) else v for k, v in flags.items()}
    merged = {k: v for k, v in merge(base, flags).items() if v is not None}
    if only is not None:
        merged = {k: v for k, v in merged.items() if k in only}
    notes = tuple(f"{found}: keep_location = true: outputs keep GPS and other location data"
                  for _ in [0] if found and base.get("keep_location") and merged.get("keep_location"))
    return Resolved(merged, found, notes)
