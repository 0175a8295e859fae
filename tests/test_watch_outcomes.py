"""The hot folder's pure parts (fast tier): folder names, outcomes, notes, names that fit, settings,
and safe reading of what is not a regular file. The watcher itself runs in test_watch.py (slow)."""
import io
import os
import threading
import time

import pytest

from assetkit import watch as hot
from assetkit.model import Finding, JobResult, Severity, SlotResult, Status
from assetkit.presets import load_presets
from assetkit.watch import outcomes as oc
from assetkit.watch.drops import describe_names, suggest
from assetkit.watch.scanner import NotAFile, Scanner

LIB = load_presets()


# ------------------------------------------------------------------------------------- names


def test_temporary_names_are_ignored():
    for name in ("a.jpg.part", "a.crdownload", "a.tmp", "~$a.jpg", ".DS_Store", ".hidden.jpg",
                 ".a.jpg.123-abcd.assetkit-tmp", "Thumbs.db"):
        assert hot.is_temporary(name), name
    for name in ("a.jpg", "IMG_0001.HEIC", "party.mp4"):
        assert not hot.is_temporary(name), name


def test_drop_folders_default_and_named():
    default = hot.drops_for(None, LIB)
    assert [d.name for d in default] == ["facebook", "instagram", "twitter", "youtube"]
    insta = next(d for d in default if d.name == "instagram")
    assert {s.id for s in insta.slots} == {"instagram/post", "instagram/video"}
    assert [s.id for s in insta.slots_for("image")] == ["instagram/post"]
    assert [(d.name, [s.id for s in d.slots]) for d in hot.drops_for("facebook/cover,facebook-cover", LIB)] == [
        ("facebook-cover", ["facebook/cover"])]
    with pytest.raises(hot.UsageError):
        hot.drops_for("nosuch", LIB)
    with pytest.raises(hot.UsageError, match="cannot be a drop folder"):
        hot.drops_for("ready", LIB)


def test_a_folder_made_by_hand_means_its_slot():
    for typed, slots in [("facebook-cover", ["facebook/cover"]), ("Facebook Cover", ["facebook/cover"]),
                         ("instagram_profile", ["instagram/profile"]), ("Instagram", ["instagram/post", "instagram/video"])]:
        d = hot.drop_for_name(typed, LIB)
        assert d is not None and sorted(s.id for s in d.slots) == slots, typed
        assert d.path_name == typed
    assert hot.drop_for_name("instagarm", LIB) is None
    assert hot.drop_for_name("holiday photos", LIB) is None
    if "instagram/story" in LIB.slots:  # the vertical story slot takes both kinds
        assert hot.drop_for_name("instagram-story", LIB).takes_text() == "photos and videos"
    assert hot.drop_for_name("instagram", LIB).takes_text() == "photos and videos"
    assert hot.drop_for_name("facebook-cover", LIB).takes_text() == "photos"


def test_scanner_finds_hand_made_and_unknown_folders(tmp_path):
    root = tmp_path / "hot"
    for d in ("instagram", "facebook-cover", "instagarm", "ready", "failed", ".assetkit"):
        (root / d).mkdir(parents=True)
    for d in ("instagram", "facebook-cover", "instagarm", "ready"):
        (root / d / "a.jpg").write_bytes(b"x" * 10)
    sc = Scanner(root, hot.drops_for("instagram", LIB), settle=0, lib=LIB)
    found, _ = sc.scan()
    got = {(f.path.parent.name, f.drop.name, f.drop.known) for f in found}
    assert got == {("instagram", "instagram", True), ("facebook-cover", "facebook-cover", True),
                   ("instagarm", "instagarm", False)}


def test_plural_counts():
    assert (oc.plural(0, "file"), oc.plural(1, "file"), oc.plural(2, "file")) == ("0 files", "1 file", "2 files")


