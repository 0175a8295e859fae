"""Hostile folders (issue 15: 2, 7, 11, 16): FIFOs, link loops, folders that cannot be listed and
files that are no media. Each is a finding on its path; the rest of the folder is done; nothing hangs
(every run is a subprocess with a timeout the test enforces)."""
import json
import os
from pathlib import Path

import pytest

import assetkit
from assetkit.batch import collect_jobs
from assetkit.options import Options

import fixtures as fx
from test_hostile import run_limited


def _report(out: str) -> dict:
    return json.loads(out)


def _by_name(data: dict) -> dict:
    return {Path(r["source"]).name: r for r in data["results"]}


def test_fifo_and_device_links_are_skipped_without_reading_them(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    fx.make_photo(d / "good.jpg", (1200, 1200))
    os.mkfifo(d / "pipe.jpg")          # a media name: before the fix, open() blocked forever
    os.mkfifo(d / "pipe")              # no extension: the scan's sniff blocked in the main process
    os.symlink("/dev/zero", d / "zero.png")
    for cmd in (["prepare", d, "--for", "instagram/post", "-o", tmp_path / "out", "--json", "--jobs", "2"],):
        rc, out, err, _ = run_limited(cmd, timeout=60)
        by = _by_name(_report(out))
        assert set(by) == {"good.jpg", "pipe.jpg", "pipe", "zero.png"}, err
        for name, what in (("pipe.jpg", "named pipe"), ("pipe", "named pipe"), ("zero.png", "device")):
            [f] = by[name]["findings"]
            assert f["code"] == "not-a-file" and what in f["message"] and name in f["message"], f
            assert by[name]["status"] == "skipped"
        assert by["good.jpg"]["status"] in ("planned", "ready", "fixed"), by["good.jpg"]
        assert rc == 0, err  # skipped, not failed: a pipe in a folder is not the photographer's error
    assert (tmp_path / "out" / "instagram-post" / "good.jpg").is_file()


def test_symlink_loop_is_a_finding_on_its_path_and_the_rest_is_done(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    fx.make_photo(d / "a.jpg", (1200, 1200))
    os.symlink("loop.jpg", d / "loop.jpg")            # a link to itself
    os.symlink("y", d / "x")
    os.symlink("x", d / "y")                          # two links to each other, no extension
    os.symlink("missing.jpg", d / "dangling.jpg")
    os.symlink(".", d / "self")                       # a link to a folder above: not followed
    res = assetkit.prepare([d], "instagram/post", out_dir=tmp_path / "out", jobs=1)
    by = {Path(r.source).name: r for r in res.results}
    assert set(by) == {"a.jpg", "loop.jpg", "x", "y", "dangling.jpg"}
    for name in ("loop.jpg", "x", "y"):
        [f] = by[name].findings
        assert f.code == "unreadable" and "symbolic link loop" in f.message and name in f.message
    [f] = by["dangling.jpg"].findings
    assert f.code == "unreadable" and "does not exist" in f.message
    assert by["a.jpg"].outputs[0].status.written
    assert res.exit_status == 1
    chk = assetkit.check([d], "instagram/post", jobs=1)
    assert {Path(r.source).name for r in chk.results} == set(by)


def test_unreadable_subfolder_is_a_clear_finding_not_a_silent_skip(tmp_path, monkeypatch):
    d = tmp_path / "in"
    (d / "private").mkdir(parents=True)
    fx.make_photo(d / "a.jpg", (1200, 1200))
    fx.make_photo(d / "private" / "b.jpg", (1200, 1200))
    (d / "private").chmod(0)
    if os.geteuid() == 0:  # root lists any folder whatever its mode: let the kernel's answer be a user's
        real = os.scandir

        def scandir(path="."):
            if isinstance(path, (str, os.PathLike)) and Path(path).name == "private":  # rmtree passes fds
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr("assetkit.media.os.scandir", scandir)
    try:
        res = assetkit.check([d], "instagram/post", jobs=1)
    finally:
        (d / "private").chmod(0o755)
    assert [Path(r.source).name for r in res.results] == ["a.jpg"]
    [f] = [f for f in res.findings if f.code == "unreadable"]
    assert str(d / "private") in f.message and "cannot list this folder (Permission denied)" in f.message
    assert res.exit_status == 1  # a folder of the run was not done


def test_files_that_are_no_media_are_counted_and_listed(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    fx.make_photo(d / "a.jpg", (1200, 1200))
    for name in ("x.j2k", "y.j2k", "icon.ico", "logo.svg", "brief.pdf", "sub/t.tga", "notes.txt"):
        (d / name).write_bytes(b"\x00\x01 not something assetkit reads " * 4)
    jobs = collect_jobs([d], assetkit.load_presets().resolve("instagram/post"), Options(out_dir=str(tmp_path / "o")))
    assert [Path(j.path).name for j in jobs] == ["a.jpg"]
    [f] = jobs.findings
    assert f.code == "not-media" and f.severity == "info"
    assert f.message.startswith("7 files skipped: not pictures or videos assetkit reads: .j2k (2), ")
    for ext in (".ico", ".svg", ".pdf", ".tga", ".txt"):
        assert ext in f.message
    res = assetkit.prepare([d], "instagram/post", out_dir=tmp_path / "o", jobs=1)
    assert [g.code for g in res.findings] == ["not-media"] and res.exit_status == 0
    # the CLI prints it
    rc, out, err, _ = run_limited(["check", d, "--for", "instagram/post", "--jobs", "1"], timeout=60)
    assert "7 files skipped" in out, out
