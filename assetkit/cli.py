"""The ``assetkit`` command. It parses, calls the library, and prints; nothing else lives here.

``main(argv) -> int`` runs in-process (tests call it directly); exit codes come from errors.ExitStatus.
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import List, Optional

import typer

try:  # newer typer releases vendor click; older ones depend on it
    from typer import _click as click
except ImportError:  # pragma: no cover
    import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__, api, report
from .batch import FAILED, NEEDS_REVIEW, PLANNED, PREPARED, UP_TO_DATE, CHECKED, BatchResult, JobResult, dask_executor
from .checks import Severity
from .errors import AssetkitError, ExitStatus
from .plan import parse_focus
from .presets import load_presets

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Prepare photos and videos for social media: check them against the platform rules, "
                       "crop, resize, strip private metadata, and say what still needs a person.")
# Wide enough for paths when piped to a file or CI log (rich assumes 80 columns there)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)

FOR_HELP = "Platform (instagram = its default slots) or slots, comma-separated: instagram/post,facebook/cover."
PRESETS_HELP = "Extra preset folder(s) that add or override slots (also ASSETKIT_PRESETS)."


def _library(presets: Optional[List[Path]]):
    return load_presets(presets or [])


def _version(value: bool):
    if value:
        out.print(f"assetkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")):
    pass


class _Progress:
    """tqdm bar on stderr while jobs complete (hidden when stderr is not a terminal or with --json)."""

    def __init__(self, total: int, enabled: bool, desc: str):
        self.bar = None
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="file", file=sys.stderr, dynamic_ncols=True,
                            disable=None if not os.environ.get("ASSETKIT_PROGRESS") else False)

    def __call__(self, r: JobResult):
        if self.bar:
            self.bar.set_postfix_str(Path(r.source).name[:30], refresh=False)
            self.bar.update(1)

    def close(self):
        if self.bar:
            self.bar.close()


def _count_files(paths) -> int:
    from .media import iter_media

    return sum(1 for p in paths if Path(p).exists() for _ in iter_media([p]))


@app.command()
def prepare(
    paths: List[Path] = typer.Argument(..., help="Photos, videos or folders (searched recursively)."),
    slots: str = typer.Option(..., "--for", "-f", help=FOR_HELP),
    out_dir: Path = typer.Option(Path("prepared"), "--out", "-o", help="Output folder."),
    crop: str = typer.Option("smart", help="smart (faces and saliency) or centre. --focus wins over both."),
    focus: Optional[str] = typer.Option(None, help="Focus point X,Y as fractions of the picture, e.g. 0.3,0.4."),
    variant: Optional[str] = typer.Option(None, help="Force a slot variant (e.g. landscape-4x3)."),
    allow_upscale: bool = typer.Option(False, help="Enlarge pictures smaller than the slot (with a warning)."),
    quality: int = typer.Option(85, help="JPEG quality (lowered automatically to meet a byte limit)."),
    max_pixels: int = typer.Option(250_000_000, help="Refuse pictures with more pixels (decompression bombs)."),
    keep_location: bool = typer.Option(False, help="Keep GPS/location in outputs (off: privacy by default)."),
    fit: Optional[str] = typer.Option(None, help="Video: pad, crop or blur to the slot's aspect."),
    trim: Optional[str] = typer.Option(None, help="Video: START-END (seconds or HH:MM:SS) or auto (the slot's limit)."),
    loudness: bool = typer.Option(False, help="Video: normalise loudness (EBU R128, two-pass)."),
    subtitles: Optional[Path] = typer.Option(None, help="Video: burn in subtitles from an .srt file."),
    force: bool = typer.Option(False, help="Redo outputs that are already up to date."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (crop, size, format), write nothing."),
    flat: bool = typer.Option(False, help="Put the slot in the file name instead of a folder per slot."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Parallel jobs (default: CPU cores)."),
    dask: Optional[str] = typer.Option(None, "--dask", envvar="ASSETKIT_DASK",
                                       help="Run on the Dask cluster at this scheduler address (also ASSETKIT_DASK); "
                                            "workers must see the same paths."),
    report_path: Optional[Path] = typer.Option(None, "--report", help="Write a report: FILE.json or FILE.html."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON report to stdout instead of the table."),
    presets: Optional[List[Path]] = typer.Option(None, "--presets", help=PRESETS_HELP),
) -> int:
    """Prepare files for one or more slots: crop, resize, sRGB, strip private metadata, fit byte limits."""
    lib = _library(presets)
    progress = _Progress(_count_files(paths), not as_json and not dry_run, "preparing")
    try:
        with dask_executor(dask) if dask else nullcontext() as executor:
            result = api.prepare(
                paths, lib.resolve(slots), out_dir=out_dir, presets=lib, jobs=jobs, executor=executor,
                on_result=progress, crop=crop, focus=parse_focus(focus), variant=variant,
                allow_upscale=allow_upscale, quality=quality, max_pixels=max_pixels, keep_location=keep_location,
                fit=fit, trim=trim, loudness=loudness, subtitles=str(subtitles) if subtitles else None,
                force=force, dry_run=dry_run, flat=flat)
    finally:
        progress.close()
    return _finish(result, as_json, report_path, dry_run=dry_run)


@app.command()
def check(
    paths: List[Path] = typer.Argument(..., help="Photos, videos or folders (searched recursively)."),
    slots: str = typer.Option(..., "--for", "-f", help=FOR_HELP),
    crop: str = typer.Option("smart", help="smart or centre (used to judge safe areas)."),
    focus: Optional[str] = typer.Option(None, help="Focus point X,Y as fractions."),
    variant: Optional[str] = typer.Option(None, help="Judge against this variant."),
    max_pixels: int = typer.Option(250_000_000, help="Refuse pictures with more pixels."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Parallel jobs (default: CPU cores)."),
    report_path: Optional[Path] = typer.Option(None, "--report", help="Write a report: FILE.json or FILE.html."),
    as_json: bool = typer.Option(False, "--json", help="Print findings as JSON."),
    presets: Optional[List[Path]] = typer.Option(None, "--presets", help=PRESETS_HELP),
) -> int:
    """Check files against the slots' rules and print every finding; writes nothing."""
    lib = _library(presets)
    result = api.check(paths, lib.resolve(slots), presets=lib, jobs=jobs, crop=crop, focus=parse_focus(focus),
                       variant=variant, max_pixels=max_pixels)
    if not as_json:
        for r in result.results:
            _print_findings(r)
    return _finish(result, as_json, report_path, check=True)


