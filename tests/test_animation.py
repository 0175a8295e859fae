"""Issue 15.15: an animated GIF or WebP given a video slot becomes a short H.264 MP4 with its frame
timing, as the platforms treat animations; photo-only slots still get its first frame and say so.

The animations are made here with Pillow: frames of distinct grey levels and uneven delays at an
odd size (a few with transparency), so the MP4's decoded frames show whether each frame is on
screen for its own delay. The MP4 is read back with PyAV (codec, profile, pixel format, size, rate,
frame count, duration, the picture at each frame)."""
from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest
from PIL import Image

from assetkit.video import animation

from fixtures import prepare_one

DELAYS = [100, 100, 200, 50, 50, 300, 100, 100]   # ms: 1.0 s; 50 ms divides all, so 20 fps is exact
LEVELS = [20 + 28 * i for i in range(len(DELAYS))]
SIZE = (321, 241)                                   # odd on both sides: the MP4 must be even


def make_animation(path, fmt: str, delays=DELAYS, size=SIZE, alpha_frame: int | None = None):
    frames = []
    for i, level in enumerate(LEVELS[:len(delays)]):
        im = Image.new("RGBA", size, (level, level, level, 255))
        if i == alpha_frame:   # half transparent: shown on white, as the photo engine flattens
            im.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1]))
        frames.append(im)
    extra = {"lossless": True} if fmt == "WEBP" else {"disposal": 2}
    frames[0].save(path, format=fmt, save_all=True, append_images=frames[1:], duration=list(delays), loop=0,
                   **extra)
    return path


def decoded(path):
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(s)]
        return {"codec": s.codec_context.name, "profile": s.codec_context.profile, "pix_fmt": s.format.name,
                "size": (s.width, s.height), "rate": s.average_rate, "duration": c.duration / 1e6,
                "frames": frames, "audio": len(c.streams.audio)}


def expected_levels(delays, rate):
    """The grey level on screen at each output frame time k / rate."""
    ends = np.cumsum(delays) / 1000
    n = round(ends[-1] * rate)
    return [LEVELS[int(np.searchsorted(ends, k / rate, side="right"))] for k in range(n)]


# --- the timing rule (pure) -----------------------------------------------------------------------

def test_the_rate_keeps_every_delay():
    assert animation.frame_rate([100, 100, 200, 50]) == 20
    assert animation.frame_rate([40, 80]) == 25
    assert animation.frame_rate([2000]) == 10              # a slide show: not 0.5 fps
    assert animation.frame_rate([1500, 3000]) == 10        # 2/3 fps x 15
    assert animation.frame_rate([70, 100]) == 30           # 100 fps would be over 60: rounded to 1/30 s
    assert animation.frame_rate([20, 40]) == 50 and animation.frame_rate([20, 40], cap=30) == 30


def test_delays_come_from_the_headers_as_browsers_play_them(tmp_path):
    gif = make_animation(tmp_path / "a.gif", "GIF", delays=[0, 10, 20, 150])
    webp = make_animation(tmp_path / "a.webp", "WEBP", delays=[0, 10, 20, 150])
    assert animation.delays(str(gif), 600) == [100, 100, 20, 150]
    assert animation.delays(str(webp), 600) == [100, 100, 20, 150]
    # bounded: a long animation is read only up to the limit asked
    assert len(animation.delays(str(make_animation(tmp_path / "b.gif", "GIF")), 0.3)) == 3   # 100+100+200 ms passes 0.3 s


# --- through prepare ------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_an_animation_for_a_video_slot_is_an_mp4_with_its_timing(tmp_path, monkeypatch, fmt):
    monkeypatch.setenv("ASSETKIT_X264_PRESET", "superfast")
    src = make_animation(tmp_path / f"anim.{fmt.lower()}", fmt)
    [r] = prepare_one(src, "twitter/video", tmp_path / "out").results
    [o] = r.outputs
    assert o.output and o.output.endswith(".mp4"), [f.message for f in r.findings + o.findings]
    assert "animation-video" in [f.code for f in o.findings]
    v = decoded(o.output)
    assert (v["codec"], v["profile"], v["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert v["size"][0] % 2 == 0 and v["size"][1] % 2 == 0 and abs(v["size"][0] - SIZE[0]) <= 2
    assert v["rate"] == 20 and len(v["frames"]) == 20 and abs(v["duration"] - 1.0) < 0.02
    assert v["audio"] == 0
    mid = [int(f[f.shape[0] // 2, f.shape[1] // 2].mean()) for f in v["frames"]]
    want = expected_levels(DELAYS, 20)
    assert all(abs(a - b) <= 4 for a, b in zip(mid, want)), (mid, want)


@pytest.mark.slow
def test_photo_slots_get_the_first_frame_and_the_video_slot_the_animation(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSETKIT_X264_PRESET", "superfast")
    src = make_animation(tmp_path / "anim.gif", "GIF", size=(1200, 900), alpha_frame=0)
    res = prepare_one(src, "twitter/post,instagram/story", tmp_path / "out", fit="pad")
    [r] = res.results
    outs = {o.slot: o for o in r.outputs}
    assert outs["twitter/post"].output.endswith((".jpg", ".png"))
    assert outs["instagram/story"].output.endswith(".mp4")     # takes pictures and videos: an animation is a video
    [note] = [f for f in r.findings if f.code == "first-frame-only"]
    assert "twitter/post" in note.message and "MP4" in note.message
    v = decoded(outs["instagram/story"].output)
    W, H = v["size"]
    assert (W, H) == (1080, 1920) and v["rate"] == 20 and len(v["frames"]) == 20
    # the first frame (shown 0-0.1 s: output frames 0 and 1) is transparent on its left half: white there
    f = v["frames"][1]
    assert f[H // 2, W // 4].mean() > 240 and abs(f[H // 2, 3 * W // 4].mean() - LEVELS[0]) <= 4
    # a re-run is up to date without converting again
    again = prepare_one(src, "twitter/post,instagram/story", tmp_path / "out", fit="pad")
    assert {o.status.value for o in again.results[0].outputs} == {"up-to-date"}


@pytest.mark.slow
def test_uneven_delays_are_rounded_at_30_fps_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSETKIT_X264_PRESET", "superfast")
    delays = [70, 100, 130, 70]
    src = make_animation(tmp_path / "odd.gif", "GIF", delays=delays)
    [r] = prepare_one(src, "facebook/video", tmp_path / "out").results
    [o] = r.outputs
    [note] = [f for f in o.findings if f.code == "animation-video"]
    assert "30 fps" in note.message and "rounded" in note.message
    v = decoded(o.output)
    assert v["rate"] == 30 and len(v["frames"]) == round(0.37 * 30)
    mid = [int(f[f.shape[0] // 2, f.shape[1] // 2].mean()) for f in v["frames"]]
    want = expected_levels(delays, 30)
    # each change lands on the nearest 1/30 s: at most one output frame off at each of the 3 changes
    assert sum(abs(a - b) > 4 for a, b in zip(mid, want)) <= len(delays) - 1, (mid, want)
    assert all(any(abs(m - w) <= 4 for m in mid) for w in set(want))    # no frame lost


def test_a_still_gif_for_a_video_slot_is_still_skipped(tmp_path):
    src = tmp_path / "still.gif"
    Image.new("RGB", (400, 300), (90, 90, 90)).save(src)
    [r] = prepare_one(src, "twitter/video", tmp_path / "out").results
    assert not r.outputs and [f.code for f in r.findings] == ["skipped"]
