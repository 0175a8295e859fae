"""One status vocabulary, four front ends (issue 11 "Must show"): one mixed batch through the terminal
table, ``--json``, the HTML report and the hot folder's folders; for every (file, slot) all four say
the same status. Slow tier: a real ffmpeg encode and the watcher, though everything runs in-process."""
import contextlib
import html.parser
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from assetkit import watch
from assetkit.cli import main
from assetkit.model import Status

import fixtures as fx

pytestmark = pytest.mark.slow

SLOTS = "instagram/post,instagram/video"   # the hot folder's instagram/ drop folder asks the same two
DROP = "instagram"


def _clip(dst: Path) -> Path | None:
    from assetkit.video import ffmpeg_exe

    try:
        exe = ffmpeg_exe()
    except Exception:  # no ffmpeg on this machine: the batch goes without a video
        return None
    subprocess.run([exe, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=s=640x360:r=10:d=1", "-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", "-shortest",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(dst)], check=True)
    return dst


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The mixed batch: ready, fixed, too small, a face without consent, a logo PNG, an H.264 clip."""
    d = tmp_path_factory.mktemp("in")
    fx.make_photo(d / "ready.jpg", (1300, 1300))                       # square, sRGB, no GPS: only resized
    fx.make_photo(d / "fixed.jpg", (1700, 1300), gps=True)             # aspect crop + location removed
    fx.make_photo(d / "small.jpg", (500, 500))                         # too small (enlarged with allow_upscale)
    bg = fx.background(1400, 1400)
    fx.paste_person(bg, 700, 600, 380)                                 # a real face, no consent record
    bg.save(d / "face.jpg", quality=92)
    fx.make_transparent_png(d / "logo.png", (200, 200))
    _clip(d / "clip.mp4")
    return d


# ------------------------------------------------------------------------ reading each front end

def from_table(out: str) -> dict:
    """(file, slot) -> Status from the summary table: a line per file, then an indented line per slot."""
    got, name, names = {}, None, {str(s): s for s in Status}
    for line in out.split("file / slot", 1)[1].splitlines()[1:]:
        if not line.strip():
            break                                   # the table ends at the first blank line
        if not line.startswith(" "):
            name = Path(line.split("  (")[0].strip()).name
            continue
        cells = line.split()
        if len(cells) >= 2 and cells[1] in names:
            got[(name, cells[0])] = names[cells[1]]
    return got


def from_json(out: str) -> tuple[dict, dict]:
    """(file, slot) -> Status, and (file, slot) -> the output written (None: none)."""
    data = json.loads(out)
    pairs = [(Path(r["source"]).name, o) for r in data["results"] for o in r["outputs"]]
    return ({(n, o["slot"]): Status(o["status"]) for n, o in pairs},
            {(n, o["slot"]): [o["output"], (o.get("extra") or {}).get("poster")] for n, o in pairs})


class _Cards(html.parser.HTMLParser):
    """Per-slot status from the report's data attributes: <article> per file, <section data-status> per slot."""

    def __init__(self):
        super().__init__()
        self.got, self.card, self.slot_of, self.pending, self.in_h3, self.in_name = {}, None, None, None, False, False
        self.names = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article" and "asset" in a.get("class", ""):
            self.card = None
        if tag == "h3":
            self.in_h3 = True
        if tag == "section" and "data-status" in a:
            self.pending = a["data-status"]
        if tag == "span" and self.pending and "name" in a.get("class", ""):
            self.in_name = True

    def handle_endtag(self, tag):
        if tag == "h3":
            self.in_h3 = False
        if tag == "span":
            self.in_name = False

    def handle_data(self, data):
        if self.in_h3 and data.strip():
            self.card = (self.card or "") + data.strip()
        elif self.in_name and self.pending:
            self.got[(Path(self.card).name, data.strip())] = Status(self.pending)
            self.pending = None


def from_html(path: Path) -> dict:
    p = _Cards()
    p.feed(path.read_text())
    return p.got


FOLDERS = ("ready", "needs-review", "failed")


def from_hot_folder(tmp: Path, src: Path, opts: dict) -> dict:
    """Drop copies into instagram/ and run the watcher once; which folder each original and output went to.

    Originals: ROOT/originals/ (every slot done: the ``ready`` outcome), ROOT/needs-review/, ROOT/failed/.
    Outputs: under ROOT/ready/ (OUT for the engine); one a rule held back is in ready/needs-review/, so
    an output's folder is the innermost of ready/needs-review/failed in its path."""
    root = tmp / "hot"
    (root / DROP).mkdir(parents=True)
    for f in sorted(src.iterdir()):
        shutil.copy(f, root / DROP / f.name)
    log = io.StringIO()
    assert watch.watch(root, DROP, once=True, jobs=1, settle=0, out=log, **opts) == 0, log.getvalue()
    originals = {p.name: folder for folder, top in (("ready", "originals"), ("needs-review", "needs-review"),
                                                     ("failed", "failed"))
                 for p in (root / top).glob("*") if p.is_file() and p.suffix != ".txt"}
    outputs = {}
    for p in (root / "ready").rglob("*"):
        rel = p.relative_to(root / "ready")
        if p.is_file() and len(rel.parts) > 1:
            outputs[rel.as_posix()] = [part for part in ("ready", *rel.parts) if part in FOLDERS][-1]
    return {"originals": originals, "outputs": outputs, "log": log.getvalue()}


def out_rel(output: str, out_dir: Path) -> str:
    return Path(output).resolve().relative_to(out_dir.resolve()).as_posix()


# ------------------------------------------------------------------------------- the four agree

OPTIONS = {
    "default": (["--require-consent", "--crop", "centre"], dict(require_consent=True, crop="centre")),
    "allow-upscale": (["--require-consent", "--crop", "centre", "--allow-upscale"],
                      dict(require_consent=True, crop="centre", allow_upscale=True)),
}


@pytest.fixture(scope="module", params=list(OPTIONS))
def runs(request, batch, tmp_path_factory):
    """The batch through the four front ends with one set of options: what each says per (file, slot)."""
    flags, opts = OPTIONS[request.param]
    tmp = tmp_path_factory.mktemp(request.param)
    files = [str(batch / n) for n in sorted(os.listdir(batch))]
    common = ["--for", SLOTS, "--jobs", "1", *flags]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "160")
        mp.setenv("ASSETKIT_X264_PRESET", "superfast")
        with contextlib.redirect_stdout(io.StringIO()) as out:
            main(["prepare", *files, "--out", str(tmp / "t"), *common])
        table = from_table(out.getvalue())
        with contextlib.redirect_stdout(io.StringIO()) as out:
            main(["prepare", *files, "--out", str(tmp / "j"), "--json", "--report", str(tmp / "r.html"), *common])
        js, outputs = from_json(out.getvalue())
        hot = from_hot_folder(tmp, batch, opts)
    return dict(case=request.param, opts=opts, table=table, json=js, outputs=outputs,
                page=from_html(tmp / "r.html"), hot=hot, out_dir=tmp / "j")


def test_the_batch_has_every_outcome(runs, batch):
    js, upscale = runs["json"], runs["opts"].get("allow_upscale")
    expected = {("ready.jpg", "instagram/post"): Status.READY, ("fixed.jpg", "instagram/post"): Status.FIXED,
                ("face.jpg", "instagram/post"): Status.NEEDS_REVIEW,
                ("small.jpg", "instagram/post"): Status.NEEDS_REVIEW if upscale else Status.FAILED,
                ("logo.png", "instagram/post"): Status.NEEDS_REVIEW if upscale else Status.FAILED}
    for key, status in expected.items():
        assert js.get(key) is status, (key, js.get(key))
    assert runs["outputs"][("face.jpg", "instagram/post")][0].split(os.sep)[-3] == "needs-review"  # held
    if (batch / "clip.mp4").exists():
        assert js[("clip.mp4", "instagram/video")].written


def test_table_json_and_report_say_the_same(runs):
    assert runs["table"] == runs["json"], runs
    assert runs["page"] == runs["json"], runs


def _hot_folder_views(runs):
    js = runs["json"]
    # an output lives where prepare put it: needs-review/ when a rule held it back, else the slot folder
    made = {out_rel(o, runs["out_dir"]): ("needs-review" if "needs-review" in Path(o).parts else "ready")
            for key, files in runs["outputs"].items() if key in js for o in files if o}
    hot_out = dict(runs["hot"]["outputs"])
    worst = {}
    for (name, _), status in js.items():
        worst[name] = min(worst.get(name, status), status, key=list(Status).index)
    hot_orig = dict(runs["hot"]["originals"])
    return made, hot_out, {n: s.folder for n, s in worst.items()}, hot_orig


def test_hot_folder_files_each_output_and_original_by_its_status(runs):
    """Every output where prepare puts it (a video's poster frame beside it), every original in its
    worst slot's folder (Status.folder): an enlarged picture's original waits in needs-review/ with a
    note, its output in ready/, as the table, --json and the report call it needs-review."""
    made, hot_out, worst, hot_orig = _hot_folder_views(runs)
    assert made == hot_out, (hot_out, runs["hot"]["log"])
    assert worst == hot_orig, (hot_orig, runs["hot"]["log"])


# ----------------------------------------- the same size and crop from every photo front end (11)

def test_every_photo_front_end_gives_the_same_output_size_and_crop(batch, tmp_path):
    """test_api compares findings and crop; this adds the output size (check and --dry-run said none
    for a photo while they gave one for a video) and the CLI's own --dry-run --json."""
    import assetkit
    from PIL import Image

    src, opts = batch / "fixed.jpg", dict(crop="centre")
    got = {}
    o = assetkit.check([src], "instagram/post", jobs=1, **opts).results[0].outputs[0]
    got["check"] = (o.size, tuple(o.plan["crop"]))
    with contextlib.redirect_stdout(io.StringIO()) as out:
        main(["prepare", str(src), "--for", "instagram/post", "--out", str(tmp_path / "d"), "--dry-run", "--json",
              "--crop", "centre", "--jobs", "1"])
    [o_dry] = json.loads(out.getvalue())["results"][0]["outputs"]
    got["--dry-run"] = (tuple(o_dry["size"]), tuple(o_dry["plan"]["crop"]))
    o = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "p", jobs=1, **opts).results[0].outputs[0]
    with Image.open(o.output) as im:
        assert im.size == o.size
    got["prepare"] = (o.size, tuple(o.plan["crop"]))
    with Image.open(src) as im:
        res = assetkit.prepare_image(im, "instagram/post", **opts)
    got["prepare_image"] = (res.size, tuple(res.plan.crop))
    hot = from_hot_folder(tmp_path, src.parent, opts)
    assert hot["outputs"]["instagram-post/fixed.jpg"] == "ready"
    with Image.open(tmp_path / "hot" / "ready" / "instagram-post" / "fixed.jpg") as im:
        got["hot folder"] = (im.size, got["prepare"][1])   # its crop is compared in test_api
    assert got["prepare"][1] != (0, 0, 1700, 1300)       # a real aspect crop
    assert len(set(got.values())) == 1, got


