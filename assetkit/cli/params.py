"""The one option table: every option of prepare, check, preview and watch is declared here once.

A command names the options it takes (``command(app, "prepare", PREPARE)``); its function receives
them as keyword arguments. Defaults shown in --help come from ``Options``, the allowed values from
the choice tables in ``options.py``: nothing is restated here.
"""
from __future__ import annotations

import inspect
import textwrap
from dataclasses import MISSING, dataclass
from pathlib import Path
from typing import Annotated, Any, List, Optional

import typer
from typer.core import TyperArgument, TyperCommand

from .. import options as _options

OUTPUT, CROP, CREDIT, VIDEO, RUN = "Output", "Crop and size", "Credit, logo and consent", "Video", "Run"


def _default(field: str) -> str:
    value = _options.Options.__dataclass_fields__[field].default
    if value is MISSING or value is None:
        return ""
    text = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
    return f" Default: {text}."


@dataclass(frozen=True)
class Opt:
    decls: tuple[str, ...]       # "--out", "-o"; a flag pair for booleans ("--x/--no-x")
    type: Any
    help: str
    panel: str = RUN
    metavar: str | None = None
    field: str | None = None     # the Options field it sets: its default is shown, config may fill it
    default: Any = None          # None: not given (assetkit.toml or Options decide)
    envvar: str | None = None

    def parameter(self, name: str) -> inspect.Parameter:
        said = "default" in self.help.lower()   # the choice table's help already names it
        help_ = self.help + (_default(self.field) if self.field and self.default is None and not said else "")
        if self.default not in (None, False):
            help_ += f" Default: {self.default}."
        info = typer.Option(*self.decls, help=help_, metavar=self.metavar, rich_help_panel=self.panel,
                            show_default=False, envvar=self.envvar)
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=self.default,
                                 annotation=Annotated[self.type, info])


