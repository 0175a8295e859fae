"""What a file is, from its bytes (never its name), and what a picture holds before any pixel is decoded.

``sniff`` reads the first bytes; ``identify`` opens the header (size, mode, orientation, ICC, EXIF,
XMP, IPTC) and returns a MediaInfo. Nothing here decodes pixels, so ``check`` and ``--dry-run`` stay
fast and a decompression bomb is refused before it can allocate anything.
"""
from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import stat
import warnings
from dataclasses import dataclass, field, asdict
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from . import metadata
from .errors import MediaError
from .options import DEFAULT_MAX_PIXELS  # noqa: F401 - one default, kept with the other options

@functools.lru_cache(maxsize=None)
def heif_support() -> bool:
    """HEIC/HEIF from iPhones: pillow-heif's opener, registered when a HEIF file is first opened
    (loading libheif is ~40 ms and 10 MB that a batch's main process and a JPEG-only run never need)."""
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - it is a dependency; keep the rest working without it
        return False
    pillow_heif.register_heif_opener()
    return True


IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "HEIF", "AVIF"}
_AVIF_BRANDS = {b"avif", b"avis"}  # AV1 in HEIF: Pillow reads it natively (pillow-heif no longer does)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"} | _AVIF_BRANDS
_VIDEO_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"qt  ", b"M4V ",
                 b"M4VP", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"MSNV", b"dash", b"f4v ", b"XAVC", b"crx "}
_QT_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}

def sniff(head: bytes) -> tuple[str, str | None]:
    """(kind, format) from the first bytes: ("image", "JPEG"), ("video", "mp4"), ("unknown", None)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "WEBP"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image", "TIFF"
    if head[:2] == b"BM" and len(head) >= 26:
        return "image", "BMP"
    if head[4:8] == b"ftyp":
        major = head[8:12]
        size = int.from_bytes(head[:4], "big")
        brands = {major} | {head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
        if major in _HEIF_BRANDS or (brands & _HEIF_BRANDS and not brands & _VIDEO_BRANDS):
            return "image", "AVIF" if major in _AVIF_BRANDS or (major == b"mif1" and brands & _AVIF_BRANDS) else "HEIF"
        return "video", "mp4"
    if head[4:8] in _QT_ATOMS:
        return "video", "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video", "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video", "avi"
    if len(head) > 376 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47:
        return "video", "mpegts"
    return "unknown", None


def read_head(path: str | os.PathLike, n: int = 512) -> bytes:
    """The first ``n`` bytes of a regular file, without ever blocking or reading past its size.

    Opened with O_NONBLOCK (a FIFO would block ``open`` until a writer came) and checked with fstat
    on the open descriptor (no race with a rename): a FIFO, socket, device or ``/dev/zero`` behind a
    link raises MediaError ``not-a-file`` before a byte is read. OSError for what cannot be opened.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise MediaError(str(path), "not-a-file", f"{Path(path).name} is {kind_of(st.st_mode)}: skipped "
                             "without reading it")
        return os.read(fd, min(n, st.st_size))
    finally:
        os.close(fd)


def kind_of(mode: int) -> str | None:
    """What a non-regular file is, in words a person knows (None: a regular file). One wording for
    prepare, check and the hot folder."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (a special system file, not a photo or video)"
    if stat.S_ISSOCK(mode):
        return "a socket (a special system file, not a photo or video)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device (a special system file, not a photo or video)"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not an ordinary file"


def sniff_file(path: str | os.PathLike) -> tuple[str, str | None]:
    """``sniff`` of a file's first bytes (MediaError ``not-a-file`` for FIFOs, devices, sockets)."""
    return sniff(read_head(path))


def check_file(path: str | os.PathLike) -> os.stat_result:
    """stat a source before anything opens it; MediaError names what is wrong with the path."""
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise MediaError(str(path), "unreadable", f"{Path(path).name} is a symbolic link loop "
                             "(the link leads back to itself)") from None
        if e.errno == errno.ENOENT and os.path.islink(path):
            raise MediaError(str(path), "unreadable", f"{Path(path).name} is a link to a file that does not "
                             f"exist ({os.readlink(path)})") from None
        raise MediaError(str(path), "unreadable", f"cannot read the file: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise MediaError(str(path), "not-a-file", f"{Path(path).name} is {kind_of(st.st_mode)}: skipped "
                         "without reading it")
    return st


