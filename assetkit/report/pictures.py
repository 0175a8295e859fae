"""The pictures of the HTML report: upright thumbnails of originals, outputs and video posters, with
what a person needs to judge drawn on them (the crop on the original, the faces the analysis found,
the slot's safe areas or circle mask), embedded as data: URIs so the page stays self-contained."""
from __future__ import annotations

import base64
import io
import os

from PIL import Image, ImageDraw

THUMB = 400                      # long side of thumbnails, px (shown at >= 320 CSS px where there is room)
MAX_THUMB_PIXELS = 100_000_000   # never decode anything bigger just for a thumbnail
CROP_COLOUR = (255, 196, 0)
FACE_COLOUR = (0, 230, 255)
SAFE_COLOURS = [(0, 200, 255), (255, 80, 200), (120, 255, 120), (255, 255, 255)]
WRITTEN = ("ready", "fixed", "needs-review", "up-to-date")


def data_uri(img: Image.Image) -> str:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=80, optimize=True, subsampling=0)  # 4:4:4 keeps thin outlines
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def thumbnail(path: str, orientation: int | None = None) -> Image.Image | None:
    """A small upright RGB copy of a picture file, or None when it cannot be read."""
    from .. import metadata
    from ..image.load import decode, preview
    from ..media import MediaInfo, open_image

    try:
        im = open_image(path)
    except Exception:
        return None
    try:
        if im.width * im.height > MAX_THUMB_PIXELS:
            return None
        orientation = metadata.orientation(im) if orientation is None else orientation
        orientation = orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1
        info = MediaInfo(path=str(path), kind="image", format=im.format or "", bytes=0)
        decoded, _, _ = decode(im, info, max(im.size) / (2 * THUMB))
        small = preview(decoded, orientation, THUMB)
        # a picture that needs no resize (a small logo) comes back as the opened image itself,
        # which the finally below closes: keep a copy that outlives it
        return small.copy() if small is im else small
    except Exception:
        return None
    finally:
        im.close()


def source_thumbnail(result: dict) -> Image.Image | None:
    """The source picture, small and upright (EXIF orientation applied), or a video's frame; None
    when it cannot be read."""
    info = result.get("info") or {}
    if result.get("kind") == "video":
        return video_frame(result["source"], info)
    if result.get("kind") != "image" or not info.get("width") or not info.get("height"):
        return None
    return thumbnail(result["source"], info.get("orientation"))


def video_frame(path: str, info: dict) -> Image.Image | None:
    """A frame from about a second into a video (PyAV, in-process), shown as a player shows it:
    display size (square pixels) and rotation applied."""
    try:
        import av

        with av.open(str(path)) as c:
            stream = c.streams.video[0]
            duration = float(info.get("duration") or 0)
            if duration > 0.2:
                c.seek(int(min(1.0, duration / 2) * av.time_base), any_frame=False)
            frame = next(c.decode(stream))
            img = frame.to_image()
        w, h = info.get("display_width"), info.get("display_height")
        rotation = int(info.get("rotation") or 0) % 360
        if rotation in (90, 270):  # display size is after rotation; the frame is before it
            img = img.resize((h, w)) if w and h else img
            img = img.transpose(Image.Transpose.ROTATE_90 if rotation == 90 else Image.Transpose.ROTATE_270)
        elif w and h and (w, h) != img.size:
            img = img.resize((w, h))
        if rotation == 180:
            img = img.transpose(Image.Transpose.ROTATE_180)
        img.thumbnail((THUMB, THUMB), Image.Resampling.BILINEAR)
        return img.convert("RGB")
    except Exception:  # a frame is a nicety: no frame is "no preview"
        return None


def faces(info: dict) -> list[tuple[float, float, float, float]]:
    """The faces the analysis found, normalised 0..1 boxes on the upright picture."""
    found = ((info.get("analysis") or {}).get("faces")) or []
    boxes = []
    for f in found:
        try:
            b = (float(f["x0"]), float(f["y0"]), float(f["x1"]), float(f["y1"]))
        except (KeyError, TypeError, ValueError):
            continue
        if b[2] > b[0] and b[3] > b[1]:
            boxes.append(b)
    return boxes


def with_faces(thumb: Image.Image, boxes) -> Image.Image:
    """A copy of ``thumb`` with each face box outlined."""
    img = thumb.copy()
    d = ImageDraw.Draw(img)
    for x0, y0, x1, y1 in boxes:
        b = (round(x0 * img.width), round(y0 * img.height), round(x1 * img.width) - 1, round(y1 * img.height) - 1)
        d.rectangle(b, outline=(0, 0, 0), width=4)
        d.rectangle(b, outline=FACE_COLOUR, width=2)
    return img


def with_crop(thumb: Image.Image, info: dict, crop, boxes=()) -> Image.Image:
    """``thumb`` with the plan's crop box (upright source pixels) outlined, what is cut dimmed, and
    the faces found outlined."""
    if not crop or len(crop) != 4 or crop[2] <= crop[0] or crop[3] <= crop[1]:
        return with_faces(thumb, boxes)
    sx, sy = thumb.width / info["width"], thumb.height / info["height"]
    b = tuple(round(c * s) for c, s in zip(crop, (sx, sy, sx, sy)))
    img = thumb.convert("RGBA")
    shade = Image.new("RGBA", img.size, (0, 0, 0, 120))
    ImageDraw.Draw(shade).rectangle(b, fill=(0, 0, 0, 0))
    img = with_faces(Image.alpha_composite(img, shade).convert("RGB"), boxes)
    d = ImageDraw.Draw(img)
    box = (b[0], b[1], max(b[0], b[2] - 1), max(b[1], b[3] - 1))
    d.rectangle(box, outline=(0, 0, 0), width=4)
    d.rectangle(box, outline=CROP_COLOUR, width=2)
    return img


def output_thumbnail(output: dict, slot) -> Image.Image | None:
    """The prepared picture (or a video's poster frame), with the slot's safe areas or circle mask
    drawn on it."""
    path = output.get("output")
    if not path or output.get("status") not in WRITTEN or not os.path.exists(path):
        return None
    poster = (output.get("extra") or {}).get("poster")
    img = thumbnail(poster if isinstance(poster, str) and os.path.exists(poster) else path)
    if img is None or slot is None:
        return img
    size = output.get("size") or (output.get("plan") or {}).get("out_size")
    if not size or not size[0]:
        size = img.size
    sx, sy = img.width / size[0], img.height / size[1]
    d = ImageDraw.Draw(img)
    for i, a in enumerate(getattr(slot, "safe_areas", ()) or ()):
        l, t, r, b = a.box(*size)
        box = (round(l * sx), round(t * sy), round(r * sx) - 1, round(b * sy) - 1)
        d.rectangle(box, outline=SAFE_COLOURS[i % len(SAFE_COLOURS)], width=2 if a.always_visible else 1)
    if getattr(slot, "mask", None) == "circle":
        d.ellipse((0, 0, img.width - 1, img.height - 1), outline=(0, 0, 0), width=3)
        d.ellipse((0, 0, img.width - 1, img.height - 1), outline=(255, 255, 255), width=1)
    return img
