"""Smart-crop placement: pure geometry on source sizes and an Analysis (faces, saliency), no pixels.

The analysis comes from ``image/analyse.py`` (OpenCV), once per source, normalised (0..1) so it serves
every slot. Tested without images (STYLE.md point 5). The focal point always exists (thumbor's
detector chain): focus > faces > largest group of faces > saliency > centre.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import math

from .geometry import Box, window_size

# A face box covers brows to chin (as WIDER FACE labels faces and CenterFace finds them); the head
# is wider and taller: hair above, ears at the sides, a little below the chin.
HEAD_SIDE, HEAD_UP, HEAD_DOWN = 0.4, 0.5, 0.15


@dataclass(frozen=True)
class Face:
    """A detected face, normalised to the upright analysed image (0..1)."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0
    # eyes, nose tip, mouth corners as x, y pairs (normalised); empty when the detector gives none
    landmarks: tuple[float, ...] = ()

    @property
    def area(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)

    def box(self) -> Box:
        return (self.x0, self.y0, self.x1, self.y1)

    def core(self) -> Box:
        """Eyes to mouth: what must stay in view when the face is larger than the window."""
        if len(self.landmarks) == 10:
            xs, ys = self.landmarks[0::2], self.landmarks[1::2]
            return (min(xs), min(ys), max(xs), max(ys))
        w, h = self.x1 - self.x0, self.y1 - self.y0  # a face box: eyes at ~35%, mouth at ~80% down
        return (self.x0 + 0.2 * w, self.y0 + 0.3 * h, self.x1 - 0.2 * w, self.y0 + 0.85 * h)

    def head(self) -> Box:
        """The whole head (hair to chin), clamped to the picture: what "keep the face whole" means."""
        w, h = self.x1 - self.x0, self.y1 - self.y0
        return (max(0.0, self.x0 - HEAD_SIDE * w), max(0.0, self.y0 - HEAD_UP * h),
                min(1.0, self.x1 + HEAD_SIDE * w), min(1.0, self.y1 + HEAD_DOWN * h))


@dataclass(frozen=True)
class Analysis:
    faces: tuple[Face, ...]
    salient_box: Box | None              # normalised box holding most saliency; None: nothing stands out
    salient_centre: tuple[float, float]  # normalised centre of mass of saliency; (0.5, 0.5) fallback
    width: int                           # size of the analysed image
    height: int
    detector: str = "none"               # which face detector ran: "yunet", "haar" (fallback)
    detector_note: str | None = None     # why the fallback ran
    # saliency standing out, summed per column / row (each sums to 1): what a window position keeps
    saliency_x: tuple[float, ...] = ()
    saliency_y: tuple[float, ...] = ()

    def to_dict(self) -> dict:
        return {
            "detector": self.detector,
            "detector_note": self.detector_note,
            "faces": [{**asdict(f), "landmarks": list(f.landmarks)} for f in self.faces],
            "salient_box": list(self.salient_box) if self.salient_box else None,
            "salient_centre": list(self.salient_centre),
            "width": self.width,
            "height": self.height,
        }


@dataclass(frozen=True)
class CropChoice:
    box: Box           # source pixels (upright): left, top, right, bottom
    reason: str        # "focus" | "faces" | "largest-group" | "saliency" | "centre"
    detail: str        # a sentence for --dry-run and the report
    faces_total: int
    faces_kept: int




# --------------------------------------------------------------------------------------- geometry

def _inside(inner: Box, outer: Box, tol: float = 0.5) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _heads(analysis: Analysis | None, src_w: float, src_h: float) -> list[Box]:
    if analysis is None:
        return []
    return [(x0 * src_w, y0 * src_h, x1 * src_w, y1 * src_h) for x0, y0, x1, y1 in (f.head() for f in analysis.faces)]


def band_box(box: Box, band: tuple[float, float]) -> Box:
    """The centred always-visible band of a crop window, given as fractions of the window."""
    w, h = box[2] - box[0], box[3] - box[1]
    bw, bh = w * band[0], h * band[1]
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2)


def _span_scorer(profile: tuple[float, ...]):
    """share(lo, hi): the share of a saliency profile (bins over 0..1) between lo and hi (fractions),
    bins split linearly; from prefix sums, so each window position costs O(1), not O(bins)."""
    n = len(profile)
    cum = [0.0]
    for v in profile:
        cum.append(cum[-1] + v)

    def upto(x: float) -> float:
        x = min(max(x, 0.0), 1.0) * n
        i = min(int(x), n - 1)
        return cum[i] + profile[i] * (x - i)

    return lambda lo, hi: max(0.0, upto(hi) - upto(lo))


