"""The CLI in-process (main(argv) -> exit code) and once as the installed console script."""
import json
import subprocess
import sys

from PIL import Image

from assetkit.cli import main

import fixtures as fx


def test_prepare_prints_summary_and_exit_0(tmp_path, capsys):
    src = fx.make_photo(tmp_path / "a.jpg", (1300, 1300), gps=True)
    rc = main(["prepare", str(src), "--for", "instagram", "-o", str(tmp_path / "out"), "--jobs", "1"])
    text = capsys.readouterr().out
    assert rc == 0
    assert "fixed" in text and "instagram/post" in text and "gps-present" in text
    assert Image.open(tmp_path / "out" / "instagram-post" / "a.jpg").size == (1080, 1080)


def test_prepare_json_and_report(tmp_path, capsys):
    src = fx.make_photo(tmp_path / "a.jpg", (800, 600))
    rc = main(["prepare", str(src), "--for", "instagram/post", "-o", str(tmp_path / "out"), "--json",
               "--report", str(tmp_path / "r.json")])
    data = json.loads(capsys.readouterr().out)
    assert rc == 1
    [r] = data["results"]
    assert r["outputs"][0]["status"] == "failed"
    assert r["outputs"][0]["findings"][0]["code"] == "too-small"
    assert json.loads((tmp_path / "r.json").read_text())["results"][0]["source"] == str(src)


def test_check_lists_findings_with_sections(tmp_path, capsys):
    src = fx.make_photo(tmp_path / "a.jpg", (3000, 1000))
    rc = main(["check", str(src), "--for", "instagram/post,twitter/post"])
    text = capsys.readouterr().out
    assert rc == 0
    assert "aspect-crop" in text and "[twitter/post]" in text and "2016 MEASUREMENT GUIDELINES" in text
    assert not (tmp_path / "prepared").exists()


def test_dry_run_prints_the_plan(tmp_path, capsys):
    src = fx.make_photo(tmp_path / "a.jpg", (3000, 2000))
    rc = main(["prepare", str(src), "--for", "instagram/post", "--dry-run", "-o", str(tmp_path / "o"),
               "--crop", "centre"])
    text = capsys.readouterr().out
    assert rc == 0 and "crop 0,150 to 3000,1850" in text and "1270x720" in text
    assert not (tmp_path / "o").exists()


def test_usage_errors_exit_2(tmp_path, capsys):
    src = fx.make_photo(tmp_path / "a.jpg", (1300, 1300))
    assert main(["prepare", str(src), "--for", "myspace"]) == 2
    assert "unknown platform or slot 'myspace'" in capsys.readouterr().err
    assert main(["prepare", str(tmp_path / "missing"), "--for", "instagram"]) == 2
    assert main(["prepare", str(src), "--for", "instagram", "--focus", "2,2"]) == 2
    assert main(["prepare", str(src), "--for", "instagram", "--crop", "weird"]) == 2
    assert main(["prepare", str(src)]) == 2  # --for missing
    bad = tmp_path / "presets"
    bad.mkdir()
    (bad / "x.toml").write_text("schema_version = 1\nplatform = 'x'\n")
    assert main(["presets", "--presets", str(bad)]) == 2
    assert "x.toml: slots: is missing" in capsys.readouterr().err


