"""The ``assetkit`` commands: parse, call the library, print. ``main(argv) -> int`` runs in-process."""
from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import List, Optional

import typer
from typer import _click as click  # typer vendors click

from .. import __version__
from ..errors import AssetkitError, ExitStatus
from ..model import Status
from . import params as P
from . import render as R

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Prepare photos and videos for social media: check them against the platform rules, "
                       "crop, resize, strip private metadata, and say what still needs a person.",
                  epilog="\b\nExamples:\n  assetkit prepare photos/ --for instagram\n"
                         "  assetkit check photos/ --for facebook/cover,twitter/post\n"
                         "  assetkit presets\n  assetkit COMMAND --help")


def _version(value: bool):
    if value:
        R.echo(f"assetkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")):
    pass


def _library(presets):
    from ..presets import load_presets

    return load_presets(presets or [])


def _resolve(names, values: dict, paths=()) -> dict:
    """Options from defaults < assetkit.toml < flags (config.resolve); says which file was read."""
    from .. import config

    flags = P.fields(names, values)
    resolved = config.resolve(flags, config=values.get("config"), paths=paths, cwd=Path.cwd(), only=set(flags))
    if resolved.path:
        R.echo(f"config: {R.short(resolved.path)}", err=True)
    for note in resolved.privacy_notes:
        R.echo(note, err=True)
    for p in resolved.ignored:  # 15.5: a config among the photos is never read; say so once
        R.echo(f"not read: {R.short(p)} (assetkit.toml is read from the working folder or --config)", err=True)
    return resolved.options


def _focus(options: dict) -> dict:
    from ..options import parse_focus

    if isinstance(options.get("focus"), str):
        options["focus"] = parse_focus(options["focus"])
    return options


SLOTS = P.slots_option(P.SLOTS_HELP)


@P.command(app, "prepare", P.PREPARE, lead=[P.lead("paths", P.ARG_PATHS), P.lead("slots", SLOTS)],
           short="Make files for the slots: crop, resize, credit, strip private data.", examples="""
assetkit prepare photos/ --for instagram
assetkit prepare photos/ --for facebook/cover,twitter/post -o ready/ --report report.html
assetkit prepare clip.mov --for youtube --trim 0-60
assetkit prepare photos/ --for instagram --dry-run      # show what would be written""")
def prepare(paths, slots, **o) -> int:
    """Prepare files for one or more slots: crop, resize, sRGB, credit, strip private metadata, fit byte limits."""
    from .. import api, report
    from ..batch import dask_executor
    from .progress import Progress

    lib = _library(o["presets"])
    options = _focus(_resolve(P.PREPARE, o, paths))
    options.pop("subtitles", None)
    progress = Progress(not o["as_json"] and not o["dry_run"], "preparing")
    writer = report.ReportWriter(o["report_path"], presets=lib) if o["report_path"] else None
    try:
        with dask_executor(o["dask"]) if o["dask"] else nullcontext() as executor:
            result = api.prepare(
                paths, lib.resolve(slots), out_dir=o["out_dir"], presets=lib, jobs=o["jobs"], executor=executor,
                on_start=progress.start, on_result=_each(progress, writer), keep_results=o["as_json"] or None,
                on_progress=progress.encoding if progress.shows and not o["dask"] else None, force=o["force"], dry_run=o["dry_run"],
                flat=o["flat"], subtitles=str(o["subtitles"]) if o["subtitles"] else None, **options)
    finally:
        progress.close()
    if writer:
        writer.finish(result)
    return _finish(result, {**o, "paths": paths}, dry_run=o["dry_run"], total=progress.total)