def choose_crop(src_w: int, src_h: int, aspect: float, analysis: Analysis | None, *,
                focus: tuple[float, float] | None = None, band: tuple[float, float] | None = None,
                circle: bool = False) -> CropChoice:
    """The largest window of ``aspect`` inside the source, placed like a careful picture editor would.

    Focus (fractions 0..1) wins. With faces, every position of the window is judged by, in order:
    some face kept whole; the faces cut through (fewest, by size: a clean window wins); the faces
    inside the always-visible ``band`` (centred fractions of the window; channel art) or the profile
    ``circle``, when given; the faces kept whole (a whole head counts fully, a whole face box with
    the hair cut nearly as much: so two faces that fit beat one head that fits); window edges
    clear of every face by a margin; the saliency kept; and
    nearness to the faces' centre (a little above centre when sliding down a tall picture, leaving
    room for the body). A face larger than the window is centred on its eyes and mouth. Without
    faces: the salient region (its top when it is taller than the window: a person's head, not the
    feet), else the centre. Pure geometry: no pixels.
    """
    win_w, win_h = window_size(src_w, src_h, aspect)
    horizontal = win_w < src_w - 1e-6  # the axis the window can slide along (at most one)
    axis = 0 if horizontal else 1
    src_len, win_len = (src_w, win_w) if horizontal else (src_h, win_h)
    travel = max(0.0, src_len - win_len)
    faces = analysis.faces if analysis is not None else ()
    scale = (src_w, src_h, src_w, src_h)
    heads = [tuple(v * k for v, k in zip(f.head(), scale)) for f in faces]
    boxes = [tuple(v * k for v, k in zip(f.box(), scale)) for f in faces]
    weights = [(b[2] - b[0]) * (b[3] - b[1]) for b in boxes]

    def box_at(pos: float) -> Box:
        pos = min(max(pos, 0.0), travel)
        return (pos, 0.0, pos + win_w, float(src_h)) if horizontal else (0.0, pos, float(src_w), pos + win_h)

    def result(pos: float, reason: str, detail: str) -> CropChoice:
        box = box_at(pos)
        return CropChoice(box, reason, detail, len(faces), sum(_inside(b, box) for b in boxes))

    if focus is not None:
        fx, fy = focus
        pos = (fx * src_w if horizontal else fy * src_h) - win_len / 2
        return result(pos, "focus", f"focus point ({fx:.2f}, {fy:.2f}) given")

    profile, sal_c = (), None
    if analysis is not None and analysis.salient_box is not None:
        profile = analysis.saliency_x if horizontal else analysis.saliency_y
        sal_c = analysis.salient_centre[axis] * src_len
    span_share = _span_scorer(profile) if profile else None

    if faces:
        n = len(faces)
        hs = [(h[axis], h[axis + 2]) for h in heads]
        fs = [(b[axis], b[axis + 2]) for b in boxes]
        margin = 0.1 * min(b[3] - b[1] for b in boxes)  # clear space between a window edge and a face

        def whole(pos: float) -> list[float]:
            """Per face: 1 head whole, 0.9 face box whole (hair cut), 0 not whole."""
            end = pos + win_len
            return [1.0 if h0 >= pos - 0.5 and h1 <= end + 0.5 else
                    0.9 if f0 >= pos - 0.5 and f1 <= end + 0.5 else 0.0 for (h0, h1), (f0, f1) in zip(hs, fs)]

        def cut(pos: float) -> list[float]:
            """Per face: 2 a window edge passes through its box; between 1 and 0 an edge grazes it,
            inside the 10% slack a box estimate needs (1 at the box, 0 at the slack's end); 0 clear."""
            end = pos + win_len
            out = []
            for f0, f1 in fs:
                m = 0.1 * (f1 - f0)
                if (pos > 0.5 and f0 + 0.5 < pos < f1) or (end < src_len - 0.5 and f0 < end < f1 - 0.5):
                    out.append(2.0)
                    continue
                graze = 0.0
                if pos > 0.5 and f0 - m < pos < f1:
                    graze = max(graze, 1 - (f0 - pos) / m)
                if end < src_len - 0.5 and f0 < end < f1 + m:
                    graze = max(graze, 1 - (end - f1) / m)
                out.append(min(1.0, graze))
            return out

        def special(pos: float, kept: list[float]) -> float:
            if band:  # the heads' area inside the band, in steps of 5% of the largest face (a few
                # pixels more of a head in the band must not outweigh an edge clear of a chin)
                vis = band_box(box_at(pos), band)
                share = sum(w * _share_inside(heads[i], vis) for i, w in enumerate(weights) if kept[i])
                return round(20 * share / max(weights)) / 20
            if circle:
                b = box_at(pos)
                return sum(w for i, w in enumerate(weights) if kept[i] and not _cut_by_ellipse(heads[i], b))
            return 0.0

        # The whole faces, the cuts and the clear edges only change where a window edge meets a
        # face or head edge (or its margin); saliency varies in between: a grid covers that.
        candidates = {0.0, travel} | {travel * i / 48 for i in range(49)}
        for lo, hi in hs + fs:
            for v in (lo, hi, lo - margin, hi + margin):
                candidates |= {v, v - win_len}
        candidates = sorted(min(max(v, 0.0), travel) for v in candidates)

        def goal_for(kept: list[float]) -> float:
            idx = [i for i, k in enumerate(kept) if k] or range(n)
            lo, hi = min(hs[i][0] for i in idx), max(hs[i][1] for i in idx)
            thirds = not horizontal and band is None and not circle
            return (lo + hi) / 2 - (win_len * 0.38 if thirds else win_len / 2)

        def score(pos: float):
            kept = whole(pos)
            end = pos + win_len
            near = sum(1 for lo, hi in hs if (lo - margin < pos < hi + margin and pos > 0.5)
                       or (lo - margin < end < hi + margin and end < src_len - 0.5))
            if profile:
                sal = span_share(pos / src_len, end / src_len)
            else:  # an analysis without profiles: towards the centre of saliency
                sal = -abs(pos + win_len / 2 - sal_c) / src_len if sal_c is not None else 0.0
            kept_w = round(sum(w * k for w, k in zip(weights, kept)), 6)
            cuts = cut(pos)
            # An edge through a face is the worst; an edge that only grazes a face kept whole costs
            # less than leaving a face out (three friends with an ear trimmed beat two and a half).
            # Faces kept (their boxes whole), then edges clear of them, then their hair kept too.
            return (kept_w > 0, -round(sum(w for w, c in zip(weights, cuts) if c == 2), 6),
                    round(special(pos, kept), 6), round(sum(w for w, k in zip(weights, kept) if k), 6),
                    -round(sum(w * c * c for w, c in zip(weights, cuts) if c < 2) / max(weights), 2), kept_w,
                    -near, round(sal, 3), -abs(pos - goal_for(kept))), kept

        (best_score, kept), pos = max(((score(p), p) for p in candidates), key=lambda t: t[0][0])
        if best_score[4] < 0:  # an edge grazes a face: share the spare room out between the faces
            reach = 0.1 * max(f1 - f0 for f0, f1 in fs)
            near_best = [min(max(pos + reach * (i / 20 - 1), 0.0), travel) for i in range(41)]
            (best_score, kept), pos = max(((score(p), p) for p in near_best + [pos]), key=lambda t: t[0][0])
        whole_n = sum(1 for k in kept if k)
        if whole_n == 0:
            # Every face is larger than the window: the largest one's eyes and mouth in the middle.
            big = max(range(n), key=lambda i: weights[i])
            core = faces[big].core()
            c = (core[axis] + core[axis + 2]) / 2 * (src_w if horizontal else src_h)
            return result(c - win_len / 2, "largest-group",
                          f"{'the face is' if n == 1 else 'every face is'} larger than the crop: "
                          "centred on the eyes and mouth of the largest")
        why = []
        if best_score[1] == 0 and whole_n < n:
            why.append("no face cut through")
        if best_score[4] == 0 and best_score[6] == 0 and travel > 0:
            why.append("edges clear of every face")
        if band:
            inside = sum(1 for i in range(n) if kept[i] and _share_inside(heads[i], band_box(box_at(pos), band)) >= 0.9)
            why.append(f"{inside or 'none'} inside the always-visible band")
        if circle:
            why.append("inside the circle" if best_score[2] == round(sum(w for w, k in zip(weights, kept) if k), 6)
                       else "not all inside the circle")
        tail = f"; {', '.join(why)}" if why else ""
        if whole_n == n:
            noun = "face" if n == 1 else f"{n} faces"
            return result(pos, "faces", f"{noun} kept whole{tail}")
        return result(pos, "largest-group",
                      f"{whole_n} of {n} faces kept whole, the largest group (they do not all fit){tail}")

    if analysis is not None and analysis.salient_box is not None:
        sb = analysis.salient_box
        lo, hi = sb[axis] * src_len, sb[axis + 2] * src_len
        want = analysis.salient_centre[axis] * src_len - win_len / 2
        if hi - lo <= win_len:  # centre on the centre of mass, keeping the salient box whole
            return result(min(max(want, hi - win_len), lo), "saliency",
                          "no face found: centred on the most salient region")
        if not horizontal:
            # Taller than the window: a person seen from behind or looking down is salient from head
            # to feet; keep the top (the head), with a little room above it.
            return result(lo - 0.05 * win_len, "saliency",
                          "no face found: the top of the salient region (a person's head rather than feet)")
        return result(want, "saliency", "no face found: centred on the most salient region")

    return result(travel / 2, "centre", "no face or salient region found: centred")