presets_app = typer.Typer(help="List the platform presets, or show one slot.", invoke_without_command=True,
                          rich_markup_mode=None)
app.add_typer(presets_app, name="presets")


@presets_app.callback()
def presets_list(ctx: typer.Context,
                 as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
                 presets: Optional[List[Path]] = typer.Option(None, "--presets", help=PRESETS_HELP)) -> int:
    """List every slot: size, variants, limits and the guideline section they come from."""
    if ctx.invoked_subcommand:
        return 0
    lib = _library(presets)
    if as_json:
        out.print_json(json.dumps({sid: report.slot_dict(s) for sid, s in sorted(lib.slots.items())}))
        return 0
    t = Table(title="assetkit presets (2016 social media guidelines)", show_lines=False)
    for col in ("slot", "kind", "size / variants", "limits", "source"):
        t.add_column(col, overflow="fold")
    for sid in sorted(lib.slots):
        s = lib.slots[sid]
        default = " (default)" if sid in lib.defaults.get(s.platform, {}).values() else ""
        t.add_row(sid + default, s.kind, report.variants_text(s), report.limits_text(s), s.source)
    out.print(t)
    return 0


@presets_app.command("show")
def presets_show(slot: str = typer.Argument(..., help="A slot id such as instagram/post."),
                 as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
                 presets: Optional[List[Path]] = typer.Option(None, "--presets", help=PRESETS_HELP)) -> int:
    """Show one slot with every number and where it comes from."""
    lib = _library(presets)
    s = lib.get(slot)
    d = report.slot_dict(s)
    if as_json:
        out.print_json(json.dumps(d))
        return 0
    out.print(f"[bold]{s.id}[/bold]  {s.title} ({s.kind})  from {s.file}")
    out.print(f"  source: {s.source}")
    for v in s.variants:
        auto = "" if v.auto else "  (only with --variant)"
        out.print(f"  variant {v.name}: {v.width}x{v.height}{auto}\n      source: {v.source}")
    for key in ("shown", "aspect", "min_size", "preferred_size", "max_size"):
        dim = getattr(s, key)
        if dim:
            out.print(f"  {key.replace('_', ' ')}: {dim}\n      source: {dim.source}")
    for key in ("max_bytes", "max_duration"):
        val = getattr(s, key)
        if val:
            out.print(f"  {key.replace('_', ' ')}: {val.value}\n      source: {val.source}")
    for a in s.safe_areas:
        tag = "  (always visible: the subject goes here)" if a.always_visible else ""
        out.print(f"  safe area {a.name}: {a.width}x{a.height} centred{tag}\n      source: {a.source}")
    if s.mask:
        out.print(f"  mask: {s.mask}\n      source: {s.mask_source}")
    if s.codecs:
        out.print(f"  codecs: {s.codecs.video}/{s.codecs.audio} in {s.codecs.container}\n      source: {s.codecs.source}")
    return 0


