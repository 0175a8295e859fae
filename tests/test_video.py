"""Video stage: probe, validate, geometry, transcode. Clips are generated here with the bundled
ffmpeg's lavfi sources (small, short, low frame rates) so the module runs in well under 90 s."""
from __future__ import annotations

import json
import os
import struct
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from assetkit.checks import CODES, Severity
from assetkit.errors import MediaError, UsageError
from assetkit.fsutil import TMP_SUFFIX
from assetkit.presets import load_presets
from assetkit.video import (build_command, ffmpeg_exe, parse_trim, poster_frame, prepare_video, probe,
                            run, validate)
from assetkit.video import geometry, loudness, subtitles
from assetkit.video.transcode import resolve_trim

FAST = "ultrafast"  # fixtures
ENC = "superfast"  # prepare: the fastest x264 preset that still gives High profile (ultrafast drops CABAC)
GPS = "+48.8577+002.2950/"


@pytest.fixture(scope="module")
def slots():
    lib = load_presets()
    return {s: lib.get(s) for s in ("youtube/video", "instagram/video", "twitter/video", "facebook/video")}


def ff(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args], check=True)


def lavfi(dst: Path, video: str, *, audio: str | None = None, extra: tuple[str, ...] = ()) -> Path:
    args = ["-f", "lavfi", "-i", video]
    if audio:
        args += ["-f", "lavfi", "-i", audio]
    ff(*args, "-c:v", "libx264", "-preset", FAST, "-pix_fmt", "yuv420p",
       *(("-c:a", "aac", "-shortest") if audio else ()), *extra, str(dst))
    return dst


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    d = tmp_path_factory.mktemp("clips")
    c = {}
    c["long70"] = lavfi(d / "long70.mp4", "testsrc2=s=160x90:r=1:d=70", audio="sine=d=70")
    c["vga"] = lavfi(d / "vga.mp4", "testsrc2=s=640x480:r=5:d=1")
    # Red bar across the top of the stored picture: after a 90 degree CCW display rotation it
    # must end up on the left of the upright output.
    upright = lavfi(d / "upright.mp4", "testsrc2=s=1920x1080:r=5:d=1,drawbox=x=0:y=0:w=iw:h=ih/5:color=red:t=fill",
                    audio="sine=d=1")
    c["rot90"] = d / "rot90.mp4"
    ff("-display_rotation", "90", "-i", str(upright), "-c", "copy", str(c["rot90"]))
    c["anamorphic"] = lavfi(d / "anamorphic.mp4", "testsrc2=s=1440x1080:r=5:d=1,setsar=4/3")
    c["four3"] = lavfi(d / "four3.mp4", "testsrc2=s=1280x960:r=5:d=1")
    c["gps"] = lavfi(d / "gps.mov", "testsrc2=s=320x180:r=10:d=1", audio="sine=d=1",
                     extra=("-movflags", "use_metadata_tags", "-metadata", f"location={GPS}",
                            "-metadata", f"com.apple.quicktime.location.ISO6709={GPS}"))
    c["quiet"] = lavfi(d / "quiet.mp4", "testsrc2=s=160x90:r=5:d=4", audio="sine=f=440:d=4,volume=0.03")
    c["mute"] = lavfi(d / "mute.mp4", "testsrc2=s=160x90:r=5:d=2")
    # Alternating 45/22 ms frame steps, kept by a millisecond encoder time base.
    c["vfr"] = lavfi(d / "vfr.mp4", "testsrc2=s=160x90:r=30:d=2,settb=1/1000,setpts=(N/30+0.012*mod(N\\,2))/TB",
                     extra=("-fps_mode", "passthrough", "-enc_time_base", "1/1000"))
    c["truncated"] = d / "truncated.mp4"
    ff("-i", str(c["rot90"]), "-c", "copy", "-movflags", "+faststart", str(d / "fs.mp4"))
    data = (d / "fs.mp4").read_bytes()
    c["truncated"].write_bytes(data[: len(data) // 2])
    c["text"] = d / "notes.mp4"
    c["text"].write_text("this is not a video\n")
    return c


def top_level_atoms(path: Path) -> list[str]:
    names, data = [], path.read_bytes()
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        elif size == 0:
            size = len(data) - pos
        names.append(kind.decode("latin-1"))
        pos += size
    return names


def frame_rgb(path: Path, index: int = 0) -> np.ndarray:
    with av.open(str(path)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i == index:
                return frame.to_ndarray(format="rgb24").astype(int)
    raise AssertionError("no frame")


def assert_clean_output(res, *, audio: bool = True):
    assert res.output is not None and res.output.is_file(), res.findings
    info = res.info
    assert (info.container, info.video_codec, info.pix_fmt) == ("mp4", "h264", "yuv420p")
    assert info.audio_codec == ("aac" if audio else None)
    assert info.rotation == 0 and info.sar == 1
    assert info.width % 2 == 0 and info.height % 2 == 0
    assert not info.has_location
    atoms = top_level_atoms(res.output)
    assert atoms.index("moov") < atoms.index("mdat"), atoms  # faststart
    if not res.plan.copy:  # a remux keeps the source's profile (a compliant .mov is copied, issue 14.6)
        with av.open(str(res.output)) as c:
            assert c.streams.video[0].profile == "High"
    assert res.poster.is_file() and res.poster.suffix == ".jpg"
    with Image.open(res.poster) as im:
        assert im.format == "JPEG" and im.size == (info.width, info.height)
    leftovers = [p.name for p in res.output.parent.iterdir() if TMP_SUFFIX in p.name]
    assert not leftovers


# --- binary -------------------------------------------------------------------------------------

def test_ffmpeg_is_the_wheel_binary_unless_named(monkeypatch, tmp_path):
    monkeypatch.delenv("ASSETKIT_FFMPEG", raising=False)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", "/usr/bin/ffmpeg")  # must not be followed
    monkeypatch.setenv("PATH", str(tmp_path))
    exe = ffmpeg_exe()
    assert "imageio_ffmpeg" in exe and os.access(exe, os.X_OK)
    monkeypatch.setenv("ASSETKIT_FFMPEG", exe)
    assert ffmpeg_exe() == exe
    monkeypatch.setenv("ASSETKIT_FFMPEG", str(tmp_path / "nope"))
    with pytest.raises(UsageError, match="ASSETKIT_FFMPEG"):
        ffmpeg_exe()


def test_bundled_ffmpeg_has_libass():
    assert subtitles.has_libass(ffmpeg_exe())  # so burn-in uses the subtitles filter


# --- probe --------------------------------------------------------------------------------------

def test_probe_basic_and_fast(clips):
    import time
    probe(clips["gps"])  # warm-up: first av.open loads codecs
    t = time.perf_counter()
    info = probe(clips["gps"])
    assert (time.perf_counter() - t) < 0.05
    assert info.container == "mov" or info.container == "mp4"
    assert (info.width, info.height, info.display_size) == (320, 180, (320, 180))
    assert info.video_codec == "h264" and info.audio_codec == "aac" and info.pix_fmt == "yuv420p"
    assert info.frame_rate == 10 and not info.variable_frame_rate
    assert abs(info.duration - 1.0) < 0.1 and info.bit_rate > 0
    tags = dict(info.location_tags)
    assert tags.get("com.apple.quicktime.location.ISO6709") == GPS and tags.get("location") == GPS
    d = info.to_dict()
    json.dumps(d)
    assert d["sar"] == "1:1" and d["has_audio"] is True


def test_probe_rotation_from_display_matrix(clips):
    info = probe(clips["rot90"])
    assert (info.width, info.height) == (1920, 1080)
    assert info.rotation == 90
    assert info.display_size == (1080, 1920)


def test_probe_anamorphic_is_16_9(clips, slots):
    info = probe(clips["anamorphic"])
    assert (info.width, info.height) == (1440, 1080) and info.sar == pytest.approx(4 / 3)
    assert info.display_size == (1920, 1080)
    codes = {f.code for f in validate(info, slots["youtube/video"])}
    assert "video-aspect" not in codes and "video-too-small" not in codes


def test_probe_vfr(clips):
    assert probe(clips["vfr"]).variable_frame_rate
    assert not probe(clips["long70"]).variable_frame_rate


@pytest.mark.parametrize("name,reason", [("truncated", "truncated"), ("text", "not a video")])
def test_unreadable(clips, name, reason):
    with pytest.raises(MediaError) as e:
        probe(clips[name])
    assert e.value.code == "unreadable" and reason in e.value.problem


def test_unreadable_empty_and_audio_only(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        probe(tmp_path / "empty.mp4")
    ff("-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", str(tmp_path / "a.m4a"))
    with pytest.raises(MediaError, match="no video stream"):
        probe(tmp_path / "a.m4a")


# --- validate -----------------------------------------------------------------------------------

def test_too_long_for_instagram_not_youtube(clips, slots):
    info = probe(clips["long70"])
    ig = [f for f in validate(info, slots["instagram/video"]) if f.code == "video-too-long"]
    assert len(ig) == 1 and ig[0].severity is Severity.ERROR and "10.0 s over" in ig[0].message
    assert ig[0].slot == "instagram/video" and "sixty seconds" in ig[0].section
    assert not [f for f in validate(info, slots["youtube/video"]) if f.code == "video-too-long"]
    assert not [f for f in validate(info, slots["twitter/video"]) if f.code == "video-too-long"]


def test_vga_too_small_and_wrong_aspect_for_youtube(clips, slots):
    found = {f.code: f for f in validate(probe(clips["vga"]), slots["youtube/video"])}
    assert found["video-too-small"].severity is Severity.ERROR
    assert "1280x720" in found["video-too-small"].message and "at least 1280x720" in found["video-too-small"].section
    assert found["video-aspect"].fixable and "16:9" in found["video-aspect"].section
    assert found["video-aspect"].slot == "youtube/video"


def test_full_hd_preferred_is_info(clips, slots):
    found = {f.code: f for f in validate(probe(clips["four3"]), slots["youtube/video"])}
    assert found["video-too-small"].severity is Severity.INFO and "Full HD" in found["video-too-small"].message


def test_rotation_gps_vfr_codec_findings(clips, slots):
    yt = slots["youtube/video"]
    assert "video-rotation" in {f.code for f in validate(probe(clips["rot90"]), yt)}
    gps = [f for f in validate(probe(clips["gps"]), yt) if f.code == "gps-present"]
    assert gps and gps[0].section == "SECURITY AND PRIVACY" and gps[0].fixable
    assert "video-vfr" in {f.code for f in validate(probe(clips["vfr"]), yt)}
    info = probe(clips["gps"])
    if info.container == "mov":
        assert "video-codec" in {f.code for f in validate(info, yt)}
    assert "video-codec" not in {f.code for f in validate(probe(clips["long70"]), yt)}
    for code in ("video-too-long", "video-too-small", "video-aspect", "video-codec", "video-rotation",
                 "video-vfr", "ffmpeg-failed"):
        assert code in CODES


# --- pure helpers -------------------------------------------------------------------------------

def test_parse_trim():
    assert parse_trim("auto") == "auto"
    assert parse_trim("5-65") == (5.0, 65.0)
    assert parse_trim("00:01:02-00:01:30") == (62.0, 90.0)
    assert parse_trim("1:02.5 - 1:30") == (62.5, 90.0)
    for bad in ("65-5", "abc", "1-", "1:2:3:4-5"):
        with pytest.raises(UsageError):
            parse_trim(bad)


@pytest.mark.parametrize("display,fit,frame,picture", [
    ((1920, 1080), "pad", (1920, 1080), (1920, 1080)),
    ((1280, 960), "pad", (1728, 972), (1280, 960)),      # bars beside, picture untouched
    ((1280, 960), "crop", (1280, 720), (1280, 960)),     # window cut from the picture
    ((1280, 960), "blur", (1728, 972), (1280, 960)),
    ((4000, 3000), "pad", (3840, 2160), (2880, 2160)),   # max_size caps it
])
def test_geometry_youtube(display, fit, frame, picture):
    g = geometry.plan(display, aspect=(16, 9), fit=fit, max_size=(3840, 2160), min_size=(1280, 720))
    assert (g.frame, g.picture) == (frame, picture)
    assert g.frame[0] * 9 == g.frame[1] * 16 and not g.upscaled


def test_geometry_never_upscales_unless_allowed():
    g = geometry.plan((640, 480), aspect=(16, 9), fit="crop", min_size=(1280, 720))
    assert g.frame == (640, 360) and g.scale == 1
    g = geometry.plan((640, 480), aspect=(16, 9), fit="crop", min_size=(1280, 720), allow_upscale=True)
    assert g.frame == (1280, 720) and g.upscaled
    g = geometry.plan((1920, 1080), aspect=None, max_size=(1080, 1350))
    assert g.frame == (1080, 608)
    with pytest.raises(UsageError, match="pad"):
        geometry.plan((10, 10), aspect=None, fit="stretch")


# --- prepare ------------------------------------------------------------------------------------

def test_rotated_clip_prepared_upright(clips, slots, tmp_path):
    res = prepare_video(clips["rot90"], slots["facebook/video"], tmp_path / "rot.mp4", x264_preset=ENC)
    assert_clean_output(res)
    assert res.info.display_size == (1080, 1920) == (res.info.width, res.info.height)
    px = frame_rgb(res.output)
    left, right = px[:, :100].mean(axis=(0, 1)), px[:, -100:].mean(axis=(0, 1))
    assert left[0] > 200 and left[1] < 60 and left[2] < 60, left  # the red bar, now on the left
    assert not (right[0] > 200 and right[1] < 60), right
    assert "video-rotation" in {f.code for f in res.findings}


def test_anamorphic_prepared_square_pixels(clips, slots, tmp_path):
    res = prepare_video(clips["anamorphic"], slots["youtube/video"], tmp_path / "ana.mp4", x264_preset=ENC)
    assert_clean_output(res, audio=False)
    assert (res.info.width, res.info.height) == (1920, 1080)


@pytest.mark.parametrize("fit", ["pad", "crop", "blur"])
def test_fits_give_slot_aspect(clips, slots, tmp_path, fit):
    res = prepare_video(clips["four3"], slots["youtube/video"], tmp_path / f"{fit}.mp4", fit=fit,
                        x264_preset=ENC)
    assert_clean_output(res, audio=False)
    w, h = res.info.display_size
    assert w * 9 == h * 16
    px = frame_rgb(res.output)
    edge = px[:, :40].mean()
    if fit == "pad":
        assert edge < 20  # black bars
    elif fit == "blur":
        assert edge > 20 and px[:, :40].std() > 1  # blurred picture, not black
    else:
        assert (w, h) == (1280, 720)


def test_gps_stripped(clips, slots, tmp_path):
    assert probe(clips["gps"]).has_location
    res = prepare_video(clips["gps"], slots["twitter/video"], tmp_path / "gps.mp4", x264_preset=ENC)
    assert_clean_output(res)
    assert GPS.encode() not in res.output.read_bytes()
    assert b"ISO6709" not in res.output.read_bytes()
    assert "gps-present" in {f.code for f in res.findings}


def test_too_long_writes_nothing_unless_trimmed(clips, slots, tmp_path):
    ig = slots["instagram/video"]
    res = prepare_video(clips["long70"], ig, tmp_path / "long.mp4", x264_preset=ENC)
    assert res.output is None and not list(tmp_path.iterdir())
    assert [f.severity for f in res.findings if f.code == "video-too-long"] == [Severity.ERROR]
    seen = []
    res = prepare_video(clips["long70"], ig, tmp_path / "long.mp4", trim="auto", x264_preset=ENC,
                        on_progress=seen.append)
    assert_clean_output(res)
    assert res.info.duration == pytest.approx(60.0, abs=0.1)
    assert seen and seen[-1] == pytest.approx(60.0) and seen == sorted(seen)
    [f] = [f for f in res.findings if f.code == "video-too-long"]
    assert f.severity is Severity.INFO and "trimmed" in f.message
    # An explicit window still over the limit is refused.
    res = prepare_video(clips["long70"], ig, tmp_path / "w.mp4", trim=(0, 65), x264_preset=ENC)
    assert res.output is None and not (tmp_path / "w.mp4").exists()
    assert resolve_trim("5-15", probe(clips["long70"]), ig) == (5.0, 15.0)


def test_too_small_refused_unless_upscale_allowed(clips, slots, tmp_path):
    yt = slots["youtube/video"]
    res = prepare_video(clips["vga"], yt, tmp_path / "vga.mp4", x264_preset=ENC)
    assert res.output is None and not list(tmp_path.iterdir())
    res = prepare_video(clips["vga"], yt, tmp_path / "vga.mp4", x264_preset=ENC, allow_upscale=True)
    assert_clean_output(res, audio=False)
    assert res.info.display_size == (1280, 720)
    [f] = [f for f in res.findings if f.code == "video-too-small"]
    assert f.severity is Severity.WARNING and "enlarged" in f.message


def integrated_loudness(path: Path) -> float:
    exe = ffmpeg_exe()
    p = subprocess.run([exe, "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0", "-af",
                        "loudnorm=print_format=json", "-f", "null", "-"], capture_output=True, text=True)
    return float(loudness.parse_json(p.stderr)["input_i"])


def test_loudness_normalised_and_audio_less_untouched(clips, slots, tmp_path):
    before = integrated_loudness(clips["quiet"])
    assert before < -30
    res = prepare_video(clips["quiet"], slots["twitter/video"], tmp_path / "loud.mp4", loudness=True,
                        x264_preset=ENC)
    assert_clean_output(res)
    assert integrated_loudness(res.output) == pytest.approx(loudness.TARGET_I, abs=1.5)
    res = prepare_video(clips["mute"], slots["twitter/video"], tmp_path / "mute.mp4", loudness=True,
                        x264_preset=ENC)
    assert_clean_output(res, audio=False)


def test_silent_clip_is_not_measured_up(tmp_path):
    src = lavfi(tmp_path / "silent.mp4", "testsrc2=s=160x90:r=5:d=2", audio="anullsrc=d=2")
    assert loudness.measure(ffmpeg_exe(), src) is None


def test_vfr_becomes_constant(clips, slots, tmp_path):
    res = prepare_video(clips["vfr"], slots["twitter/video"], tmp_path / "cfr.mp4", x264_preset=ENC)
    assert_clean_output(res, audio=False)
    assert not res.info.variable_frame_rate


def test_subtitles_and_overlay_burned_in(clips, slots, tmp_path):
    srt = tmp_path / "subs.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:00,900\nHELLO SOCIAL\n\n")
    logo = tmp_path / "logo.png"
    im = Image.new("RGBA", (320, 180), (0, 0, 0, 0))
    im.paste((0, 0, 255, 255), (0, 0, 40, 40))
    im.save(logo)
    plain = prepare_video(clips["gps"], slots["twitter/video"], tmp_path / "plain.mp4", x264_preset=ENC)
    res = prepare_video(clips["gps"], slots["twitter/video"], tmp_path / "subs.mp4", subtitles=srt,
                        overlay_png=logo, x264_preset=ENC)
    assert_clean_output(res)
    a, b = frame_rgb(plain.output, 2), frame_rgb(res.output, 2)
    h = a.shape[0]
    assert np.abs(a[-h // 4:] - b[-h // 4:]).mean() > 2  # text in the bottom quarter
    corner = b[5:35, 5:35].mean(axis=(0, 1))
    assert corner[2] > 180 and corner[0] < 80  # the blue logo square
    assert np.abs(a[h // 3:h // 2, 100:220] - b[h // 3:h // 2, 100:220]).mean() < 3  # middle untouched


def test_interrupt_leaves_no_partial_file(clips, slots, tmp_path):
    info = probe(clips["long70"])
    dst = tmp_path / "out" / "clip.mp4"
    cmd = build_command(clips["long70"], dst, info, slots["twitter/video"], x264_preset="medium")
    cmd[1:1] = ["-stats_period", "0.05"]  # report early, so the interrupt lands mid-encode
    partials = []

    def ctrl_c(done):
        partials.extend(p.name for p in dst.parent.iterdir())
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(cmd, info.duration, on_progress=ctrl_c)
    assert partials and all(TMP_SUFFIX in p for p in partials)
    assert list(dst.parent.iterdir()) == []


def test_ffmpeg_failure_is_a_finding_with_log(clips, slots, tmp_path):
    bad = tmp_path / "logo.png"
    bad.write_text("not a png")
    res = prepare_video(clips["gps"], slots["twitter/video"], tmp_path / "x.mp4", overlay_png=bad,
                        x264_preset=ENC)
    assert res.output is None and not (tmp_path / "x.mp4").exists()
    [f] = [f for f in res.findings if f.code == "ffmpeg-failed"]
    assert f.severity is Severity.ERROR and "last lines" in f.message and len(f.message.splitlines()) >= 2
    assert [p.name for p in tmp_path.iterdir()] == ["logo.png"]
    with pytest.raises(MediaError) as e:
        run([ffmpeg_exe(), "-hide_banner", "-i", str(tmp_path / "missing.mp4"), str(tmp_path / "y.mp4")], 1.0)
    assert e.value.code == "ffmpeg-failed" and "missing.mp4" in e.value.problem


def test_poster_frame_clamps_to_clip(clips, tmp_path):
    out = poster_frame(clips["mute"], tmp_path / "p.jpg", at=99, duration=2.0)
    with Image.open(out) as im:
        assert im.size == (160, 90)


def test_subtitles_without_libass_use_pillow_overlays(clips, slots, tmp_path, monkeypatch):
    """An ASSETKIT_FFMPEG build without libass still burns the cues in (Pillow PNG overlays)."""
    srt = tmp_path / "subs.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:00,500\n<i>First</i>\n\n2\n00:00:00,500 --> 00:00:00,900\nSecond\n")
    assert [c.text for c in subtitles.parse_srt(srt)] == ["First", "Second"]
    monkeypatch.setattr(subtitles, "has_libass", lambda exe: False)
    info = probe(clips["gps"])
    cmd = build_command(clips["gps"], tmp_path / "s.mp4", info, slots["twitter/video"], subtitles=srt,
                        x264_preset=ENC)
    assert "subtitles=" not in " ".join(cmd) and "between(t" in " ".join(cmd)
    run(cmd, info.duration)
    plain = tmp_path / "p.mp4"
    run(build_command(clips["gps"], plain, info, slots["twitter/video"], x264_preset=ENC), info.duration)
    a, b = frame_rgb(plain, 2), frame_rgb(tmp_path / "s.mp4", 2)
    assert np.abs(a[-a.shape[0] // 4:] - b[-b.shape[0] // 4:]).mean() > 2
