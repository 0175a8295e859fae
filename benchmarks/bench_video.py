"""Video wrapper overhead and probe speed.

Generates a 1080p 30 s clip (testsrc2 + sine), then in one run times
  direct:  the exact ffmpeg argv ``build_command`` makes for youtube/video, run with subprocess
  wrapper: ``prepare_video(..., youtube/video)`` (probe, validate, build, run with progress
           parsing, atomic rename, re-probe, poster frame)
and reports the wrapper overhead (target < 5%) and probe time per file (target < 50 ms).

    python benchmarks/bench_video.py [--seconds 30] [--preset veryfast] [--repeat 2] [--keep DIR]

Both sides use the same x264 preset (default veryfast, so the run takes a minute, not ten; the
overhead is a fixed cost, so a slower preset only makes the percentage smaller).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assetkit.presets import load_presets  # noqa: E402
from assetkit.video import (build_command, ffmpeg_exe, poster_frame, prepare_video, probe,  # noqa: E402
                            validate)


def cpu_seconds() -> float:
    """CPU time of this process (all threads) plus its finished children (ffmpeg): unlike wall
    time, it does not grow when other jobs share the machine."""
    t = time.process_time()
    if os.name == "posix":
        import resource

        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        t += r.ru_utime + r.ru_stime
    return t


def make_clip(dst: Path, seconds: int) -> Path:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
                    "-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=30:d={seconds}",
                    "-f", "lavfi", "-i", f"sine=f=440:d={seconds}",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(dst)], check=True)
    return dst


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--preset", default="veryfast", help="x264 preset for both sides")
    ap.add_argument("--repeat", type=int, default=2, help="interleaved runs of each side")
    ap.add_argument("--keep", type=Path, help="work in this folder instead of a temporary one")
    args = ap.parse_args(argv)
    slot = load_presets().get("youtube/video")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        src = make_clip(work / "src_1080p.mp4", args.seconds)
        print(f"ffmpeg: {ffmpeg_exe()}")
        print(f"source: {src.name}, {args.seconds} s 1920x1080 30 fps + AAC, x264 preset {args.preset}")

        probe(src)  # warm-up: first av.open loads the codec tables
        wall, cpu = [], []
        for _ in range(30):
            t, c = time.perf_counter(), time.process_time()
            probe(src)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        print(f"probe: median {statistics.median(wall):.1f} ms wall ({statistics.median(cpu):.1f} ms CPU), "
              f"max {max(wall):.1f} ms per file (target < 50 ms)")

        info = probe(src)
        cmd = build_command(src, work / "direct.mp4", info, slot, x264_preset=args.preset)
        runs = {"direct": [], "wrapper": []}
        py_cpu = []  # CPU prepare_video spends in Python: probes, progress parsing, bookkeeping
        # Interleaved and repeated; wall time on a shared machine varies more than the overhead
        # being measured, so CPU seconds (this process + ffmpeg) are reported beside it.
        for _ in range(args.repeat):
            t, c = time.perf_counter(), cpu_seconds()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            runs["direct"].append((time.perf_counter() - t, cpu_seconds() - c))
            t, c, py = time.perf_counter(), cpu_seconds(), time.process_time()
            res = prepare_video(src, slot, work / "wrapped.mp4", x264_preset=args.preset,
                                on_progress=lambda s: None)
            runs["wrapper"].append((time.perf_counter() - t, cpu_seconds() - c))
            py_cpu.append(time.process_time() - py)
            assert res.output is not None, res.findings
        # The wrapper's own work, timed alone: everything prepare_video does besides the encode.
        t = time.perf_counter()
        validate(probe(src), slot)
        build_command(src, work / "x.mp4", info, slot, x264_preset=args.preset)
        out = probe(res.output)
        poster_frame(res.output, work / "poster.jpg", at=1.0, duration=out.duration)
        fixed = time.perf_counter() - t
        for name, rs in runs.items():
            print(f"{name:8s} wall {', '.join(f'{w:.2f}' for w, _ in rs)} s; "
                  f"CPU {', '.join(f'{c:.2f}' for _, c in rs)} s")
        dw, dc = min(w for w, _ in runs["direct"]), min(c for _, c in runs["direct"])
        ww, wc = min(w for w, _ in runs["wrapper"]), min(c for _, c in runs["wrapper"])
        print(f"output: {res.info.width}x{res.info.height} {res.info.video_codec}/{res.info.audio_codec}, "
              f"{res.info.duration:.2f} s")
        print(f"wrapper overhead (best vs best): CPU {(wc - dc) / dc * 100:+.1f}%, wall {(ww - dw) / dw * 100:+.1f}% "
              f"(target < 5%)")
        print(f"wrapper fixed work (probe, validate, build, re-probe, poster): {fixed * 1000:.0f} ms "
              f"= {fixed / dw * 100:.1f}% of the encode; Python CPU inside prepare_video: "
              f"{min(py_cpu) * 1000:.0f} ms")
        if os.name == "posix":
            print(f"load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores "
                  f"(wall numbers above this core count are contention, not assetkit)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
