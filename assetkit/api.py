"""The library's front door: everything the CLI and the hot folder do is reachable from here."""
from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from PIL import Image

from . import preflight
from .batch import BatchResult, JobResult, collect_jobs, run_batch
from .errors import MediaError, UsageError
from .model import Job, Status, decide_status
from .options import Options
from .presets import KINDS, PresetLibrary, Slot, load_presets

if TYPE_CHECKING:
    from .plan import PhotoPlan


def _slots(slots: str | Iterable[str] | Iterable[Slot], presets: PresetLibrary | None,
           kinds=KINDS) -> list[Slot]:
    if not isinstance(slots, str):
        slots = list(slots)
        if slots and all(isinstance(s, Slot) for s in slots):
            return slots  # type: ignore[return-value]
    return (presets or load_presets()).resolve(slots, kinds)  # type: ignore[arg-type]


def _paths(paths) -> list:
    single = (str, os.PathLike, bytes, bytearray, memoryview, Image.Image)
    return [paths] if isinstance(paths, single) or hasattr(paths, "read") else list(paths)


def prepare(paths: str | os.PathLike | Iterable[str | os.PathLike], slots: str | Iterable[str] = "instagram", *,
            out_dir: str | os.PathLike = "prepared", presets: PresetLibrary | None = None,
            executor: Executor | None = None, jobs: int | None = None,
            on_result: Callable[[JobResult], None] | None = None,
            on_progress: Callable[[str, str, float, float], None] | None = None,
            keep_results: bool | None = True, on_start: Callable[[int], None] | None = None,
            **options) -> BatchResult:
    """Prepare every photo and video under ``paths`` for ``slots``; write to ``out_dir``.

    ``options`` are the fields of :class:`assetkit.plan.Options` (crop, focus, variant, allow_upscale,
    quality, force, dry_run, flat, ...). ``executor`` may be any concurrent.futures.Executor (a Dask
    ``Client.get_executor()`` included); by default a process pool with ``jobs`` workers.
    ``keep_results=False`` keeps only the results that failed in the returned BatchResult (counts and
    exit status still cover every file): stream the others through ``on_result``, e.g. into a
    ``report.ReportWriter``, so memory stays flat however large the batch; ``None``: all of them up to
    ``batch.LARGE_BATCH`` files, only the failed ones beyond. ``on_start(n)`` hears how many files
    there are before the first one starts (a progress bar's total).
    """
    opts = Options(out_dir=str(out_dir), **options)
    slot_list = _slots(slots, presets)
    preflight.check_run(_paths(paths), slot_list, opts, writes=not opts.dry_run)
    job_list = collect_jobs(_paths(paths), slot_list, opts)
    if on_start:
        on_start(len(job_list))  # the files to do (outputs inside an input folder are not among them)
    notes = _manifest_findings(opts, job_list)
    result = run_batch(job_list, executor=executor, n_jobs=jobs, on_result=on_result,
                       out_dir=None if opts.dry_run else str(out_dir), on_progress=on_progress,
                       keep_results=keep_results)
    result.findings += notes
    return result


def _manifest_findings(opts: Options, job_list) -> list:
    """Load (and so validate) the manifest before any work; rows naming no file are reported."""
    if not opts.manifest:
        return []
    from .checks import finding
    from .rights import load_manifest

    manifest = load_manifest(opts.manifest)
    rels = [(Path(j.rel_stem).parent / Path(j.path).name).as_posix() for j in job_list]
    return [finding("manifest-unknown-row", f"{Path(manifest.path).name} row {r.line}: {r.file} is not among "
                    "the files given") for r in manifest.unknown(rels)]


