"""Test inputs made in code: real files with known pixels and metadata.

Plain functions, no pytest inside, so test modules, benchmarks and tools can share them. Every
``make_*`` writes one file and returns its Path. Random content uses a fixed seed, so the same call
writes the same pixels.

Conventions other tests rely on:
- ``pattern="quadrants"``: the UPRIGHT picture has red top-left, green top-right, blue bottom-left,
  yellow bottom-right (``QUADRANTS``), shaded and noisy but each quadrant centre stays within ~40
  levels of its pure colour. ``quadrant_names(img)`` reads them back.
- ``orientation=N`` stores the pixels transformed with the inverse of EXIF orientation N and sets
  tag 0x0112 = N, so ``ImageOps.exif_transpose`` gives the upright quadrants at ``size``.
- Sizes are always the UPRIGHT (displayed) size; for N in 5..8 the stored image is H x W.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, PngImagePlugin

# ---------------------------------------------------------------------------------------------
# Colours and orientation

RED, GREEN, BLUE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)
QUADRANTS = {"top_left": RED, "top_right": GREEN, "bottom_left": BLUE, "bottom_right": YELLOW}
COLOUR_NAMES = {RED: "red", GREEN: "green", BLUE: "blue", YELLOW: "yellow"}

# What ImageOps.exif_transpose applies for each orientation value ...
EXIF_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# ... and its inverse, applied when storing. Flips, 180 and the two transposes are their own
# inverse; only the quarter turns swap (6 <-> 8).
STORE_TRANSPOSE = {**EXIF_TRANSPOSE, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}

TAG_ORIENTATION = 0x0112
TAG_ARTIST = 0x013B
TAG_COPYRIGHT = 0x8298
IFD_EXIF = 0x8769
IFD_GPS = 0x8825
TAG_MAKERNOTE = 0x927C
TAG_CAMERA_OWNER = 0xA430
TAG_BODY_SERIAL = 0xA431
TAG_LENS_SERIAL = 0xA435

# Geneva; the values make_photo(gps=True) writes, in decimal degrees and metres.
GPS_LAT, GPS_LON, GPS_ALT = 46.2230, 6.1433, 375.0
PRIVATE_TAGS = {
    TAG_CAMERA_OWNER: "Jane Example",
    TAG_BODY_SERIAL: "BODY-0012345678",
    TAG_LENS_SERIAL: "LENS-0087654321",
}
MAKERNOTE = b"FIXTURE\x00" + bytes(range(32))  # opaque vendor blob, as real ones are
XMP_CITY, XMP_LOCATION = "Geneva", "Route des Morillons 17"


def to_stored(upright: Image.Image, orientation: int | None) -> Image.Image:
    """Pixels to store so that a viewer applying EXIF ``orientation`` shows ``upright``."""
    if orientation in (None, 1):
        return upright
    if orientation not in STORE_TRANSPOSE:
        raise ValueError(f"EXIF orientation must be 1..8, got {orientation!r}")
    return upright.transpose(STORE_TRANSPOSE[orientation])


def quadrant_names(img: Image.Image) -> tuple[str, str, str, str]:
    """Nearest of red/green/blue/yellow at the four quadrant centres: (TL, TR, BL, BR).

    A median over a small window keeps noise and JPEG ringing out of the answer.
    """
    a = np.asarray(img.convert("RGB"), dtype=np.int32)
    h, w = a.shape[:2]
    r = max(1, min(w, h) // 16)
    names = []
    for fy, fx in ((0.25, 0.25), (0.25, 0.75), (0.75, 0.25), (0.75, 0.75)):
        cy, cx = int(h * fy), int(w * fx)
        px = np.median(a[cy - r : cy + r + 1, cx - r : cx + r + 1].reshape(-1, 3), axis=0)
        best = min(COLOUR_NAMES, key=lambda c: float(np.sum((px - np.array(c)) ** 2)))
        names.append(COLOUR_NAMES[best])
    return tuple(names)  # type: ignore[return-value]


UPRIGHT_NAMES = ("red", "green", "blue", "yellow")

# ---------------------------------------------------------------------------------------------
# Pixels


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def quadrants_image(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Upright quadrant picture with a soft diagonal shading and mild noise (photo-like)."""
    w, h = size
    a = np.zeros((h, w, 3), dtype=np.float32)
    a[: h // 2, : w // 2] = RED
    a[: h // 2, w // 2 :] = GREEN
    a[h // 2 :, : w // 2] = BLUE
    a[h // 2 :, w // 2 :] = YELLOW
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    shade = 0.88 + 0.12 * (xx / max(w - 1, 1) + yy / max(h - 1, 1)) / 2  # 0.88..1.0
    a = a * shade[..., None] + _rng(seed).normal(0, 4, a.shape) + 6  # lift the zeros a little
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")


def noise_image(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Uniform random RGB: nearly incompressible, for byte-limit tests."""
    w, h = size
    return Image.fromarray(_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB")


PATTERNS = {"quadrants": quadrants_image, "noise": noise_image}

# ---------------------------------------------------------------------------------------------
# Metadata


def _gps_rational(deg: float) -> tuple[float, float, float]:
    d = int(deg)
    m = int((deg - d) * 60)
    s = round(((deg - d) * 60 - m) * 60, 2)
    return (float(d), float(m), s)


def build_exif(
    *, orientation: int | None = None, gps: bool = False, private: bool = False,
    exif: dict | None = None,
) -> Image.Exif:
    ex = Image.Exif()
    for tag, value in (exif or {}).items():
        # EXIF ASCII cannot hold "©": write UTF-8 bytes, as exiftool and cameras do. Pillow reads
        # them back as latin-1 text; value.encode("latin-1").decode("utf-8") recovers it.
        if isinstance(value, str) and not value.isascii():
            value = value.encode("utf-8")
        ex[tag] = value
    if orientation is not None:
        ex[TAG_ORIENTATION] = orientation
    if gps:
        g = ex.get_ifd(IFD_GPS)
        g[0] = b"\x02\x02\x00\x00"  # GPSVersionID
        g[1], g[2] = "N", _gps_rational(GPS_LAT)
        g[3], g[4] = "E", _gps_rational(GPS_LON)
        g[5], g[6] = b"\x00", GPS_ALT  # above sea level
    if private:
        e = ex.get_ifd(IFD_EXIF)
        e.update(PRIVATE_TAGS)
        e[TAG_MAKERNOTE] = MAKERNOTE
    return ex


def xmp_packet(
    *, location: bool = True, creator: str | None = None, rights: str | None = None,
) -> bytes:
    """A minimal XMP packet (UTF-8). ``location`` adds city, IPTC location and GPS latitude."""
    props = []
    if location:
        d, m = int(GPS_LAT), (GPS_LAT - int(GPS_LAT)) * 60
        props += [
            f"<photoshop:City>{XMP_CITY}</photoshop:City>",
            f"<Iptc4xmpCore:Location>{XMP_LOCATION}</Iptc4xmpCore:Location>",
            f"<exif:GPSLatitude>{d},{m:.4f}N</exif:GPSLatitude>",  # XMP form "DDD,MM.mmmmk"
        ]
    if creator:
        props.append(f"<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>")
    if rights:
        props.append(
            f'<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{rights}</rdf:li></rdf:Alt></dc:rights>'
        )
    body = "\n    ".join(props)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"\n'
        '    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"\n'
        '    xmlns:exif="http://ns.adobe.com/exif/1.0/">\n'
        f"    {body}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Photos


def make_photo(
    path, size=(400, 300), *, orientation=None, gps=False, icc=None, exif=None, quality=90,
    pattern="quadrants", fmt="JPEG", private=False, xmp_location=False, xmp=None, seed=0,
) -> Path:
    """Photo-like image; ``size`` is the upright size. See the module docstring for guarantees.

    ``icc``: a profile name for ``icc_profile`` or raw ICC bytes, embedded as-is (pixels are not
    converted). ``xmp``: raw packet bytes; ``xmp_location=True`` builds one with location fields.
    XMP is written for JPEG, WebP and PNG.
    """
    path = Path(path)
    img = to_stored(PATTERNS[pattern](tuple(size), seed), orientation)
    kw: dict = {}
    ex = build_exif(orientation=orientation, gps=gps, private=private, exif=exif)
    if len(ex) or gps or private:
        kw["exif"] = ex.tobytes()
    if icc is not None:
        kw["icc_profile"] = icc if isinstance(icc, bytes) else icc_profile(icc)
    if xmp_location and xmp is None:
        xmp = xmp_packet(location=True)
    fmt = fmt.upper()
    if xmp is not None:
        if fmt == "PNG":  # Pillow's PNG writer has no xmp=; the standard iTXt key works
            info = PngImagePlugin.PngInfo()
            info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"))
            kw["pnginfo"] = info
        elif fmt in ("JPEG", "WEBP"):
            kw["xmp"] = xmp
        else:
            raise ValueError(f"xmp not supported for {fmt}")
    if fmt in ("JPEG", "WEBP"):
        kw["quality"] = quality
    img.save(path, fmt, **kw)
    return path


def make_webp(path, size=(200, 150), *, lossless=False, alpha=False, orientation=None) -> Path:
    """Quadrants WebP; ``alpha=True`` makes the left 1/8 columns fully transparent."""
    img = to_stored(quadrants_image(tuple(size)), orientation)
    if alpha:
        img = img.convert("RGBA")
        a = np.asarray(img).copy()
        a[:, : img.width // 8, 3] = 0
        img = Image.fromarray(a, "RGBA")
    kw = {"exif": build_exif(orientation=orientation).tobytes()} if orientation else {}
    img.save(path, "WEBP", lossless=lossless, quality=90, **kw)
    return Path(path)


def make_tiff(path, size=(200, 150), *, compression="tiff_lzw", orientation=None) -> Path:
    """Quadrants TIFF (lossless: quadrant colours are exact up to the shading/noise)."""
    img = to_stored(quadrants_image(tuple(size)), orientation)
    kw = {"exif": build_exif(orientation=orientation).tobytes()} if orientation else {}
    img.save(path, "TIFF", compression=compression, **kw)
    return Path(path)


def make_bmp(path, size=(200, 150)) -> Path:
    """Quadrants BMP (no metadata: BMP has none)."""
    quadrants_image(tuple(size)).save(path, "BMP")
    return Path(path)


def make_heic(path, size=(200, 150), *, orientation=None, quality=80) -> Path:
    """Quadrants HEIC via pillow_heif; ``size`` is the upright size.

    Finding (pillow_heif 1.8, libheif): on save, EXIF orientation N is turned into HEIF ``irot``/
    ``imir`` transform boxes on the stored (inverse-transformed) pixels, and the EXIF block keeps
    Orientation=N. On open, libheif applies irot/imir, so ``Image.open`` already returns the upright
    picture; pillow_heif then reports EXIF Orientation=1 and keeps N in ``info["original_orientation"]``
    so ``ImageOps.exif_transpose`` does not rotate a second time.
    """
    import pillow_heif

    pillow_heif.register_heif_opener()
    img = to_stored(quadrants_image(tuple(size)), orientation)
    kw = {"exif": build_exif(orientation=orientation).tobytes()} if orientation else {}
    img.save(path, "HEIF", quality=quality, **kw)
    return Path(path)


# ---------------------------------------------------------------------------------------------
# Colour: ICC profiles built in code, CMYK, 16-bit, palette, alpha

D50 = np.array([0.9642, 1.0, 0.8249])
D65 = np.array([0.95047, 1.0, 1.08883])
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])

# name -> (xy primaries R, G, B; white; transfer). Adobe RGB (1998) spec: gamma 563/256.
# display-p3 uses the sRGB curve (as Apple's Display P3 does), stored as a sampled curv.
PROFILES = {
    "adobe-rgb": (((0.64, 0.33), (0.21, 0.71), (0.15, 0.06)), D65, 563 / 256, "Adobe RGB (1998) (assetkit test)"),
    "display-p3": (((0.680, 0.320), (0.265, 0.690), (0.150, 0.060)), D65, "srgb", "Display P3 (assetkit test)"),
}


def srgb_encode(lin):
    lin = np.clip(lin, 0, 1)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def srgb_decode(v):
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def rgb_to_xyz_matrix(primaries, white) -> np.ndarray:
    """Columns are the XYZ of R, G, B at full drive, scaled so R+G+B = white (Y = 1)."""
    xyz = np.array([[x / y, 1.0, (1 - x - y) / y] for x, y in primaries]).T
    return xyz * np.linalg.solve(xyz, white)


def bradford(src_white, dst_white) -> np.ndarray:
    s, d = _BRADFORD @ src_white, _BRADFORD @ dst_white
    return np.linalg.inv(_BRADFORD) @ np.diag(d / s) @ _BRADFORD


def _decode(name, v):
    trc = PROFILES[name][2]
    return srgb_decode(v) if trc == "srgb" else v**trc


SRGB_PRIMARIES = ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06))


def expected_srgb(profile: str, rgb) -> tuple[int, int, int]:
    """Analytic 8-bit sRGB of an 8-bit colour in ``profile`` (relative colorimetric, clipped).

    Both spaces are D65, so no adaptation is needed: linearise, to XYZ, to linear sRGB, encode.
    """
    prim, white, _, _ = PROFILES[profile]
    lin = _decode(profile, np.asarray(rgb, dtype=float) / 255)
    xyz = rgb_to_xyz_matrix(prim, white) @ lin
    out = np.linalg.solve(rgb_to_xyz_matrix(SRGB_PRIMARIES, D65), xyz)
    return tuple(int(round(c)) for c in srgb_encode(out) * 255)  # type: ignore[return-value]


def _s15(v: float) -> bytes:
    return struct.pack(">i", int(round(v * 65536)))


def _xyz_tag(xyz) -> bytes:
    return b"XYZ " + bytes(4) + b"".join(_s15(c) for c in xyz)


def _desc_tag(text: str) -> bytes:
    # v2 textDescriptionType: ASCII part, then empty Unicode and ScriptCode parts (67-byte pad).
    a = text.encode("ascii") + b"\x00"
    return b"desc" + bytes(4) + struct.pack(">I", len(a)) + a + bytes(4 + 4) + bytes(2 + 1 + 67)


def _curv_tag(trc) -> bytes:
    if trc == "srgb":  # v2 has no parametric curves: sample the sRGB decode at 1024 points
        pts = np.round(srgb_decode(np.linspace(0, 1, 1024)) * 65535).astype(">u2")
        return b"curv" + bytes(4) + struct.pack(">I", len(pts)) + pts.tobytes()
    return b"curv" + bytes(4) + struct.pack(">IH", 1, int(round(trc * 256)))  # u8Fixed8 gamma


def icc_profile(name: str) -> bytes:
    """ICC v2 matrix/TRC RGB display profile ("adobe-rgb" or "display-p3") built with struct.

    Colorants are the D65 RGB->XYZ columns adapted to the D50 PCS with Bradford (as ICC requires);
    wtpt is the media white (D65), the v2 convention Adobe's own profile uses.
    """
    prim, white, trc, desc = PROFILES[name]
    m = bradford(white, D50) @ rgb_to_xyz_matrix(prim, white)
    curve = _curv_tag(trc)
    tags = [
        (b"desc", _desc_tag(desc)),
        (b"wtpt", _xyz_tag(white)),
        (b"rXYZ", _xyz_tag(m[:, 0])),
        (b"gXYZ", _xyz_tag(m[:, 1])),
        (b"bXYZ", _xyz_tag(m[:, 2])),
        (b"rTRC", curve),
        (b"gTRC", curve),  # identical data, but kept separate: simplest valid layout
        (b"bTRC", curve),
        (b"cprt", b"text" + bytes(4) + b"No copyright, use freely (assetkit tests)\x00"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body + bytes(-len(body) % 4)  # tags start on 4-byte boundaries
    size = offset + len(data)
    header = (
        struct.pack(">I", size) + b"\x00\x00\x00\x00" + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ " + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + bytes(4)
        + bytes(4 + 4 + 4 + 8) + struct.pack(">I", 0)  # flags, maker, model, attrs, intent
        + b"".join(_s15(c) for c in D50) + bytes(4) + bytes(16) + bytes(28)
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def make_icc_jpeg(path, size=(64, 64), profile="adobe-rgb", colour=(0, 128, 0)) -> Path:
    """Solid ``colour`` (values in ``profile``'s space) with that profile embedded.

    4:4:4 and q95 so decoded pixels stay within ~2 levels of ``colour``; ``expected_srgb``
    gives what a correct ICC->sRGB conversion should produce.
    """
    img = Image.new("RGB", tuple(size), tuple(colour))
    img.save(path, "JPEG", quality=95, subsampling=0, icc_profile=icc_profile(profile))
    return Path(path)


# name, CMYK, sRGB after a naive conversion (R = (255-C)(255-K)/255, ...: what Pillow's
# convert("RGB") does, no profile). Patches sit in a 3x2 grid, row-major.
CMYK_PATCHES = [
    ("cyan", (255, 0, 0, 0), (0, 255, 255)),
    ("magenta", (0, 255, 0, 0), (255, 0, 255)),
    ("yellow", (0, 0, 255, 0), (255, 255, 0)),
    ("black", (0, 0, 0, 255), (0, 0, 0)),
    ("red", (0, 255, 255, 0), (255, 0, 0)),
    ("white", (0, 0, 0, 0), (255, 255, 255)),
]


def cmyk_patch_centres(size) -> dict[str, tuple[int, int]]:
    w, h = size
    return {name: (int((i % 3 + 0.5) * w / 3), int((i // 3 + 0.5) * h / 2))
            for i, (name, _, _) in enumerate(CMYK_PATCHES)}


def make_cmyk_jpeg(path, size=(192, 128)) -> Path:
    """CMYK JPEG with the ``CMYK_PATCHES`` grid (3 columns x 2 rows), no ICC profile."""
    w, h = size
    img = Image.new("CMYK", (w, h))
    d = ImageDraw.Draw(img)
    for i, (_, cmyk, _) in enumerate(CMYK_PATCHES):
        x, y = i % 3, i // 3
        d.rectangle([x * w // 3, y * h // 2, (x + 1) * w // 3 - 1, (y + 1) * h // 2 - 1], fill=cmyk)
    img.save(path, "JPEG", quality=95)
    return Path(path)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_file(ihdr: bytes, idat: bytes) -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def make_png16(path, size=(64, 48), *, rgb=False) -> Path:
    """16-bit PNG. Grey ("I;16"): horizontal ramp 0..65535, 0 at x=0, 65535 at the right edge.

    ``rgb=True``: 16-bit RGB, R ramps with x, G ramps with y, B = 32768. Pillow cannot write 16-bit
    RGB PNG, so it is encoded here (filter 0 rows, big-endian samples). Pillow opens it as 8-bit RGB.
    """
    w, h = size
    ramp_x = np.round(np.linspace(0, 65535, w)).astype(np.uint16)
    if not rgb:
        Image.fromarray(np.tile(ramp_x, (h, 1))).save(path, "PNG")  # uint16 array -> "I;16"
        return Path(path)
    ramp_y = np.round(np.linspace(0, 65535, h)).astype(np.uint16)
    a = np.empty((h, w, 3), dtype=">u2")
    a[..., 0], a[..., 1], a[..., 2] = ramp_x[None, :], ramp_y[:, None], 32768
    raw = b"".join(b"\x00" + row.tobytes() for row in a)
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    Path(path).write_bytes(_png_file(ihdr, zlib.compress(raw)))
    return Path(path)


GIF_FRAMES = [RED, GREEN, BLUE]


def make_palette_gif(path, size=(64, 48)) -> Path:
    """Animated GIF, 3 frames of solid ``GIF_FRAMES`` (first frame red) with a white square in the
    middle so frames are not flat; 100 ms each, loops."""
    w, h = size
    frames = []
    for c in GIF_FRAMES:
        f = Image.new("RGB", (w, h), c)
        ImageDraw.Draw(f).rectangle([w // 3, h // 3, 2 * w // 3, 2 * h // 3], fill=(255, 255, 255))
        frames.append(f.convert("P", palette=Image.Palette.ADAPTIVE, colors=4))
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return Path(path)


LOGO_BLUE, LOGO_ORANGE, LOGO_WHITE = (0, 51, 160), (255, 140, 0), (255, 255, 255)


def logo_image(size) -> Image.Image:
    """Logo-like RGBA: transparent background, a blue-and-white "globe", two orange bars below.

    No anti-aliasing, so exactly four RGBA values. Corners are transparent; the disc centre
    (w/2, 0.42h) is opaque LOGO_WHITE; 0.8 disc radii above it is opaque LOGO_BLUE.
    """
    w, h = size
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    cx, cy, r = w / 2, h * 0.42, min(w, h) * 0.3

    def disc(k, colour):
        d.ellipse([cx - r * k, cy - r * k, cx + r * k, cy + r * k], fill=colour + (255,))

    disc(1.0, LOGO_BLUE)
    disc(0.62, LOGO_WHITE)
    disc(0.48, LOGO_BLUE)
    d.rectangle([cx - r * 0.62, cy - r * 0.07, cx + r * 0.62, cy + r * 0.07], fill=LOGO_WHITE + (255,))
    for i, frac in enumerate((0.7, 0.5)):  # "text" lines
        y = h * (0.80 + i * 0.08)
        d.rectangle([cx - w * frac / 2, y, cx + w * frac / 2, y + h * 0.04], fill=LOGO_ORANGE + (255,))
    return img


def make_transparent_png(path, size=(120, 120)) -> Path:
    logo_image(tuple(size)).save(path, "PNG", optimize=True)
    return Path(path)


# ---------------------------------------------------------------------------------------------
# Bad inputs


def make_zero_bytes(path) -> Path:
    Path(path).write_bytes(b"")
    return Path(path)


def make_text_as_jpg(path) -> Path:
    """Plain text with a .jpg name: the extension lies."""
    Path(path).write_text("This is not a picture.\nIt only has a .jpg name.\n", encoding="utf-8")
    return Path(path)


def make_random_bytes_jpg(path, n=4096, seed=0) -> Path:
    Path(path).write_bytes(random.Random(seed).randbytes(n))
    return Path(path)


def make_truncated_jpeg(path, size=(200, 150), keep=0.6) -> Path:
    """A valid quadrants JPEG cut after ``keep`` of its bytes (headers intact, no EOI marker)."""
    buf = io.BytesIO()
    quadrants_image(tuple(size)).save(buf, "JPEG", quality=90)
    data = buf.getvalue()
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def make_bomb_png(path, width=100_000, height=100_000) -> Path:
    """A few-hundred-byte PNG whose valid IHDR declares ``width`` x ``height`` 8-bit grey.

    A full deflate stream for 10^10 pixels cannot be small (deflate tops out near 1000:1), so the
    IDAT holds only the first 16 rows: the header is honest, the data ends early. A loader must
    refuse it from the header; anything that decodes it fails on the missing rows.
    """
    rows = b"".join(b"\x00" + bytes(width) for _ in range(min(height, 16)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    Path(path).write_bytes(_png_file(ihdr, zlib.compress(rows, 9)))
    return Path(path)


# ------------------------------------------------------------------------------ real faces
# scikit-image's bundled astronaut is a real photographed face (a test-only dependency).


def _astronaut() -> Image.Image:
    import skimage.data

    return Image.fromarray(skimage.data.astronaut())


ASTRO = _astronaut()
PERSON = (128, 0, 336, 340)   # head and shoulders
HEAD = (152, 14, 302, 190)    # hair to chin, labelled by hand


def background(w: int, h: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([60 + 80 * xx / w, 90 + 60 * yy / h, 150 - 50 * xx / w], axis=-1) + rng.normal(0, 4, (h, w, 1))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def paste_person(bg: Image.Image, cx: float, cy: float, head_h: float) -> tuple[float, float, float, float]:
    """Put the astronaut's head centred on (cx, cy), head_h tall; return the head box in bg pixels."""
    k = head_h / (HEAD[3] - HEAD[1])
    person = ASTRO.crop(PERSON)
    person = person.resize((round(person.width * k), round(person.height * k)), Image.LANCZOS)
    ox = round(cx - ((HEAD[0] + HEAD[2]) / 2 - PERSON[0]) * k)
    oy = round(cy - ((HEAD[1] + HEAD[3]) / 2 - PERSON[1]) * k)
    bg.paste(person, (ox, oy))
    return (ox + (HEAD[0] - PERSON[0]) * k, oy + (HEAD[1] - PERSON[1]) * k,
            ox + (HEAD[2] - PERSON[0]) * k, oy + (HEAD[3] - PERSON[1]) * k)




# ------------------------------------------------------------------------------ running


def prepare_one(src, slots, out, **kw):
    """assetkit.prepare on one file, inline and with a centred crop unless a test says otherwise."""
    import assetkit

    kw.setdefault("jobs", 1)
    kw.setdefault("crop", "centre")
    return assetkit.prepare([src], slots, out_dir=out, **kw)
