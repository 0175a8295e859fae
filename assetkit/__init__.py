"""assetkit: prepare photos and videos for an organisation's social media accounts.

It crops and resizes to each platform's sizes (the 2016 social media guidelines), converts to sRGB,
draws or embeds the credit, strips GPS and other private metadata, and says what still needs a
person. The same engine serves the ``assetkit`` command, the hot folder and this library.

Start here::

    import assetkit

    # a folder (or files) for one or more platforms or slots; outputs go to prepared/<platform>-<slot>/
    result = assetkit.prepare(["photos/"], "instagram,facebook/cover", out_dir="prepared")
    print(result.counts())                      # Counter({'ready': 3, 'fixed': 2})

    # what prepare would find, writing nothing
    for r in assetkit.check("photo.jpg", "twitter/post").results:
        for f in r.all_findings:
            print(f.severity, f.code, f.message)

    # an image in memory (PIL) for one slot
    img = assetkit.prepare_image(pil_image, "instagram/post", credit="Photo: A. Person")

    # a post's text against the platform's caption rules
    findings = assetkit.lint_caption("Meet Amina #WorldRefugeeDay", "twitter")

    assetkit.load_presets().slots                # every slot, with its sizes and guideline section

Errors: ``UsageError`` (a bad slot, option or path; exit status 2 on the command line) and
``PresetError`` (a broken preset file) are both ``AssetkitError``. A bad file is never an
exception: it is a ``Finding`` on that file's ``JobResult``.

Names are imported on first use (PEP 562), so ``import assetkit`` stays cheap: OpenCV, numpy,
PyAV and ffmpeg are loaded only when a photo or video is actually prepared.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "prepare": "api", "check": "api", "prepare_image": "api", "preview": "api",
    "BatchResult": "batch", "InlineExecutor": "batch", "run_batch": "batch",
    "Job": "model", "JobResult": "model", "SlotResult": "model", "Status": "model",
    "Finding": "model", "Severity": "model",
    "CODES": "checks",
    "AssetkitError": "errors", "UsageError": "errors", "PresetError": "errors", "MediaError": "errors",
    "ExitStatus": "errors",
    "MediaInfo": "media", "identify": "media", "sniff": "media",
    "Options": "options",
    "Plan": "plan", "make_plan": "plan",
    "PresetLibrary": "presets", "Slot": "presets", "load_presets": "presets",
    "lint_caption": "captions",
}
_RENAMED = {"lint_caption": "lint"}   # exported under a name that says what it lints

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    """Import the module that defines ``name`` on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:  # a submodule (assetkit.batch, assetkit.report): imported as before
        try:
            return import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'assetkit' has no attribute {name!r}") from None
    value = getattr(import_module(f".{module}", __name__), _RENAMED.get(name, name))
    globals()[name] = value   # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and IDEs; never executed
    from .api import check, prepare, prepare_image, preview  # noqa: F401
    from .batch import BatchResult, InlineExecutor, run_batch  # noqa: F401
    from .captions import lint as lint_caption  # noqa: F401
    from .checks import CODES  # noqa: F401
    from .errors import AssetkitError, ExitStatus, MediaError, PresetError, UsageError  # noqa: F401
    from .media import MediaInfo, identify, sniff  # noqa: F401
    from .model import Finding, Job, JobResult, Severity, SlotResult, Status  # noqa: F401
    from .options import Options  # noqa: F401
    from .plan import Plan, make_plan  # noqa: F401
    from .presets import PresetLibrary, Slot, load_presets  # noqa: F401