def check(paths, slots: str | Iterable[str] = "instagram", *, presets: PresetLibrary | None = None,
          executor: Executor | None = None, jobs: int | None = None,
          on_result: Callable[[JobResult], None] | None = None, keep_results: bool | None = True,
          on_start: Callable[[int], None] | None = None, **options) -> BatchResult:
    """Report what ``prepare`` would find, without writing anything: the same plans, findings and crops.

    ``paths``: a file or folder path, a picture's bytes, a binary file object, a PIL image, or a list
    of any of these. Bytes and file objects are checked from a private temporary copy (named after
    the file object's ``name`` when it has one) and reported under that name; PIL images are checked
    in memory (reported as ``<memory>``). ``options`` are those of ``prepare``; ``keep_results`` and
    ``on_start`` as for :func:`prepare`."""
    import tempfile

    opts = Options(**options).with_(dry_run=True)
    items = _paths(paths)
    images = [x for x in items if isinstance(x, Image.Image)]
    data = [x for x in items if isinstance(x, (bytes, bytearray, memoryview)) or hasattr(x, "read")]
    files = [x for x in items if not isinstance(x, Image.Image) and x not in data]
    slot_list = _slots(slots, presets)
    from contextlib import nullcontext

    # a private copy only for bytes and file objects: paths are read where they are
    with tempfile.TemporaryDirectory(prefix="assetkit-check-") if data else nullcontext() as tmp:
        labels = _spool(data, Path(tmp)) if data else {}
        preflight.check_run(files, slot_list, opts, writes=False)
        job_list = collect_jobs([*files, *labels], slot_list, opts, mode="check")
        if on_start:
            on_start(len(job_list) + len(images))
        notes = _manifest_findings(opts, job_list)

        def relabel(r: JobResult) -> None:
            r.source = labels.get(Path(r.source), r.source)
            if on_result:
                on_result(r)

        result = run_batch(job_list, executor=executor, n_jobs=jobs, on_result=relabel if labels else on_result,
                           keep_results=keep_results)
    for r in result.results:
        r.source = labels.get(Path(r.source), r.source)
    if images:
        from collections import Counter

        from .batch import tally
        from .image.pipeline import run_image

        counts = Counter(result.counts())
        for im in images:
            r = run_image(im, Job("<memory>", "memory", tuple(slot_list), opts, "check"))
            tally([r], counts)
            if on_result:
                on_result(r)
            if keep_results is not False or r.failed:
                result.results.append(r)
            result.any_failed = bool(result.any_failed) or r.failed
            result.files = (result.files or 0) + 1
        result.tally = counts
    result.findings += notes
    return result


def _spool(data, tmp: Path) -> dict:
    """Each bytes value or file object into its own file under ``tmp``: {path: the name reported}."""
    labels = {}
    for i, item in enumerate(data, 1):
        name = getattr(item, "name", None)
        label = str(name) if isinstance(name, str) and name else f"<bytes {i}>"
        safe = Path(str(name)).name if isinstance(name, str) and name else f"picture-{i}"
        body = item.read() if hasattr(item, "read") else bytes(item)
        if not isinstance(body, bytes):
            raise UsageError(f"{label}: check() needs a binary file object (open(..., 'rb')), not text")
        (tmp / str(i)).mkdir()
        path = tmp / str(i) / safe
        path.write_bytes(body)
        labels[path] = label
    return labels


@dataclass
class PreparedImage:
    """What ``prepare_image`` made: the picture, what was found, the plan it followed.

    ``image``: the output pixels at the slot's exact size (sRGB; RGB for JPEG plans, RGBA kept for
    a transparent graphic); ``findings``: about the picture and this slot, as ``check`` reports them;
    ``plan``: the :class:`~assetkit.plan.PhotoPlan` (crop, size, format, credit, ...);
    ``encode()``: the file's bytes, within the slot's byte limit, carrying the credit metadata.
    """

    image: Image.Image
    plan: "PhotoPlan"
    findings: list
    status: "Status"

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    @property
    def format(self) -> str:
        """``jpeg`` or ``png``: what ``encode()`` writes."""
        return self.plan.format

    def encode(self) -> bytes:
        """The encoded file (JPEG or PNG as planned): under the slot's byte limit (quality searched,
        then downscaled if needed), with the credit in EXIF Artist/Copyright and XMP, the caption, alt
        text and the recipe; no location or private tags. Raises MediaError when it cannot fit."""
        if self._data is None:
            from .image.pipeline import encode_plan

            enc = encode_plan(self.image, self.plan)
            if enc is None:
                raise MediaError(self.plan.source, "size-limit",
                                 f"could not bring {self.plan.slot} under {self.plan.max_bytes / 1e6:g} MB")
            self._data = enc.data
        return self._data

    _data: bytes | None = field(default=None, repr=False)