def test_long_names_are_fitted_with_a_stable_short_hash():
    long = "é" * 125 + "x"  # 251 bytes
    fitted = oc.fit_name(long)
    assert len(fitted.encode()) <= oc.NAME_LIMIT and fitted == oc.fit_name(long) and "~" in fitted
    assert oc.fit_name("short") == "short"
    assert oc.fit_name("a" * 240) != oc.fit_name("a" * 239 + "b")
    assert oc.split_name("a" * 240 + ".JPG") == ("a" * 240, ".JPG")
    assert oc.split_name("no extension here." + "x" * 30)[1] == ""
    assert all(len(p.encode()) <= oc.NAME_LIMIT for p in oc.fit_stem("trip/" + "b" * 250).split("/"))


# ---------------------------------------------------------------------------------- outcomes


def finding(code, message, severity=Severity.ERROR):
    """A finding as the engines make it (the codes of credits and video register on import)."""
    sev = {"no-credit": Severity.WARNING, "upscaled": Severity.WARNING, "consent-missing": Severity.WARNING}
    return Finding(code, sev.get(code, severity), message, review=code in ("upscaled", "safe-area"))


def _slot(sid):
    return LIB.get(sid)


def test_outcome_comes_from_status_and_held_only():
    post = _slot("instagram/post")
    r = JobResult("a.jpg", kind="image", info={"width": 500, "height": 500})
    no_credit = finding("no-credit", "no credit found")
    written = SlotResult(post.id, Status.FIXED, output="ready/instagram-post/a.jpg", findings=[no_credit])
    assert oc.slot_outcome(post, written, r).state == hot.DONE, "a missing credit never holds a file"
    enlarged = SlotResult(post.id, Status.NEEDS_REVIEW, output="ready/instagram-post/a.jpg",
                          findings=[finding("upscaled", "enlarged")])
    o = oc.slot_outcome(post, enlarged, r)
    assert o.state == hot.REVIEW and o.output == "ready/instagram-post/a.jpg", \
        "written but to be looked at: the output stays in ready/, the original goes to needs-review/"
    assert "enlarged" in o.reason, "the note says what to look at"
    assert oc.slot_outcome(post, written, r).reason is None
    held = SlotResult(post.id, Status.NEEDS_REVIEW, output="ready/needs-review/instagram-post/a.jpg", held=True,
                      findings=[finding("consent-missing", "2 faces and no consent: held (--require-consent)")])
    o = oc.slot_outcome(post, held, r)
    assert o.state == hot.REVIEW and o.output.endswith("needs-review/instagram-post/a.jpg")
    assert "Consent Form" in o.reason and "--" not in o.reason
    small = SlotResult(post.id, Status.FAILED, findings=[finding(
        "too-small", "a.jpg is 500x500; the square crop is 500x500, smaller than instagram/post (1080x1080): it "
                     "would have to be enlarged. Use a larger original, or --allow-upscale to enlarge it anyway")])
    o = oc.slot_outcome(post, small, r)
    assert o.state == hot.FAILED_STATE
    assert "500x500" in o.reason and "1080x1080" in o.reason and "Use a larger original" in o.reason
    assert "--" not in o.reason
    assert oc.folder_for([hot.DONE, hot.REVIEW]) == hot.NEEDS_REVIEW_DIR
    assert oc.folder_for([hot.DONE, hot.FAILED_STATE, hot.REVIEW]) == hot.FAILED_DIR
    assert oc.folder_for([hot.DONE, hot.DONE]) == hot.ORIGINALS


def test_plain_words_for_what_to_do_next():
    video = _slot("instagram/video")
    r = JobResult("long.mp4", kind="video", info={"duration": 95.0})
    long = SlotResult(video.id, Status.FAILED, findings=[finding(
        "video-too-long", "95.0 s is 35.0 s over the 60 s limit; use --trim START-END or --trim auto (first 60 s)")])
    reason = oc.slot_outcome(video, long, r).reason
    assert "trim the clip to 60 s or less" in reason.lower() and "--" not in reason
    bad = JobResult("bad.jpg", findings=[finding("unreadable", "bad.jpg: not a picture (cannot identify image file)")])
    reason = oc.slot_outcome(_slot("instagram/post"), None, bad).reason
    assert "not a picture" in reason and "export it again" in reason
    # a video in a photo-only folder: nothing written, said in words, with folders that take videos
    skipped = JobResult("clip.mp4", kind="video", findings=[Finding("skipped", Severity.INFO, "not for these slots")])
    o = oc.slot_outcome(_slot("facebook/cover"), None, skipped, drop_takes="photos", elsewhere=["facebook", "instagram"])
    assert o.state == hot.FAILED_STATE and "takes photos" in o.reason and "facebook/" in o.reason
    # any other finding: its message without the flag part
    odd = Finding("size-limit", Severity.ERROR, "could not bring facebook/cover under 0.1 MB (try --quality 60)")
    assert "--" not in oc.slot_outcome(_slot("facebook/cover"), SlotResult("facebook/cover", Status.FAILED, findings=[odd]),
                                       JobResult("x.png")).reason


