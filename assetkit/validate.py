"""One validation mechanism for Options, assetkit.toml, manifest rows and preset files.

msgspec converts plain data (TOML tables, CSV/JSON rows, keyword arguments) into typed values and
checks the constraints written on the types (``options.Quality``, ``options.Fraction``, the Choice
Enums); this module turns its errors into one wording, naming the key and the problem:
``quality: must be a whole number 1-100, got 0``, ``kind: must be photo or video, got 'gif' (did
you mean ...?)``, ``widht: unknown key (allowed: ...)``. Callers add the file and raise their own
error type (ConfigError, ManifestError, PresetError, UsageError).

Why msgspec: declarative types with constraints, unknown-key rejection and a path to the bad value,
in a library that imports in a few milliseconds (pydantic: ~10x the import cost, see README), so
``assetkit presets`` and ``--help`` stay quick.
"""
from __future__ import annotations

import copy
import dataclasses
import re
import typing
from enum import Enum
from functools import lru_cache

import msgspec

from .errors import UsageError


class Invalid(Exception):
    """One bad value: ``key`` is a dotted path (``slots.banner.variants[0].width``), ``problem`` the
    plain-language reason."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"{key}: {problem}" if key else problem)
        self.key, self.problem = key, problem


def convert(data, type_, *, strict: bool = True):
    """``data`` as ``type_`` (a msgspec Struct, dataclass, or any annotated type), or Invalid."""
    copied = False
    for _ in range(64):
        try:
            return msgspec.convert(data, type_, strict=strict, str_keys=True)
        except msgspec.ValidationError as e:
            fixed = _alias(e, data, type_)
            if fixed is None:
                raise explain(e, data, type_) from None
            if not copied:  # never change the caller's data
                data, copied = copy.deepcopy(data), True
            _set(data, *fixed)
    raise Invalid("", "too many aliases")  # pragma: no cover


def _alias(err, data, type_):
    """(steps, value) when the error is a Choice value given by an alias or in capitals
    (``center``, ``Not_Needed``): msgspec matches Enum values exactly, the tables accept both."""
    steps = _steps(err)
    if steps is None or "..." in steps or not steps:
        return None
    value, typ = _walk(data, type_, steps)
    choice = _choice(typ)
    if choice is None or not isinstance(value, str):
        return None
    try:
        canonical = choice(value).value
    except ValueError:
        return None
    return (steps, canonical) if canonical != value else None


def _set(data, steps, value):
    for s in steps[:-1]:
        data = data[s]
    data[steps[-1]] = value


def _steps(err):
    m = _AT.match(str(err))
    path = m.group("path") or ""
    return [s[0] or (int(s[1]) if s[1].isdigit() else s[1]) for s in _STEP.findall(path)]


_AT = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_EXPECTED = re.compile(r"^Expected `([^`]+)`, got `([^`]+)`$")


def explain(err: msgspec.ValidationError, data, type_) -> Invalid:
    msg, steps = _AT.match(str(err)).group("msg"), _steps(err)
    value, typ = _walk(data, type_, steps)
    key = _key(steps)
    unknown = re.match(r"Object contains unknown field `(.+)`", msg)
    if unknown:
        allowed = _field_names(typ)
        return Invalid(_join(key, unknown.group(1)),
                       f"unknown key (allowed: {', '.join(allowed)})" + _near(unknown.group(1), allowed))
    missing = re.match(r"Object missing required field `(.+)`", msg)
    if missing:
        return Invalid(_join(key, missing.group(1)), "is missing")
    choice = _choice(typ)
    if choice is not None:
        return Invalid(key, choice.problem(value))
    value, typ = _walk(data, type_, steps, outer=True)
    desc = _description(typ)
    if desc:
        return Invalid(_key(steps[:_last_field(steps) + 1]) if _choice(typ) is None and steps else key,
                       f"must be {desc}, got {value!r}")
    bound = _bound(msg, value)
    if bound:
        return Invalid(key, bound)
    exp = _EXPECTED.match(msg)
    if exp:
        return Invalid(key, f"must be {_plain(exp.group(1))}, got {type(value).__name__} {value!r}")
    return Invalid(key, msg[0].lower() + msg[1:] if msg else "is not valid")


def check_options(opts) -> dict:
    """Validate an Options record; return the fields to normalise (``Path`` -> str, alias ->
    value). Raises UsageError naming the flag: ``--logo-opacity must be ..., got 0``."""
    from .options import flag, fspath

    values = {f.name: fspath(getattr(opts, f.name)) for f in dataclasses.fields(opts)}
    try:
        checked = convert(values, _options_struct(type(opts)))
    except Invalid as e:
        name = e.key.split(".")[0].split("[")[0]
        raise UsageError(f"{flag(name)} {e.problem}") from None
    out = {}
    for name, value in values.items():
        new = getattr(checked, name)
        new = new.value if isinstance(new, Enum) else new
        if new != getattr(opts, name) or type(new) is not type(getattr(opts, name)):
            out[name] = new
    return out


@lru_cache(maxsize=None)
def _options_struct(cls):
    """A Struct with the dataclass's fields and types: validating it does not run __post_init__."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return msgspec.defstruct(cls.__name__, [(f.name, hints[f.name], f.default) for f in dataclasses.fields(cls)],
                             forbid_unknown_fields=True)


