"""config.resolve: defaults < assetkit.toml (working folder or --config) < flags; never a file from
the folders being prepared (15.5); privacy-lowering settings named; [folder."NAME"] tables."""
import pytest
from PIL import Image

from assetkit import UsageError, config
from assetkit.cli import main

import fixtures as fx


def test_config_in_the_input_folder_is_never_read_and_gps_stays_out(tmp_path, monkeypatch, capsys):
    """15.5: an assetkit.toml lying among the photos with keep_location = true kept GPS silently."""
    indir = tmp_path / "in"
    indir.mkdir()
    fx.make_photo(indir / "gps.jpg", (1200, 1200), gps=True)
    (indir / "assetkit.toml").write_text("[prepare]\nkeep_location = true\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    rc = main(["prepare", str(indir), "--for", "instagram/post", "-o", str(tmp_path / "out"), "--jobs", "1"])
    assert rc == 0
    err = capsys.readouterr().err
    assert "not read:" in err and "assetkit.toml" in err and "keep_location" not in err
    out = tmp_path / "out" / "instagram-post" / "gps.jpg"
    with Image.open(out) as im:
        assert not im.getexif().get_ifd(fx.IFD_GPS)
    assert b"GPSLatitude" not in out.read_bytes()
    r = config.resolve({"keep_location": None}, paths=[indir], cwd=work)
    assert r.path is None and "keep_location" not in r.options and r.privacy_notes == ()
    assert r.ignored == (indir / "assetkit.toml",)


def test_precedence_defaults_file_flags(tmp_path):
    (tmp_path / "assetkit.toml").write_text("[prepare]\nquality = 70\ncrop = 'center'\n[logo]\nopacity = 0.5\n")
    r = config.resolve({"quality": None, "crop": None, "logo_opacity": 0.9}, cwd=tmp_path)
    assert r.path == tmp_path / "assetkit.toml"
    assert r.options == {"quality": 70, "crop": "centre", "logo_opacity": 0.9}
    r = config.resolve({"quality": 95}, cwd=tmp_path, only={"quality"})
    assert r.options == {"quality": 95}
    assert config.resolve({}, cwd=tmp_path / "nowhere").options == {}


def test_explicit_config_wins_over_the_working_folder(tmp_path):
    (tmp_path / "assetkit.toml").write_text("[prepare]\nquality = 70\n")
    other = tmp_path / "org.toml"
    other.write_text("[prepare]\nquality = 60\n")
    assert config.resolve({}, config=other, cwd=tmp_path).options == {"quality": 60}
    with pytest.raises(UsageError, match="--config .*missing.toml: no such file"):
        config.resolve({}, config=tmp_path / "missing.toml", cwd=tmp_path)


def test_privacy_notes_name_where_keep_location_came_from(tmp_path):
    cfg = tmp_path / "assetkit.toml"
    cfg.write_text("[prepare]\nkeep_location = true\n")
    [note] = config.resolve({}, cwd=tmp_path).privacy_notes
    assert str(cfg) in note and "keep_location = true" in note and "GPS" in note
    [note] = config.resolve({"keep_location": True}, cwd=tmp_path / "x").privacy_notes
    assert note.startswith("--keep-location:") and "GPS" in note
    assert config.resolve({"keep_location": False}, cwd=tmp_path).privacy_notes == ()


def test_a_broken_config_in_the_working_folder_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "assetkit.toml").write_text("[prepare]\nquality = 'x'\n")
    assert config.find_config([tmp_path / "in"], cwd=tmp_path) == tmp_path / "assetkit.toml"
    with pytest.raises(UsageError, match=r"\[prepare\] quality: must be a whole number 1-100, got 'x'"):
        config.resolve({})


def test_folder_tables_are_validated_and_returned(tmp_path):
    cfg = tmp_path / "assetkit.toml"
    cfg.write_text('[prepare]\nquality = 80\n[folder."instagram-story"]\ntrim = "auto"\nallow-upscale = true\n'
                   '[folder.youtube]\nfit = "blur"\nkeep_location = true\n')
    r = config.resolve({}, cwd=tmp_path)
    assert r.options == {"quality": 80}
    assert r.folders == {"instagram-story": {"trim": "auto", "allow_upscale": True},
                         "youtube": {"fit": "blur", "keep_location": True}}
    assert any('[folder."youtube"] keep_location' in n for n in r.privacy_notes)
    cfg.write_text('[folder.youtube]\nfit = "blurr"\n')
    with pytest.raises(UsageError) as e:
        config.resolve({}, cwd=tmp_path)
    assert str(e.value) == (f'config {cfg}: [folder."youtube"] fit: must be pad, crop, blur or smart, got \'blurr\' '
                            "(did you mean 'blur'?)")
    cfg.write_text('[folder.youtube]\nlogo = "x.png"\n')
    with pytest.raises(UsageError, match=r'\[folder."youtube"\] logo: unknown key'):
        config.resolve({}, cwd=tmp_path)


@pytest.mark.parametrize("body, message", [
    ("[prepare]\nqualty = 70\n", "[prepare] qualty: unknown key (allowed: crop, focus"),
    ("[prepare]\nqualty = 70\n", "did you mean 'quality'?"),
    ("[prepare]\nfocus = [2, 0]\n", "[prepare] focus: must be [X, Y] as fractions between 0 and 1, got [2, 0]"),
    ("[prepare]\ncrop = 'centr'\n", "did you mean 'centre'?"),
    ("[prepare]\nallow_upscale = 'yes'\n", "[prepare] allow_upscale: must be true or false, got str 'yes'"),
    ("[credit]\ntemplate = ''\n", "[credit] template: must be a non-empty string"),
    ("[logo]\npath = 'nope.png'\n", "nope.png does not exist"),
    ("[logo]\nposition = 'middle'\n", "[logo] position: must be bottom-right"),
    ("[prepar]\nx = 1\n", "[prepar]: unknown section (sections: credit, logo, consent, prepare, folder); did you mean 'prepare'?"),
    ("credit = 3\n", "[credit]: must be a [section] table"),
])
def test_bad_values_name_file_key_and_problem(tmp_path, body, message):
    cfg = tmp_path / "assetkit.toml"
    cfg.write_text(body)
    with pytest.raises(config.ConfigError) as e:
        config.load_config(cfg)
    assert str(e.value).startswith(f"config {cfg}: ") and message in str(e.value)


def test_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "brand").mkdir()
    fx.logo_image((40, 40)).save(tmp_path / "brand" / "logo.png")
    cfg = tmp_path / "brand" / "assetkit.toml"
    cfg.write_text("[logo]\npath = 'logo.png'\nscale = 1\n")
    assert config.load_config(cfg) == {"logo": str(tmp_path / "brand" / "logo.png"), "logo_scale": 1.0}