def _cut_by_ellipse(head: Box, box: Box) -> bool:
    """Whether the ellipse inscribed in ``box`` cuts the ellipse inscribed in ``head`` (3% tolerance)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    rx, ry = (box[2] - box[0]) / 2 * 1.03, (box[3] - box[1]) / 2 * 1.03
    x0, y0, x1, y1 = head
    for i in range(32):
        a = 2 * math.pi * i / 32
        px = (x0 + x1) / 2 + (x1 - x0) / 2 * math.cos(a)
        py = (y0 + y1) / 2 + (y1 - y0) / 2 * math.sin(a)
        if ((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 > 1.0:
            return True
    return False


# ------------------------------------------------------------------------------------ safe areas

def subject_outside_band(choice_box: Box, analysis: Analysis | None, src_w: int, src_h: int,
                         band: tuple[float, float]) -> list[str]:
    """Sentences for each subject in the crop that is not inside its always-visible band.

    Subjects are the heads that reach into the crop or, with no faces, the centre of saliency.
    Faces cut out of the crop altogether are the crop's business (``CropChoice.faces_kept``).
    """
    if analysis is None:
        return []
    vis = band_box(choice_box, band)
    heads = [hb for hb in _heads(analysis, src_w, src_h) if _overlaps(hb, choice_box)]
    if heads:
        # The head box is an estimate (+-15%): a head at least 90% inside the band counts as inside.
        out = [i for i, hb in enumerate(heads) if _share_inside(hb, vis) < 0.9]
        if len(heads) == 1:
            return ["the face is outside the always-visible area"] if out else []
        return [f"face {i + 1} of {len(heads)} is outside the always-visible area" for i in out]
    if analysis.salient_box is not None:
        cx, cy = analysis.salient_centre[0] * src_w, analysis.salient_centre[1] * src_h
        if not (vis[0] <= cx <= vis[2] and vis[1] <= cy <= vis[3]):
            return ["the most salient region is outside the always-visible area"]
    return []


def _share_inside(inner: Box, outer: Box) -> float:
    w = max(0.0, min(inner[2], outer[2]) - max(inner[0], outer[0]))
    h = max(0.0, min(inner[3], outer[3]) - max(inner[1], outer[1]))
    area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    return w * h / area if area > 0 else 1.0


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def subject_cut_by_circle(choice_box: Box, analysis: Analysis | None, src_w: int, src_h: int) -> bool:
    """Whether a profile picture's circle (the ellipse inscribed in the crop) cuts a head.

    Heads are treated as the ellipses inscribed in their boxes; with no faces the salient box is the
    subject. A little tolerance (3% of the radius) keeps a head that just touches the edge.
    """
    if analysis is None:
        return False
    subjects = [hb for hb in _heads(analysis, src_w, src_h) if _overlaps(hb, choice_box)]
    if not subjects and analysis.salient_box is not None:
        x0, y0, x1, y1 = analysis.salient_box
        subjects = [(x0 * src_w, y0 * src_h, x1 * src_w, y1 * src_h)]
    return any(_cut_by_ellipse(b, choice_box) for b in subjects)
