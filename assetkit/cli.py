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
from .batch import BatchResult, dask_executor
from .model import JobResult, Status
from .checks import Severity
from .errors import AssetkitError, ExitStatus
from .options import parse_focus
from .presets import load_presets

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Prepare photos and videos for social media: check them against the platform rules, "
                       "crop, resize, strip private metadata, and say what still needs a person.")
# Wide enough for paths when piped to a file or CI log (rich assumes 80 columns there)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)

FOR_HELP = "Platform (instagram = its default slots) or slots, comma-separated: instagram/post,facebook/cover."
PRESETS_HELP = "Extra preset folder(s) that add or override slots (also ASSETKIT_PRESETS)."
CREDIT_HELP = 'Credit for every file, or a template filled from metadata: "Photo: {artist} / IOM".'
MANIFEST_HELP = "CSV or JSON with one row per file: file, credit, source, consent, caption, alt, focus."
CONFIG_HELP = "Organisation defaults (default: assetkit.toml in the input folder or the working folder)."
CONSENT_HELP = "A visible face without consent=yes/not-needed is an error; the output goes to OUT/needs-review/."


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
        self.encodes: dict = {}
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="file", file=sys.stderr, dynamic_ncols=True,
                            disable=None if not os.environ.get("ASSETKIT_PROGRESS") else False)

    def __call__(self, r: JobResult):
        if self.bar:
            self.bar.set_postfix_str(Path(r.source).name[:30], refresh=False)
            self.bar.update(1)

    def encoding(self, source: str, slot: str, done: float, total: float):
        """A second bar per video encode, in seconds of the clip (from ffmpeg's -progress)."""
        if not self.bar or self.bar.disable:
            return
        from tqdm import tqdm

        key = (source, slot)
        bar = self.encodes.get(key)
        if bar is None:
            bar = self.encodes[key] = tqdm(total=round(total, 1), desc=f"{Path(source).name[:24]} {slot}",
                                           unit="s", file=sys.stderr, leave=False, position=len(self.encodes),
                                           bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} s")
        bar.n = round(min(done, total), 1)
        bar.refresh()
        if done >= total:
            bar.close()
            del self.encodes[key]

    def close(self):
        for bar in self.encodes.values():
            bar.close()
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
    crop: Optional[str] = typer.Option(None, help="smart (default: faces and saliency) or centre. --focus wins."),
    focus: Optional[str] = typer.Option(None, help="Focus point X,Y as fractions of the picture, e.g. 0.3,0.4."),
    variant: Optional[str] = typer.Option(None, help="Force a slot variant (e.g. landscape-4x3)."),
    allow_upscale: Optional[bool] = typer.Option(None, "--allow-upscale/--no-allow-upscale",
                                                 help="Enlarge pictures smaller than the slot (with a warning). Default: no."),
    quality: Optional[int] = typer.Option(None, help="JPEG quality, default 85 (lowered automatically to meet a byte limit)."),
    max_pixels: Optional[int] = typer.Option(None, help="Refuse pictures with more pixels (decompression bombs). Default 250000000."),
    keep_location: Optional[bool] = typer.Option(None, "--keep-location/--no-keep-location",
                                                 help="Keep GPS/location in outputs. Default: no (privacy by default)."),
    fit: Optional[str] = typer.Option(None, help="Video: pad (default), crop or blur to the slot's aspect."),
    trim: Optional[str] = typer.Option(None, help="Video: START-END (seconds or HH:MM:SS) or auto (the slot's limit)."),
    loudness: Optional[bool] = typer.Option(None, "--loudness/--no-loudness",
                                            help="Video: normalise loudness (EBU R128, two-pass). Default: no."),
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
    credit: Optional[str] = typer.Option(None, help=CREDIT_HELP),
    manifest: Optional[Path] = typer.Option(None, help=MANIFEST_HELP),
    visible_credit: Optional[bool] = typer.Option(None, "--visible-credit/--no-visible-credit",
                                                  help="Draw the credit on the picture (it is always in the metadata)."),
    credit_position: Optional[str] = typer.Option(None, help="bottom-right (default), bottom-left, top-right, top-left."),
    font: Optional[Path] = typer.Option(None, help="TrueType/OpenType font for the credit (default: Pillow's bundled font)."),
    logo: Optional[Path] = typer.Option(None, help="Logo watermark (transparent PNG respected)."),
    logo_scale: Optional[float] = typer.Option(None, help="Logo width as a share of the output width (default 0.15)."),
    logo_opacity: Optional[float] = typer.Option(None, help="Logo opacity 0-1 (default 0.8)."),
    logo_position: Optional[str] = typer.Option(None, help="top-right (default), top-left, bottom-right, bottom-left."),
    require_consent: Optional[bool] = typer.Option(None, "--require-consent/--no-require-consent", help=CONSENT_HELP),
    blur_faces: Optional[bool] = typer.Option(None, "--blur-faces-without-consent/--no-blur-faces-without-consent",
                                              help="Blur faces without a consent record beyond recognition."),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
) -> int:
    """Prepare files for one or more slots: crop, resize, sRGB, strip private metadata, fit byte limits."""
    lib = _library(presets)
    options = _rights(paths, config, credit=credit, manifest=manifest, visible_credit=visible_credit,
                      credit_position=credit_position, font=font, logo=logo, logo_scale=logo_scale,
                      logo_opacity=logo_opacity, logo_position=logo_position, require_consent=require_consent,
                      blur_faces_without_consent=blur_faces, crop=crop, focus=parse_focus(focus), variant=variant,
                      allow_upscale=allow_upscale, quality=quality, max_pixels=max_pixels,
                      keep_location=keep_location, fit=fit, trim=trim, loudness=loudness)
    n_files = _count_files(paths)
    progress = _Progress(n_files, not as_json and not dry_run, "preparing")
    writer = report.ReportWriter(report_path) if report_path else None
    try:
        with dask_executor(dask) if dask else nullcontext() as executor:
            result = api.prepare(
                paths, lib.resolve(slots), out_dir=out_dir, presets=lib, jobs=jobs, executor=executor,
                on_result=_each(progress, writer), keep_results=as_json or n_files <= LARGE_BATCH,
                on_progress=progress.encoding if progress.bar and not progress.bar.disable and not dask else None,
                subtitles=str(subtitles) if subtitles else None, force=force, dry_run=dry_run, flat=flat, **options)
    finally:
        progress.close()
    if writer:
        writer.finish(result)
    return _finish(result, as_json, report_path, dry_run=dry_run)


