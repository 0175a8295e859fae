"""report/writer.py: reports written atomically, streamed while the batch runs (cards in path
order whatever order the batch finishes them), and a full disk (15.11) as a clear error naming the
report, with no traceback and the outputs already written kept."""
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import assetkit
from assetkit import report
from assetkit.cli import main
from assetkit.report import writer

import fixtures as fx


def _photos(d: Path, n: int = 3) -> Path:
    d.mkdir()
    for i in range(n):
        fx.make_photo(d / f"p{i}.jpg", (1200, 1200), seed=i, exif={fx.TAG_ARTIST: "A"})
    return d


def test_streamed_report_equals_the_built_one_and_keeps_only_failures_in_memory(tmp_path):
    src = _photos(tmp_path / "in", 5)
    fx.make_photo(src / "small.jpg", (300, 300))
    fx.make_text_as_jpg(src / "bad.jpg")
    json_w, html_w = report.ReportWriter(tmp_path / "s.json"), report.ReportWriter(tmp_path / "s.html")

    def sink(r):
        json_w.add(r)
        html_w.add(r)

    lean = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "o", jobs=2, on_result=sink,
                            keep_results=False)
    json_w.finish(lean)
    html_w.finish(lean)
    assert {Path(r.source).name for r in lean.results} == {"small.jpg", "bad.jpg"}  # only what failed
    assert sum(lean.counts().values()) == 7 and lean.exit_status == 1
    streamed = json.loads((tmp_path / "s.json").read_text())
    jsonschema.validate(streamed, report.schema(), cls=jsonschema.Draft202012Validator)
    assert len(streamed["results"]) == 7
    assert streamed["summary"]["by_status"]["failed"] == 2 and streamed["summary"]["assets"] == 7
    full = report.build(assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "o2", jobs=1))
    by_name = lambda d: {Path(r["source"]).name: r["report_status"] for r in d["results"]}  # noqa: E731
    assert by_name(streamed) == by_name(full)
    page = (tmp_path / "s.html").read_text()
    assert page.count('<article class="asset ') == 7 and "Needs a person (2)" in page


def test_streamed_cards_come_out_in_path_order(tmp_path):
    src = _photos(tmp_path / "in", 4)
    result = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "o", jobs=1)
    for suffix in ("html", "json"):
        w = report.ReportWriter(tmp_path / f"r.{suffix}")
        for r in reversed(result.results):  # as a pool may finish them
            w.add(r)
        w.finish(result)
    page = (tmp_path / "r.html").read_text()
    positions = [page.index(f"in/p{i}.jpg</h3>") for i in range(4)]
    assert positions == sorted(positions)
    data = json.loads((tmp_path / "r.json").read_text())
    assert [Path(r["source"]).name for r in data["results"]] == [f"p{i}.jpg" for i in range(4)]


def _enospc(*a, **k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("suffix", ["html", "json"])
def test_a_full_disk_is_a_clear_error_naming_the_report_and_outputs_stay(tmp_path, monkeypatch, capsys, suffix):
    """15.11: --report on a full disk ended with a traceback."""
    monkeypatch.chdir(tmp_path)
    _photos(tmp_path / "in", 2)
    real_open = open

    def full_for_the_report(file, mode="r", *a, **k):  # the disk fills up when the report is written
        if "w" in mode and Path(file).name.startswith(".report") and ".assetkit-tmp" in Path(file).name:
            _enospc()
        return real_open(file, mode, *a, **k)

    monkeypatch.setattr("builtins.open", full_for_the_report)
    rc = main(["prepare", "in", "--for", "instagram/post", "-o", "out", "--jobs", "1", "--report", f"report.{suffix}"])
    err = capsys.readouterr().err
    assert rc == 1
    assert f"could not write the report report.{suffix}: no space left on device" in err
    assert "Traceback" not in err and ".py:" not in err
    assert sorted(p.name for p in (tmp_path / "out" / "instagram-post").iterdir()) == ["p0.jpg", "p1.jpg"]
    assert not (tmp_path / f"report.{suffix}").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report")]  # no temporary left


def test_a_spool_that_fills_up_mid_batch_does_not_stop_the_batch(tmp_path):
    src = _photos(tmp_path / "in", 3)
    w = report.ReportWriter(tmp_path / "r.html")
    w.spool.write = _enospc  # the temporary folder fills up while the batch runs
    result = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1, on_result=w.add)
    assert len(list((tmp_path / "out" / "instagram-post").iterdir())) == 3
    with pytest.raises(writer.ReportError, match="r.html: no space left on device"):
        w.finish(result)
    assert not (tmp_path / "r.html").exists()


def test_write_names_the_report_when_it_cannot_be_written(tmp_path, monkeypatch):
    monkeypatch.setattr("assetkit.fsutil.os.replace", _enospc)
    with pytest.raises(report.ReportError) as e:
        report.write({"results": []}, tmp_path / "r.json")
    assert str(tmp_path / "r.json") in str(e.value) and "outputs already written are kept" in str(e.value)
    assert not list(tmp_path.iterdir())


TINY = "32k"


@pytest.fixture
def tiny_disk(tmp_path):
    """A real full disk: a 32 KB tmpfs (root on Linux only)."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    d = tmp_path / "tiny"
    d.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TINY}", "tmpfs", str(d)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield d
    finally:
        subprocess.run(["umount", str(d)], check=False)


def test_a_really_full_disk(tmp_path, tiny_disk, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _photos(tmp_path / "in", 2)
    page = tiny_disk / "report.html"
    rc = main(["prepare", "in", "--for", "instagram/post", "-o", "out", "--jobs", "1", "--report", str(page)])
    err = capsys.readouterr().err
    assert rc == 1 and f"could not write the report {page}: no space left on device" in err
    assert "Traceback" not in err
    assert len(list((tmp_path / "out" / "instagram-post").iterdir())) == 2
    assert list(tiny_disk.iterdir()) == []  # no partial page, no temporary
