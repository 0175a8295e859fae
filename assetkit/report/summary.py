"""What a report says, as pure functions of the batch data, so the JSON, the HTML page and the
terminal agree: a ``report_status`` and ``reason`` per output and per source (the one vocabulary of
``model.Status``), a tally of each file's slots ("3 ready · 1 failed"), and the summary (counts by
status and by slot, the batch time, the ``needs_person`` list and the same list grouped by reason).
"""
from __future__ import annotations

import json
import time

from ..model import Status

REPORT_SCHEMA_VERSION = 1

# in the order a person should look at them: the one vocabulary of model.Status
STATUSES = tuple(str(s) for s in Status)
STATUS_TEXT = {str(s): s.text for s in Status}
# statuses whose outputs a person has to deal with
NEEDS = ("failed", "needs-review")


def build(result) -> dict:
    """The report of a BatchResult: its plain data, annotated, with the summary."""
    from .. import __version__

    data = plain(result)
    data = {"schema_version": REPORT_SCHEMA_VERSION, "assetkit": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **data}
    return annotate(data)


def plain(obj) -> dict:
    """A result's dict as plain JSON values (tuples -> lists, paths -> str)."""
    return json.loads(json.dumps(obj.to_dict(), default=str))


def order(source: str) -> tuple:
    """Files are reported in path order, not in the order the batch finished them."""
    return (source.casefold(), source)


# ------------------------------------------------------------------------ statuses for people


def output_status(output: dict, source_findings: list[dict] = ()) -> tuple[str, str]:
    """(status, reason) of one output: the engine's status (model.decide_status) and why, in words."""
    findings = list(source_findings) + list(output.get("findings") or [])
    status = output.get("status") or "failed"
    errors = [f for f in findings if f.get("severity") == "error"]
    review = errors + [f for f in findings if f.get("review")]
    fixed = [f for f in findings if f.get("fixable") and f not in review]
    if status == "failed":
        return status, _reason(errors or findings) or "no output was made"
    if status == "needs-review":
        return status, _reason(review or findings) or "a person should look before it goes out"
    if status == "up-to-date":
        return status, "already prepared with the same settings; kept"
    if status == "planned":
        return status, "nothing written" + (f"; {_reason(review)}" if review else "")
    if status == "skipped":
        return status, _reason(findings) or "not for this slot"
    if status == "fixed":
        return status, "fixed: " + ", ".join(dict.fromkeys(f["code"] for f in fixed))
    size = output.get("size")
    return status, f"resized to {size[0]}x{size[1]}" if size else "ready"


def _reason(findings) -> str:
    return "; ".join(f"{f.get('code')}: {f.get('message')}" for f in findings)


def result_status(result: dict) -> tuple[str, str]:
    """The status of a source: the first of its outputs' statuses in STATUSES order; failed without outputs."""
    outs = result.get("outputs") or []
    if not outs:
        status = result.get("status") or "failed"
        return status, _reason(result.get("findings") or []) or "no output was made"
    worst = min(outs, key=lambda o: STATUSES.index(o["report_status"]))
    return worst["report_status"], worst["reason"]


def tally(result: dict) -> list[tuple[str, int]]:
    """(status, how many of the file's slots have it), in STATUSES order: "3 ready · 1 failed"."""
    outs = result.get("outputs") or []
    if not outs:
        return [(result.get("report_status") or result.get("status") or "failed", 1)]
    counts = {}
    for o in outs:
        counts[o["report_status"]] = counts.get(o["report_status"], 0) + 1
    return [(s, counts[s]) for s in STATUSES if s in counts]


def tally_text(result: dict) -> str:
    outs = result.get("outputs") or []
    if not outs:
        return STATUS_TEXT.get(result.get("report_status"), "Failed") + ": no output"
    return " · ".join(f"{n} {STATUS_TEXT[s].lower()}" for s, n in tally(result))


def annotate_result(r: dict) -> dict:
    """report_status/reason on one source and each of its outputs, and its slot tally. Pure."""
    r = {**r, "outputs": [dict(o) for o in r.get("outputs") or []]}
    for o in r["outputs"]:
        o["report_status"], o["reason"] = output_status(o, r.get("findings") or [])
    r["report_status"], r["reason"] = result_status(r)
    r["tally"] = tally_text(r)
    return r