def prepare_image(image: Image.Image, slot: str | Slot = "instagram", *, presets: PresetLibrary | None = None,
                  **options) -> PreparedImage:
    """Prepare an in-memory PIL image for one slot, through the same plan as ``prepare``.

    ``slot`` is a slot id (``"instagram/post"``) or a platform name (``"instagram"``: its default
    photo slot). ``options`` are the fields of :class:`assetkit.Options` (crop, focus, variant,
    allow_upscale, credit, logo, blur_faces_without_consent, ...). EXIF orientation in
    ``image.getexif()`` is honoured; the credit, logo and blurred faces are drawn as ``prepare``
    draws them (no manifest in memory). The caller's image is not changed.

    Returns a :class:`PreparedImage`: ``.image``, ``.findings``, ``.plan`` and ``.encode()`` for the
    bytes. Raises UsageError when no output can be made (too small unless ``allow_upscale=True``).
    """
    from .image import pipeline

    s = _one_photo_slot(slot, presets)
    opts = Options(**options)
    work = pipeline.plan_source(Job(pipeline.MEMORY, "memory", (s,), opts, "check"), image)
    try:
        [plan] = work.plans or [None]
        if plan is None or not plan.writes:
            raise UsageError(_no_output_message(plan, work, s))
        img = pipeline.produce(work, plan)
        findings = [*work.result.findings, *plan.findings]
        return PreparedImage(img, plan, findings, decide_status(findings, written=True, held=plan.held))
    finally:
        work.close()


def _one_photo_slot(slot, presets) -> Slot:
    if isinstance(slot, Slot):
        return slot
    found = [s for s in (presets or load_presets()).resolve(slot, ("photo",)) if s.takes("photo")]
    if len(found) != 1:
        raise UsageError(f"slot {slot!r}: prepare_image makes one photo output; name one photo slot "
                         f"(e.g. 'instagram/post')")
    return found[0]


def _no_output_message(plan, work, slot) -> str:
    """A library error in parameters, not CLI flags."""
    if plan is None:
        return "; ".join(f.message for f in work.result.findings) or f"{slot.id} takes no photos"
    msgs = []
    for f in plan.findings:
        m = f.message
        if f.code == "too-small":
            m = m.split(": it would have to be enlarged")[0] + (
                ": it would have to be enlarged (too-small). Use a larger image, or allow_upscale=True")
        msgs.append(m)
    return "; ".join(msgs)


def preview(path: str | os.PathLike, slot: str | Slot, out_path: str | os.PathLike | None = None, *,
            presets: PresetLibrary | None = None, **options) -> Image.Image:
    """The picture prepared for ``slot`` (as ``prepare`` would make it: the same plan, manifest and
    credit included) with each device's visible area (or the profile circle) drawn on it; written to
    ``out_path`` (PNG) when given. ``options`` are those of ``prepare`` (the CLI passes the resolved
    assetkit.toml). Raises UsageError when the slot would get no output."""
    from .fsutil import write_atomic
    from .image import pipeline
    from .image.overlay import draw_overlay

    s = _one_photo_slot(slot, presets)
    opts = Options(**options)
    p = Path(path)
    work = pipeline.plan_source(Job(str(p), p.stem, (s,), opts, "check"))
    try:
        [plan] = work.plans or [None]
        if plan is None or not plan.writes:
            raise UsageError(_no_output_message(plan, work, s))
        img = pipeline.produce(work, plan)
    finally:
        work.close()
    shown = draw_overlay(img, s)
    if out_path is not None:
        import io

        buf = io.BytesIO()
        shown.save(buf, "PNG")
        write_atomic(out_path, buf.getvalue())
    return shown


__all__ = ["preview", "prepare", "check", "prepare_image", "PreparedImage", "load_presets", "Options", "BatchResult",
           "flatten", "to_srgb"]


def __getattr__(name: str):
    """``flatten`` and ``to_srgb`` (library helpers) come with numpy: imported when first asked for,
    so a batch's main process, which only lists and hands out jobs, does not pay for numpy."""
    if name in ("flatten", "to_srgb"):
        from .image import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
