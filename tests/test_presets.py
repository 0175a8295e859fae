"""Presets: every number cited, validation names file/key/problem, overrides, slot resolution."""
import re

import pytest

from assetkit import PresetError, UsageError, load_presets
from assetkit.presets import builtin_presets_dir

DESIGN_SIZES = {  # the DESIGN table, as the guidelines give them
    "facebook/cover": [(851, 315)], "facebook/profile": [(1080, 1080)],
    "facebook/highlighted": [(1686, 1008)], "facebook/post": [(1080, 1080), (1270, 720), (1280, 720)],
    "facebook/link": [(1080, 1080), (1270, 720)], "twitter/profile": [(400, 400)],
    "twitter/post": [(1024, 512)], "youtube/channel-art": [(2560, 1440)],
    "instagram/profile": [(320, 320)], "instagram/post": [(1080, 1080), (1270, 720), (1024, 768)],
    "twitter/header": [(1500, 500)],
}


def test_every_design_slot_is_there_with_its_sizes():
    lib = load_presets()
    for sid, sizes in DESIGN_SIZES.items():
        assert [v.size for v in lib.get(sid).variants] == sizes, sid
    for sid in ("youtube/video", "instagram/video", "twitter/video", "facebook/video"):
        assert lib.get(sid).kind == "video"
    assert lib.get("instagram/video").max_duration.value == 60
    assert lib.get("twitter/video").max_duration.value == 140
    assert lib.get("twitter/post").max_bytes.value == 5_000_000
    assert lib.get("twitter/header").max_bytes.value == 10_000_000
    ca = lib.get("youtube/channel-art")
    assert {a.name: (a.width, a.height) for a in ca.safe_areas} == {
        "tv": (2560, 1440), "desktop": (2560, 423), "tablet": (1855, 423), "smartphone": (1546, 423)}
    assert ca.always_visible.width == 1546


def test_every_number_cites_a_section_or_says_platform_default():
    lib = load_presets()
    for s in lib.slots.values():
        sources = [s.source] + [v.source for v in s.variants] + [a.source for a in s.safe_areas]
        sources += [x.source for x in (s.shown, s.max_bytes, s.max_duration, s.aspect, s.min_size,
                                       s.preferred_size, s.max_size, s.codecs) if x is not None]
        for src in sources:
            assert src.strip()
            if src.lower().startswith("platform default"):
                assert len(src) > len("platform default: ") + 10, src  # says why
            else:
                assert re.search(r"GUIDELINES|FACEBOOK|TWITTER|INSTAGRAM|YOUTUBE", src), src


def test_posts_section_variants_are_only_chosen_on_request():
    lib = load_presets()
    assert not lib.get("instagram/post").variant("landscape-4x3").auto
    assert not lib.get("facebook/post").variant("landscape-1280").auto


def test_resolve_platform_alias_and_lists():
    lib = load_presets()
    assert [s.id for s in lib.resolve("instagram")] == ["instagram/post", "instagram/video"]
    assert [s.id for s in lib.resolve("instagram", kinds=("photo",))] == ["instagram/post"]
    assert [s.id for s in lib.resolve("instagram/post,facebook/cover")] == ["instagram/post", "facebook/cover"]
    assert [s.id for s in lib.resolve("youtube", kinds=("photo",))] == ["youtube/channel-art"]
    with pytest.raises(UsageError, match="unknown platform or slot 'myspace'"):
        lib.resolve("myspace")
    with pytest.raises(UsageError, match="unknown slot 'instagram/reel'"):
        lib.resolve("instagram/reel")
    assert lib.get("instagram/story").takes("video")  # the vertical slot exists (issue 14.5)


GOOD = """schema_version = 1
platform = "acme"
[defaults]
photo = "banner"
[slots.banner]
kind = "photo"
source = "platform default: a test platform"
[[slots.banner.variants]]
name = "wide"
width = 1200
height = 400
source = "platform default: chosen for the test"
"""


def _write(tmp_path, text, name="acme.toml"):
    d = tmp_path / "presets"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text)
    return d


def test_extra_folder_adds_a_platform_and_env_var_works(tmp_path):
    d = _write(tmp_path, GOOD)
    lib = load_presets([d])
    assert lib.get("acme/banner").variants[0].size == (1200, 400)
    assert [s.id for s in lib.resolve("acme")] == ["acme/banner"]
    lib2 = load_presets(env={"ASSETKIT_PRESETS": str(d)})
    assert "acme/banner" in lib2.slots


def test_override_replaces_a_builtin_slot(tmp_path):
    text = GOOD.replace('platform = "acme"', 'platform = "instagram"').replace("banner", "post")
    d = _write(tmp_path, text, "instagram.toml")
    lib = load_presets([d])
    assert lib.get("instagram/post").variants[0].size == (1200, 400)
    assert "instagram/profile" in lib.slots  # the other built-in slots stay


@pytest.mark.parametrize("mutation, key, problem", [
    (lambda t: t.replace("width = 1200", "width = -5"), "slots.banner.variants[0].width", "positive"),
    (lambda t: t.replace("width = 1200", 'width = "wide"'), "slots.banner.variants[0].width", "must be int"),
    (lambda t: t.replace('source = "platform default: chosen for the test"', 'source = ""'),
     "slots.banner.variants[0].source", "is empty"),
    (lambda t: t.replace('source = "platform default: chosen for the test"', 'source = "platform default"'),
     "slots.banner.variants[0].source", "must say why"),
    (lambda t: t.replace('kind = "photo"', 'kind = "photo"\nwidht = 3'), "slots.banner.widht", "unknown key"),
    (lambda t: t.replace('kind = "photo"', 'kind = "gif"'), "slots.banner.kind", "must be one of"),
    (lambda t: t.replace('photo = "banner"', 'photo = "nope"'), "defaults.photo", "not defined"),
    (lambda t: t.replace("schema_version = 1", "schema_version = 9"), "schema_version", "this assetkit reads 1"),
    (lambda t: t.replace("schema_version = 1\n", ""), "schema_version", "is missing"),
])
def test_broken_preset_names_file_key_and_problem(tmp_path, mutation, key, problem):
    d = _write(tmp_path, mutation(GOOD))
    with pytest.raises(PresetError) as e:
        load_presets([d])
    assert e.value.file.endswith("acme.toml")
    assert e.value.key == key
    assert problem in e.value.problem
    assert "acme.toml" in str(e.value) and key in str(e.value)


def test_not_toml_is_a_clear_error(tmp_path):
    d = _write(tmp_path, "this is [not toml")
    with pytest.raises(PresetError, match="acme.toml.*not valid TOML"):
        load_presets([d])


def test_missing_presets_folder_is_a_usage_error(tmp_path):
    with pytest.raises(PresetError, match="does not exist"):
        load_presets([tmp_path / "nope"])
