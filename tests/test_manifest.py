"""Manifest rows go through the same tables and validation as Options and assetkit.toml."""
import pytest

from assetkit import UsageError
from assetkit.manifest import load_manifest


def _csv(tmp_path, *rows, name="assets.csv"):
    p = tmp_path / name
    p.write_text("file,credit,source,consent,caption,alt,focus\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def test_values_are_normalised_through_the_tables(tmp_path):
    m = load_manifest(_csv(tmp_path, "a.jpg,Photo: A,Own,Yes,,,", "b.jpg,,EXTERNAL,not_needed,,,\"0.25,0.75\""))
    a, b = m.rows
    assert (a.source, a.consent, a.consent_ok) == ("own", "yes", True)
    assert (b.source, b.consent, b.focus) == ("external", "not-needed", (0.25, 0.75))
    assert type(a.source) is str and type(b.consent) is str


@pytest.mark.parametrize("row, message", [
    ("a.jpg,,own,yse,,,", "assets.csv row 2: consent must be yes, no or not-needed, got 'yse' (did you mean 'yes'?)"),
    ("a.jpg,,extrenal,,,,", "assets.csv row 2: source must be own or external, got 'extrenal' (did you mean 'external'?)"),
    ("a.jpg,,,,,,\"2,0\"", "assets.csv row 2: focus must be X,Y as fractions between 0 and 1, got '2,0'"),
    ("a.jpg,,,,,,middle", "assets.csv row 2: focus must be X,Y as fractions between 0 and 1, got 'middle'"),
])
def test_bad_rows_name_the_file_row_and_problem(tmp_path, row, message):
    with pytest.raises(UsageError) as e:
        load_manifest(_csv(tmp_path, row))
    assert str(e.value) == message


def test_json_manifest_uses_the_same_rules(tmp_path):
    p = tmp_path / "m.json"
    p.write_text('{"files": [{"file": "a.jpg", "consent": "NO", "source": "own"}, {"file": "b.jpg", "consent": "maybe"}]}')
    with pytest.raises(UsageError, match=r"m.json item 2: consent must be yes, no or not-needed, got 'maybe'$"):
        load_manifest(p)
