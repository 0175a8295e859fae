"""The hot folder: a real watcher in a subprocess, real file writes, bounded waits.

Every test that watches runs in both modes: watchdog events and ``--poll`` (network shares).
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from assetkit import watch as hot
from assetkit.cli import main
from assetkit.presets import load_presets

import fixtures as fx

REPO = Path(__file__).resolve().parents[1]
SLOT = "instagram-post"
MODES = {"events": [], "poll": ["--poll", "0.2"]}


# ------------------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def jpeg(tmp_path_factory) -> bytes:
    """One small-ish photo (1200x1200, low quality), made once; ``variant`` gives copies with distinct content."""
    p = fx.make_photo(tmp_path_factory.mktemp("src") / "base.jpg", (1200, 1200), quality=40)
    return p.read_bytes()


def variant(data: bytes, i: int) -> bytes:
    """The same picture with a JPEG comment (COM segment) after SOI: decodes the same, hashes differently."""
    text = f"assetkit test copy {i}".encode()
    return data[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + data[2:]


class Watcher:
    def __init__(self, root: Path, *args: str, settle: float = 0.3, slots: str = "instagram/post"):
        self.root, self.log_path = root, root.parent / f"{root.name}-watch-{time.monotonic_ns()}.log"
        env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.log_fh = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from assetkit.cli import run; run()", "watch", str(root),
             "--settle", str(settle), "--for", slots, "--jobs", "2", *args],
            stdout=self.log_fh, stderr=subprocess.STDOUT, env=env)
        wait_for(lambda: " start " in self.log() or self.proc.poll() is not None, 20, "watcher start", self)
        assert self.proc.poll() is None, f"watcher exited at start:\n{self.log()}"

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self, sig=signal.SIGTERM, timeout=20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self.log_fh.close()

    def kill(self):
        self.proc.kill()
        self.proc.wait(10)
        self.log_fh.close()


def wait_for(pred, timeout: float, what: str, watcher: Watcher | None = None, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(step)
    extra = f"\nwatcher log:\n{watcher.log()}" if watcher else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}{extra}")


@pytest.fixture
def running(tmp_path, request):
    started: list[Watcher] = []

    def start(*args, settle=0.3, root=None, slots="instagram/post"):
        w = Watcher(root or tmp_path / "hot", *args, settle=settle, slots=slots)
        started.append(w)
        return w

    yield start
    for w in started:
        if w.proc.poll() is None:
            w.kill()


def ready_files(root: Path) -> list[str]:
    base = root / "ready" / SLOT
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()) if base.exists() else []


def drop(root: Path, name: str, data: bytes) -> Path:
    """Write as a copy tool does: to a temporary name, then rename into the drop folder."""
    target = root / SLOT / name
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


# ------------------------------------------------------------------------- the required behaviour


@pytest.mark.parametrize("mode", MODES)
def test_file_written_in_slow_chunks_is_processed_once_after_the_last_chunk(tmp_path, running, jpeg, mode):
    w = running(*MODES[mode], "--jobs", "1", settle=0.5)
    root = w.root
    (root / SLOT / "copying.jpg.part").write_bytes(jpeg[:1000])  # a temporary name: never touched
    target = root / SLOT / "slow.jpg"
    chunks = [jpeg[i * len(jpeg) // 5:(i + 1) * len(jpeg) // 5] for i in range(5)]
    with open(target, "wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
            fh.flush()
            time.sleep(0.2)
            assert ready_files(root) == [], f"processed before the copy finished:\n{w.log()}"
            assert not (root / "failed" / "slow.jpg").exists(), f"half-written file failed:\n{w.log()}"
    last_chunk = time.time()
    wait_for(lambda: ready_files(root) == ["slow.jpg"], 10, "slow.jpg in ready/", w)
    out = root / "ready" / SLOT / "slow.jpg"
    assert out.stat().st_mtime >= last_chunk
    assert Image.open(out).size == (1080, 1080)
    wait_for(lambda: (root / "originals" / "slow.jpg").exists(), 5, "original moved to originals/", w)
    time.sleep(0.6)  # a second pass would show up now
    assert w.log().count("ready instagram/post") == 1, w.log()
    assert (root / SLOT / "copying.jpg.part").exists()
    assert w.stop() == 0
    assert " stop " in w.log()


@pytest.mark.parametrize("mode", MODES)
def test_fifty_files_dropped_at_once_all_arrive(tmp_path, running, jpeg, mode):
    w = running(*MODES[mode])
    root = w.root
    staged = tmp_path / "staged"
    staged.mkdir()
    for i in range(50):
        (staged / f"p{i:02d}.jpg").write_bytes(variant(jpeg, i))
    for p in staged.iterdir():  # one rename each: all appear within milliseconds
        os.replace(p, root / SLOT / p.name)
    want = [f"p{i:02d}.jpg" for i in range(50)]
    wait_for(lambda: ready_files(root) == want, 45, "all 50 files in ready/", w, step=0.1)
    wait_for(lambda: not any((root / SLOT).iterdir()), 10, "drop folder emptied", w)
    assert sorted(p.name for p in (root / "originals").iterdir()) == want
    assert w.log().count(" ready ") == 50
    assert w.stop() == 0


@pytest.mark.parametrize("mode", MODES)
def test_corrupt_file_goes_to_failed_with_a_reason(tmp_path, running, jpeg, mode):
    w = running(*MODES[mode], "--jobs", "1")
    root = w.root
    fx.make_text_as_jpg(tmp_path / "bad.jpg")
    os.replace(tmp_path / "bad.jpg", root / SLOT / "bad.jpg")
    fx.make_truncated_jpeg(tmp_path / "cut.jpg", (1300, 1300), keep=0.3)
    os.replace(tmp_path / "cut.jpg", root / SLOT / "cut.jpg")
    drop(root, "good.jpg", jpeg)  # the watcher keeps going around the bad ones
    wait_for(lambda: (root / "failed" / "bad.jpg.txt").exists() and (root / "failed" / "cut.jpg.txt").exists(),
             10, "reason files in failed/", w)
    wait_for(lambda: ready_files(root) == ["good.jpg"], 10, "good.jpg in ready/", w)
    reason = (root / "failed" / "bad.jpg.txt").read_text()
    assert "bad.jpg" in reason and "could not be prepared" in reason and "not a picture" in reason
    assert (root / "failed" / "bad.jpg").exists() and (root / "failed" / "cut.jpg").exists()
    assert not (root / SLOT / "bad.jpg").exists()
    assert "failed instagram-post/bad.jpg -> failed/bad.jpg" in w.log()
    assert w.stop() == 0


@pytest.mark.parametrize("mode", MODES)
def test_sigkill_mid_batch_then_restart_prepares_everything_exactly_once(tmp_path, running, jpeg, mode):
    root = tmp_path / "hot"
    (root / SLOT).mkdir(parents=True)
    names = [f"k{i:02d}.jpg" for i in range(24)]
    staged = tmp_path / "staged"
    staged.mkdir()
    for i, n in enumerate(names):
        (staged / n).write_bytes(variant(jpeg, 100 + i))
    fx.make_text_as_jpg(staged / "broken.jpg")
    w = running(*MODES[mode], root=root)
    for p in sorted(staged.iterdir()):
        os.replace(p, root / SLOT / p.name)
    wait_for(lambda: len(ready_files(root)) >= 3, 20, "the batch under way", w, step=0.01)
    w.kill()  # SIGKILL: no chance to tidy up
    assert len(ready_files(root)) < len(names), "the batch finished before the kill: make it bigger"
    out_dir = root / "ready" / "instagram-post"
    at_kill = {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir() if p.is_file()}

    w2 = running(*MODES[mode], root=root)
    wait_for(lambda: not any((root / SLOT).iterdir()), 45, "drop folder emptied after restart", w2, step=0.1)
    assert w2.stop() == 0
    assert ready_files(root) == names, "every file in ready/ exactly once, under its own name (no k00-2.jpg)"
    assert sorted(p.name for p in (root / "originals").iterdir()) == names
    assert sorted(p.name for p in (root / "failed").iterdir()) == ["broken.jpg", "broken.jpg.txt"]
    assert not list(root.rglob("*.assetkit-tmp*"))
    st = hot.status(root)
    assert st["counts"] == {"done": len(names), "failed": 1}
    # prepared once: an output written before the kill is never written again, even when the kill
    # came before the journal recorded it (the restart finds it up to date by its recipe)
    for n, mtime in at_kill.items():
        assert (out_dir / n).stat().st_mtime_ns == mtime, f"{n} was prepared again after the restart"


@pytest.mark.parametrize("mode", MODES)
def test_redrop_same_name_and_config_reload(tmp_path, running, jpeg, mode):
    w = running(*MODES[mode], "--jobs", "1")
    root = w.root
    drop(root, "a.jpg", variant(jpeg, 1))
    wait_for(lambda: (root / "originals" / "a.jpg").exists(), 10, "a.jpg prepared", w)

    # identical content again: recognised, reported, moved to originals/ with a note, not re-prepared
    drop(root, "a.jpg", variant(jpeg, 1))
    wait_for(lambda: (root / "originals" / "a-2.jpg.txt").exists(), 10, "duplicate note", w)
    assert "already prepared" in (root / "originals" / "a-2.jpg.txt").read_text()
    assert "duplicate instagram-post/a.jpg" in w.log()
    assert ready_files(root) == ["a.jpg"]

    # same name, new content: prepared, under a unique name; the original keeps that name in originals/
    # (a-2 went to the duplicate above, so this is a-3 in both folders)
    drop(root, "a.jpg", variant(jpeg, 2))
    wait_for(lambda: ready_files(root) == ["a-3.jpg", "a.jpg"], 10, "a-3.jpg in ready/", w)
    wait_for(lambda: (root / "originals" / "a-3.jpg").exists(), 10, "originals/a-3.jpg", w)

    # too small: failed; then assetkit.toml allows upscaling, and the same file dropped again is retried
    small = fx.make_photo(tmp_path / "small.jpg", (500, 500)).read_bytes()
    drop(root, "small.jpg", small)
    wait_for(lambda: (root / "failed" / "small.jpg.txt").exists(), 10, "small.jpg failed", w)
    note = (root / "failed" / "small.jpg.txt").read_text()
    assert "500x500" in note and "1080x1080" in note and "Use a larger original" in note
    assert "--" not in note, "notes speak plain language, never command-line flags"
    (root / "assetkit.toml").write_text("[prepare]\nallow_upscale = true\nquality = 80\n")
    drop(root, "small.jpg", small)
    wait_for(lambda: "small.jpg" in ready_files(root), 10, "small.jpg prepared after the config change", w)
    assert "config assetkit.toml re-read" in w.log()
    assert w.stop() == 0


def test_once_and_status(tmp_path, jpeg, capsys):
    root = tmp_path / "hot"
    (root / SLOT).mkdir(parents=True)
    drop(root, "good.jpg", jpeg)
    fx.make_text_as_jpg(root / SLOT / "bad.jpg")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-c", "from assetkit.cli import run; run()", "watch", str(root)]
    done = subprocess.run(cmd + ["--for", "instagram/post", "--settle", "0.2", "--once", "--jobs", "1"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ready instagram/post instagram-post/good.jpg -> ready/instagram-post/good.jpg" in done.stdout
    assert "report report.html (2 files)" in done.stdout and " stop 1 file ready, 0 to review, 1 failed" in done.stdout
    assert main(["watch", str(root), "--status"]) == 0
    text = capsys.readouterr().out
    assert "1 done, 1 failed" in text and "good.jpg" in text and "not a picture" in text
    assert main(["watch", str(root), "--status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"done": 1, "failed": 1}
    assert data["done"][0]["output"].endswith("ready/instagram-post/good.jpg")
    assert data["failed"][0]["name"] == "bad.jpg"
    # every batch leaves the contact sheet beside the folders (latest, and one per batch)
    page = (root / "report.html").read_text()
    assert "good.jpg" in page and "bad.jpg" in page and "Needs a person" in page
    assert len(list((root / "reports").glob("batch-*.html"))) == 1


def test_sigterm_mid_batch_finishes_in_flight_files_and_exits_0(tmp_path, running, jpeg):
    w = running()
    root = w.root
    names = [f"t{i:02d}.jpg" for i in range(20)]
    staged = tmp_path / "staged"
    staged.mkdir()
    for i, n in enumerate(names):
        (staged / n).write_bytes(variant(jpeg, 300 + i))
    for n in names:
        os.replace(staged / n, root / SLOT / n)
    wait_for(lambda: len(ready_files(root)) >= 2, 20, "the batch under way", w, step=0.01)
    assert w.stop(signal.SIGTERM) == 0, w.log()
    assert "stopping SIGTERM" in w.log() and " stop " in w.log()
    assert not list(root.rglob("*.assetkit-tmp*"))
    # each file is either finished (output + original moved) or untouched in the drop folder
    done = ready_files(root)
    assert sorted(p.name for p in (root / "originals").iterdir()) == done
    assert sorted(p.name for p in (root / SLOT).iterdir()) == sorted(set(names) - set(done))
    # the rest on the next start (--once: what is there, then exit)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rest = subprocess.run([sys.executable, "-c", "from assetkit.cli import run; run()", "watch", str(root),
                           "--for", "instagram/post", "--settle", "0.2", "--once"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert rest.returncode == 0, rest.stdout + rest.stderr
    assert ready_files(root) == names


# ------------------------------------------------------------------ the hot folder for people (issue 12)


@pytest.mark.parametrize("mode", MODES)
def test_folders_made_by_hand_are_watched_and_unknown_names_get_a_note(tmp_path, running, jpeg, mode):
    w = running(*MODES[mode], "--jobs", "1")
    root = w.root
    small = fx.make_photo(tmp_path / "small.jpg", (900, 400)).read_bytes()
    # settings nobody can type: enlarging allowed for the cover folder only
    (root / "assetkit.toml").write_text('[folder."facebook-cover"]\nallow_upscale = true\n')
    (root / "Facebook Cover").mkdir()          # made by hand while the watcher runs, as a person types it
    (root / "Facebook Cover" / "cover.jpg").write_bytes(jpeg)
    (root / "Facebook Cover" / "small.jpg").write_bytes(small)
    wait_for(lambda: sorted(p.name for p in (root / "ready" / "facebook-cover").glob("*.jpg")) == ["cover.jpg", "small.jpg"]
             if (root / "ready" / "facebook-cover").is_dir() else False, 20, "the hand-made folder's files ready", w)
    assert Image.open(root / "ready" / "facebook-cover" / "cover.jpg").size == (851, 315)
    assert "folder Facebook Cover/ is watched too" in w.log()
    drop(root, "small.jpg", small)           # the same picture in instagram-post/: no setting there, too small
    # originals/small.jpg is the cover's: this drop is small-2 wherever it goes
    wait_for(lambda: (root / "failed" / "small-2.jpg.txt").exists(), 10, "small.jpg failed in instagram-post/", w)
    assert "Use a larger original" in (root / "failed" / "small-2.jpg.txt").read_text()

    (root / "instagarm").mkdir()
    (root / "instagarm" / "typo.jpg").write_bytes(variant(jpeg, 7))
    wait_for(lambda: (root / "failed" / "typo.jpg.txt").exists(), 15, "a note for the unknown folder", w)
    note = (root / "failed" / "typo.jpg.txt").read_text()
    assert "Did you mean instagram/?" in note and "\n  facebook-cover/ " in note and "\n  instagram-post/ " in note
    assert (root / "failed" / "typo.jpg").exists() and not (root / "instagarm" / "typo.jpg").exists()
    for n in root.glob("failed/*.txt"):
        assert "--" not in n.read_text(), f"{n.name} speaks of command-line flags"
    assert w.stop() == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_fifo_or_a_link_to_dev_zero_never_blocks_the_watcher_and_sigterm_stops_it(tmp_path, running, jpeg, mode):
    """15.2: a FIFO used to hang the watcher (which then ignored SIGTERM); a link to /dev/zero made it
    hash for ever. Both go to failed/ with a note, unread; the watcher goes on; SIGTERM stops it."""
    w = running(*MODES[mode], "--jobs", "1")
    root = w.root
    os.mkfifo(root / SLOT / "pipe.jpg")
    (root / SLOT / "zero.jpg").symlink_to("/dev/zero")
    drop(root, "good.jpg", jpeg)
    wait_for(lambda: ready_files(root) == ["good.jpg"], 15, "good.jpg ready beside the FIFO", w)
    wait_for(lambda: (root / "failed" / "pipe.jpg.txt").exists() and (root / "failed" / "zero.jpg.txt").exists(),
             10, "notes for the FIFO and the link", w)
    assert "named pipe" in (root / "failed" / "pipe.jpg.txt").read_text()
    assert "device" in (root / "failed" / "zero.jpg.txt").read_text()
    assert (root / "failed" / "zero.jpg").is_symlink(), "the link itself was moved, nothing read through it"
    t0 = time.monotonic()
    assert w.stop(signal.SIGTERM, timeout=10) == 0, w.log()  # the timeout is the test: it raises
    assert time.monotonic() - t0 < 10


def test_sigterm_stops_a_watcher_that_meets_a_fifo_mid_scan(tmp_path, running):
    """The FIFO appears while the watcher runs and nothing else is there: SIGTERM still stops it at once."""
    w = running("--jobs", "1")
    os.mkfifo(w.root / SLOT / "late.mov")
    wait_for(lambda: (w.root / "failed" / "late.mov.txt").exists(), 10, "the FIFO's note", w)
    os.mkfifo(w.root / SLOT / "later.mov")
    time.sleep(0.5)
    assert w.stop(signal.SIGTERM, timeout=10) == 0, w.log()


def test_a_250_byte_file_name_is_prepared_not_stuck(tmp_path, jpeg):
    """15.12: a very long name no longer leaves the file in the drop folder, erroring at every start:
    the output, the original in originals/ or failed/ and the note all fit the 255-byte limit."""
    root = tmp_path / "hot"
    (root / SLOT).mkdir(parents=True)
    long = "é" * 100 + "x" * 42          # 242 bytes + ".jpg"
    drop(root, long + ".jpg", jpeg)
    fx.make_photo(root / SLOT / (long[:-1] + "s.jpg"), (500, 500))  # too small: goes to failed/ with a note
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-c", "from assetkit.cli import run; run()", "watch", str(root), "--for", "instagram/post",
           "--settle", "0.2", "--once", "--jobs", "1"]
    for _ in range(2):  # a second start finds nothing left to do
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0 and " error " not in done.stdout, done.stdout + done.stderr
    assert not any((root / SLOT).iterdir()), "nothing stuck in the drop folder"
    (out,) = (root / "ready" / SLOT).iterdir()
    (orig,) = (root / "originals").iterdir()
    assert out.stem == orig.stem and "~" in out.stem and out.name.startswith("é" * 50)
    assert Image.open(out).size == (1080, 1080)
    failed = sorted(p.name for p in (root / "failed").iterdir())
    assert len(failed) == 2 and failed[1] == failed[0] + ".txt"
    assert all(len(p.name.encode()) <= 255 for p in root.rglob("*"))
    assert "Use a larger original" in (root / "failed" / failed[1]).read_text()


def _pids_with(text: str) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and text in (d / "cmdline").read_bytes().decode(errors="replace"):
                out.append(int(d.name))
        except OSError:
            pass
    return out


def _sleep_in_a_child(marker: str) -> int:
    """A job that outlives any grace time, the way an ffmpeg encode does: a child process that waits."""
    return subprocess.run([sys.executable, "-c", "import time; time.sleep(120)", marker]).returncode


def test_after_a_stop_busy_workers_and_their_children_are_ended_after_the_grace_time(tmp_path):
    """15.2: SIGTERM always stops the watcher within seconds. A job still running when the grace time
    is over has its worker and the worker's children (ffmpeg) ended; its file stays queued."""
    import io
    import threading

    from assetkit.watch.watcher import _pool

    root = tmp_path / "hot"
    root.mkdir()
    w = hot.Watcher(root, hot.drops_for("instagram/post", load_presets()), hot.Settings(root, {}, lambda *a: None),
                    settle=0, jobs=2, grace=0.5, out=io.StringIO())
    w.executor = _pool(2)
    marker = f"assetkit-test-{time.monotonic_ns()}"
    fut = w.executor.submit(_sleep_in_a_child, marker)
    wait_for(lambda: _pids_with(marker), 20, "the job's child process")
    workers = list(w.executor._processes)
    w.busy_batch = True
    reaper = threading.Thread(target=w._reaper, daemon=True)
    reaper.start()
    t0 = time.monotonic()
    w.stop.set()
    reaper.join(10)
    assert not reaper.is_alive()
    wait_for(lambda: not _pids_with(marker), 5, "the child ended")
    with pytest.raises(Exception):
        fut.result(timeout=10)
    assert time.monotonic() - t0 < 10 and w.aborted
    assert "still busy after 0.5 s: ended" in w.out.getvalue()
    for pid in workers:
        wait_for(lambda: not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2],
                 5, f"worker {pid} ended")
    w.executor.shutdown(wait=True)
    w.journal.close()


