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
    (lambda t: t.replace('kind = "photo"', 'kind = "gif"'), "slots.banner.kind", "must be photo or video, got 'gif'"),
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


@pytest.mark.parametrize("mutation, key, problem", [
    (lambda t: t.replace('kind = "photo"', 'kind = ["photo", "gif"]'), "slots.banner.kind[1]", "must be photo or video"),
    (lambda t: t.replace('kind = "photo"', 'kind = "photo"\ngraphics_format = "jpg"'), "slots.banner.graphics_format",
     "must be png or jpeg, got 'jpg' (did you mean 'jpeg'?)"),
    (lambda t: t.replace('kind = "photo"', 'kind = "photo"\nmask = { shape = "square", source = "x" }'),
     "slots.banner.mask.shape", "must be circle, got 'square'"),
    (lambda t: t.replace("width = 1200", "width = 1200\nhieght = 400"), "slots.banner.variants[0].hieght",
     "did you mean 'height'?"),
    (lambda t: t.replace("[slots.banner]", "[slots.Banner]").replace("slots.banner.", "slots.Banner.")
     .replace('photo = "banner"', 'photo = "Banner"'), "slots.Banner", "lower-case letters"),
    (lambda t: t.replace('[defaults]\nphoto = "banner"', '[defaults]\nvideo = "banner"'), "defaults.video",
     "is not a video slot"),
    (lambda t: t + '[[slots.banner.safe_areas]]\nname = "x"\nwidth = 2000\nheight = 10\nsource = "platform default: t"\n',
     "slots.banner.safe_areas[0]", "does not fit the 1200x400 output"),
    (lambda t: t.replace('[defaults]', 'colour = "red"\n[defaults]'), "colour", "unknown key"),
])
def test_more_broken_presets(tmp_path, mutation, key, problem):
    d = _write(tmp_path, mutation(GOOD))
    with pytest.raises(PresetError) as e:
        load_presets([d])
    assert (e.value.key, problem in e.value.problem) == (key, True), e.value


def test_a_slot_may_take_photos_and_videos(tmp_path):
    text = GOOD.replace('kind = "photo"', 'kind = ["photo", "video"]').replace(
        '[defaults]\nphoto = "banner"', '[defaults]\nphoto = "banner"\nvideo = "banner"')
    s = load_presets([_write(tmp_path, text)]).get("acme/banner")
    assert (s.kind, s.also, s.takes("photo"), s.takes("video")) == ("photo", ("video",), True, True)
    story = load_presets().get("instagram/story")
    assert story.takes("photo") and story.takes("video") and story.max_frame_rate.value == 60


def test_older_files_are_upgraded_by_named_migrations_and_newer_ones_refused(tmp_path, monkeypatch):
    from assetkit.presets import load

    def rename_size(data):  # a hypothetical v1 -> v2 change: [[slots.X.sizes]] became variants
        for slot in data.get("slots", {}).values():
            if "sizes" in slot:
                slot["variants"] = slot.pop("sizes")
        return data

    def add_title(data):
        data.setdefault("title", data["platform"].title())
        return data

    monkeypatch.setattr(load, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(load, "MIGRATIONS", {0: load.Migration(0, "sizes-became-variants", rename_size),
                                             1: load.Migration(1, "platform-title", add_title),
                                             2: load.Migration(2, "noop", lambda d: d)})
    old = GOOD.replace("schema_version = 1", "schema_version = 0").replace("slots.banner.variants", "slots.banner.sizes")
    lib = load_presets([_write(tmp_path, old)])
    assert lib.get("acme/banner").variants[0].size == (1200, 400)
    newer = GOOD.replace("schema_version = 1", "schema_version = 4")
    with pytest.raises(PresetError, match="is 4, this assetkit reads 3"):
        load_presets([_write(tmp_path, newer)])


def test_built_in_files_are_current():
    from assetkit.presets import SCHEMA_VERSION, load_file

    for f in sorted(builtin_presets_dir().glob("*.toml")):
        import tomllib

        assert tomllib.loads(f.read_text())["schema_version"] == SCHEMA_VERSION, f
        assert load_file(f)[2]


@pytest.mark.slow
def test_presets_ship_inside_the_wheel(tmp_path):
    """The pyproject mapping presets/ -> assetkit/_presets works from a built wheel."""
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                        str(tmp_path), str(root)], capture_output=True, text=True, timeout=300)
    if p.returncode != 0 and "hatchling" in p.stderr:
        p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(root)],
                           capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    [whl] = tmp_path.glob("assetkit-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(whl).extractall(site)
    assert (site / "assetkit" / "_presets" / "instagram.toml").is_file()
    code = ("import assetkit.presets as p; d = p.builtin_presets_dir(); lib = p.load_presets(); "
            "print(d); print(len(lib.slots))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                       env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    where, n = p.stdout.split()
    assert Path(where) == site / "assetkit" / "_presets" and int(n) >= 16