@app.command()
def check(
    paths: List[Path] = typer.Argument(..., help="Photos, videos or folders (searched recursively)."),
    slots: str = typer.Option(..., "--for", "-f", help=FOR_HELP),
    crop: Optional[str] = typer.Option(None, help="smart (default) or centre (used to judge safe areas)."),
    focus: Optional[str] = typer.Option(None, help="Focus point X,Y as fractions."),
    variant: Optional[str] = typer.Option(None, help="Judge against this variant."),
    allow_upscale: Optional[bool] = typer.Option(None, "--allow-upscale/--no-allow-upscale",
                                                 help="Judge as prepare --allow-upscale would."),
    max_pixels: Optional[int] = typer.Option(None, help="Refuse pictures with more pixels. Default 250000000."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Parallel jobs (default: CPU cores)."),
    report_path: Optional[Path] = typer.Option(None, "--report", help="Write a report: FILE.json or FILE.html."),
    as_json: bool = typer.Option(False, "--json", help="Print findings as JSON."),
    presets: Optional[List[Path]] = typer.Option(None, "--presets", help=PRESETS_HELP),
    credit: Optional[str] = typer.Option(None, help=CREDIT_HELP),
    manifest: Optional[Path] = typer.Option(None, help=MANIFEST_HELP),
    require_consent: Optional[bool] = typer.Option(None, "--require-consent/--no-require-consent", help=CONSENT_HELP),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
) -> int:
    """Check files against the slots' rules and print every finding; writes nothing."""
    lib = _library(presets)
    options = _rights(paths, config, credit=credit, manifest=manifest, require_consent=require_consent,
                      crop=crop, focus=parse_focus(focus), variant=variant, allow_upscale=allow_upscale,
                      max_pixels=max_pixels)
    writer = report.ReportWriter(report_path) if report_path else None
    result = api.check(paths, lib.resolve(slots), presets=lib, jobs=jobs, on_result=_each(writer),
                       keep_results=as_json or _count_files(paths) <= LARGE_BATCH, **options)
    if writer:
        writer.finish(result)
    if not as_json:
        _print_batch_findings(result)
        for r in result.results:
            _print_findings(r)
    return _finish(result, as_json, report_path, check=True)


@app.command()
def preview(
    path: Path = typer.Argument(..., help="A photo."),
    slot: str = typer.Option(..., "--for", "-f", help="One slot, e.g. youtube/channel-art or instagram/profile."),
    out_path: Path = typer.Option(Path("preview.png"), "--out", "-o", help="Where to write the PNG."),
    crop: str = typer.Option("smart", help="smart or centre."),
    focus: Optional[str] = typer.Option(None, help="Focus point X,Y as fractions."),
    allow_upscale: bool = typer.Option(False, help="Enlarge a picture smaller than the slot."),
    presets: Optional[List[Path]] = typer.Option(None, "--presets", help=PRESETS_HELP),
) -> int:
    """Draw what each device shows: safe areas of channel art, the circle of a profile picture."""
    lib = _library(presets)
    api.preview(path, lib.get(slot), out_path, presets=lib, crop=crop, focus=parse_focus(focus),
                allow_upscale=allow_upscale)
    out.print(f"preview: {out_path}")
    return 0


def _rights(paths, config_path, **flags) -> dict:
    """Options from assetkit.toml, overridden by the flags given on the command line (not None).

    Only the options this command takes are returned; the rest of the file is for other commands."""
    from . import config

    found = config.find_config(paths, config_path)
    base = config.load_config(found) if found else {}
    flags = {k: str(v) if isinstance(v, Path) else v for k, v in flags.items()}
    merged = config.merge(base, flags)
    from dataclasses import fields

    from .options import Options

    allowed = {f.name for f in fields(Options)} & set(flags)
    return {k: v for k, v in merged.items() if k in allowed and v is not None}


@app.command()
def caption(
    text: str = typer.Argument(..., help='The caption, e.g. "Meet Amina #WorldRefugeeDay". Use - to read stdin.'),
    platforms: str = typer.Option(..., "--for", "-f", help="twitter, facebook, instagram (comma-separated)."),
    as_json: bool = typer.Option(False, "--json", help="Print findings as JSON."),
) -> int:
    """Lint a post's text against the guidelines; exit 1 when a rule is broken (warnings pass)."""
    from . import captions
    from .errors import UsageError

    if text == "-":
        text = sys.stdin.read()
    wanted = [p.strip().split("/")[0] for p in platforms.split(",") if p.strip()]
    bad = [p for p in wanted if p not in captions.PLATFORMS]
    if bad:
        raise UsageError(f"--for {bad[0]!r}: caption rules exist for {', '.join(captions.PLATFORMS)}")
    found = [f for p in wanted for f in captions.lint(text, p)]
    if as_json:
        sys.stdout.write(json.dumps([f.to_dict() for f in found], indent=2) + "\n")
    else:
        for f in found:
            out.print(f"[{SEV_STYLE[f.severity]}]{f.severity:<7}[/] {f.code}: {escape(f.message)}  ({escape(f.section)})",
                      soft_wrap=True)
        if not found:
            out.print(f"ok: {len(text)} characters, no rule broken for {', '.join(wanted)}")
    return int(ExitStatus.FAILED if any(f.severity == Severity.ERROR for f in found) else ExitStatus.OK)


@app.command()
def watch(
    root: Path = typer.Argument(..., help="The hot folder: drop folders, ready/, failed/, ... are made inside it."),
    slots: Optional[str] = typer.Option(None, "--for", "-f", help="Drop folders: platforms (their photo and video "
                                        "defaults) or slots, comma-separated. Default: one folder per platform."),
    settle: float = typer.Option(2.0, help="Seconds a file's size and time must stay the same before it is used."),
    poll: Optional[float] = typer.Option(None, help="Scan every SECONDS instead of waiting for events "
                                         "(network shares, mounted drives)."),
    once: bool = typer.Option(False, "--once", help="Prepare what is there now, then exit (cron, tests)."),
    status: bool = typer.Option(False, "--status", help="Print what the journal holds (queued, done, failed), exit."),
    as_json: bool = typer.Option(False, "--json", help="With --status: print JSON."),
    crop: Optional[str] = typer.Option(None, help="smart or centre (default: assetkit.toml, else smart)."),
    variant: Optional[str] = typer.Option(None, help="Force a slot variant."),
    allow_upscale: Optional[bool] = typer.Option(None, "--allow-upscale/--no-allow-upscale",
                                                 help="Enlarge pictures smaller than the slot."),
    quality: Optional[int] = typer.Option(None, help="JPEG quality (default: assetkit.toml, else 85)."),
    max_pixels: Optional[int] = typer.Option(None, help="Refuse pictures with more pixels."),
    keep_location: Optional[bool] = typer.Option(None, "--keep-location/--no-keep-location",
                                                 help="Keep GPS/location in outputs."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Parallel jobs (default: CPU cores)."),
    presets: Optional[List[Path]] = typer.Option(None, "--presets", help=PRESETS_HELP),
) -> int:
    """Hot folder: drop files into ROOT/<platform>/, collect them from ROOT/ready/. Options also come from
    ROOT/assetkit.toml ([prepare] allow_upscale = true, quality = 80, ...), re-read when it changes."""
    from . import watch as hot

    if status:
        data = hot.status(root)
        if as_json:
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
            return 0
        counts = data["counts"]
        out.print(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "journal is empty")
        for state in (hot.QUEUED, hot.DONE, hot.REVIEW, hot.FAILED_STATE):
            for r in data.get(state, []):
                what = r["output"] or r["reason"] or ""
                out.print(escape(f"{state:<12} {r['slot']:<22} {r['drop']}/{r['name']}  {what}"), soft_wrap=True)
        return 0
    return hot.watch(root, slots, settle=settle, poll=poll, once=once, jobs=jobs, presets=_library(presets),
                     crop=crop, variant=variant, allow_upscale=allow_upscale, quality=quality,
                     max_pixels=max_pixels, keep_location=keep_location)


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

STATUS_STYLE = {Status.READY: "green", Status.FIXED: "green", Status.UP_TO_DATE: "cyan", Status.PLANNED: "blue",
                Status.FAILED: "red", Status.NEEDS_REVIEW: "yellow", Status.SKIPPED: "white"}
SEV_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


def _print_findings(r: JobResult):
    out.print(f"[bold]{r.source}[/bold]")
    if not r.all_findings:
        out.print("  ok: no findings")
    for f in r.all_findings:
        where = escape(f" [{f.slot}]") if f.slot else ""
        sec = f"  ({f.section})" if f.section else ""
        out.print(f"  [{SEV_STYLE[f.severity]}]{f.severity:<7}[/] {f.code}{where}: {escape(f.message)}{escape(sec)}", soft_wrap=True)


def _print_batch_findings(result: BatchResult):
    for f in result.findings:
        out.print(f"[{SEV_STYLE[f.severity]}]{f.severity:<7}[/] {f.code}: {escape(f.message)}", soft_wrap=True)


# Above this many files the CLI keeps only the results that failed (the counts, the exit status and a
# --report still cover every file): the summary table would be unreadable and memory would grow.
LARGE_BATCH = 1000


def _each(*sinks):
    """One on_result callback feeding every sink given (progress bar, report writer)."""
    live = [s for s in sinks if s is not None]

    def feed(r: JobResult):
        for s in live:
            (s.add if hasattr(s, "add") else s)(r)

    return feed


def _finish(result: BatchResult, as_json: bool, report_path: Optional[Path], *, dry_run=False, check=False) -> int:
    """Print the outcome (the report, if asked for, was streamed while the batch ran)."""
    if as_json:
        sys.stdout.write(json.dumps(report.build(result), indent=2, default=str) + "\n")
        return int(result.exit_status)
    if not check:
        _print_batch_findings(result)
    if dry_run:
        _print_plans(result)
    elif not check:
        _print_summary(result)
    counts = result.counts()
    line = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no files"
    out.print(f"\n{line} in {result.seconds:.1f} s" + (f"; outputs in {result.out_dir}/" if counts.get("ready") or counts.get("fixed") or counts.get("needs-review") else ""))
    if report_path:
        out.print(f"report: {Path(report_path).resolve()}")
    if result.interrupted:
        err.print("interrupted: finished files are kept; run the same command again to do the rest")
    return int(result.exit_status)


def _print_summary(result: BatchResult):
    """One row per (file, slot) with the finding codes; then each warning and error spelled out once."""
    t = Table(title="assetkit prepare", show_lines=False)
    for col in ("file", "slot", "status", "output", "findings"):
        t.add_column(col, overflow="fold")
    explain: list[tuple[str, str, object]] = []
    for r in result.results:
        name = _short(r.source)
        src = [f for f in r.findings if f.severity != Severity.INFO]
        explain += [(name, "", f) for f in src]
        src_codes = ", ".join(dict.fromkeys(f.code for f in src))
        if not r.outputs:
            t.add_row(name, "-", f"[{STATUS_STYLE[r.status]}]{r.status}[/]", "-", src_codes or ", ".join(f.code for f in r.findings))
            if not src:
                explain += [(name, "", f) for f in r.findings]
        for o in r.outputs:
            mine = [f for f in o.findings if f.severity != Severity.INFO]
            explain += [(_short(r.source), o.slot, f) for f in mine]
            codes = ", ".join(x for x in (src_codes, ", ".join(dict.fromkeys(f.code for f in mine))) if x)
            t.add_row(name, o.slot, f"[{STATUS_STYLE.get(o.status, 'white')}]{o.status}[/]",
                      _short(o.output) if o.output else "-", codes)
            name, src_codes = "", ""
    out.print(t)
    if not result.complete:
        out.print(f"(a large batch: only the files that need a look are listed, of {result.files} files; "
                  "see the counts below and the --report)")
    if explain:
        out.print("\n[bold]Needs a look[/bold] (errors stop an output; warnings do not):")
        for name, slot, f in explain:
            where = f" [{slot}]" if slot else ""
            out.print(f"  [{SEV_STYLE[f.severity]}]{f.severity}[/] {escape(name + where)}: {f.code}: "
                      f"{escape(f.message)}", soft_wrap=True)


def _short(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def _print_plans(result: BatchResult):
    """--dry-run: per file, per slot, what would be written and how it would be cropped, and why."""
    for r in result.results:
        out.print(f"[bold]{escape(_short(r.source))}[/bold]")
        for f in r.findings:
            out.print(f"  {f.severity}: {f.code}: {escape(f.message)}", soft_wrap=True)
        for o in r.outputs:
            p = o.plan or {}
            c = p.get("crop")
            if o.output and c:
                out.print(f"  {o.slot} -> {escape(_short(o.output))}: {p.get('format')} {p['out_size'][0]}x"
                          f"{p['out_size'][1]} ({p.get('variant')}), crop {c[0]},{c[1]} to {c[2]},{c[3]} "
                          f"({p.get('crop_detail')}), keeps {100 * p.get('kept', 0):.0f}%", soft_wrap=True)
            elif o.output:  # a video: the plan is its findings (fit, trim, ...)
                out.print(f"  {o.slot} -> {escape(_short(o.output))}", soft_wrap=True)
            else:
                out.print(f"  {o.slot}: [red]no output[/red]", soft_wrap=True)
            for f in o.findings:
                out.print(f"    {f.severity}: {f.code}: {escape(f.message)}", soft_wrap=True)


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
