"""The library's front door: everything the CLI and the hot folder do is reachable from here."""
from __future__ import annotations

import os
from concurrent.futures import Executor
from pathlib import Path
from typing import Callable, Iterable

from PIL import Image

from . import metadata, preflight
from .batch import BatchResult, JobResult, collect_jobs, run_batch
from .errors import UsageError
from .plan import geometry
from .image.load import flatten, normalise_mode, to_srgb
from .image.load import preview as small_upright_copy
from .media import MediaInfo
from .options import Options
from .plan import make_plan
from .presets import PresetLibrary, Slot, load_presets


def _slots(slots: str | Iterable[str] | Iterable[Slot], presets: PresetLibrary | None,
           kinds=("photo", "video")) -> list[Slot]:
    if not isinstance(slots, str):
        slots = list(slots)
        if slots and all(isinstance(s, Slot) for s in slots):
            return slots  # type: ignore[return-value]
    return (presets or load_presets()).resolve(slots, kinds)  # type: ignore[arg-type]


def _paths(paths) -> list:
    return [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)


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
    from .credits import load_manifest

    manifest = load_manifest(opts.manifest)
    rels = [(Path(j.rel_stem).parent / Path(j.path).name).as_posix() for j in job_list]
    return [finding("manifest-unknown-row", f"{Path(manifest.path).name} row {r.line}: {r.file} is not among "
                    "the files given") for r in manifest.unknown(rels)]


def check(paths, slots: str | Iterable[str] = "instagram", *, presets: PresetLibrary | None = None,
          executor: Executor | None = None, jobs: int | None = None,
          on_result: Callable[[JobResult], None] | None = None, keep_results: bool | None = True,
          on_start: Callable[[int], None] | None = None, **options) -> BatchResult:
    """Report what ``prepare`` would find, without writing anything.

    ``keep_results`` and ``on_start`` as for :func:`prepare`."""
    opts = Options(**options).with_(dry_run=True)
    slot_list = _slots(slots, presets)
    preflight.check_run(_paths(paths), slot_list, opts, writes=False)
    job_list = collect_jobs(_paths(paths), slot_list, opts, mode="check")
    if on_start:
        on_start(len(job_list))
    notes = _manifest_findings(opts, job_list)
    result = run_batch(job_list, executor=executor, n_jobs=jobs, on_result=on_result, keep_results=keep_results)
    result.findings += notes
    return result


def prepare_image(image: Image.Image, slot: str | Slot, *, presets: PresetLibrary | None = None,
                  **options) -> Image.Image:
    """Prepare an in-memory PIL image for one slot and return the result (sRGB, exact slot size).

    EXIF orientation in ``image.getexif()`` is honoured; ``credit``, ``logo`` and
    ``blur_faces_without_consent`` are drawn as ``prepare`` draws them (no manifest in memory).
    Raises UsageError for a too-small image unless ``allow_upscale=True``.
    """
    s = slot if isinstance(slot, Slot) else (presets or load_presets()).get(slot)
    opts = Options(**options)
    orientation = metadata.orientation(image)
    w, h = geometry.upright_size(*image.size, orientation)
    info = MediaInfo(path="<memory>", kind="image", format=image.format or "PIL", bytes=0, width=w, height=h,
                     stored_width=image.width, stored_height=image.height, orientation=orientation,
                     mode=image.mode, has_alpha="A" in image.mode or "transparency" in image.info)
    decoded = normalise_mode(image)
    from . import credits
    from .image import analyse as smartcrop
    from .image import pipeline
    from .image.render import render

    credit = credits.resolve(opts.credit, None, credits.read_source_credit(image))
    smart = opts.crop == "smart" and opts.focus is None
    faces = None
    if smart or pipeline.wants_faces(opts, credit):
        faces = smartcrop.analyse(small_upright_copy(decoded, orientation))
    plan = make_plan(info, s, opts, rel_stem="memory", analysis=faces if smart else None)
    if not plan.writes:
        raise UsageError("; ".join(f.message for f in plan.findings))
    plan, marks = pipeline.rights_marks(plan, s, info, faces, None, credit, opts)
    img = render(decoded, 1.0, 1.0, info, plan, image.info.get("icc_profile"))
    return pipeline.decorate(img, plan, s, marks, opts)[0]


def preview(path: str | os.PathLike, slot: str | Slot, out_path: str | os.PathLike | None = None, *,
            presets: PresetLibrary | None = None, **options) -> Image.Image:
    """The picture prepared for ``slot`` with each device's visible area (or the profile circle)
    drawn on it; written to ``out_path`` (PNG) when given."""
    from .fsutil import write_atomic
    from .image.overlay import draw_overlay
    from .media import open_image

    s = slot if isinstance(slot, Slot) else (presets or load_presets()).get(slot)
    with open_image(path) as im:
        im.load()
        img = prepare_image(im, s, presets=presets, **options)
    shown = draw_overlay(img, s)
    if out_path is not None:
        import io

        buf = io.BytesIO()
        shown.save(buf, "PNG")
        write_atomic(out_path, buf.getvalue())
    return shown


__all__ = ["preview", "prepare", "check", "prepare_image", "load_presets", "Options", "BatchResult", "flatten", "to_srgb"]
