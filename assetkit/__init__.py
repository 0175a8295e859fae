"""assetkit: prepare photos and videos for an organisation's social media accounts.

    import assetkit
    result = assetkit.prepare(["photos/"], "instagram/post,facebook/cover", out_dir="prepared")
    findings = assetkit.check("photo.jpg", "twitter/post")
    img = assetkit.prepare_image(pil_image, "instagram/post")
"""
__version__ = "0.1.0"

from .api import check, prepare, prepare_image, preview  # noqa: E402
from .batch import BatchResult, InlineExecutor, Job, JobResult, SlotResult, run_batch  # noqa: E402
from .checks import CODES, Finding, Severity  # noqa: E402
from .errors import AssetkitError, ExitStatus, MediaError, PresetError, UsageError  # noqa: E402
from .media import MediaInfo, identify, sniff  # noqa: E402
from .options import Options  # noqa: E402
from .plan import Plan, make_plan  # noqa: E402
from .presets import PresetLibrary, Slot, load_presets  # noqa: E402

__all__ = [
    "prepare", "check", "prepare_image", "preview", "load_presets", "identify", "sniff", "make_plan", "run_batch",
    "Options", "Plan", "Slot", "PresetLibrary", "MediaInfo", "Finding", "Severity", "CODES",
    "BatchResult", "JobResult", "SlotResult", "Job", "InlineExecutor",
    "AssetkitError", "UsageError", "PresetError", "MediaError", "ExitStatus",
]
