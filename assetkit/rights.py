"""Rights: where a picture's credit comes from, what is missing, and what consent allows.

Pure decisions on plain values (the plan builder calls them; no pixels): credit resolution, the
consent decision per output (blur, hold for review, warn), the needs-review route, and the metadata
record an output carries. Reading happens at the edges: the manifest through ``manifest.py``
(config's, cached), the source's own credit from the already-open header. Three sources, in this order (issue 4, COPYRIGHT; TWITTER > Images; GENERAL GUIDELINES):

1. ``--credit`` (or the config file's ``[credit] template``) for the whole batch; placeholders
   ``{artist}``, ``{copyright}``, ``{source}`` are filled from the file's metadata and manifest row.
   A template whose placeholder has no value for a file does not apply to that file.
2. The manifest row (``--manifest assets.csv`` or ``.json``): ``file, credit, source, consent,
   caption, alt, focus``.
3. The source's own metadata: EXIF Artist / Copyright, IPTC By-line (2,80) / Copyright notice
   (2,116), XMP dc:creator / dc:rights (JPEG, PNG, WebP, TIFF and HEIC all hand XMP to Pillow).

Findings: ``no-credit``, ``consent-missing``, ``credit-unreadable``, ``faces-blurred``,
``manifest-missing``, ``manifest-unknown-row``.
"""
from __future__ import annotations

import os
import string
from dataclasses import dataclass, field, replace
from pathlib import Path

from .checks import Code, finding, register
from .errors import UsageError
from .manifest import Manifest, ManifestError, Row, load_manifest  # noqa: F401 - re-exported
from . import metadata
from .metadata import Kept, SourceCredit  # noqa: F401 - SourceCredit re-exported
from .model import Finding, Severity

for _c in [
    Code("no-credit", Severity.WARNING, "COPYRIGHT; TWITTER > Images; BASIC EDITORIAL GUIDELINES", False,
         "no credit could be found (flag, manifest or metadata); an external image without one is an error"),
    Code("consent-missing", Severity.WARNING, "SECURITY AND PRIVACY; COPYRIGHT", False,
         "a face is visible and the manifest does not record consent (yes or not-needed)", review=True),
    Code("faces-blurred", Severity.INFO, "SECURITY AND PRIVACY", True,
         "faces without a consent record were blurred beyond recognition (--blur-faces-without-consent)"),
    Code("credit-unreadable", Severity.WARNING, "TWITTER > Images", False,
         "the visible credit would be smaller than a legible size at the slot's display size", review=True),
    Code("credit-glyphs", Severity.WARNING, "", False,
         "letters of the visible credit that no font has (not in --font, Noto Sans, Noto Sans Arabic or "
         "the system's fonts): drawn as boxes", review=True),
    Code("manifest-missing", Severity.WARNING, "COPYRIGHT", False,
         "the file has no row in the manifest, so its credit, source and consent are unknown"),
    Code("manifest-unknown-row", Severity.INFO, "", False, "a manifest row names a file that is not in the batch"),
]:
    register(_c)

FIELDS = ("artist", "copyright", "source")


# ----------------------------------------------------------------------------- source metadata


def read_source_credit(im) -> SourceCredit:
    """Artist and copyright from the source's EXIF, IPTC and XMP (the one reader: assetkit.metadata)."""
    return metadata.source_credit(im)


# ---------------------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class Credit:
    line: str | None          # the credit text to burn in and write, or None
    artist: str | None        # the creator's name, when known (EXIF Artist / dc:creator)
    copyright: str | None     # the rights line (EXIF Copyright / dc:rights)
    origin: str               # flag | manifest | metadata | none
    source: str | None        # own | external | None


def check_template(template: str) -> None:
    """Fail early on a template with unknown placeholders or broken braces."""
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as e:
        raise UsageError(f"--credit template {template!r}: {e}") from None
    bad = [n for n in names if n not in FIELDS]
    if bad:
        raise UsageError(f"--credit template {template!r}: unknown placeholder {{{bad[0]}}}; "
                         f"use {', '.join('{' + f + '}' for f in FIELDS)}")


def resolve(template: str | None, row: Row | None, meta: SourceCredit) -> Credit:
    source = row.source if row else None
    values = {"artist": meta.artist, "copyright": meta.copyright, "source": source}
    if template:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
        if all(values.get(n) for n in names):
            line = template.format(**values)
            return Credit(line, meta.artist, meta.copyright or line, "flag", source)
    if row and row.credit:
        return Credit(row.credit, meta.artist, meta.copyright or row.credit, "manifest", source)
    if meta.copyright or meta.artist:
        line = meta.copyright or f"Photo: {meta.artist}"
        return Credit(line, meta.artist, meta.copyright, "metadata", source)
    return Credit(None, None, None, "none", source)


def no_credit_message(credit: Credit) -> tuple[str, Severity] | None:
    if credit.line:
        return None
    if credit.source == "external":
        return ("no credit on a picture from an external source: external images must be "
                "credited and sourced (give --credit, a manifest credit, or metadata)", Severity.ERROR)
    who = "an own photo" if credit.source == "own" else "its source is not recorded"
    return (f"no credit ({who}); give --credit, a manifest credit, or set Artist/Copyright",
            Severity.WARNING)


# ------------------------------------------------------------------------------ faces in output


