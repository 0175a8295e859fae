"""Clips made the way phones and cameras make them (issue 14), generated here with the bundled
ffmpeg, tiny (a second, small frames), and what prepare makes of them: HDR tone-mapped to BT.709 SDR,
interlaced deinterlaced, VFR to a constant rate in sync, one audio track kept and named, portrait
in standard frames, a compliant clip stream-copied, a representative poster, 1000 fps capped."""
from __future__ import annotations

import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from assetkit.presets import load_presets
from assetkit.video import ffmpeg_exe, prepare_video, probe
from assetkit.video.probe import _idet_says_interlaced

ENC = "superfast"
LIB = load_presets()
YT, IG, FB, TW = (LIB.get(s) for s in ("youtube/video", "instagram/video", "facebook/video", "twitter/video"))
# moving, but without testsrc2's one-pixel stripes (which idet reads as fields even when progressive)
SCENE = "testsrc2=s={s}:r={r}:d={d},gblur=sigma=2"


def ff(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args], check=True)


def stats_rgb(rgb: np.ndarray) -> tuple[float, float]:
    """Mean BT.709 luma and mean HSV saturation of an RGB picture (0-1)."""
    x = rgb.astype(float) / 255
    mx, mn = x.max(axis=2), x.min(axis=2)
    sat = np.where(mx > 0, (mx - mn) / np.maximum(mx, 1e-6), 0)
    return float((0.2126 * x[..., 0] + 0.7152 * x[..., 1] + 0.0722 * x[..., 2]).mean()), float(sat.mean())


def frame_stats(path: Path, index: int = 0):
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i == index:
                return stats_rgb(f.to_ndarray(format="rgb24"))


def codes(res):
    return {f.code: f for f in res.findings}


@pytest.fixture(scope="module")
def d(tmp_path_factory):
    return tmp_path_factory.mktemp("phone")


@pytest.fixture(scope="module")
def master(d):
    """The SDR (BT.709) master every HDR clip is made from."""
    p = d / "master.mp4"
    ff("-f", "lavfi", "-i", "testsrc2=s=320x180:r=10:d=1", "-vf", "format=yuv420p", "-c:v", "libx264",
       "-preset", "ultrafast", "-crf", "10", "-color_primaries", "bt709", "-color_trc", "bt709",
       "-colorspace", "bt709", str(p))
    return p


def hdr_clip(master: Path, dst: Path, trc: str, rotate: int | None = None) -> Path:
    """SDR master -> HEVC 10-bit BT.2020 PQ or HLG, SDR white at 203 nits (BT.2408), tagged like a phone's."""
    # zimg puts linear 1.0 (SDR white, 203 nits) at HLG's 75% signal with npl=203, as BT.2408 has it;
    # npl=1000 put it at 100% (HLG's peak): a clip graded brighter than its master, not the standard
    npl = 203
    tmp = dst.with_name("raw-" + dst.name)
    ff("-i", str(master), "-vf", f"zscale=rin=tv:tin=bt709:min=bt709:pin=bt709:t=linear:p=bt709:npl=203,"
       f"format=gbrpf32le,zscale=p=bt2020:t={trc}:m=bt2020nc:npl={npl},format=yuv420p10le",
       "-c:v", "libx265", "-x265-params", "log-level=none", "-crf", "12", "-tag:v", "hvc1",
       "-color_primaries", "bt2020", "-color_trc", trc, "-colorspace", "bt2020nc", str(tmp))
    if rotate is None:
        tmp.rename(dst)
    else:
        ff("-display_rotation", str(rotate), "-i", str(tmp), "-c", "copy", str(dst))
    return dst


# --- HDR -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("trc,name,rotate", [("arib-std-b67", "HLG", 90), ("smpte2084", "HDR10 (PQ)", None)])
def test_hdr_is_tone_mapped_to_bt709_sdr(d, master, trc, name, rotate):
    src = hdr_clip(master, d / f"{trc}.mov", trc, rotate)
    info = probe(src)
    assert info.hdr in ("hlg", "pq") and info.bit_depth == 10 and info.wide_gamut
    res = prepare_video(src, FB, d / f"out-{trc}.mp4", x264_preset=ENC)
    f = codes(res)["video-hdr"]
    assert name in f.message and f.fixable
    out = res.info
    assert (out.color_primaries, out.color_transfer, out.color_matrix) == ("bt709", "bt709", "bt709")
    assert out.hdr is None and not out.hdr_side_data and out.bit_depth == 8 and out.pix_fmt == "yuv420p"
    want_y, want_s = frame_stats(master, 5)
    got_y, got_s = frame_stats(res.output, 5)
    assert abs(got_y - want_y) < 0.05 and abs(got_s - want_s) < 0.08, (got_y, got_s, want_y, want_s)
    # the poster is converted too (a washed-out HDR frame has about half the saturation)
    with Image.open(res.poster) as im:
        py, ps = stats_rgb(np.asarray(im.convert("RGB")))
    assert abs(py - want_y) < 0.06 and abs(ps - want_s) < 0.1, (py, ps)
    if rotate:
        assert (out.width, out.height) == (180, 320)