def test_presets_list_and_show(capsys):
    assert main(["presets"]) == 0
    text = capsys.readouterr().out
    for sid in ("instagram/post", "facebook/cover", "youtube/channel-art", "twitter/header"):
        assert sid in text
    assert main(["presets", "show", "instagram/post"]) == 0
    text = capsys.readouterr().out
    assert "1080x1080" in text and "1270x720" in text and "1024x768" in text and "INSTAGRAM > Posts/Content" in text
    assert main(["presets", "show", "instagram/post", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "instagram/post"
    assert main(["presets", "show", "nope/nope"]) == 2


def test_console_script_runs_as_module(tmp_path):
    p = subprocess.run([sys.executable, "-m", "assetkit", "--version"], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.startswith("assetkit ")


def test_config_prepare_section_applies_and_flags_override(tmp_path, capsys, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    fx.make_photo(d / "small.jpg", (800, 600))
    monkeypatch.chdir(tmp_path)  # assetkit.toml is read from the working folder (15.5)
    (tmp_path / "assetkit.toml").write_text("[prepare]\nallow_upscale = true\nquality = 60\n")
    rc = main(["prepare", str(d), "--for", "instagram/post", "-o", str(tmp_path / "o"), "--jobs", "1"])
    assert rc == 0  # the file's allow_upscale made it an (enlarged) output, not a too-small failure
    assert (tmp_path / "o" / "instagram-post" / "small.jpg").exists()
    assert "config: assetkit.toml" in capsys.readouterr().err
    rc = main(["prepare", str(d), "--for", "instagram/post", "-o", str(tmp_path / "o2"), "--jobs", "1",
               "--no-allow-upscale"])
    assert rc == 1 and "too-small" in capsys.readouterr().out
    (tmp_path / "assetkit.toml").write_text("[prepare]\nquality = 'high'\n")
    assert main(["prepare", str(d), "--for", "instagram/post", "-o", str(tmp_path / "o3")]) == 2
    assert "assetkit.toml: [prepare] quality: must be a whole number 1-100" in capsys.readouterr().err


def test_preview_honours_assetkit_toml(tmp_path, capsys, monkeypatch):
    src = fx.make_photo(tmp_path / "small.jpg", (800, 600))
    monkeypatch.chdir(tmp_path)
    assert main(["preview", str(src), "--for", "instagram/post", "-o", "p.png"]) == 2  # too small
    capsys.readouterr()
    (tmp_path / "assetkit.toml").write_text("[prepare]\nallow_upscale = true\n")
    assert main(["preview", str(src), "--for", "instagram/post", "-o", "p.png"]) == 0
    assert Image.open(tmp_path / "p.png").size[0] >= 1024


# ---------------------------------------------------------------- issue 12, defects 5 and 6


def test_caption_from_stdin_does_not_count_the_trailing_newline(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("x" * 60 + "\n"))
    assert main(["caption", "-", "--for", "twitter"]) == 0
    assert "ok: 60 characters" in capsys.readouterr().out


def test_empty_caption_is_a_usage_error(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["caption", "-", "--for", "twitter"]) == 2
    assert "caption is empty" in capsys.readouterr().err
    assert main(["caption", "hello", "--for", "instgram"]) == 2
    assert "did you mean 'instagram'" in capsys.readouterr().err


def test_progress_total_counts_files_not_outputs_inside_the_input_folder(tmp_path, capsys, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    for name in ("a", "b", "c"):
        fx.make_photo(d / f"{name}.jpg", (1300, 1300))
    args = ["prepare", str(d), "--for", "instagram/post,facebook/cover", "-o", str(d / "out"), "-j", "1"]
    assert main(args) == 0
    capsys.readouterr()
    monkeypatch.setenv("ASSETKIT_PROGRESS", "1")
    assert main(args + ["--force"]) == 0
    bar = capsys.readouterr().err
    assert "3/3" in bar and "/9" not in bar


def test_summary_after_ctrl_c_says_what_was_written(tmp_path, capsys, monkeypatch):
    """Ctrl-C while the files in flight finish: their outputs exist, so the summary must count them."""
    from assetkit import batch

    d = tmp_path / "in"
    d.mkdir()
    for name in ("a", "b", "c"):
        fx.make_photo(d / f"{name}.jpg", (1300, 1300))

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "wait", interrupted)
    rc = main(["prepare", str(d), "--for", "instagram/post", "-o", str(tmp_path / "out"), "-j", "1"])
    captured = capsys.readouterr()
    assert rc == 130
    assert len(list((tmp_path / "out" / "instagram-post").glob("*.jpg"))) == 3
    assert "no files" not in captured.out
    assert "3 files done" in captured.out and "3 written" in captured.out
    assert "interrupted" in captured.err


# ------------------------------------------------- usage errors before any file is touched (issue 12)


def _usage_cases(tmp_path):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "not-a-picture.png").write_text("x")
    return [
        (["-o", str(tmp_path / "a-file")], "is a file"),
        (["-o", str(tmp_path / "a-file" / "out")], "is a file"),
        (["-o", "/proc/assetkit-out"], "cannot write there"),
        (["--logo", str(tmp_path / "missing.png")], "--logo"),
        (["--logo", str(tmp_path / "not-a-picture.png")], "not a picture"),
        (["--font", str(tmp_path / "missing.ttf")], "--font"),
        (["--font", str(tmp_path / "not-a-picture.png")], "not a TrueType"),
        (["--variant", "squar"], "did you mean 'square'"),
        (["--focus", "2,2"], "--focus"),
        (["--focus", "left"], "--focus"),
        (["--for", "instgram"], "did you mean 'instagram'"),
        (["--crop", "centr"], "did you mean 'centre'"),
    ]


def test_usage_errors_are_one_plain_line_before_any_file_is_touched(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    src = fx.make_photo(tmp_path / "in" / "a.jpg", (1300, 1300))
    for extra, words in _usage_cases(tmp_path):
        args = ["prepare", str(src.parent), "--for", "instagram", "-o", str(tmp_path / "out"), "-j", "1"]
        rc = main(args + extra)
        err = capsys.readouterr().err
        assert rc == 2, (extra, err)
        assert words in err and len(err.strip().splitlines()) == 1, (extra, err)
        assert "Traceback" not in err and ".py:" not in err, (extra, err)
        assert not (tmp_path / "out").exists(), extra


def test_library_raises_the_same_usage_errors(tmp_path):
    import pytest

    import assetkit

    src = fx.make_photo(tmp_path / "a.jpg", (1300, 1300))
    with pytest.raises(assetkit.UsageError, match="--logo"):
        assetkit.prepare(src, "instagram", out_dir=tmp_path / "o", logo=str(tmp_path / "nope.png"))
    with pytest.raises(assetkit.UsageError, match="did you mean 'square'"):
        assetkit.check(src, "instagram/post", variant="squar")
    assert not (tmp_path / "o").exists()


def test_crop_center_is_accepted_as_centre(tmp_path, capsys):
    src = fx.make_photo(tmp_path / "a.jpg", (3000, 2000))
    assert main(["prepare", str(src), "--for", "instagram/post", "--dry-run", "--crop", "center"]) == 0


def test_unexpected_errors_show_no_source_location(tmp_path, monkeypatch):
    from assetkit import batch
    from assetkit.image import pipeline

    src = fx.make_photo(tmp_path / "a.jpg", (1300, 1300))

    def broken(job):
        raise OSError(5, "Input/output error", str(src))

    monkeypatch.setattr(pipeline, "run", broken)
    [job] = batch.collect_jobs([src], __import__("assetkit").load_presets().resolve("instagram/post"),
                               __import__("assetkit").Options(out_dir=str(tmp_path / "o")))
    [f] = batch.run_job(job).findings
    assert f.code == "failed" and "input/output error" in f.message
    assert "(at " not in f.message and ".py:" not in f.message


# --------------------------------------------------------------- the summary a person reads (issue 12)


def test_caption_message_says_the_count_once(capsys):
    assert main(["caption", "x" * 166, "--for", "twitter"]) == 1
    text = capsys.readouterr().out
    assert "twitter: 166 characters, over the maximum of 140" in text and "the caption:" not in text


def test_empty_folder_says_so_and_exits_0(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["prepare", str(tmp_path / "empty"), "--for", "instagram", "-o", str(tmp_path / "o")]) == 0
    assert "no photos or videos found in" in capsys.readouterr().out


def test_summary_sorted_by_path_fits_80_columns_and_counts_files_and_outputs(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)
    d = tmp_path / "a-folder-with-a-rather-long-name-for-the-photos-of-the-week"
    names = ["zebra-crossing-at-the-harbour.jpg", "b-small.jpg", "apple-orchard-in-spring.jpg"]
    d.mkdir()
    for name in names:
        fx.make_photo(d / name, (600, 400) if name == "b-small.jpg" else (1400, 1400))
    rc = main(["prepare", d.name, "--for", "instagram,facebook/cover", "-o", "out", "-j", "2"])
    out = capsys.readouterr().out
    assert rc == 1
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    table = out.split("Needs a look")[0].replace("\n", "")   # a path too long for a line breaks after a /
    assert [table.index(n) for n in sorted(names)] == sorted(table.index(n) for n in names)
    assert not any(line.rstrip().endswith("-") for line in lines)  # never broken at a hyphen
    assert "--allow-upscale" in out.split()
    assert "3 files done:" in out and "(6 outputs)" in out and "4 written to out/" in out


def test_check_counts_say_files_and_outputs(tmp_path, capsys):
    for name in ("a", "b"):
        fx.make_photo(tmp_path / f"{name}.jpg", (1300, 1300))
    fx.make_photo(tmp_path / "c.jpg", (500, 500))
    main(["check", str(tmp_path), "--for", "instagram/post,facebook/cover"])
    out = capsys.readouterr().out
    assert "3 files checked:" in out and "(6 outputs)" in out


def test_a_finding_shared_by_many_files_is_said_once_with_the_files_under_it(capsys):
    from assetkit.batch import BatchResult
    from assetkit.cli import render
    from assetkit.model import Finding, JobResult, Severity, SlotResult, Status

    f = Finding("no-credit", Severity.WARNING, "no credit: give --credit or a manifest credit")
    results = [JobResult(f"p{i}.jpg", findings=[f], outputs=[SlotResult("instagram/post", Status.FIXED)])
               for i in range(6)]
    render.findings(BatchResult(results, 1.0, "out"))
    out = capsys.readouterr().out
    assert out.count("no credit: give --credit") == 1
    assert "6 files: no credit" in out and "p0.jpg, p1.jpg, p2.jpg" in out


def test_messages_do_not_repeat_the_file_name(tmp_path, capsys):
    """The file is named once, on the line the findings are listed under (issue 12.4)."""
    import assetkit

    big = fx.make_photo(tmp_path / "Holiday-Snap-7731.jpg", (1300, 1300), gps=True)
    small = fx.make_photo(tmp_path / "Tiny-Logo-0042.jpg", (300, 200))
    res = assetkit.check([big, small], "instagram/post,facebook/cover", jobs=1)
    messages = [f.message for r in res.results for f in r.all_findings]
    assert {"gps-present", "no-credit", "too-small"} <= {f.code for r in res.results for f in r.all_findings}
    assert not [m for m in messages if "Holiday-Snap-7731" in m or "Tiny-Logo-0042" in m]


@__import__("pytest").mark.slow
def test_dry_run_prints_each_output_plan_summary_for_a_video(tmp_path, capsys):
    from assetkit.video import ffmpeg_exe

    src = tmp_path / "clip.mp4"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=640x360:rate=25:duration=1", "-pix_fmt", "yuv420p", str(src)], check=True)
    assert main(["prepare", str(src), "--for", "youtube/video,instagram/video", "--dry-run", "-o",
                 str(tmp_path / "o")]) in (0, 1)
    out = capsys.readouterr().out
    from assetkit import check

    summaries = [o.plan["summary"] for r in check(src, "youtube/video,instagram/video").results for o in r.outputs
                 if o.plan and o.plan.get("summary")]
    assert len(summaries) == 2
    flat = " ".join(out.split())
    assert all(" ".join(s.split()) in flat for s in summaries), (summaries, out)
    assert not (tmp_path / "o").exists()


def test_every_help_has_examples_groups_and_no_python_types(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for cmd in (["--help"], ["prepare", "--help"], ["check", "--help"], ["preview", "--help"],
                ["caption", "--help"], ["watch", "--help"], ["presets", "--help"], ["presets", "show", "--help"]):
        assert main(cmd) == 0
        text = capsys.readouterr().out
        assert "Examples:" in text, cmd
        assert "<" not in text.replace("<platform>", ""), (cmd, text)   # no <list[Path]>, <str>, <int>
        assert all(len(line) <= 80 for line in text.splitlines() if not line.startswith("    assetkit")), cmd
    main(["prepare", "--help"])
    text = capsys.readouterr().out
    for group in ("Output:", "Crop and size:", "Credit, logo and consent:", "Video:"):
        assert group in text