def faces_in_output(analysis, src_w: int, src_h: int, crop, out_size) -> list[tuple[int, int, int, int]]:
    """Head boxes (hair to chin) of the analysed faces, in output pixels; faces cut away are dropped.

    Pure: analysis faces are normalised to the upright source; ``crop`` is in upright source pixels.
    """
    if analysis is None:
        return []
    cx0, cy0, cx1, cy1 = crop
    out_w, out_h = out_size
    kx, ky = out_w / max(1e-9, cx1 - cx0), out_h / max(1e-9, cy1 - cy0)
    boxes = []
    for f in analysis.faces:
        hx0, hy0, hx1, hy1 = f.head()
        x0, y0 = (hx0 * src_w - cx0) * kx, (hy0 * src_h - cy0) * ky
        x1, y1 = (hx1 * src_w - cx0) * kx, (hy1 * src_h - cy0) * ky
        full = (x1 - x0) * (y1 - y0)
        b = (max(0, int(x0)), max(0, int(y0)), min(out_w, int(round(x1))), min(out_h, int(round(y1))))
        if b[2] <= b[0] or b[3] <= b[1]:
            continue
        if (b[2] - b[0]) * (b[3] - b[1]) < 0.25 * full:  # mostly cut away: not recognisable here
            continue
        boxes.append(b)
    return boxes


# ------------------------------------------------------------------------------- per-file facts


@dataclass(frozen=True)
class Rights:
    """What is known about one file's rights before any pixel is decoded: its manifest row, the
    resolved credit and the metadata its outputs carry over from it (date, camera; location only
    when asked). The plan builder turns these into findings, routing and the metadata to write."""

    credit: Credit = field(default_factory=lambda: Credit(None, None, None, "none", None))
    row: Row | None = None
    source_kept: Kept = field(default_factory=Kept)

    def to_info(self) -> dict:
        """The credit as ``JobResult.info["credit"]`` shows it."""
        c = self.credit
        return {"line": c.line, "from": c.origin, "source": c.source}


def manifest_row(options, path: str, rel_stem: str) -> tuple[Row | None, list[Finding]]:
    """The file's manifest row (``options.manifest``), and a finding when it has none."""
    if not options.manifest:
        return None, []
    manifest = load_manifest(options.manifest)
    rel = (Path(rel_stem).parent / Path(path).name).as_posix()
    row = manifest.lookup(rel)
    if row is None:
        return None, [finding("manifest-missing", f"{rel} has no row in {Path(manifest.path).name}: "
                              "its credit, source and consent are unknown")]
    return row, []


def facts(options, row: Row | None, source: SourceCredit = SourceCredit(), kept: Kept = Kept()) -> Rights:
    """Resolve the credit (flag or template > manifest > the source's metadata) for one file."""
    return Rights(resolve(options.credit, row, source), row, kept)


def file_findings(rights: Rights, platforms=()) -> list[Finding]:
    """Findings about the file's rights whatever the slot: no credit; the manifest caption's lint."""
    out = []
    missing = no_credit_message(rights.credit)
    if missing:
        out.append(finding("no-credit", missing[0], severity=missing[1]))
    row = rights.row
    if row and row.caption:
        from . import captions

        for platform in dict.fromkeys(platforms):
            out += captions.lint(row.caption, platform, where="the manifest caption")
    return out


def needs_faces(options, rights: Rights) -> bool:
    """Consent, blurring and credit placement need the faces, whatever the crop."""
    return bool(options.manifest or options.require_consent or options.blur_faces_without_consent
                or (rights.credit.line and options.visible_credit))


def metadata_record(rights: Rights) -> Kept:
    """What an output's EXIF/XMP carry: the credit into Artist/Copyright (dc:creator/dc:rights),
    the manifest caption and alt text, over what the source itself carries."""
    kept, credit, row = rights.source_kept, rights.credit, rights.row
    if credit.line:
        kept = replace(kept, artist=credit.artist or credit.line, copyright=credit.copyright or credit.line)
    if row:
        kept = replace(kept, description=row.caption or kept.description, alt=row.alt or kept.alt)
    return kept


@dataclass(frozen=True)
class Consent:
    """The consent decision for one output: blur the faces, hold it for review, and why."""

    blur: bool = False
    held: bool = False
    findings: tuple[Finding, ...] = ()


def consent(faces: tuple, rights: Rights, options, slot_id: str) -> Consent:
    """Faces in an output without a consent record: blurred (``blur_faces_without_consent``), held in
    needs-review/ (``require_consent``), or a warning. No faces, or consent recorded: nothing."""
    row = rights.row
    if not faces or (row and row.consent_ok):
        return Consent()
    recorded = f"consent={row.consent}" if row and row.consent else "no consent recorded"
    n = f"{len(faces)} face{'s' if len(faces) > 1 else ''}"
    if options.blur_faces_without_consent:
        return Consent(blur=True, findings=(finding(
            "faces-blurred", f"{n} visible and {recorded}: blurred beyond recognition", slot=slot_id),))
    if options.require_consent:
        return Consent(held=True, findings=(finding(
            "consent-missing", f"{n} visible and {recorded}: held for review in needs-review/ "
            "(--require-consent); get a signed consent form or use --blur-faces-without-consent",
            slot=slot_id, severity=Severity.ERROR),))
    return Consent(findings=(finding(
        "consent-missing", f"{n} visible and {recorded}: make sure a signed consent form exists "
        "(--require-consent holds such photos back)", slot=slot_id),))


def held_path(output: str | os.PathLike, out_dir: str | os.PathLike) -> str:
    """Where an output held back for a person goes: ``OUT/needs-review/<slot folder>/...``."""
    return str(Path(out_dir) / "needs-review" / Path(output).relative_to(out_dir))