_POS = _options.Position.listing()
S, I, F, B, P = Optional[str], Optional[int], Optional[float], Optional[bool], Optional[Path]
TABLE: dict[str, Opt] = {
    # output
    "out_dir": Opt(("--out", "-o"), Path, "Output folder.", OUTPUT, "FOLDER", default=Path("prepared")),
    "flat": Opt(("--flat",), bool, "Put the slot in the file name instead of a folder per slot.", OUTPUT, default=False),
    "force": Opt(("--force",), bool, "Redo outputs that are already up to date.", OUTPUT, default=False),
    "dry_run": Opt(("--dry-run",), bool, "Print what would be written and how, write nothing.", OUTPUT, default=False),
    "report_path": Opt(("--report",), P, "Also write a report: FILE.json or FILE.html.", OUTPUT, "FILE"),
    "as_json": Opt(("--json",), bool, "Print JSON for programs instead of the table.", OUTPUT, default=False),
    # crop and size
    "crop": Opt(("--crop",), S, f"How to choose the crop. {_options.CropMode.help()}. --focus wins.", CROP,
                "MODE", "crop"),
    "focus": Opt(("--focus",), S, "Keep this point in the crop: X,Y as fractions of the picture, e.g. 0.3,0.4.",
                 CROP, "X,Y", "focus"),
    "variant": Opt(("--variant",), S, "Use this size of the slot (see: assetkit presets show SLOT).", CROP, "NAME",
                   "variant"),
    "allow_upscale": Opt(("--allow-upscale/--no-allow-upscale",), B,
                         "Enlarge pictures smaller than the slot (with a warning).", CROP, field="allow_upscale"),
    "allow_partial": Opt(("--allow-partial/--no-allow-partial",), B, "Use a cut-off (truncated) picture anyway: "
                         "marked needs-review.", CROP, field="allow_partial"),
    "quality": Opt(("--quality",), I, "JPEG quality 1-100 (lowered to meet a byte limit).", CROP, "N", "quality"),
    "max_pixels": Opt(("--max-pixels",), I, "Refuse pictures with more pixels (decompression bombs).", CROP, "N",
                      "max_pixels"),
    "keep_location": Opt(("--keep-location/--no-keep-location",), B, "Keep GPS and other location data in outputs.",
                         CROP, field="keep_location"),
    # credit, logo, consent
    "credit": Opt(("--credit",), S, 'Credit for every file, or a template filled from metadata: '
                  '"Photo: {artist} / IOM".', CREDIT, "TEXT", "credit"),
    "manifest": Opt(("--manifest",), P, "CSV or JSON, one row per file: file, credit, source, consent, caption, "
                    "alt, focus.", CREDIT, "FILE", "manifest"),
    "visible_credit": Opt(("--visible-credit/--no-visible-credit",), B,
                          "Draw the credit on the picture (it is always in the metadata).", CREDIT,
                          field="visible_credit"),
    "credit_position": Opt(("--credit-position",), S, f"Corner for the credit: {_POS}.", CREDIT, "CORNER",
                           "credit_position"),
    "font": Opt(("--font",), P, "TrueType/OpenType font for the credit.", CREDIT, "FILE", "font"),
    "logo": Opt(("--logo",), P, "Logo to put on every picture (transparency is kept).", CREDIT, "FILE", "logo"),
    "logo_scale": Opt(("--logo-scale",), F, "Logo width as a share of the picture's width.", CREDIT, "SHARE",
                      "logo_scale"),
    "logo_opacity": Opt(("--logo-opacity",), F, "Logo opacity, 0-1.", CREDIT, "SHARE", "logo_opacity"),
    "logo_position": Opt(("--logo-position",), S, f"Corner for the logo: {_POS}.", CREDIT, "CORNER",
                         "logo_position"),
    "require_consent": Opt(("--require-consent/--no-require-consent",), B,
                           "A visible face needs consent=yes (or not-needed) in the manifest; otherwise the "
                           "output goes to needs-review/.", CREDIT, field="require_consent"),
    "blur_faces_without_consent": Opt(("--blur-faces-without-consent/--no-blur-faces-without-consent",), B,
                                      "Blur faces that have no consent record.", CREDIT,
                                      field="blur_faces_without_consent"),
    # video
    "fit": Opt(("--fit",), S, f"Fit a video to the slot's shape. {_options.Fit.help()}. Default: smart when "
               "the clip must be cut (landscape for a story, taller than 4:5), else pad.", VIDEO, "MODE", "fit"),
    "trim": Opt(("--trim",), S, "Cut a video: START-END in seconds or HH:MM:SS, or auto (the slot's limit).",
                VIDEO, "START-END", "trim"),
    "loudness": Opt(("--loudness/--no-loudness",), B, "Even out the sound level (EBU R128).", VIDEO,
                    field="loudness"),
    "subtitles": Opt(("--subtitles",), P, "Burn in subtitles from an .srt file.", VIDEO, "FILE", "subtitles"),
    # run
    "jobs": Opt(("--jobs", "-j"), I, "How many files at once (default: one per CPU core).", RUN, "N"),
    "dask": Opt(("--dask",), S, "Run on the Dask cluster at this address (also ASSETKIT_DASK); workers must see "
                "the same paths.", RUN, "ADDRESS", envvar="ASSETKIT_DASK"),
    "presets": Opt(("--presets",), Optional[List[Path]], "A folder of extra presets that add or change slots "
                   "(also ASSETKIT_PRESETS; may be repeated).", RUN, "FOLDER"),
    "config": Opt(("--config",), P, "Settings file (default: assetkit.toml in the working folder).", RUN, "FILE"),
    # the hot folder
    "settle": Opt(("--settle",), float, "How long a file must stay unchanged before it is used.", RUN, "SECONDS",
                  default=2.0),
    "poll": Opt(("--poll",), F, "Look every SECONDS instead of waiting for events (network shares).", RUN, "SECONDS"),
    "once": Opt(("--once",), bool, "Prepare what is there now, then stop.", RUN, default=False),
    "status": Opt(("--status",), bool, "Say what is queued, done and failed, then stop (--json: as JSON).", RUN,
                  default=False),
}