def struct_from(cls, keys: dict[str, str], name: str):
    """A Struct whose fields are ``keys`` (file key -> field of ``cls``), typed as ``cls`` types them,
    all optional: one TOML table (``[logo] scale`` -> ``logo_scale``) validated like Options."""
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = [(k, typing.Optional[_strip_none(hints[f])], msgspec.UNSET) for k, f in keys.items()]
    return msgspec.defstruct(name, fields, forbid_unknown_fields=True, omit_defaults=True)


# --------------------------------------------------------------------------------- type walking


def _walk(data, typ, steps, outer: bool = False):
    """The value and type at ``steps``; with ``outer``, the outermost one below the last field that
    has a description (``focus`` rather than ``focus[0]``)."""
    described = None
    for s in steps:
        typ = _unwrap(typ, data)
        if described is None and _description(typ):
            described = (data, typ)
        if isinstance(s, int) or s == "...":
            typ = _bare(typ)
            args = typing.get_args(typ)
            if typing.get_origin(typ) is dict:
                typ = args[1] if args else typing.Any
                data = None
                continue
            data = data[s] if isinstance(data, (list, tuple)) and isinstance(s, int) and s < len(data) else None
            typ = (args[s] if typing.get_origin(typ) is tuple and isinstance(s, int) and s < len(args) and args[-1] is not ...
                   else args[0] if args else typing.Any)
        else:
            described = None
            hints = _hints(typ)
            typ = hints.get(s, typing.Any)
            data = data.get(s) if isinstance(data, dict) else getattr(data, s, None)
    typ = _unwrap(typ, data)
    if outer and described is not None:
        return described
    return data, typ


def _unwrap(typ, data=None):
    """Drop Optional; for a union of a scalar and a list pick the side the data is on."""
    if typing.get_origin(typ) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        args = [a for a in typing.get_args(typ) if a is not type(None) and a is not msgspec.UnsetType]
        if len(args) > 1:
            want_list = isinstance(data, (list, tuple))
            args = [a for a in args if (typing.get_origin(_bare(a)) in (list, tuple)) == want_list] or args
        return args[0] if args else typ
    return typ


def _strip_none(typ):
    return _unwrap(typ) if typing.get_origin(typ) in (typing.Union, getattr(__import__("types"), "UnionType", None)) and \
        type(None) in typing.get_args(typ) else typ


def _bare(typ):
    return typing.get_args(typ)[0] if typing.get_origin(typ) is typing.Annotated else typ


def _hints(typ) -> dict:
    typ = _bare(typ)
    try:
        return typing.get_type_hints(typ, include_extras=True)
    except Exception:
        return {}


def _field_names(typ) -> list[str]:
    typ = _bare(typ)
    if hasattr(typ, "__struct_fields__"):
        return list(typ.__struct_fields__)
    if dataclasses.is_dataclass(typ):
        return [f.name for f in dataclasses.fields(typ)]
    return []


def _choice(typ):
    from .options import Choice

    b = _bare(typ)
    return b if isinstance(b, type) and issubclass(b, Choice) else None


def _description(typ) -> str | None:
    if typing.get_origin(typ) is typing.Annotated:
        for meta in reversed(typing.get_args(typ)[1:]):
            if isinstance(meta, msgspec.Meta) and meta.description:
                return meta.description
        return _description(typing.get_args(typ)[0])
    return None


def _plain(t: str) -> str:
    t = t.replace(" | null", "")
    return {"object": "a table", "array": "a list", "bool": "true or false"}.get(t, t)


_BOUND = re.compile(r"^Expected `(\w+)` (>=|>|<=|<) (-?[\d.]+)$")


def _bound(msg: str, value) -> str | None:
    """``Expected `int` > 0`` -> ``must be positive, got -5``."""
    m = _BOUND.match(msg)
    if not m:
        return None
    op, n = m.group(2), float(m.group(3))
    words = ("positive" if op == ">" and n == 0 else
             "a positive whole number" if op == ">=" and n == 1 and m.group(1) == "int" else
             f"at least {m.group(3)}" if op == ">=" else f"above {m.group(3)}" if op == ">" else
             f"at most {m.group(3)}" if op == "<=" else f"below {m.group(3)}")
    return f"must be {words}, got {value!r}"


def _last_field(steps) -> int:
    """Index of the last named step (a key, not a list index)."""
    idx = [i for i, s in enumerate(steps) if isinstance(s, str) and s != "..."]
    return idx[-1] if idx else -1


def _key(steps) -> str:
    out = ""
    for s in steps:
        out += f"[{s}]" if isinstance(s, int) or s == "..." else (f".{s}" if out else s)
    return out


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _near(word: str, allowed) -> str:
    from .errors import suggest

    near = suggest(word, allowed)
    return f"; did you mean {near!r}?" if near else ""