def test_unknown_folder_note_lists_the_names_that_work():
    note = oc.unknown_folder_note("a.jpg", "instagarm", describe_names(LIB), suggest("instagarm", LIB),
                                  "2026-12-01 10:00:00")
    assert "Did you mean instagram/?" in note
    lines = {ln.split()[0]: ln for ln in note.splitlines() if ln.startswith("  ")}
    assert {"instagram/", "facebook-cover/", "instagram-profile/", "youtube/"} <= set(lines)
    assert "Cover photo (photos)" in lines["facebook-cover/"] and "feed video for videos" in lines["instagram/"]
    assert "--" not in note


def test_watcher_finish_routes_and_notes(tmp_path):
    """What finish() makes of results: held by a rule -> needs-review/ with a plain note; one slot
    prepared and one failed -> failed/ (the prepared output stays in ready/)."""
    root = tmp_path / "hot"
    root.mkdir()
    drops = hot.drops_for("instagram/post,facebook/post", LIB)
    log = io.StringIO()
    w = hot.Watcher(root, drops, hot.Settings(root, {}, lambda *a: None), lib=LIB, settle=0, jobs=1, out=log)
    post = LIB.get("instagram/post")
    src = root / "instagram-post" / "kids.jpg"
    src.write_bytes(b"kids")
    w.journal.queue("h1", [post], src, "instagram-post", "kids")
    held_at = root / "ready" / "needs-review" / "instagram-post" / "kids.jpg"
    consent = finding("consent-missing", "2 faces visible and no consent recorded: held for review (--require-consent)")
    w.finish(hot._Task(src, drops[0], "h1", "image", (post,), "kids"),
             JobResult(str(src), outputs=[SlotResult(post.id, Status.NEEDS_REVIEW, output=str(held_at),
                                                     findings=[consent], held=True)]))
    assert (root / "needs-review" / "kids.jpg").read_bytes() == b"kids"
    note = (root / "needs-review" / "kids.jpg.txt").read_text()
    assert "needs a person" in note and "Consent Form" in note and "ready/needs-review/instagram-post/kids.jpg" in note
    assert "--" not in note
    assert "needs-review instagram-post/kids.jpg" in log.getvalue()

    both = (post, LIB.get("facebook/post"))
    src = root / "instagram-post" / "two.jpg"
    src.write_bytes(b"two")
    out = root / "ready" / "instagram-post" / "two.jpg"
    w.journal.queue("h2", both, src, "instagram-post", "two")
    small = finding("too-small", "two.jpg is 800x800; smaller than facebook/post (1080x1080): use --allow-upscale")
    w.finish(hot._Task(src, drops[0], "h2", "image", both, "two"),
             JobResult(str(src), kind="image", info={"width": 800, "height": 800},
                       outputs=[SlotResult(post.id, Status.FIXED, output=str(out)),
                                SlotResult("facebook/post", Status.FAILED, findings=[small])]))
    note = (root / "failed" / "two.jpg.txt").read_text()
    assert "(facebook/post): The picture is 800x800 pixels" in note
    assert "(instagram/post): prepared, in ready/instagram-post/two.jpg" in note and "--" not in note
    assert hot.status(root)["counts"] == {"needs-review": 1, "done": 1, "failed": 1}
    w.journal.close()