SLOTS_HELP = "Platform (instagram: its default slots) or slots, comma-separated: instagram/post,facebook/cover."
ARG_PATHS = Annotated[List[Path], typer.Argument(metavar="FILE_OR_FOLDER", show_default=False,
                                                  help="Photos, videos or folders (searched inside).")]

_CROP = ["crop", "focus", "variant", "allow_upscale", "allow_partial"]
_CREDIT = ["credit", "manifest", "visible_credit", "credit_position", "font", "logo", "logo_scale",
           "logo_opacity", "logo_position", "require_consent", "blur_faces_without_consent"]
PREPARE = ["out_dir", "flat", "force", "dry_run", "report_path", "as_json", *_CROP, "quality", "max_pixels",
           "keep_location", *_CREDIT, "fit", "trim", "loudness", "subtitles", "jobs", "dask", "presets", "config"]
CHECK = ["report_path", "as_json", *_CROP, "max_pixels", "credit", "manifest", "require_consent", "jobs",
         "presets", "config"]
PREVIEW = [*_CROP, *_CREDIT, "presets", "config"]
WATCH = ["settle", "poll", "once", "status", "as_json", "crop", "variant", "allow_upscale", "quality", "max_pixels", "keep_location", "jobs", "presets"]


def fields(names, values: dict) -> dict:
    """The Options fields given on the command line (None: not given), Paths as text."""
    return {TABLE[n].field: (str(values[n]) if isinstance(values[n], Path) else values[n])
            for n in names if TABLE[n].field}


class Command(TyperCommand):
    """Plain-text help: options grouped by panel (output, crop, credit, video, run), no Python types,
    lines broken only between words (click breaks at hyphens: bottom-|right)."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        return ["[OPTIONS]"] + [f"{p.metavar or p.name.upper()}" + ("..." if p.nargs == -1 else "")
                                for p in self.get_params(ctx) if isinstance(p, TyperArgument)]

    def format_options(self, ctx, formatter) -> None:
        groups: dict[str, list] = {}
        for p in self.get_params(ctx):
            if isinstance(p, TyperArgument):
                name = (p.metavar or p.name.upper()) + ("..." if p.nargs == -1 else "")
                groups.setdefault("Arguments", []).append((name, p.help or ""))
            elif (record := p.get_help_record(ctx)):
                groups.setdefault(getattr(p, "rich_help_panel", None) or "Options", []).append(record)
        width = formatter.width - formatter.current_indent - 2
        for panel, rows in groups.items():
            with formatter.section(panel):
                col = min(max(len(name) for name, _ in rows), 24) + 2
                for name, text in rows:
                    lines = textwrap.wrap(text, max(20, width - col), break_on_hyphens=False) or [""]
                    if len(name) + 2 > col:
                        formatter.write_text(name)
                        lines = [" " * col + line for line in lines]
                    else:
                        lines = [f"{name:<{col}}{lines[0]}"] + [" " * col + line for line in lines[1:]]
                    for line in lines:
                        formatter.write(" " * formatter.current_indent + line + "\n")


def command(app: typer.Typer, name: str, names: list[str], *, lead: list[inspect.Parameter], examples: str,
            short: str):
    """Register ``fn`` as ``name`` taking the ``lead`` parameters and the table's ``names``."""

    def register(fn):
        params = lead + [TABLE[n].parameter(n) for n in names]
        fn.__signature__ = inspect.Signature(params)
        fn.__annotations__ = {p.name: p.annotation for p in params}
        epilog = "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in examples.strip().splitlines())
        return app.command(name, cls=Command, epilog=epilog, short_help=short)(fn)

    return register


def lead(name: str, annotation, default=inspect.Parameter.empty, type_=None) -> inspect.Parameter:
    """A parameter before the table's options (the paths argument, --for, a command's own options)."""
    if type_ is not None:
        annotation = Annotated[type_, annotation]
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


def slots_option(help_: str, required: bool = True):
    return Annotated[Optional[str] if not required else str,
                     typer.Option("--for", "-f", help=help_, metavar="PLATFORM_OR_SLOTS", show_default=False)]
