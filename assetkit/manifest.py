"""The manifest: one row per file (``--manifest assets.csv`` or ``.json``) with its credit, source,
consent, caption, alt text and focus point. Validated as a whole before any file is touched, so a bad
value is a usage error naming the file and row, not one finding per file.
"""
from __future__ import annotations

import csv
import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import UsageError
from .options import Consent, Focus, Source, Text

SOURCES = Source.values()     # the choice tables in options.py
CONSENTS = Consent.values()
COLUMNS = ("file", "credit", "source", "consent", "caption", "alt", "focus")


class ManifestError(UsageError):
    """A manifest that cannot be used: names the file and row."""


@dataclass(frozen=True)
class Row:
    file: Text
    credit: str | None = None
    source: Source | None = None    # own | external | None (unknown); stored as the plain value
    consent: Consent | None = None  # yes | no | not-needed | None (not recorded)
    caption: str | None = None
    alt: str | None = None
    focus: Focus | None = None
    line: int = 0                   # row number in the file, for messages

    @property
    def consent_ok(self) -> bool:
        return self.consent in (Consent.YES, Consent.NOT_NEEDED)


@dataclass(frozen=True)
class Manifest:
    path: str
    rows: tuple[Row, ...]

    def lookup(self, rel_path: str) -> Row | None:
        """The row for a file: by path relative to the input folder, else by file name (NFC, casefold)."""
        key = _key(rel_path)
        name = _key(Path(rel_path).name)
        by_path = {_key(r.file): r for r in self.rows}
        if key in by_path:
            return by_path[key]
        named = [r for r in self.rows if _key(Path(r.file).name) == name]
        return named[0] if len(named) == 1 else None

    def unknown(self, rel_paths) -> list[Row]:
        """Rows that match none of the files."""
        keys = {_key(p) for p in rel_paths}
        names = {_key(Path(p).name) for p in rel_paths}
        return [r for r in self.rows if _key(r.file) not in keys and _key(Path(r.file).name) not in names]


def _key(p: str) -> str:
    return unicodedata.normalize("NFC", str(p).replace("\\", "/").lstrip("./")).casefold()


# ------------------------------------------------------------------------------------- manifest


def load_manifest(path: str | Path) -> Manifest:
    p = Path(path)
    try:
        st = p.stat()
    except OSError as e:
        raise ManifestError(f"{p}: cannot read the manifest: {e.strerror or e}") from None
    return _load(str(p), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _load(path: str, _size: int, _mtime: int) -> Manifest:
    p = Path(path)
    name = p.name
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ManifestError(f"{name}: cannot read the manifest: {e}") from None
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as e:
            raise ManifestError(f"{name}: not valid JSON: {e}") from None
        if isinstance(data, dict) and isinstance(data.get("files"), list):
            data = data["files"]
        if not isinstance(data, list):
            raise ManifestError(f"{name}: expected a list of rows (objects with a 'file' key)")
        records = [(i + 1, r) for i, r in enumerate(data)]
        what = "item"
    else:
        reader = csv.DictReader(raw.splitlines())
        if not reader.fieldnames or "file" not in [f.strip().lower() for f in reader.fieldnames]:
            raise ManifestError(f"{name}: the first line must name the columns, including 'file' "
                                f"(columns: {', '.join(COLUMNS)})")
        records = [(i + 2, r) for i, r in enumerate(reader)]  # row 1 is the header
        what = "row"
    rows, seen = [], {}
    for n, rec in records:
        where = f"{name} {what} {n}"
        if not isinstance(rec, dict):
            raise ManifestError(f"{where}: expected an object with a 'file' key")
        rows.append(_row(rec, where, n))
        k = _key(rows[-1].file)
        if k in seen:
            raise ManifestError(f"{where}: {rows[-1].file!r} is already listed in {what} {seen[k]}")
        seen[k] = n
    return Manifest(path, tuple(rows))


def _row(rec: dict, where: str, n: int) -> Row:
    from .validate import Invalid, convert

    rec = {str(k).strip().lower(): v for k, v in rec.items() if k is not None}
    extra = set(rec) - set(COLUMNS)
    if extra:
        raise ManifestError(f"{where}: unknown column {', '.join(sorted(extra))} (columns: {', '.join(COLUMNS)})")
    vals = {k: (str(v).strip() or None) if v is not None else None for k, v in rec.items()}
    if not vals.get("file"):
        raise ManifestError(f"{where}: file is empty")
    if vals.get("focus"):
        try:
            vals["focus"] = [float(x) for x in vals["focus"].split(",")]
        except ValueError:
            pass  # left as text: the type check below says what a focus is
    try:
        row = convert({**vals, "line": n}, Row)
    except Invalid as e:
        if e.key == "focus":
            raise ManifestError(f"{where}: focus must be X,Y as fractions between 0 and 1, got {rec.get('focus')!r}") from None
        raise ManifestError(f"{where}: {e.key} {e.problem}") from None
    return Row(file=row.file, credit=row.credit, source=row.source and row.source.value,
               consent=row.consent and row.consent.value, caption=row.caption, alt=row.alt, focus=row.focus, line=n)