@P.command(app, "check", P.CHECK, lead=[P.lead("paths", P.ARG_PATHS), P.lead("slots", SLOTS)],
           short="Say what each slot's rules find; write nothing.", examples="""
assetkit check photos/ --for instagram
assetkit check banner.png --for facebook/cover,youtube/channel-art --report check.html""")
def check(paths, slots, **o) -> int:
    """Check files against the slots' rules and print every finding; writes nothing."""
    from .. import api, report

    lib = _library(o["presets"])
    options = _focus(_resolve(P.CHECK, o, paths))
    writer = report.ReportWriter(o["report_path"], presets=lib) if o["report_path"] else None
    result = api.check(paths, lib.resolve(slots), presets=lib, jobs=o["jobs"], on_result=_each(writer),
                       keep_results=o["as_json"] or None, **options)
    if writer:
        writer.finish(result)
    if not o["as_json"]:
        R.findings(result, "Findings (errors: no output would be made; warnings: made, but look):", info=True)
    return _finish(result, {**o, "paths": paths}, check=True)


@P.command(app, "preview", P.PREVIEW, short="Draw what each device shows of one slot.",
           lead=[P.lead("path", typer.Argument(metavar="PHOTO", help="A photo."), type_=Path),
                 P.lead("slot", P.slots_option("One slot, e.g. youtube/channel-art or instagram/profile.")),
                 P.lead("out_path", typer.Option("--out", "-o", metavar="FILE", help="Where to write the PNG."),
                        Path("preview.png"), Path)], examples="""
assetkit preview banner.jpg --for youtube/channel-art
assetkit preview face.jpg --for instagram/profile -o circle.png""")
def preview(path, slot, out_path=Path("preview.png"), **o) -> int:
    """Draw what each device shows: safe areas of channel art, the circle of a profile picture."""
    from .. import api

    lib = _library(o["presets"])
    options = _focus(_resolve(P.PREVIEW, o, [path]))
    api.preview(path, lib.get(slot), out_path, presets=lib, **options)
    R.echo(f"preview: {out_path}")
    return 0


@app.command(short_help="Check a post's text against the platform's caption rules.",
             epilog="\b\nExamples:\n  assetkit caption \"Meet Amina #WorldRefugeeDay\" --for twitter\n"
                    "  cat post.txt | assetkit caption - --for facebook,instagram")
def caption(
    text: str = typer.Argument(..., metavar="TEXT", help='The caption, or - to read it from stdin.'),
    platforms: str = typer.Option(..., "--for", "-f", metavar="PLATFORMS", help="twitter, facebook, instagram "
                                  "(comma-separated)."),
    as_json: bool = typer.Option(False, "--json", help="Print findings as JSON."),
) -> int:
    """Lint a post's text against the guidelines; exit 1 when a rule is broken (warnings pass)."""
    from .. import captions

    if text == "-":
        text = sys.stdin.read().removesuffix("\n").removesuffix("\r")  # the shell's newline is not the post's
    found = captions.lint_for(text, platforms)
    if as_json:
        sys.stdout.write(json.dumps([f.to_dict() for f in found], indent=2) + "\n")
    else:
        for f in found:
            R.say(f"{f.severity} {f.code}: {f.message}  ({f.section})", 4, 0, str(f.severity))
        if not found:
            R.echo(f"ok: {len(text)} characters, no rule broken for {platforms}")
    return int(ExitStatus.FAILED if any(f.severity.value == "error" for f in found) else ExitStatus.OK)


@P.command(app, "watch", P.WATCH, short="Hot folder: drop files in, collect them prepared.", lead=[
    P.lead("root", typer.Argument(metavar="FOLDER", help="The hot folder: drop folders, ready/, failed/, ... "
                                  "are made inside it."), type_=Path),
    P.lead("slots", P.slots_option("Drop folders: platforms or slots, comma-separated (default: one folder per "
                                   "platform).", required=False), None)], examples="""
assetkit watch ~/Desktop/social
assetkit watch /mnt/share/social --for instagram,facebook/cover --poll 5""")
def watch(root, slots=None, **o) -> int:
    """Hot folder: drop files into FOLDER/<platform>/, collect them from FOLDER/ready/. Settings also come
    from FOLDER/assetkit.toml ([prepare] allow_upscale = true, ...), re-read when it changes."""
    from .. import watch as hot

    if o["status"]:
        data = hot.status(root)
        if o["as_json"]:
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
            return 0
        R.echo(", ".join(f"{n} {k}" for k, n in sorted(data["counts"].items())) or "journal is empty")
        for state in (hot.QUEUED, hot.DONE, hot.REVIEW, hot.FAILED_STATE):
            for r in data.get(state, []):
                R.echo(f"{state:<12} {r['slot']:<22} {r['drop']}/{r['name']}  {r['output'] or r['reason'] or ''}")
        return 0
    return hot.watch(root, slots, settle=o["settle"], poll=o["poll"], once=o["once"], jobs=o["jobs"],
                     presets=_library(o["presets"]), **P.fields([n for n in P.WATCH if P.TABLE[n].field], o))