@dataclass(frozen=True)
class MediaInfo:
    """Header facts about one picture. Sizes are upright (after EXIF orientation)."""

    path: str
    kind: str                 # "image" | "video"
    format: str               # JPEG, PNG, HEIF, ...
    bytes: int
    width: int = 0            # upright
    height: int = 0
    stored_width: int = 0     # as stored, before orientation
    stored_height: int = 0
    orientation: int = 1
    mode: str = ""
    icc: str | None = None    # ICC profile description, None when untagged
    has_alpha: bool = False
    frames: int = 1           # 2 means "more than one" (counting every frame of a hostile GIF is slow)
    location: tuple[str, ...] = ()       # what place data the source carries (GPS IFD, XMP City, ...)
    private: tuple[str, ...] = ()        # serials, owner names, MakerNote
    artist: str | None = None
    copyright: str | None = None
    has_thumbnail: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def is_srgb(self) -> bool:
        if self.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            return False
        return self.icc is None or "srgb" in self.icc.lower().replace(" ", "").replace("-", "")

    def to_dict(self) -> dict:
        return asdict(self)


def open_image(path: str | os.PathLike, fmt: str | None = None) -> Image.Image:
    """Open (header only) restricted to the sniffed format, so a misnamed file opens by its bytes."""
    path = str(path)
    if fmt is None:
        kind, fmt = sniff_file(path)
        if kind != "image":
            raise MediaError(path, "unreadable", _not_a_picture(path))
    if fmt == "HEIF" and not heif_support():  # pragma: no cover
        raise MediaError(path, "unreadable", "HEIC/HEIF support needs pillow-heif")
    try:
        with pillow_cap_lifted(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns on odd-but-readable files; we report real problems
            im = Image.open(path, formats=[fmt])
        if fmt == "PNG" and "exif" not in im.info:
            # Pillow's PNG getexif() decodes the whole picture to look for an eXIf chunk after the
            # pixels (2 GB for a 2 MB file); the chunk list is walked instead, nothing decompressed
            im.info["exif"] = _png_exif(path)
        return im
    except Exception as e:  # Pillow raises many types for damaged headers
        raise damaged(path, fmt, _why(path, fmt, e), "file") from None


def _png_exif(path: str) -> bytes:
    """The eXIf chunk of a PNG wherever it is (b"" when there is none), by seeking chunk to chunk."""
    try:
        with open(path, "rb") as fh:
            fh.seek(8)
            while True:
                head = fh.read(8)
                if len(head) < 8:
                    return b""
                n, kind = int.from_bytes(head[:4], "big"), head[4:]
                if kind == b"eXIf":
                    return fh.read(min(n, 1 << 20))
                if kind == b"IEND":
                    return b""
                fh.seek(n + 4, os.SEEK_CUR)
    except OSError:
        return b""


def _why(path: str, fmt: str, e: Exception) -> Exception:
    """Pillow's "cannot identify image file" hides the plugin's reason (for a file whose bytes we
    already know are ``fmt``): ask the plugin itself, so "unknown pixel mode" is not called damage."""
    if not isinstance(e, UnidentifiedImageError) or fmt not in Image.OPEN:
        return e
    try:
        with open(path, "rb") as fh, pillow_cap_lifted(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Image.OPEN[fmt][0](fh, path).close()
    except Exception as inner:  # noqa: BLE001 - what we were looking for
        return inner
    return e


@contextlib.contextmanager
def pillow_cap_lifted():
    """We guard pixel counts ourselves (--max-pixels in identify, the decode budget in image/load.py) so
    a message can name the file and the limit; Pillow's own guard, which TIFF checks again on load, is
    lifted for our open and decode only, not for library users."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


# what Pillow says when a file is valid but in a variant it does not decode (a 16-bit CIELab TIFF,
# an unusual bit depth or compression): that is "not supported", not "damaged"
_UNSUPPORTED = ("unknown pixel mode", "not supported", "unsupported", "unknown raw mode", "unknown compression",
                "cannot handle", "unknown image mode")


def damaged(path: str, fmt: str, e: Exception, what: str = "data") -> MediaError:
    """The MediaError for a decoder's complaint: unsupported-format or unreadable (damaged)."""
    text = str(e) or type(e).__name__
    if any(k in text.lower() for k in _UNSUPPORTED):
        return MediaError(path, "unsupported-format", f"a {fmt} file in a variant assetkit cannot decode ({text}); "
                          "save it as 8-bit RGB to use it")
    return MediaError(path, "unreadable", f"damaged {fmt} {what}: {text}")


def _not_a_picture(path: str) -> str:
    size = os.path.getsize(path)
    if size == 0:
        return "the file is empty (0 bytes)"
    return "not a picture or video assetkit can read (the bytes match no known format)"


def identify(path: str | os.PathLike, max_pixels: int = DEFAULT_MAX_PIXELS, *, im: Image.Image | None = None) -> MediaInfo:
    """Header facts about ``path``. Raises MediaError (code unreadable / too-many-pixels)."""
    path = str(path)
    try:
        size = os.path.getsize(path)
        kind, fmt = sniff_file(path)
    except OSError as e:
        raise MediaError(path, "unreadable", f"cannot read the file: {e.strerror}") from None
    if kind == "video":
        return MediaInfo(path=path, kind="video", format=fmt or "", bytes=size)
    if kind != "image":
        raise MediaError(path, "unreadable", _not_a_picture(path))
    own = im is None
    im = im or open_image(path, fmt)
    try:
        w, h = im.size
        if w <= 0 or h <= 0:
            raise MediaError(path, "unreadable", f"the header gives an impossible size {w}x{h}")
        if w * h > max_pixels:
            raise MediaError(path, "too-many-pixels",
                             f"{w}x{h} = {w * h / 1e6:.0f} MP is over the {max_pixels / 1e6:.0f} MP limit "
                             "(--max-pixels); refused before decoding")
        exif = metadata.exif_of(im)  # a broken EXIF block must not make a good picture unreadable
        orientation = metadata.orientation(exif=exif)
        uw, uh = (h, w) if orientation >= 5 else (w, h)
        icc = _icc_description(im.info.get("icc_profile"))
        extra = {"bits": _bits(im, fmt)}
        if fmt in ("HEIF", "AVIF"):  # PQ / HLG / BT.2020 in the colour box: image/hdr converts it
            from .image import hdr

            nclx = hdr.nclx_of(im, path, fmt)
            if hdr.kind_of(nclx):
                icc, extra["nclx"] = hdr.describe(nclx), list(nclx)
        location, private, thumbnail = metadata.privacy_facts(im, exif)
        if thumbnail:
            private += ("an embedded thumbnail of the uncropped picture",)
        artist = metadata.text(exif.get(metadata.Tag.Artist))
        copyright_ = metadata.text(exif.get(metadata.Tag.Copyright))
        has_alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
            im.mode == "P" and "transparency" in im.info) or "transparency" in im.info
        return MediaInfo(
            path=path, kind="image", format=fmt, bytes=size, width=uw, height=uh, stored_width=w,
            stored_height=h, orientation=orientation, mode=im.mode, icc=icc, has_alpha=has_alpha,
            frames=2 if getattr(im, "is_animated", False) else 1, location=location, private=private, artist=artist,
            copyright=copyright_, has_thumbnail=thumbnail,
            extra=extra,
        )
    except MediaError:
        raise
    except Exception as e:
        raise damaged(path, fmt, e, "header") from None
    finally:
        if own:
            im.close()


def _bits(im: Image.Image, fmt: str) -> int:
    """Bits per sample as stored (Pillow gives 16-bit RGB PNGs and some TIFFs to us as 8-bit modes)."""
    try:
        if fmt == "PNG":
            with open(im.filename, "rb") as fh:  # IHDR: 8 signature + 8 chunk header + 8 size, then depth
                fh.seek(24)
                return fh.read(1)[0]
        if fmt == "TIFF":
            bps = im.tag_v2.get(258)
            return int(max(bps) if isinstance(bps, tuple) else bps or 8)
        if fmt in ("HEIF", "AVIF"):
            return int(im.info.get("bit_depth") or 8)
    except Exception:  # a header odd enough to hide it: the mode tells what we can
        pass
    return 32 if im.mode == "F" else 16 if im.mode.startswith("I;16") or im.mode == "I" else 8


def _icc_description(data: bytes | None) -> str | None:
    if not data:
        return None
    try:
        from PIL import ImageCms

        prof = ImageCms.ImageCmsProfile(io.BytesIO(data))
        return (ImageCms.getProfileDescription(prof) or "unnamed ICC profile").strip()
    except Exception:
        return "unreadable ICC profile"


# Extensions a picture or video may carry. In a folder scan, a file with another extension whose
# bytes are no media either (README.md, notes.txt, .xmp sidecars) is not ours and is passed over;
# a .jpg full of text is still reported as unreadable.
MEDIA_EXTENSIONS = {
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".dib", ".heic",
    ".heif", ".hif", ".avif", ".mp4", ".m4v", ".mov", ".qt", ".3gp", ".3g2", ".mkv", ".webm", ".avi",
    ".mts", ".m2ts", ".ts", "",
}


def is_candidate(path: Path) -> bool:
    """Should a folder scan hand this regular file to the pipeline?"""
    if path.suffix.lower() in MEDIA_EXTENSIONS:
        return True
    try:
        return sniff_file(path)[0] != "unknown"
    except (OSError, MediaError):
        return True  # let the pipeline report why it cannot be read


@dataclass
class Scan:
    """What a folder scan found: media to prepare, and what it passed over (so nothing is silent)."""

    files: list = field(default_factory=list)          # (file, root) to hand to the engines
    not_media: list = field(default_factory=list)      # regular files that are neither pictures nor videos
    unreadable: list = field(default_factory=list)     # (folder, why) that could not be listed


def scan(paths, *, skip_hidden: bool = True) -> Scan:
    """Every media file under ``paths``, recursively, in a stable order, and what was passed over.

    ``root`` (the second of each pair) is the folder outputs are made relative to (the folder given,
    or a file's own folder). Files named explicitly are always included, so a bad one gets a finding.
    Anything in a folder that is not a regular file or a folder (a FIFO, socket, device, a link loop
    or a dangling link) is included too, without being opened: the engines' first step (check_file)
    turns it into a finding on that path. Links to folders are not followed (no loops).
    """
    result = Scan()
    for p in paths:
        p = Path(p)
        if p.is_dir():
            _walk(p, p, skip_hidden, result)
        else:
            result.files.append((p, p.parent))
    return result


def _walk(folder: Path, root: Path, skip_hidden: bool, result: Scan) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        result.unreadable.append((folder, e.strerror or str(e)))
        return
    subdirs = []
    for e in entries:
        if skip_hidden and (e.name.startswith(".") or e.name.startswith("~$")):
            continue
        try:
            if e.is_dir(follow_symlinks=False):
                subdirs.append(e)
                continue
            regular = e.is_file()  # follows a link to a file; False for FIFOs, devices, loops, dangling links
            if regular is False and e.is_symlink() and os.path.isdir(e.path):
                continue  # a link to a folder: not followed
        except OSError:
            regular = False
        f = Path(e.path)
        if not regular or is_candidate(f):
            result.files.append((f, root))
        else:
            result.not_media.append(f)
    for d in subdirs:
        _walk(Path(d.path), root, skip_hidden, result)


def iter_media(paths, *, skip_hidden: bool = True):
    """Yield (file, root) for every file a scan of ``paths`` hands to the engines (see ``scan``)."""
    yield from scan(paths, skip_hidden=skip_hidden).files


def not_media_message(files: list) -> str:
    """"24 files skipped: not pictures or videos assetkit reads: .j2k (10), .tga, .pdf ..." """
    from collections import Counter

    exts = Counter(f.suffix.lower() or "(no extension)" for f in files)
    shown = [f"{ext} ({n})" if n > 1 else ext for ext, n in exts.most_common(8)]
    more = " ..." if len(exts) > 8 else ""
    n = len(files)
    return (f"{n} file{'s' if n > 1 else ''} skipped: not pictures or videos assetkit reads: "
            f"{', '.join(shown)}{more}")
