"""plan/video: (VideoInfo, slot, options) -> VideoPlan. Pure: the infos are written out here, no clip
is made, so this module runs in the fast tier."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from assetkit.model import Severity
from assetkit.options import Options
from assetkit.plan.video import make_video_plan, source_rate
from assetkit.presets import load_presets
from assetkit.video.probe import AudioTrack, VideoInfo

LIB = load_presets()
YT, IG, STORY, TW = (LIB.get(s) for s in ("youtube/video", "instagram/video", "instagram/story", "twitter/video"))
AAC = AudioTrack(1, "aac", 2, 48000, True, "eng")


def clip(w=1920, h=1080, **kw) -> VideoInfo:
    base = dict(path="/in/clip.mp4", format_name="mov,mp4,m4a,3gp,3g2,mj2", container="mp4", duration=10.0,
                width=w, height=h, sar=Fraction(1), rotation=0, display_width=w, display_height=h,
                frame_rate=Fraction(30), variable_frame_rate=False, video_codec="h264", pix_fmt="yuv420p",
                bit_rate=8_000_000, video_bit_rate=7_800_000, audio_codec="aac", audio_sample_rate=48000,
                audio_channels=2, audio_index=1, nominal_rate=Fraction(30), color_primaries="bt709",
                color_transfer="bt709", color_matrix="bt709", audio_tracks=(AAC,))
    base.update(kw)
    return VideoInfo(**base)


def plan(info, slot, **opts):
    return make_video_plan(info, slot, Options(**opts), rel_stem="clip")


def codes(p):
    return {f.code: f for f in p.findings}


def test_plan_is_frozen_plain_data_with_a_summary():
    p = plan(clip(), YT)
    with pytest.raises(Exception):
        p.fps = 1  # frozen
    d = p.to_dict()
    assert d["summary"] == p.summary and d["out_size"] == [1920, 1080] and d["kind"] == "video"
    assert p.writes and p.output.endswith("prepared/youtube-video/clip.mp4") and p.poster.endswith("clip.jpg")


def test_portrait_clip_in_a_16_9_slot_gets_a_standard_frame():
    # issue 14 table: 886x1920 came out 3424x1926 (3.2x the source's pixels)
    p = plan(clip(886, 1920), YT)
    assert p.frame == (1920, 1080) and p.picture == (498, 1080) and p.fit == "pad"
    assert plan(clip(720, 1280), YT, allow_upscale=True).frame == (1280, 720)
    assert plan(clip(1080, 1920), YT, fit="blur").frame == (1920, 1080)
    assert p.summary.startswith("1920x1080 H.264/AAC MP4, pad")


def test_portrait_clip_for_instagram_video_keeps_1080_wide():
    # issue 14 table: 760x1350 today
    p = plan(clip(1080, 1920), IG)
    assert p.frame == (1080, 1350) and p.fit == "smart"  # cut to 4:5, following the subject (issue 14.5)
    assert plan(clip(1080, 1920), IG, fit="pad").frame == (1080, 1350)
    assert plan(clip(1920, 1080), IG).frame == (1080, 608)


def test_story_slot_takes_photos_and_videos_at_9_16():
    assert STORY.takes("photo") and STORY.takes("video")
    assert STORY.variants[0].size == (1080, 1920) and STORY.always_visible.height < 1920
    assert "platform default" in STORY.source or "platform default" in STORY.aspect.source
    p = plan(clip(1920, 1080), STORY, fit="pad")
    assert p.frame == (1080, 1920) and p.picture == (1080, 608)
    assert plan(clip(1080, 1920), STORY).frame == (1080, 1920)
    # by default a landscape clip is cut (issue 14.5): the full height, never enlarged
    assert plan(clip(1920, 1080), STORY).frame == (594, 1056)


def test_a_1000_fps_claim_is_capped_at_what_the_slot_plays():
    # issue 15.3: kept at 1000 fps today
    info = clip(frame_rate=Fraction(1000), nominal_rate=Fraction(1000))
    for slot in (YT, IG, TW, STORY):
        p = plan(info, slot)
        assert p.rate == 60 and p.fps == 60 and not p.copy
        f = codes(p)["video-frame-rate"]
        assert f.severity is Severity.WARNING and f.fixable and "1000" in f.message
        assert "platform default" in f.section and f.slot == slot.id
    assert "video-frame-rate" not in codes(plan(clip(), YT))


def test_vfr_goes_to_the_nominal_rate_not_the_average():
    vfr = clip(frame_rate=Fraction(26), nominal_rate=Fraction(30), variable_frame_rate=True)
    assert source_rate(vfr) == 30
    p = plan(vfr, YT)
    assert p.frame_rate == "30/1" and not p.copy and "video-vfr" in codes(p)
    # a millisecond time base is not a rate: the (snapped) average stands
    assert source_rate(clip(frame_rate=Fraction(2987, 100), nominal_rate=Fraction(1000),
                            variable_frame_rate=True)) == Fraction(30000, 1001)


@pytest.mark.parametrize("trc,name", [("arib-std-b67", "HLG"), ("smpte2084", "HDR10 (PQ)")])
def test_hdr_is_tone_mapped_with_a_finding(trc, name):
    info = clip(video_codec="hevc", pix_fmt="yuv420p10le", bit_depth=10, color_primaries="bt2020",
                color_transfer=trc, color_matrix="bt2020nc")
    p = plan(info, YT)
    assert p.tonemap in ("hlg", "pq") and not p.copy and p.colour == "bt709"
    assert p.source_colour == ("bt2020", trc, "bt2020nc")
    f = codes(p)["video-hdr"]
    assert f.fixable and name in f.message and "BT.709" in f.message
    assert f"tone-mapped from {name}" in p.summary


def test_interlaced_is_deinterlaced_with_a_finding():
    p = plan(clip(field_order="tt"), YT)
    assert p.deinterlace == "bwdif" and not p.copy and "video-interlaced" in codes(p)
    assert "deinterlaced" in p.summary
    assert plan(clip(interlaced_frames=True, field_order="progressive"), YT).deinterlace == "bwdif"


def test_several_audio_tracks_keep_the_default_and_name_the_rest():
    tracks = (AudioTrack(1, "aac", 2, 48000, False, "spa"), AudioTrack(2, "ac3", 6, 48000, True, "eng"))
    p = plan(clip(audio_tracks=tracks, audio_index=2, audio_codec="ac3", audio_channels=6), YT)
    f = codes(p)["video-audio-tracks"]
    assert "keeps the default (#2: eng ac3 6 ch" in f.message and "#1: spa aac" in f.message
    assert p.audio == "aac" and p.audio_index == 2 and p.audio_channels == 2


def test_pcm_mono_and_odd_rates_come_out_aac():
    p = plan(clip(container="mov", audio_codec="pcm_s16le", audio_channels=1, audio_sample_rate=32000,
                  audio_tracks=(AudioTrack(1, "pcm_s16le", 1, 32000, True),)), YT)
    assert p.audio == "aac" and p.audio_rate == 48000 and p.audio_channels is None and not p.copy


def test_a_compliant_clip_is_stream_copied():
    p = plan(clip(), YT)
    assert p.copy and p.video_codec == "copy" and p.audio == "copy" and "stream copy" in p.summary
    for changed in (dict(rotation=90, display_width=1080, display_height=1920), dict(variable_frame_rate=True),
                    dict(container="matroska"), dict(video_codec="hevc"), dict(field_order="bb"),
                    dict(color_transfer="arib-std-b67", color_primaries="bt2020")):
        assert not plan(replace(clip(), **changed), YT).copy, changed
    assert not plan(clip(), YT, trim="1-5").copy
    assert not plan(clip(), YT, loudness=True).copy
    # QuickTime .mov is the same boxes with another brand: its H.264/AAC is remuxed into MP4 too
    mov = plan(replace(clip(), container="mov"), YT)
    assert mov.copy and "from MOV into MP4" in mov.summary


def test_no_output_plans_say_why():
    p = plan(clip(duration=70.0), IG)
    assert not p.writes and p.output is None and "over the 60 s limit" in p.summary
    assert codes(p)["video-too-long"].severity is Severity.ERROR
    p = plan(clip(duration=70.0), IG, trim="auto")
    assert p.writes and p.trim == (0.0, 60.0) and p.duration == 60 and "trim 0-60 s" in p.summary
    small = plan(clip(640, 360), YT)
    assert not small.writes and "allow-upscale" in small.summary


def test_a_video_for_a_photo_slot_is_not_planned():
    p = plan(clip(), LIB.get("instagram/post"))
    assert not p.writes and codes(p)["unsupported"]


# --- smart reframing (issue 14.5): the windows are pure geometry on a Motion written out here ------

from assetkit.plan.crop import Analysis, Face  # noqa: E402
from assetkit.plan.reframe import Motion, Shot, expression  # noqa: E402
from assetkit.plan.video import default_fit  # noqa: E402


def face_at(cx: float) -> Analysis:
    """One face (normalised box), centred at x = cx, mid-height."""
    return Analysis((Face(cx - 0.05, 0.35, cx + 0.05, 0.55, 0.9),), None, (0.5, 0.5), 480, 270, "yunet")


def two_shots(*centres, length=5.0) -> Motion:
    shots = tuple(Shot(i * length, (i + 1) * length, face_at(c), 15) for i, c in enumerate(centres))
    return Motion(shots, (0.0, length * len(centres)), 3.0, "yunet")


def piecewise(expr: str, t: float) -> float:
    return eval(expr.replace("gte(t,", f"(lambda v: float({t} >= v))("))


def test_a_landscape_clip_going_vertical_or_square_is_cut_following_the_subject_by_default():
    assert default_fit(STORY, (1920, 1080)) == "smart"
    assert default_fit(STORY, (1080, 1920)) == "pad"     # already vertical: nothing to follow
    assert default_fit(YT, (1080, 1920)) == "pad"        # portrait into 16:9: bars, as before
    assert default_fit(IG, (1080, 1920)) == "smart"      # cut to 4:5: the window follows the subject
    assert default_fit(STORY, (1920, 1080), crop="centre") == "crop"
    p = plan(clip(), STORY)
    assert p.fit == "smart" and p.follow and p.windows == ()  # no shots analysed: the centre, and it says so
    assert p.offset == ((p.picture[0] - p.frame[0]) // 2 // 2 * 2, 0) and "analysed when prepared" in p.summary


def test_each_shot_gets_its_own_window_on_its_face():
    motion = two_shots(0.2, 0.8, 0.8)
    p = make_video_plan(clip(), STORY, Options(), rel_stem="clip", motion=motion)
    W, H = p.frame
    assert p.frame == (594, 1056) and p.picture == (1878, 1056)
    assert "reframed on faces, 3 shots" in p.summary and p.reframe == "reframed on faces, 3 shots"
    (t0, x0, y0), (t1, x1, y1) = p.windows   # the third shot keeps the second's window: one move
    assert (t0, t1) == (0.0, 5.0) and y0 == y1 == 0 and x0 % 2 == x1 % 2 == 0
    for x, cx in ((x0, 0.2), (x1, 0.8)):
        assert x <= (cx - 0.05) * p.picture[0] and (cx + 0.05) * p.picture[0] <= x + W  # the face inside
    assert p.offset == (x0, y0)
    # the ffmpeg expression gives the window per time, switching half a frame before the cut
    ex = expression(p.windows, 1, 0.5 / p.fps)
    assert [piecewise(ex, t) for t in (0, 4.9, 4.99, 5.0, 9.0, 14.9)] == [x0, x0, x1, x1, x1, x1]
    assert expression(p.windows, 2) == "0"


def test_a_trimmed_plan_counts_the_shots_it_plays_in_its_own_time():
    p = make_video_plan(clip(duration=15.0), STORY, Options(trim="6-14"), rel_stem="clip",
                        motion=two_shots(0.2, 0.8, 0.2))
    assert "reframed on faces, 2 shots" in p.summary        # 5-10 and 10-15 are played
    assert [w[0] for w in p.windows] == [0.0, 4.0]


def test_a_small_move_at_a_cut_keeps_the_window():
    p = make_video_plan(clip(), STORY, Options(), rel_stem="clip", motion=two_shots(0.5, 0.51))
    assert len(p.windows) == 1 and "2 shots" in p.summary


def test_without_a_face_saliency_then_the_centre_decide():
    blob = Analysis((), (0.7, 0.4, 0.8, 0.6), (0.75, 0.5), 480, 270, "yunet", None,
                    tuple(0.0 if i < 70 or i >= 80 else 0.1 for i in range(100)), ())
    plain = Analysis((), None, (0.5, 0.5), 480, 270, "yunet")
    motion = Motion((Shot(0, 5, blob, 15), Shot(5, 10, plain, 15)), (0, 10), 3.0)
    p = make_video_plan(clip(), STORY, Options(), rel_stem="clip", motion=motion)
    assert "reframed on saliency (1) and centre (1), 2 shots" in p.summary
    assert p.windows[0][1] <= 0.7 * p.picture[0] and 0.8 * p.picture[0] <= p.windows[0][1] + p.frame[0]
    assert p.windows[1][1] == (p.picture[0] - p.frame[0]) // 2 // 2 * 2


def test_fit_crop_keeps_the_centre_and_focus_wins():
    motion = two_shots(0.2, 0.8)
    centre = make_video_plan(clip(), STORY, Options(fit="crop"), rel_stem="clip", motion=motion)
    assert centre.fit == "crop" and not centre.follow and centre.windows == ()
    assert centre.offset == ((centre.picture[0] - centre.frame[0]) // 2 // 2 * 2, 0)
    assert ", crop," in centre.summary
    for fit in ("smart", "crop"):
        f = make_video_plan(clip(), STORY, Options(fit=fit, focus=(0.9, 0.5)), rel_stem="clip", motion=motion)
        assert not f.follow and f.windows == () and "crop at the focus point (0.90, 0.50)" in f.summary
        assert f.offset[0] + f.frame[0] >= 0.9 * f.picture[0] - 2 and f.offset[0] > centre.offset[0]
    # a clip that needs no cut (already 9:16) follows nothing, whatever the fit
    assert not make_video_plan(clip(1080, 1920), STORY, Options(fit="smart"), rel_stem="clip").follow