# ------------------------------------------------------------------- what needs a person, grouped

# code -> (what the files have, said of one file; of several; what to do next). A code not here is
# described by its meaning in checks.CODES.
ADVICE = {
    "no-credit": ("has no credit", "have no credit",
                  'give --credit "Photo: Name", a manifest (--manifest) or the credit in the file\'s metadata'),
    "too-small": ("is smaller than the slot", "are smaller than the slot",
                  "use a larger original, or --allow-upscale to enlarge it (a person then checks it)"),
    "unreadable": ("could not be read", "could not be read",
                   "the file is damaged or not a picture or video: export it again"),
    "too-many-pixels": ("has more pixels than allowed", "have more pixels than allowed",
                        "use a smaller export, or raise --max-pixels if the file is trusted"),
    "upscaled": ("was enlarged", "were enlarged", "look at the result, or use a larger original"),
    "size-limit": ("could not be brought under the byte limit", "could not be brought under the byte limit",
                   "use a simpler picture or a photo (JPEG) instead of a graphic"),
    "safe-area": ("has a face or subject outside the safe area", "have a face or subject outside the safe area",
                  "look at the crop; --focus X,Y moves it"),
    "unsupported": ("cannot go into the slot asked", "cannot go into the slots asked",
                    "choose a slot for this kind of media"),
    "consent-missing": ("shows a face without a consent record", "show faces without a consent record",
                        "record consent in the manifest, or --blur-faces-without-consent"),
    "credit-unreadable": ("would have an illegible visible credit", "would have an illegible visible credit",
                          "use a larger --font size or credit in metadata only"),
    "credit-glyphs": ("has credit letters no font has (drawn as boxes)", "have credit letters no font has (drawn as boxes)",
                      "name a --font that has them"),
    "manifest-missing": ("has no row in the manifest", "have no row in the manifest",
                         "add a row for it to the manifest"),
    "video-too-long": ("is longer than the slot allows", "are longer than the slot allows",
                       "trim the clip (--trim START-END)"),
    "video-too-small": ("is smaller than the slot's video size", "are smaller than the slot's video size",
                        "use a larger original"),
    "ffmpeg-failed": ("could not be encoded", "could not be encoded", "see the message on its card"),
    "failed": ("failed unexpectedly", "failed unexpectedly", "see the message on its card"),
}
NO_OUTPUT = "no-output"  # a failed source or output without any finding that says why


def needs_person(finding: dict) -> bool:
    """A finding a person has to act on: an error, one marked for review, or a warning assetkit cannot fix."""
    sev = finding.get("severity")
    return sev == "error" or bool(finding.get("review")) or (sev == "warning" and not finding.get("fixable"))


def level(finding: dict) -> str:
    """How urgent a finding is for a person: error (no usable output), review (look before it goes
    out) or warning (something to do that assetkit cannot)."""
    if finding.get("severity") == "error":
        return "error"
    return "review" if finding.get("review") else "warning"


LEVELS = ("error", "review", "warning")


def person_items(r: dict) -> list[dict]:
    """What in one annotated result needs a person: one item per finding that does (code, level,
    source, slot or None for the file itself, the status of what it is about, message)."""
    items = []
    worst = r.get("report_status") or "failed"

    def item(f, slot, status):
        return {"code": f["code"], "level": level(f), "source": r["source"], "slot": slot, "status": status,
                "message": f.get("message", "")}

    items += [item(f, None, worst) for f in r.get("findings") or [] if needs_person(f)]
    for o in r.get("outputs") or []:
        hits = [item(f, o["slot"], o["report_status"]) for f in o.get("findings") or [] if needs_person(f)]
        explained = hits or any(i["slot"] is None and i["level"] != "warning" for i in items)
        if not explained and o["report_status"] in NEEDS:
            hits = [{"code": NO_OUTPUT, "level": "error" if o["report_status"] == "failed" else "review",
                     "source": r["source"], "slot": o["slot"], "status": o["report_status"],
                     "message": o.get("reason", "")}]
        items += hits
    if worst == "failed" and not r.get("outputs") and not any(i["level"] == "error" for i in items):
        items.append({"code": NO_OUTPUT, "level": "error", "source": r["source"], "slot": None,
                      "status": "failed", "message": r.get("reason", "")})
    return items


