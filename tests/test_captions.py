"""Caption lint: each guideline rule has a passing and a failing case; the CLI's exit codes."""
import json

import pytest

from assetkit import captions
from assetkit.cli import main

import fixtures as fx


def codes(text, platform):
    return [(f.code, str(f.severity)) for f in captions.lint(text, platform)]


GOOD_TWEET = "Meet Amina, who rebuilt her shop after the floods in her town. Read more #WorldRefugeeDay"  # 87


@pytest.mark.parametrize("platform, good, bad, code, severity, section", [
    ("twitter", GOOD_TWEET, "x" * 141, "caption-too-long", "error", "TWITTER"),
    ("twitter", GOOD_TWEET, "x" * 120, "caption-too-long", "warning", "TWITTER > Tweets"),
    ("twitter", "Three tags #one #two #three", "Four tags #one #two #three #four", "caption-hashtags", "error",
     "TWITTER > Hashtags"),
    ("twitter", "#WorldRefugeeDay #migration_matters", "#WorldRefugeeDayIsToday", "caption-hashtags", "error",
     "TWITTER > Hashtags"),
    ("facebook", "a" * 499, "a" * 501, "caption-too-long", "warning", "GENERAL GUIDELINES > Facebook"),
    ("facebook", "One.\n\nTwo.", "One.\n\nTwo.\n\nThree.", "caption-paragraphs", "error", "FACEBOOK > Posts"),
    ("instagram", "One.\nstill one.\n\nTwo.", "One.\n\nTwo.\n\nThree.", "caption-paragraphs", "error",
     "INSTAGRAM > Posts/Content"),
    ("instagram", "Link in bio, #iom", "Read more at https://iom.int/news", "caption-link", "error",
     "INSTAGRAM > Posts/Content"),
    ("instagram", "Dots. In text.", "See www.iom.int", "caption-link", "error", "INSTAGRAM > Posts/Content"),
])
def test_each_rule_passes_and_fails(platform, good, bad, code, severity, section):
    assert (code, severity) not in codes(good, platform)
    found = [f for f in captions.lint(bad, platform) if f.code == code and str(f.severity) == severity]
    assert found, captions.lint(bad, platform)
    assert section in found[0].section


def test_a_good_tweet_passes_everything():
    assert captions.lint(GOOD_TWEET, "twitter") == []


@pytest.mark.parametrize("tag, words", [("migration", 1), ("WorldRefugeeDay", 3), ("migration_matters", 2),
                                        ("COP21", 2), ("IOMWorks", 2), ("un_migration_day_2024", 4)])
def test_hashtag_words(tag, words):
    assert captions.hashtag_words(tag) == words


def test_cli_caption_exit_codes(capsys):
    assert main(["caption", "--for", "twitter", GOOD_TWEET]) == 0
    assert main(["caption", "--for", "twitter", "x" * 120]) == 0  # a warning does not fail
    assert "caption-too-long" in capsys.readouterr().out
    assert main(["caption", "--for", "twitter", "x" * 150]) == 1
    capsys.readouterr()
    assert main(["caption", "--for", "instagram,facebook", "see https://iom.int", "--json"]) == 1
    [f] = json.loads(capsys.readouterr().out)
    assert f["code"] == "caption-link"
    assert main(["caption", "--for", "myspace", "hello"]) == 2


def test_manifest_caption_is_linted_for_the_slots_platforms(tmp_path):
    import assetkit

    src = fx.make_photo(tmp_path / "a.jpg", (1200, 1200))
    m = tmp_path / "m.csv"
    m.write_text('file,credit,source,consent,caption\na.jpg,Photo: X,own,yes,"Read it at https://iom.int #a #b #c #d"\n')
    res = assetkit.prepare([src], "instagram/post,twitter/post", out_dir=tmp_path / "o", jobs=1, crop="centre",
                           manifest=str(m))
    got = {(f.code, f.message.split(":")[0]) for f in res.results[0].findings if f.code.startswith("caption")}
    assert ("caption-link", "instagram") in got and ("caption-hashtags", "twitter") in got
    assert res.exit_status == 1  # error-level caption findings fail the run
