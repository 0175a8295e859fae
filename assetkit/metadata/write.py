"""The one metadata writer (the policy: what an output carries) and the recipe read back.

Outputs get a *fresh* EXIF and XMP built from an allow-list, never a filtered copy of the source's:
whatever a camera or phone adds next year (new location fields, serials, owner names, MakerNotes,
thumbnails of the uncropped original) cannot leak, because nothing is copied by default.
Kept: Artist, Copyright (COPYRIGHT: credit is written), capture date, camera make/model. Orientation
is written as 1 because the pixels are upright.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from PIL import Image

from .. import __version__
from .read import IFD, Tag, exif_of, ifd, parse_xmp, text, xmp_bytes

RECIPE_NS = "urn:assetkit:1.0"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(value: str) -> str:
    """Text as XML character data, escaped exactly once; characters XML 1.0 cannot carry (control
    codes from a camera's Artist field) are dropped, so the packet always parses back."""
    # &, < and > as xml.sax.saxutils.escape does, without its import of urllib, http and email
    # (65 ms of every worker's start)
    return _NOT_XML.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Kept:
    """What the output carries from the source (and the credit, once known)."""

    artist: str | None = None
    copyright: str | None = None
    taken: str | None = None
    make: str | None = None
    model: str | None = None
    description: str | None = None
    alt: str | None = None
    gps: dict | None = None   # only when the user explicitly asked to keep location


def read_kept(im: Image.Image, keep_location: bool = False) -> Kept:
    """What the allow-list keeps from a source: Artist, Copyright, capture date, make, model (and
    GPS only when the user explicitly asked)."""
    exif = exif_of(im)
    sub = ifd(exif, IFD.Exif)
    gps = (dict(ifd(exif, IFD.GPSInfo)) or None) if keep_location else None
    return Kept(artist=text(exif.get(Tag.Artist)), copyright=text(exif.get(Tag.Copyright)),
                taken=text(sub.get(Tag.DateTimeOriginal)), make=text(exif.get(Tag.Make)),
                model=text(exif.get(Tag.Model)), gps=gps)


def build_exif(kept: Kept) -> bytes:
    exif = Image.Exif()
    exif[Tag.Orientation] = 1
    exif[Tag.Software] = f"assetkit {__version__}"
    for tag, value in ((Tag.Artist, kept.artist), (Tag.Copyright, kept.copyright), (Tag.Make, kept.make),
                       (Tag.Model, kept.model), (Tag.ImageDescription, kept.description)):
        if value:
            exif[tag] = value.encode("utf-8") if not value.isascii() else value
    if kept.taken:
        exif.get_ifd(IFD.Exif)[Tag.DateTimeOriginal] = kept.taken
    if kept.gps:
        exif.get_ifd(IFD.GPSInfo).update(kept.gps)
    return exif.tobytes()


def build_xmp(kept: Kept, recipe: str = "") -> bytes:
    """A minimal XMP packet: dc:creator, dc:rights, dc:description, alt text, and the recipe hash
    that lets a re-run recognise an up-to-date output."""
    props = []
    if kept.artist:
        props.append(f"<dc:creator><rdf:Seq><rdf:li>{escape(kept.artist)}</rdf:li></rdf:Seq></dc:creator>")
    if kept.copyright:
        props.append(f'<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{escape(kept.copyright)}</rdf:li></rdf:Alt></dc:rights>')
    if kept.description:
        props.append(f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(kept.description)}</rdf:li></rdf:Alt></dc:description>')
    if kept.alt:
        props.append(f'<Iptc4xmpCore:AltTextAccessibility><rdf:Alt><rdf:li xml:lang="x-default">{escape(kept.alt)}'
                     '</rdf:li></rdf:Alt></Iptc4xmpCore:AltTextAccessibility>')
    if recipe:
        props.append(f"<assetkit:recipe>{escape(recipe)}</assetkit:recipe>")
    body = "".join(props)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" '
        f'xmlns:assetkit="{RECIPE_NS}">{body}</rdf:Description></rdf:RDF></x:xmpmeta>'
        '<?xpacket end="w"?>'
    ).encode("utf-8")


def read_recipe(path) -> str | None:
    """The recipe hash an earlier run wrote into an output, or None (header only, no decode)."""
    try:
        with Image.open(path) as im:
            return parse_xmp(xmp_bytes(im)).recipe
    except Exception:
        return None
