"""The values every layer passes: findings, statuses, jobs and their results.

This module imports nothing of assetkit, so the engines (image/, video/), the batch, the report,
the hot folder and the CLI can all depend on it without import circles. An engine receives a
``Job`` and returns a ``JobResult``; nobody fills in a result passed to them.

One status vocabulary (``Status``) serves the terminal table, ``--json``, the HTML report and the
hot folder's folders, and one rule (``decide_status``) turns what happened into a status.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How much a finding matters: error (no usable output), warning (written, but say so), info."""

    ERROR = "error"      # no usable output for this slot (or it must not go out without a person)
    WARNING = "warning"  # output written, but say so
    INFO = "info"        # something assetkit changed or noticed

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    section: str = ""
    fixable: bool = False
    slot: str | None = None   # None: about the source file itself
    review: bool = False      # a written output with this finding needs a person's eyes

    def to_dict(self) -> dict:
        d = asdict(self)
        d["severity"] = str(self.severity)
        return d


class Status(str, Enum):
    """What happened to one (source, slot) pair, in the order a person should look at them."""

    FAILED = "failed"              # no usable output
    NEEDS_REVIEW = "needs-review"  # written (held in needs-review/ when a rule asks) but a person must look
    FIXED = "fixed"                # written; assetkit changed what the rules asked (crop, location, sRGB, bytes)
    READY = "ready"                # written; only resized
    UP_TO_DATE = "up-to-date"      # skipped: the earlier output, made with the same settings, stands
    PLANNED = "planned"            # check or --dry-run: nothing written
    SKIPPED = "skipped"            # not for this slot (a video given only photo slots)

    def __str__(self) -> str:
        return self.value

    @property
    def text(self) -> str:
        return _TEXT[self]

    @property
    def written(self) -> bool:
        """An output file exists for this pair after the run."""
        return self in (Status.NEEDS_REVIEW, Status.FIXED, Status.READY, Status.UP_TO_DATE)

    @property
    def folder(self) -> str:
        """The hot folder's folder for an original whose worst slot has this status."""
        return {Status.FAILED: "failed", Status.NEEDS_REVIEW: "needs-review"}.get(self, "ready")


_TEXT = {Status.FAILED: "Failed", Status.NEEDS_REVIEW: "Needs review", Status.FIXED: "Fixed",
         Status.READY: "Ready", Status.UP_TO_DATE: "Up to date", Status.PLANNED: "Planned",
         Status.SKIPPED: "Skipped"}
ORDER = list(Status)


def decide_status(findings, *, written: bool, held: bool = False) -> Status:
    """The one rule from findings to a status for an output that was (or would be) made.

    ``held``: the output went to needs-review/ because a rule asked (consent). An error finding means
    no usable output; a finding marked ``review`` (enlarged, subject outside a safe area) needs a
    person; a fixable finding means assetkit changed something the rules asked for.
    """
    findings = list(findings)
    if not written:
        return Status.FAILED
    if held or any(f.review for f in findings):
        return Status.NEEDS_REVIEW
    if any(f.severity is Severity.ERROR for f in findings):
        return Status.NEEDS_REVIEW
    if any(f.fixable for f in findings):
        return Status.FIXED
    return Status.READY


def worst(statuses) -> Status | None:
    """The status a person looks at first among ``statuses`` (None for none)."""
    statuses = list(statuses)
    return min(statuses, key=ORDER.index) if statuses else None


@dataclass(frozen=True)
class Job:
    """One source file and every slot asked for it (plain, picklable: runs inline, in a pool or on Dask)."""

    path: str
    rel_stem: str            # output name without extension, relative to the slot folder
    slots: tuple             # tuple[presets.Slot, ...]
    options: Any             # options.Options
    mode: str = "prepare"    # prepare | check
    # where long work (video encodes) reports progress: anything with put((source, slot, done_s, total_s))
    progress: Any = field(default=None, compare=False)


@dataclass
class SlotResult:
    slot: str
    status: Status
    output: str | None = None
    findings: list[Finding] = field(default_factory=list)
    plan: dict | None = None
    bytes: int | None = None
    size: tuple[int, int] | None = None
    held: bool = False       # written to needs-review/ instead of the slot folder (a rule held it back)
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["status"] = str(self.status)
        d["findings"] = [f.to_dict() for f in self.findings]
        return d


@dataclass
class JobResult:
    source: str
    kind: str = "unknown"    # image | video | unknown
    info: dict = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)   # about the source itself
    outputs: list[SlotResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def all_findings(self) -> list[Finding]:
        return self.findings + [f for o in self.outputs for f in o.findings]

    @property
    def status(self) -> Status:
        """The file's status: its worst output's; failed when nothing could be done with it."""
        if not self.outputs:
            if any(f.severity is Severity.ERROR for f in self.findings):
                return Status.FAILED
            return Status.SKIPPED
        return worst(o.status for o in self.outputs)

    @property
    def failed(self) -> bool:
        """Counts against the exit status: an error finding, a failed output, or one held for review."""
        return any(f.severity is Severity.ERROR for f in self.all_findings) or any(
            o.status is Status.FAILED or o.held for o in self.outputs)

    def to_dict(self) -> dict:
        return {"source": self.source, "kind": self.kind, "info": self.info, "seconds": round(self.seconds, 3),
                "status": str(self.status),
                "findings": [f.to_dict() for f in self.findings], "outputs": [o.to_dict() for o in self.outputs]}
