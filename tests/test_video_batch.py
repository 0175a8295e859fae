"""Videos in the same runs as photos: sniffed from bytes, prepared for the video slots of a platform,
checked, skipped when up to date, bad ones reported while the batch goes on."""
import subprocess
from pathlib import Path

import pytest

import assetkit
from assetkit.cli import main
from assetkit.video import ffmpeg_exe, probe

import fixtures as fx


def clip(dst: Path, spec: str, seconds: float, audio=True) -> Path:
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", f"{spec}:d={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=d={seconds}", "-c:a", "aac", "-shortest"]
    subprocess.run([*args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mp4", str(dst)],
                   check=True)
    return dst


@pytest.fixture
def fast_x264(monkeypatch):
    monkeypatch.setenv("ASSETKIT_X264_PRESET", "superfast")


@pytest.fixture
def mixed(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    fx.make_photo(d / "photo.jpg", (1300, 1300))
    clip(d / "clip", "testsrc2=s=640x360:r=10", 2)          # no extension: sniffed from bytes
    clip(d / "long.mov", "testsrc2=s=160x90:r=1", 70)
    (d / "notes.mp4").write_text("not a video")
    data = (d / "clip").read_bytes()
    (d / "cut.mp4").write_bytes(data[: len(data) // 2])
    return d


def by_name(res):
    return {Path(r.source).name: r for r in res.results}


def test_photos_and_videos_in_one_prepare(tmp_path, mixed, fast_x264):
    out = tmp_path / "out"
    res = assetkit.prepare([mixed], "instagram", out_dir=out, jobs=1)
    r = by_name(res)
    assert [o.slot for o in r["photo.jpg"].outputs] == ["instagram/post"]
    [v] = r["clip"].outputs
    assert v.slot == "instagram/video" and v.status.written
    info = probe(v.output)
    assert (info.video_codec, info.audio_codec, info.pix_fmt) == ("h264", "aac", "yuv420p")
    assert Path(v.extra["poster"]).is_file()
    assert v.output == str(out / "instagram-video" / "clip.mp4")
    [lv] = r["long.mov"].outputs
    assert lv.status == "failed" and lv.output is None
    assert [f.code for f in lv.findings if f.severity.value == "error"] == ["video-too-long"]
    assert "10" in lv.findings[0].message or any("10" in f.message for f in lv.findings)  # 10 s over 60
    assert r["notes.mp4"].findings[0].code == "unreadable"
    assert r["cut.mp4"].findings[0].code == "unreadable"
    assert res.exit_status == 1
    # re-run: the video is recognised as up to date (its recipe rides in the MP4's comment tag)
    again = by_name(assetkit.prepare([mixed], "instagram", out_dir=out, jobs=1))
    assert again["clip"].outputs[0].status == "up-to-date"


def test_trim_auto_through_the_cli(tmp_path, mixed, fast_x264, capsys):
    rc = main(["prepare", str(mixed / "long.mov"), "--for", "instagram/video", "-o", str(tmp_path / "o"),
               "--trim", "auto", "--jobs", "1"])
    assert rc == 0, capsys.readouterr()
    info = probe(tmp_path / "o" / "instagram-video" / "long.mp4")
    assert abs(info.duration - 60.0) <= 0.1


def test_check_flags_a_long_clip_for_instagram_not_youtube(tmp_path, mixed):
    res = assetkit.check([mixed / "long.mov"], "instagram/video,youtube/video", jobs=1)
    codes = {o.slot: {f.code for f in o.findings} for o in res.results[0].outputs}
    assert "video-too-long" in codes["instagram/video"]
    assert "video-too-long" not in codes["youtube/video"]
    assert "video-too-small" in codes["youtube/video"]


def test_a_photo_for_a_video_slot_and_a_video_for_a_photo_slot(tmp_path, mixed):
    res = by_name(assetkit.check([mixed / "photo.jpg", mixed / "clip"], "youtube/video,instagram/post", jobs=1))
    assert [o.slot for o in res["photo.jpg"].outputs] == ["instagram/post"]
    assert [o.slot for o in res["clip"].outputs] == ["youtube/video"]
    only_video = by_name(assetkit.check([mixed / "photo.jpg"], "youtube/video", jobs=1))
    assert only_video["photo.jpg"].findings[0].code == "skipped"  # 12.3: not for the slots asked


def test_credit_is_burned_into_video_with_the_photo_renderer(tmp_path, mixed, fast_x264):
    import av
    import numpy as np

    def first_frame(p):
        with av.open(str(p)) as c:
            return next(c.decode(video=0)).to_ndarray(format="rgb24").astype(int)

    plain = assetkit.prepare([mixed / "clip"], "youtube/video", out_dir=tmp_path / "a", jobs=1, allow_upscale=True)
    credited = assetkit.prepare([mixed / "clip"], "youtube/video", out_dir=tmp_path / "b", jobs=1,
                                allow_upscale=True, credit="Video: A. Person / IOM")
    a, b = first_frame(plain.results[0].outputs[0].output), first_frame(credited.results[0].outputs[0].output)
    assert a.shape == b.shape
    diff = np.abs(a - b).sum(axis=2) > 60
    h, w = diff.shape
    assert diff[int(h * 0.8):, int(w * 0.5):].sum() > 200          # text in the bottom-right corner
    assert diff[: int(h * 0.6), :].sum() == 0 and diff[:, : int(w * 0.3)].sum() == 0  # nowhere else
    assert credited.results[0].info["credit"]["line"] == "Video: A. Person / IOM"


@pytest.mark.parametrize("jobs", [1, 2])
def test_ffmpeg_progress_reaches_the_caller(tmp_path, mixed, fast_x264, jobs):
    seen = []
    res = assetkit.prepare([mixed / "clip", mixed / "photo.jpg"], "instagram", out_dir=tmp_path / "o", jobs=jobs,
                           on_progress=lambda src, slot, done, total: seen.append((Path(src).name, slot, done, total)))
    assert res.exit_status == 0
    assert seen and all(s[:2] == ("clip", "instagram/video") for s in seen)
    assert seen[-1][2] == pytest.approx(2.0, abs=0.05) and seen[-1][3] == pytest.approx(2.0, abs=0.05)


# --- one plan for check, --dry-run and prepare (issue 11.2) ---------------------------------------

def _slot_view(res):
    return {o.slot: ({(f.code, f.severity, f.message) for f in o.findings}, tuple(o.size) if o.size else None)
            for o in res.results[0].outputs}


def test_check_dry_run_and_prepare_agree_on_findings_and_size(tmp_path, fast_x264):
    src = tmp_path / "in" / "portrait.mp4"
    src.parent.mkdir()
    # a portrait phone clip, rotated by a display matrix, too long for instagram: findings in every slot
    plain = clip(tmp_path / "p.mp4", "testsrc2=s=480x270:r=10", 3)
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-display_rotation", "90",
                    "-i", str(plain), "-c", "copy", str(src)], check=True)
    slots = "youtube/video,instagram/video,instagram/story"
    kw = dict(jobs=1, allow_upscale=True, trim="0-2.5")
    checked = assetkit.check([src], slots, **kw)
    planned = assetkit.prepare([src], slots, out_dir=tmp_path / "o", dry_run=True, **kw)
    made = assetkit.prepare([src], slots, out_dir=tmp_path / "o", **kw)
    c, d, m = _slot_view(checked), _slot_view(planned), _slot_view(made)
    assert c == d == m, (c, d, m)
    assert c["youtube/video"][1] == (1280, 720) and c["instagram/story"][1] == (270, 480)  # 9:16, not enlarged
    assert all(c[s][0] for s in c)  # every slot has findings to agree on
    dry = planned.results[0].outputs[0].plan
    assert dry["summary"].startswith("1280x720 H.264/AAC MP4, pad") and "trim 0-2.5 s" in dry["summary"]
    assert made.results[0].outputs[0].plan["summary"] == dry["summary"]
    assert len(list((tmp_path / "o").glob("*/portrait.mp4"))) == 3


def test_a_video_given_only_photo_slots_is_skipped(tmp_path, mixed):
    for run in (assetkit.check, lambda *a, **k: assetkit.prepare(*a, out_dir=tmp_path / "o", **k)):
        res = run([mixed / "clip"], "instagram/post,youtube/channel-art", jobs=1)
        [r] = res.results
        assert r.outputs == [] and [f.code for f in r.findings] == ["skipped"]
        assert r.findings[0].severity.value == "info" and str(r.status) == "skipped"
        assert res.exit_status == 0
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").rglob("*.*"))


def test_up_to_date_without_probing(tmp_path, mixed, fast_x264, monkeypatch):
    from assetkit.batch import collect_jobs
    from assetkit.options import Options
    from assetkit.video import job as vjob

    from assetkit.presets import load_presets

    slots = [load_presets().get("youtube/video")]
    opts = Options(out_dir=str(tmp_path / "o"), allow_upscale=True)
    [job] = collect_jobs([mixed / "clip"], slots, opts)
    assert vjob.up_to_date(job) is None  # nothing made yet
    first = vjob.run(job)
    assert first.outputs[0].status.written
    monkeypatch.setattr(vjob, "probe", lambda *a: (_ for _ in ()).throw(AssertionError("probed")))
    again = vjob.up_to_date(job)
    assert again is not None and [str(o.status) for o in again.outputs] == ["up-to-date"]
    assert vjob.up_to_date(collect_jobs([mixed / "clip"], slots, opts.with_(force=True))[0]) is None