def test_slots_from_presets_get_their_folders_and_their_safe_areas_in_the_report(tmp_path, jpeg):
    """--presets DIR: its slots are drop folders (made by hand, too), and the batch report draws their
    safe areas (report.write(..., presets=the library the watcher runs with))."""
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "acme.toml").write_text('''schema_version = 1
platform = "acme"
title = "Acme"

[defaults]
photo = "banner"

[slots.banner]
kind = "photo"
title = "Banner"
source = "platform default: a test slot"

[[slots.banner.variants]]
name = "wide"
width = 1000
height = 500
source = "platform default: a test slot"

[[slots.banner.safe_areas]]
name = "mobile"
width = 600
height = 300
always_visible = true
source = "platform default: a test slot"
''')
    root = tmp_path / "hot"
    (root / "acme-banner").mkdir(parents=True)      # made by hand for the custom slot
    (root / "acme-banner" / "wide.jpg").write_bytes(jpeg)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", "from assetkit.cli import run; run()", "watch", str(root),
                           "--for", "instagram/post", "--presets", str(presets), "--settle", "0.2", "--once",
                           "--jobs", "1"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert Image.open(root / "ready" / "acme-banner" / "wide.jpg").size == (1000, 500)
    assert "safe areas mobile 600×300" in (root / "report.html").read_text()


def test_a_video_in_a_photo_only_folder_goes_to_failed_with_where_to_put_it(tmp_path, jpeg):
    from assetkit.video import ffmpeg_exe

    root = tmp_path / "hot"
    (root / "facebook-cover").mkdir(parents=True)
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=320x240:rate=10", "-t", "1", "-pix_fmt", "yuv420p",
                    str(root / "facebook-cover" / "clip.mp4")], check=True, timeout=60)
    (root / "facebook-cover" / "cover.jpg").write_bytes(jpeg)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", "from assetkit.cli import run; run()", "watch", str(root),
                           "--for", "instagram/post", "--settle", "0.2", "--once", "--jobs", "1"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "ready" / "facebook-cover" / "cover.jpg").exists()
    note = (root / "failed" / "clip.mp4.txt").read_text()
    assert "clip.mp4 is a video, but facebook-cover/ takes photos only" in note and "facebook/, facebook-video/" in note
    assert (root / "failed" / "clip.mp4").exists() and "--" not in note