def test_check_dry_run_and_prepare_give_a_video_the_same_plan(tmp_path, monkeypatch):
    """test_video_batch compares findings and size; this compares the whole plan (fit, frame, picture,
    offset, trim, encode settings, summary), with --dry-run through the CLI's --json."""
    import assetkit
    from assetkit.video import ffmpeg_exe

    src = tmp_path / "in" / "four-three.mp4"
    src.parent.mkdir()
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=s=480x360:r=10:d=1.5", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt",
                    "yuv420p", str(src)], check=True)
    slots, kw = "instagram/video,youtube/video", dict(jobs=1, allow_upscale=True, trim="0-1")

    def view(outputs):   # JSON-shaped, without where it goes (each run has its own folder)
        rows = json.loads(json.dumps([o if isinstance(o, dict) else o.to_dict() for o in outputs], default=str))
        return {o["slot"]: (sorted((f["code"], f["message"]) for f in o["findings"]), o["size"],
                            {k: v for k, v in o["plan"].items() if k not in ("output", "poster", "recipe")})
                for o in rows}

    monkeypatch.setenv("ASSETKIT_X264_PRESET", "superfast")   # for all three: it is in the plan
    checked = view(assetkit.check([src], slots, **kw).results[0].outputs)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        main(["prepare", str(src), "--for", slots, "--out", str(tmp_path / "d"), "--dry-run", "--json",
              "--jobs", "1", "--allow-upscale", "--trim", "0-1"])
    planned = view(json.loads(out.getvalue())["results"][0]["outputs"])
    made = view(assetkit.prepare([src], slots, out_dir=tmp_path / "o", **kw).results[0].outputs)
    assert set(checked) == {"instagram/video", "youtube/video"}
    assert checked["youtube/video"][2]["fit"] and checked["youtube/video"][2]["summary"]
    assert checked == planned == made