def test_untouched_hdr_would_be_washed_out(d, master):
    """The reference the tolerances above are judged by: HLG shown as if it were SDR."""
    src = hdr_clip(master, d / "ref-hlg.mp4", "arib-std-b67")
    naive = d / "naive.mp4"
    ff("-i", str(src), "-vf", "format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(naive))
    _, want_s = frame_stats(master, 5)
    _, got_s = frame_stats(naive, 5)
    assert want_s - got_s > 0.3


# --- interlaced -----------------------------------------------------------------------------------

def interlaced(dst: Path, *, flagged: bool) -> Path:
    """25i from 50p: two moments per frame, one in each field."""
    flags = ("-flags", "+ildct+ilme", "-field_order", "tt") if flagged else ()
    ff("-f", "lavfi", "-i", SCENE.format(s="320x240", r=50, d=1), "-vf", "tinterlace=interleave_top,format=yuv420p",
       "-c:v", "mpeg2video", "-q:v", "2", *flags, str(dst))
    return dst


@pytest.mark.parametrize("flagged", [True, False])
def test_interlaced_is_deinterlaced(d, flagged):
    src = interlaced(d / f"i-{flagged}.mpg", flagged=flagged)
    info = probe(src)
    assert info.interlaced
    if not flagged:  # the flag lies: idet found the fields
        assert info.field_order == "progressive" and info.interlaced_frames
    res = prepare_video(src, TW, d / f"i-{flagged}.mp4", x264_preset=ENC)
    f = codes(res)["video-interlaced"]
    assert ("idet" in f.message) != flagged
    assert not res.info.interlaced and res.info.field_order in ("progressive", "unknown")
    assert not _idet_says_interlaced(str(res.output), res.info)  # idet on the output: progressive
    assert res.info.frame_rate == 25


# --- VFR and sync ------------------------------------------------------------------------------------

FLASHES = (0.5, 1.0, 1.5)


def flash_times(path: Path) -> list[float]:
    out, prev = [], False
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            bright = f.to_ndarray(format="gray").mean() > 128
            if bright and not prev:
                out.append(float(f.time))
            prev = bright
    return out


def beep_times(path: Path) -> list[float]:
    out, last = [], -1.0
    with av.open(str(path)) as c:
        for f in c.decode(audio=0):
            x = np.abs(f.to_ndarray()).max(axis=0)
            hits = np.nonzero(x > 0.3)[0]
            if len(hits):
                t = float(f.time) + hits[0] / f.sample_rate
                if t - last > 0.2:
                    out.append(t)
                last = float(f.time) + hits[-1] / f.sample_rate
    return out


def test_vfr_goes_to_constant_nominal_rate_in_sync(d):
    """An Android-style clip: nominal 30 fps with dropped frames (average ~26), flashes and beeps
    together at 0.5, 1.0 and 1.5 s."""
    src = d / "vfr.mp4"
    on = "+".join(f"between(t,{t - 0.001},{t + 0.03})" for t in FLASHES)
    beep = "+".join(f"between(t,{t},{t + 0.05})" for t in FLASHES)
    ff("-f", "lavfi", "-i", f"color=black:s=160x96:r=30:d=2,drawbox=c=white:t=fill:enable='{on}',"
       "select='not(eq(mod(n\\,7)\\,5))'",
       "-f", "lavfi", "-i", f"aevalsrc='({beep})*0.8*sin(2*PI*1000*t)':s=48000:d=2",
       "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-fps_mode", "vfr",
       "-c:a", "aac", str(src))
    src2 = d / "vfr-rot.mp4"
    ff("-display_rotation", "270", "-i", str(src), "-c", "copy", str(src2))
    info = probe(src2)
    assert info.variable_frame_rate and info.nominal_rate == 30 and info.frame_rate < 29
    assert [round(t, 2) for t in flash_times(src2)] == [0.5, 1.0, 1.5]
    res = prepare_video(src2, TW, d / "cfr.mp4", x264_preset=ENC)
    out = res.info
    assert not out.variable_frame_rate and out.frame_rate == 30
    flashes, beeps = flash_times(res.output), beep_times(res.output)
    assert len(flashes) == len(beeps) == 3, (flashes, beeps)
    for fl, be in zip(flashes, beeps):
        assert abs(fl - be) <= 1 / 30 + 1e-3, (flashes, beeps)


def test_a_b_frame_clip_is_not_called_vfr(d):
    src = d / "bframes.mp4"
    ff("-f", "lavfi", "-i", "testsrc2=s=160x90:r=30:d=3", "-c:v", "libx264", "-preset", "medium", "-bf", "3",
       "-pix_fmt", "yuv420p", str(src))
    with av.open(str(src)) as c:
        pts = [p.pts for p in c.demux(video=0) if p.pts is not None][:20]
    assert pts != sorted(pts)  # B-frames: presentation order differs from file order
    assert not probe(src).variable_frame_rate


def test_a_1000_fps_claim_is_written_at_60(d):
    src = d / "1000fps.mp4"
    ff("-f", "lavfi", "-i", "testsrc2=s=160x90:r=1000:d=0.2", "-c:v", "libx264", "-preset", "ultrafast",
       "-pix_fmt", "yuv420p", str(src))
    assert probe(src).frame_rate == 1000
    res = prepare_video(src, YT, d / "60.mp4", x264_preset=ENC, allow_upscale=True)
    assert res.info.frame_rate == 60
    f = codes(res)["video-frame-rate"]
    assert "1000" in f.message and "60" in f.message


# --- audio ----------------------------------------------------------------------------------------

def dominant_hz(path: Path) -> float:
    with av.open(str(path)) as c:
        s = np.concatenate([f.to_ndarray().mean(axis=0) for f in c.decode(audio=0)])
        rate = c.streams.audio[0].sample_rate
    spec = np.abs(np.fft.rfft(s))
    return float(np.fft.rfftfreq(len(s), 1 / rate)[spec.argmax()])


def test_two_audio_tracks_keep_the_default_and_say_so(d):
    src = d / "two.mp4"
    ff("-f", "lavfi", "-i", "testsrc2=s=160x90:r=10:d=1", "-f", "lavfi", "-i", "sine=f=440:d=1",
       "-f", "lavfi", "-i", "sine=f=880:d=1", "-map", "0", "-map", "1", "-map", "2",
       "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
       "-metadata:s:a:0", "language=spa", "-metadata:s:a:1", "language=eng",
       "-disposition:a:0", "0", "-disposition:a:1", "default", str(src))
    info = probe(src)
    assert len(info.audio_tracks) == 2
    res = prepare_video(src, TW, d / "one.mp4", x264_preset=ENC)
    f = codes(res)["video-audio-tracks"]
    assert "keeps the default (#2: eng aac" in f.message and "#1: spa aac" in f.message
    with av.open(str(res.output)) as c:
        assert len(c.streams.audio) == 1
    assert dominant_hz(res.output) == pytest.approx(880, abs=10)


@pytest.mark.parametrize("audio,args", [
    ("pcm-mono-32k", ("-f", "lavfi", "-i", "sine=f=440:d=1:sample_rate=32000", "-ac", "1", "-c:a", "pcm_s16le")),
    ("silent-51", ("-f", "lavfi", "-i", "anullsrc=cl=5.1:r=48000", "-t", "1", "-c:a", "pcm_s24le")),
])
def test_pcm_mono_odd_rate_and_silent_tracks_come_out_aac(d, audio, args):
    src = d / f"{audio}.mov"
    ff("-f", "lavfi", "-i", "testsrc2=s=160x90:r=10:d=1", *args, "-c:v", "libx264", "-preset", "ultrafast",
       "-pix_fmt", "yuv420p", "-shortest", str(src))
    res = prepare_video(src, TW, d / f"{audio}.mp4", x264_preset=ENC)
    out = res.info
    assert out.audio_codec == "aac" and out.audio_sample_rate in (44100, 48000) and out.audio_channels <= 2


# --- portrait ---------------------------------------------------------------------------------------

def test_portrait_screen_recording_in_standard_frames(d):
    src = d / "screen.mp4"
    ff("-f", "lavfi", "-i", "testsrc2=s=886x1920:r=5:d=1", "-c:v", "libx264", "-preset", "ultrafast",
       "-pix_fmt", "yuv420p", str(src))
    yt = prepare_video(src, YT, d / "yt.mp4", x264_preset=ENC)
    assert (yt.info.width, yt.info.height) == (1920, 1080)  # not 3424x1926
    ig = prepare_video(src, IG, d / "ig.mp4", fit="crop", x264_preset=ENC)
    assert 878 <= ig.info.width <= 886 and ig.info.width * 5 == ig.info.height * 4  # 4:5, the full width kept
    story = prepare_video(src, LIB.get("instagram/story"), d / "story.mp4", x264_preset=ENC)
    assert story.info.width * 16 == pytest.approx(story.info.height * 9, abs=16)


# --- no needless re-encode --------------------------------------------------------------------------

def video_packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as c:
        return [bytes(p) for p in c.demux(video=0) if p.size]


def test_a_compliant_clip_is_remuxed_bit_identical(d):
    src = d / "clean.mp4"
    ff("-f", "lavfi", "-i", "testsrc2=s=1280x720:r=10:d=1", "-f", "lavfi", "-i", "sine=d=1", "-c:v", "libx264",
       "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
       "-metadata", "location=+48.8577+002.2950/", "-metadata", "title=private", str(src))
    res = prepare_video(src, YT, d / "copy.mp4", x264_preset=ENC)
    assert res.plan.copy and "stream copy" in res.plan.summary
    assert video_packets(res.output) == video_packets(src)
    data = res.output.read_bytes()
    assert b"48.8577" not in data and b"private" not in data
    assert abs(len(data) - src.stat().st_size) < 0.05 * src.stat().st_size
    assert res.poster.is_file() and Image.open(res.poster).size == (1280, 720)


def top_level_boxes(path: Path) -> list[bytes]:
    data, kinds, i = path.read_bytes(), [], 0
    while i + 8 <= len(data):
        size, kind = int.from_bytes(data[i:i + 4], "big"), data[i + 4:i + 8]
        if size == 1:
            size = int.from_bytes(data[i + 8:i + 16], "big")
        kinds.append(kind)
        i += size if size else len(data)
    return kinds


def test_a_compliant_mov_is_remuxed_into_mp4_bit_identical(d):
    """An H.264/AAC clip in a QuickTime .mov (what a camera or an older iPhone writes) that meets the
    slot is stream-copied into MP4 like a compliant MP4: same video packets, no location or title,
    moov before mdat (faststart), an MP4 brand, not a QuickTime one."""
    src = d / "clean.mov"
    ff("-f", "lavfi", "-i", "testsrc2=s=1280x720:r=10:d=1", "-f", "lavfi", "-i", "sine=d=1", "-c:v", "libx264",
       "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
       "-metadata", "location=+48.8577+002.2950/", "-metadata", "title=private", str(src))
    assert probe(src).container == "mov"
    res = prepare_video(src, YT, d / "copy-mov.mp4", x264_preset=ENC)
    assert res.plan.copy and "stream copy" in res.plan.summary, res.plan.summary
    assert video_packets(res.output) == video_packets(src)
    data = res.output.read_bytes()
    assert b"48.8577" not in data and b"private" not in data
    boxes = top_level_boxes(res.output)
    assert boxes.index(b"moov") < boxes.index(b"mdat")
    assert data[8:12] != b"qt  " and probe(res.output).container == "mp4"
    assert res.info.audio_codec == "aac"


# --- poster ---------------------------------------------------------------------------------------

def test_poster_is_a_representative_frame(d):
    """Black for the first 40%, a white flash, then the picture: the poster is the picture."""
    src = d / "fade.mp4"
    ff("-f", "lavfi", "-i", "testsrc2=s=320x180:r=10:d=3,drawbox=c=black:t=fill:enable='lt(t,1.2)',"
       "drawbox=c=white:t=fill:enable='between(t,2.0,2.1)'", "-c:v", "libx264", "-preset", "ultrafast",
       "-pix_fmt", "yuv420p", str(src))
    res = prepare_video(src, TW, d / "poster.mp4", x264_preset=ENC)
    with Image.open(res.poster) as im:
        assert im.size == (res.info.width, res.info.height)
        a = np.asarray(im.convert("L")).astype(float)
    assert 40 < a.mean() < 220 and a.std() > 30


# --- overhead -----------------------------------------------------------------------------------

def test_probing_a_4k_hevc_phone_clip_decodes_nothing(d, monkeypatch):
    """check on a 4K HEVC clip must not decode a frame (that was most of the probe's time):
    rotation and HDR come from the MP4 header, frame times from its sample index."""
    raw, src = d / "4k-raw.mp4", d / "4k.mov"
    ff("-f", "lavfi", "-i", "testsrc2=s=3840x2160:r=30:d=0.1", "-vf", "format=yuv420p10le", "-c:v", "libx265",
       "-preset", "ultrafast", "-x265-params", "log-level=none:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc",
       "-color_primaries", "bt2020", "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc", "-tag:v", "hvc1", str(raw))
    ff("-display_rotation", "90", "-i", str(raw), "-c", "copy", str(src))
    import importlib

    probe_module = importlib.import_module("assetkit.video.probe")

    def no_decoding(*a):
        raise AssertionError("decoded a frame")

    monkeypatch.setattr(probe_module, "_first_frame_and_pts", no_decoding)
    info = probe(src)
    assert info.display_size == (2160, 3840) and info.rotation == 90 and info.hdr == "hlg"
    assert not info.variable_frame_rate and info.frame_rate == 30