# ------------------------------------------------------------------------------------ printing

STATUS_STYLE = {PREPARED: "green", UP_TO_DATE: "cyan", PLANNED: "blue", CHECKED: "blue", FAILED: "red",
                NEEDS_REVIEW: "yellow"}
SEV_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


def _print_findings(r: JobResult):
    out.print(f"[bold]{r.source}[/bold]")
    if not r.all_findings:
        out.print("  ok: no findings")
    for f in r.all_findings:
        where = escape(f" [{f.slot}]") if f.slot else ""
        sec = f"  ({f.section})" if f.section else ""
        out.print(f"  [{SEV_STYLE[f.severity]}]{f.severity:<7}[/] {f.code}{where}: {f.message}{sec}")


def _finish(result: BatchResult, as_json: bool, report_path: Optional[Path], *, dry_run=False, check=False) -> int:
    data = report.build(result)
    if report_path:
        report.write(data, report_path)
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
        return int(result.exit_status)
    if dry_run:
        _print_plans(result)
    elif not check:
        _print_summary(result)
    counts = result.counts()
    line = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no files"
    out.print(f"\n{line} in {result.seconds:.1f} s" + (f"; outputs in {result.out_dir}/" if counts.get(PREPARED) else ""))
    if report_path:
        out.print(f"report: {report_path}")
    if result.interrupted:
        err.print("interrupted: finished files are kept; run the same command again to do the rest")
    return int(result.exit_status)


def _print_summary(result: BatchResult):
    t = Table(title="assetkit prepare", show_lines=False)
    for col in ("file", "slot", "status", "output", "notes"):
        t.add_column(col, overflow="fold")
    for r in result.results:
        name = _short(r.source)
        src_notes = "; ".join(f"{f.code}: {f.message}" for f in r.findings if f.severity != Severity.INFO)
        if not r.outputs:
            t.add_row(name, "-", f"[red]{FAILED}[/]", "-", src_notes or "; ".join(f.message for f in r.findings))
        for o in r.outputs:
            notes = "; ".join(f"{f.code}: {f.message}" for f in o.findings if f.severity != Severity.INFO)
            t.add_row(name, o.slot, f"[{STATUS_STYLE.get(o.status, 'white')}]{o.status}[/]",
                      o.output or "-", "; ".join(x for x in (src_notes, notes) if x))
            name, src_notes = "", ""
    out.print(t)


def _short(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def _print_plans(result: BatchResult):
    for r in result.results:
        out.print(f"[bold]{r.source}[/bold]")
        for f in r.findings:
            out.print(f"  {f.severity}: {f.code}: {f.message}")
        for o in r.outputs:
            p = o.plan or {}
            if o.output:
                c = p.get("crop")
                out.print(f"  {o.slot} -> {o.output}: {p.get('format')} {p['out_size'][0]}x{p['out_size'][1]} "
                          f"({p.get('variant')}), crop {c[0]},{c[1]} to {c[2]},{c[3]} ({p.get('crop_detail')}), "
                          f"keeps {100 * p.get('kept', 0):.0f}%")
            for f in o.findings:
                out.print(f"    {f.severity}: {f.code}: {f.message}")


# ---------------------------------------------------------------------------------- entry points


def main(argv: Optional[List[str]] = None) -> int:
    """Run the CLI in-process; returns the exit status instead of exiting."""
    cmd = typer.main.get_command(app)
    try:
        rv = cmd.main(args=argv, prog_name="assetkit", standalone_mode=False)
    except typer.Exit as e:
        return e.exit_code
    except click.exceptions.UsageError as e:
        e.show()
        return ExitStatus.USAGE
    except typer.Abort:
        err.print("interrupted")
        return ExitStatus.INTERRUPTED
    except KeyboardInterrupt:
        err.print("interrupted")
        return ExitStatus.INTERRUPTED
    except AssetkitError as e:
        sys.stderr.write(f"assetkit: error: {e}\n")  # unwrapped: scripts grep it
        return e.exit_status
    return int(rv or 0)


def run() -> None:  # console script
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    # SIGTERM (kill, systemd, CI timeouts) stops like Ctrl-C: finish files in flight, leave nothing partial
    signal.signal(signal.SIGTERM, stop)
    sys.exit(main())
