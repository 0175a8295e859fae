"""Choice tables and the Options record: one table per choice feeds validation, --help and errors;
the same types decide Options, assetkit.toml, manifest rows and presets (they cannot disagree)."""
from pathlib import Path

import pytest

from assetkit import UsageError
from assetkit.options import (Choice, Consent, CropMode, Fit, MediaKind, Options, Position, Source,
                              parse_focus)


def test_each_table_lists_its_values_and_help():
    assert CropMode.values() == ("smart", "centre")
    assert Fit.values() == ("pad", "crop", "blur", "smart")
    assert Position.values() == ("bottom-right", "bottom-left", "top-right", "top-left")
    assert Source.values() == ("own", "external") and Consent.values() == ("yes", "no", "not-needed")
    assert MediaKind.values() == ("photo", "video")
    for table in (CropMode, Fit, Position, Source, Consent, MediaKind):
        assert all(m.help for m in table), table
        text = table.help()
        assert all(v in text for v in table.values())
    assert "center" not in CropMode.help()  # an alias is accepted, never listed


def test_center_is_an_alias_of_centre_everywhere():
    assert CropMode("center") is CropMode.CENTRE
    assert CropMode.parse("Center", "--crop") == "centre"
    opts = Options(crop="center")
    assert opts.crop == "centre" and type(opts.crop) is str  # stored as the plain value
    assert opts.recipe()["crop"] == Options(crop="centre").recipe()["crop"]


@pytest.mark.parametrize("table, typo, near", [
    (CropMode, "centr", "centre"), (CropMode, "smrat", "smart"), (Fit, "blurr", "blur"),
    (Position, "top-rigth", "top-right"), (Consent, "yse", "yes"), (Source, "externl", "external"),
])
def test_near_miss_gets_did_you_mean(table, typo, near):
    assert table.suggest(typo) == near
    with pytest.raises(UsageError) as e:
        table.parse(typo, "--x")
    assert str(e.value).endswith(f"got {typo!r} (did you mean {near!r}?)")


def test_far_miss_lists_values_without_a_guess():
    with pytest.raises(UsageError) as e:
        Fit.parse("zoom", "--fit")
    assert str(e.value) == "--fit must be pad, crop, blur or smart, got 'zoom'"


@pytest.mark.parametrize("kw, message", [
    ({"crop": "centr"}, "--crop must be smart or centre, got 'centr' (did you mean 'centre'?)"),
    ({"fit": "blurr"}, "--fit must be pad, crop, blur or smart, got 'blurr' (did you mean 'blur'?)"),
    ({"quality": 0}, "--quality must be a whole number 1-100, got 0"),
    ({"logo_opacity": 0}, "--logo-opacity must be a number above 0 and at most 1, got 0"),
    ({"logo_scale": 1.5}, "--logo-scale must be a number above 0 and at most 1, got 1.5"),
    ({"max_pixels": -1}, "--max-pixels must be a positive whole number, got -1"),
    ({"focus": (1.5, 0.2)}, "--focus must be [X, Y] as fractions between 0 and 1, got (1.5, 0.2)"),
    ({"credit_position": "middle"}, "--credit-position must be bottom-right, bottom-left, top-right or top-left"),
    ({"credit": "Photo: {name}"}, "unknown placeholder {name}"),
])
def test_bad_options_name_the_flag_and_the_problem(kw, message):
    with pytest.raises(UsageError) as e:
        Options(**kw)
    assert message in str(e.value)


def test_options_and_config_agree_on_logo_opacity_zero(tmp_path):
    """Issue 11.6: logo_opacity=0 passed Options but failed the config check."""
    from assetkit import config

    cfg = tmp_path / "assetkit.toml"
    cfg.write_text("[logo]\nopacity = 0\n")
    with pytest.raises(UsageError, match=r"\[logo\] opacity: must be a number above 0 and at most 1, got 0"):
        config.load_config(cfg)
    with pytest.raises(UsageError, match="--logo-opacity must be a number above 0 and at most 1, got 0"):
        Options(logo_opacity=0)


def test_paths_are_stored_as_text_and_numbers_normalised(tmp_path):
    opts = Options(out_dir=tmp_path, logo_scale=1, focus=[0.25, 0.75])
    assert opts.out_dir == str(tmp_path) and isinstance(opts.out_dir, str)
    assert opts.logo_scale == 1.0 and isinstance(opts.logo_scale, float)
    assert opts.focus == (0.25, 0.75)
    assert opts.with_(quality=70).quality == 70
    with pytest.raises(UsageError):
        opts.with_(quality=101)


def test_parse_focus():
    assert parse_focus("0.3,0.4") == (0.3, 0.4) and parse_focus(None) is None
    with pytest.raises(UsageError, match="--focus takes X,Y"):
        parse_focus("middle")


def test_the_old_copies_are_the_table():
    from assetkit import manifest
    from assetkit.image import watermark
    from assetkit.video import geometry

    assert watermark.POSITIONS == Position.values()
    assert tuple(geometry.FITS) == Fit.values() and geometry.FITS["pad"] == Fit.PAD.help
    assert manifest.SOURCES == Source.values() and manifest.CONSENTS == Consent.values()
    assert geometry.check_fit("BLUR") == "blur"
    with pytest.raises(UsageError, match="did you mean 'crop'"):
        geometry.check_fit("corp")
    assert issubclass(CropMode, Choice) and isinstance(CropMode.SMART, str)