def group_by_reason(items) -> list[dict]:
    """Items (``person_items``) grouped by finding code: one headline and one piece of advice per
    reason, the files listed under it. Errors first, then what needs review, then the other warnings;
    larger groups first within each. Pure: the CLI's terminal summary can use it too."""
    groups: dict[str, dict] = {}
    for it in items:
        g = groups.setdefault(it["code"], {"code": it["code"], "level": it["level"], "files": []})
        if LEVELS.index(it["level"]) < LEVELS.index(g["level"]):
            g["level"] = it["level"]
        g["files"].append({k: it[k] for k in ("source", "slot", "status", "message")})
    out = []
    for g in groups.values():
        g["files"].sort(key=lambda f: order(f["source"]))  # stable: a file's slots stay in order
        n = len({f["source"] for f in g["files"]})
        g["count"] = n
        g["headline"], g["advice"] = _headline(g["code"], n)
        out.append(g)
    return sorted(out, key=lambda g: (LEVELS.index(g["level"]), -g["count"], g["code"]))


def needs_by_reason(results) -> list[dict]:
    """``group_by_reason`` over JobResults or report dicts (annotated or not): what the terminal
    summary needs to say "19 files have no credit" once."""
    items = []
    for r in results:
        d = r if isinstance(r, dict) else plain(r)
        items += person_items(d if "report_status" in d else annotate_result(d))
    return group_by_reason(items)


def _headline(code: str, n: int) -> tuple[str, str]:
    files = "1 file" if n == 1 else f"{n} files"
    if code == NO_OUTPUT:
        return f"{files}: no output was made", "see the reason on its card"
    if code in ADVICE:
        one, many, advice = ADVICE[code]
        return f"{files} {one if n == 1 else many}", advice
    try:
        from ..checks import CODES

        meaning = CODES[code].meaning
    except (ImportError, KeyError):
        meaning = ""
    return f"{files}: {code}" + (f" ({meaning})" if meaning else ""), "see each file's card"


class Summary:
    """Counts by status and by slot, and what needs a person, accumulated one result at a time."""

    def __init__(self):
        self.assets = self.outputs = 0
        self.by_status = dict.fromkeys(STATUSES, 0)
        self.by_slot: dict[str, dict[str, int]] = {}
        self.needs: list[dict] = []
        self.items: list[dict] = []

    def add(self, r: dict) -> None:
        self.assets += 1
        self.outputs += len(r["outputs"])
        for o in r["outputs"]:
            self.by_status[o["report_status"]] += 1
            self.by_slot.setdefault(o["slot"], dict.fromkeys(STATUSES, 0))[o["report_status"]] += 1
            if o["report_status"] in NEEDS:
                self.needs.append({"source": r["source"], "slot": o["slot"], "status": o["report_status"],
                                   "reason": o["reason"]})
        if not r["outputs"]:
            self.by_status[r["report_status"]] += 1
            if r["report_status"] == "failed":
                self.needs.append({"source": r["source"], "slot": None, "status": "failed", "reason": r["reason"]})
        self.items += person_items(r)

    def to_dict(self, seconds: float) -> dict:
        needs = sorted(self.needs, key=lambda n: (STATUSES.index(n["status"]), order(n["source"])))
        return {"assets": self.assets, "outputs": self.outputs, "seconds": seconds, "by_status": self.by_status,
                "by_slot": self.by_slot, "needs_person": needs, "needs_by_reason": group_by_reason(self.items)}


def annotate(data: dict) -> dict:
    """Add report_status/reason to every output and source, and the summary. Pure: returns a new dict."""
    results = sorted(data.get("results", []), key=lambda r: order(r.get("source", "")))
    data = {**data, "results": [annotate_result(r) for r in results]}
    summary = Summary()
    for r in data["results"]:
        summary.add(r)
    data["summary"] = summary.to_dict(data.get("seconds", 0))
    return data