def test_settings_from_the_resolver_and_per_folder_tables(tmp_path):
    (tmp_path / "assetkit.toml").write_text("[prepare]\nallow_upscale = true\nquality = 70\n")
    settings = hot.Settings(tmp_path, {"quality": 90, "crop": None}, lambda *a: None)
    opts = settings.options("instagram")
    assert (opts.allow_upscale, opts.quality, opts.out_dir) == (True, 90, str(tmp_path / "ready"))  # flags win
    (tmp_path / "assetkit.toml").write_text("[prepare]\ncrop = 'centre'\n[credit]\ntemplate = 'Photo: IOM'\n")
    settings.refresh()
    assert (settings.options("instagram").crop, settings.options("instagram").credit) == ("centre", "Photo: IOM")
    logged = []
    settings.log = lambda e, t: logged.append(t)
    (tmp_path / "assetkit.toml").write_text("[prepare]\nqualty = 70\n")
    os.utime(tmp_path / "assetkit.toml", ns=(1, 1))
    settings.refresh()
    assert settings.options("x").crop == "centre" and "qualty" in logged[-1]
    with pytest.raises(hot.UsageError, match="qualty"):
        hot.Settings(tmp_path, {}, lambda *a: None)


# ------------------------------------------------------------------------- not regular files


def test_a_fifo_and_a_link_to_dev_zero_are_never_read(tmp_path):
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.jpg"
    zero.symlink_to("/dev/zero")
    gone = tmp_path / "gone.jpg"
    gone.symlink_to(tmp_path / "nothing-here.jpg")
    result = {}

    def read_all():
        for p in (fifo, zero, gone):
            try:
                hot.read_content(p)
                result[p.name] = "read"
            except NotAFile as e:
                result[p.name] = e.what

    t = threading.Thread(target=read_all, daemon=True)
    t.start()
    t.join(5)
    assert not t.is_alive(), "reading a FIFO or /dev/zero blocked or ran for ever"
    assert "named pipe" in result["pipe.jpg"] and "device" in result["zero.jpg"] and "link" in result["gone.jpg"]
    sc = Scanner(tmp_path, hot.drops_for("instagram", LIB)[:0] or [hot.Drop("x", (LIB.get("instagram/post"),), ".")],
                 settle=60)
    found, _ = sc.scan()
    assert {f.path.name: bool(f.odd) for f in found} == {"pipe.jpg": True, "zero.jpg": True, "gone.jpg": True}


def test_read_content_stops_when_asked_and_never_reads_past_the_size(tmp_path):
    p = tmp_path / "big.bin"
    p.write_bytes(os.urandom(3 << 20))
    stop = threading.Event()
    stop.set()
    with pytest.raises(hot.scanner.Stopped):
        hot.read_content(p, stop)
    c = hot.read_content(p)
    import hashlib

    assert c.size == 3 << 20 and c.digest == hashlib.sha256(p.read_bytes()).hexdigest()


def test_per_folder_settings_from_assetkit_toml(tmp_path):
    """[folder."NAME"] in ROOT/assetkit.toml: settings a person cannot type, for one drop folder."""
    (tmp_path / "assetkit.toml").write_text('[prepare]\nquality = 70\n\n[folder."instagram"]\nallow_upscale = true\n'
                                            'trim = "auto"\n\n[folder."Facebook Cover"]\nquality = 95\n\n'
                                            '[folder."instagarm"]\nallow_upscale = true\n')
    logged = []
    settings = hot.Settings(tmp_path, {"crop": "centre"}, lambda e, t: logged.append(t), LIB)
    insta, cover, other = (settings.options(n) for n in ("instagram", "facebook-cover", "twitter"))
    assert (insta.allow_upscale, insta.trim, insta.quality, insta.crop) == (True, "auto", 70, "centre")
    assert (cover.allow_upscale, cover.quality) == (False, 95)
    assert (other.allow_upscale, other.trim, other.quality) == (False, None, 70)
    assert any('[folder."instagarm"]' in t and "did you mean instagram?" in t for t in logged), logged
    # flags given when the watcher was started still win
    assert hot.Settings(tmp_path, {"quality": 50}, lambda *a: None, LIB).options("facebook-cover").quality == 50
