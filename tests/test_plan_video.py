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
    assert p.frame == (1080, 1350) and p.fit == "crop"
    assert plan(clip(1080, 1920), IG, fit="pad").frame == (1080, 1350)
    assert plan(clip(1920, 1080), IG).frame == (1080, 608)


def test_story_slot_takes_photos_and_videos_at_9_16():
    assert STORY.takes("photo") and STORY.takes("video")
    assert STORY.variants[0].size == (1080, 1920) and STORY.always_visible.height < 1920
    assert "platform default" in STORY.source or "platform default" in STORY.aspect.source
    p = plan(clip(1920, 1080), STORY)
    assert p.frame == (1080, 1920) and p.picture == (1080, 608)
    assert plan(clip(1080, 1920), STORY).frame == (1080, 1920)


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
