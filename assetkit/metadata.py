"""Metadata policy: what an output carries.

Outputs get a *fresh* EXIF and XMP built from an allow-list, never a filtered copy of the source's:
whatever a camera or phone adds next year (new location fields, serials, owner names, MakerNotes,
thumbnails of the uncropped original) cannot leak, because nothing is copied by default.
Kept: Artist, Copyright (COPYRIGHT: credit is written), capture date, camera make/model. Orientation
is written as 1 because the pixels are upright.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from PIL import Image

from . import __version__

TAG_MAKE, TAG_MODEL, TAG_SOFTWARE, TAG_ORIENTATION = 0x010F, 0x0110, 0x0131, 0x0112
TAG_ARTIST, TAG_COPYRIGHT, TAG_DATETIME_ORIGINAL, TAG_DESCRIPTION = 0x013B, 0x8298, 0x9003, 0x010E
TAG_EXIF_IFD, TAG_GPS_IFD = 0x8769, 0x8825
RECIPE_NS = "urn:assetkit:1.0"


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
    try:
        exif = im.getexif()
        sub = exif.get_ifd(TAG_EXIF_IFD)
    except Exception:
        return Kept()

    gps = None
    if keep_location:
        try:
            gps = dict(exif.get_ifd(TAG_GPS_IFD)) or None
        except Exception:
            gps = None
    return Kept(artist=text(exif.get(TAG_ARTIST)), copyright=text(exif.get(TAG_COPYRIGHT)),
                taken=text(sub.get(TAG_DATETIME_ORIGINAL)), make=text(exif.get(TAG_MAKE)),
                model=text(exif.get(TAG_MODEL)), gps=gps)


def text(v) -> str | None:
    """EXIF text as str. Cameras and tools write UTF-8 into ASCII fields; Pillow hands it back
    decoded as latin-1 ("Â©"), so undo that when it round-trips."""
    if v is None:
        return None
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    v = str(v)
    try:
        v = v.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    v = v.strip("\x00 ").strip()
    return v or None


def build_exif(kept: Kept) -> bytes:
    exif = Image.Exif()
    exif[TAG_ORIENTATION] = 1
    exif[TAG_SOFTWARE] = f"assetkit {__version__}"
    for tag, value in ((TAG_ARTIST, kept.artist), (TAG_COPYRIGHT, kept.copyright), (TAG_MAKE, kept.make),
                       (TAG_MODEL, kept.model), (TAG_DESCRIPTION, kept.description)):
        if value:
            exif[tag] = value.encode("utf-8") if not value.isascii() else value
    if kept.taken:
        exif.get_ifd(TAG_EXIF_IFD)[TAG_DATETIME_ORIGINAL] = kept.taken
    if kept.gps:
        exif.get_ifd(TAG_GPS_IFD).update(kept.gps)
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


_RECIPE = re.compile(rb"<assetkit:recipe>([0-9a-f]+)</assetkit:recipe>")


def read_recipe(path) -> str | None:
    """The recipe hash an earlier run wrote into an output, or None."""
    try:
        with Image.open(path) as im:
            xmp = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp") or b""
    except Exception:
        return None
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8")
    m = _RECIPE.search(xmp)
    return m.group(1).decode() if m else None