presets_app = typer.Typer(help="List the platform presets, or show one slot.", invoke_without_command=True,
                          rich_markup_mode=None, epilog="\b\nExamples:\n  assetkit presets\n"
                          "  assetkit presets show instagram/post")
app.add_typer(presets_app, name="presets", short_help="List the platforms' slots, or show one.")
PRESETS = typer.Option(None, "--presets", metavar="FOLDER", help=P.TABLE["presets"].help)
AS_JSON = typer.Option(False, "--json", help="Print JSON.")


@presets_app.callback()
def presets_list(ctx: typer.Context, as_json: bool = AS_JSON, presets: Optional[List[Path]] = PRESETS) -> int:
    """List every slot: size, variants, limits and the guideline section they come from."""
    if ctx.invoked_subcommand:
        return 0
    from .. import report

    lib = _library(presets)
    if as_json:
        R.echo(json.dumps({sid: report.slot_dict(s) for sid, s in sorted(lib.slots.items())}, indent=2, default=str))
        return 0
    R.presets(lib, report.variants_text, report.limits_text)
    return 0


@presets_app.command("show", epilog="\b\nExamples:\n  assetkit presets show instagram/post\n"
                                    "  assetkit presets show youtube/channel-art --json")
def presets_show(slot: str = typer.Argument(..., metavar="SLOT", help="A slot such as instagram/post."),
                 as_json: bool = AS_JSON, presets: Optional[List[Path]] = PRESETS) -> int:
    """Show one slot with every number and where it comes from."""
    from .. import report

    s = _library(presets).get(slot)
    R.echo(json.dumps(report.slot_dict(s), indent=2, default=str)) if as_json else R.slot(s)
    return 0


def _each(*sinks):
    """One on_result callback feeding every sink given (progress bar, report writer)."""
    live = [s for s in sinks if s is not None]

    def feed(r):
        for s in live:
            (s.add if hasattr(s, "add") else s)(r)

    return feed


def _finish(result, o: dict, *, dry_run=False, check=False, total=None) -> int:
    """Print the outcome (the report, if asked for, was streamed while the batch ran)."""
    from .. import report

    if o["as_json"]:
        sys.stdout.write(json.dumps(report.build(result), indent=2, default=str) + "\n")
        return int(result.exit_status)
    if not result.files and not result.interrupted:
        R.echo(f"no photos or videos found in {', '.join(R.short(p) for p in o['paths'])}: nothing to do")
        return int(result.exit_status)
    if dry_run:
        R.plans(result)
    elif not check:
        R.summary(result)
        R.findings(result)
    if not result.complete:
        R.echo("(a large batch: only the files that need a look are listed; the counts below cover them all)")
    written = sum(result.counts().get(str(s), 0) for s in Status if s.written and s is not Status.UP_TO_DATE)
    where = f"; {written} written to {R.short(result.out_dir)}/" if written and not check else ""
    R.echo(f"\n{R.counts(result, check, total)} in {result.seconds:.1f} s{where}")
    if o.get("report_path"):
        R.echo(f"report: {Path(o['report_path']).resolve()}")
    if result.interrupted:
        R.echo("interrupted: the files listed are finished and kept; run the same command again to do the rest",
               err=True)
    return int(result.exit_status)


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
    except (typer.Abort, KeyboardInterrupt):
        R.echo("interrupted", err=True)
        return ExitStatus.INTERRUPTED
    except AssetkitError as e:
        sys.stderr.write(f"assetkit: error: {e}\n")  # unwrapped: scripts grep it
        return e.exit_status
    return int(rv or 0)
