"""report/summary.py: statuses for people, each file's slot tally and what needs a person grouped by
reason. Pure functions of report data: no files, no pictures."""
import pytest

from assetkit import report
from assetkit.model import Finding, Severity, decide_status
from assetkit.report import summary


def _f(code, severity="info", fixable=False, review=False):
    return Finding(code, Severity(severity), "m", fixable=fixable, review=review)


def _fd(code, severity="warning", fixable=False, review=False, message="m"):
    return {"code": code, "severity": severity, "message": message, "section": "", "fixable": fixable,
            "review": review}


def _out(slot, status, findings=(), size=(1080, 1080)):
    return {"slot": slot, "status": status, "output": f"out/{slot}.jpg" if status != "failed" else None,
            "findings": list(findings), "plan": None, "bytes": 1000 if status != "failed" else None,
            "size": list(size) if status != "failed" else None}


def _result(source, outputs=(), findings=(), status=None):
    r = {"source": source, "kind": "image", "info": {}, "seconds": 0.1, "findings": list(findings),
         "outputs": list(outputs)}
    if status:
        r["status"] = status
    return summary.annotate_result(r)


@pytest.mark.parametrize("findings, written, held, expected", [
    ([], True, False, "ready"),
    ([_f("aspect-crop", fixable=True)], True, False, "fixed"),
    ([_f("not-srgb", fixable=True)], True, False, "fixed"),                      # a source finding
    ([_f("upscaled", "warning", fixable=True, review=True)], True, False, "needs-review"),
    ([_f("safe-area", "warning", review=True)], True, False, "needs-review"),
    ([], True, True, "needs-review"),                                             # held back by a rule
    ([_f("too-small", "error")], False, False, "failed"),
    ([_f("no-credit", "warning")], True, False, "ready"),                         # credit is its own note
])
def test_status_rules(findings, written, held, expected):
    assert decide_status(findings, written=written, held=held) == expected


@pytest.mark.parametrize("status", ["ready", "fixed", "needs-review", "failed", "up-to-date", "planned", "skipped"])
def test_every_status_has_a_reason(status):
    finding = {"code": "aspect-crop", "severity": "info", "message": "m", "fixable": True}
    got, reason = report.output_status({"status": status, "size": [10, 10], "findings": [finding]})
    assert got == status and reason


def test_three_good_slots_and_one_too_small_is_a_tally_not_a_failed_file():
    r = _result("a.jpg", [_out("instagram/post", "ready"), _out("facebook/post", "ready"),
                          _out("twitter/post", "fixed", [_fd("aspect-crop", "info", fixable=True)]),
                          _out("youtube/channel-art", "failed", [_fd("too-small", "error")])])
    assert r["tally"] == "1 failed · 1 fixed · 2 ready"
    assert summary.tally(r) == [("failed", 1), ("fixed", 1), ("ready", 2)]
    # the file's single status stays the most urgent one (what the hot folder files it under) ...
    assert r["report_status"] == "failed"
    # ... and only the one slot that failed needs a person
    items = summary.person_items(r)
    assert [(i["code"], i["slot"]) for i in items] == [("too-small", "youtube/channel-art")]


def test_a_file_without_outputs_has_a_one_line_tally():
    r = _result("bad.jpg", findings=[_fd("unreadable", "error")], status="failed")
    assert r["tally"] == "Failed: no output" and r["report_status"] == "failed"
    assert [i["code"] for i in summary.person_items(r)] == ["unreadable"]


def test_a_missing_credit_is_listed_once_per_file_not_per_slot_and_is_not_a_review():
    r = _result("a.jpg", [_out("instagram/post", "ready"), _out("twitter/post", "ready")],
                findings=[_fd("no-credit", "warning")])
    assert r["report_status"] == "ready"
    items = summary.person_items(r)
    assert len(items) == 1 and items[0]["code"] == "no-credit" and items[0]["slot"] is None
    assert items[0]["level"] == "warning"


def test_nineteen_files_without_credit_are_one_group_with_the_files_under_it():
    s = summary.Summary()
    for i in reversed(range(19)):  # arrival order is not the order shown
        s.add(_result(f"photos/p{i:02}.jpg", [_out("instagram/post", "ready")], findings=[_fd("no-credit")]))
    s.add(_result("photos/small.jpg", [_out("instagram/post", "failed", [_fd("too-small", "error")])],
                  findings=[_fd("no-credit")]))
    s.add(_result("photos/face.jpg", [_out("instagram/post", "needs-review", [_fd("safe-area", review=True)])]))
    groups = s.to_dict(1.0)["needs_by_reason"]
    assert [g["code"] for g in groups] == ["too-small", "safe-area", "no-credit"]  # errors, review, warnings
    credit = groups[-1]
    assert credit["count"] == 20 and credit["headline"] == "20 files have no credit"
    assert "--credit" in credit["advice"]
    assert [f["source"] for f in credit["files"]] == sorted(f["source"] for f in credit["files"])
    assert groups[0]["headline"] == "1 file is smaller than the slot" and groups[0]["level"] == "error"
    assert groups[1]["level"] == "review"


def test_a_file_failing_on_two_slots_counts_once_in_its_group():
    r = _result("small.jpg", [_out("instagram/post", "failed", [_fd("too-small", "error", message="a")]),
                              _out("youtube/channel-art", "failed", [_fd("too-small", "error", message="b")])])
    [g] = summary.group_by_reason(summary.person_items(r))
    assert g["count"] == 1 and len(g["files"]) == 2 and g["headline"].startswith("1 file ")


def test_an_unknown_code_is_described_by_the_code_table():
    items = [{"code": "gps-present", "level": "warning", "source": "a.jpg", "slot": None, "status": "fixed",
              "message": "m"}]
    [g] = summary.group_by_reason(items)
    assert g["headline"].startswith("1 file: gps-present (") and g["advice"]


def test_failed_without_a_finding_still_needs_a_person():
    r = _result("a.jpg", [_out("instagram/post", "failed")])
    [item] = summary.person_items(r)
    assert item["code"] == summary.NO_OUTPUT and item["level"] == "error"
    assert summary.group_by_reason([item])[0]["headline"] == "1 file: no output was made"


def test_results_and_needs_are_in_path_order():
    data = {"seconds": 1, "results": [
        {"source": "b.jpg", "kind": "image", "info": {}, "seconds": 0, "findings": [],
         "outputs": [_out("instagram/post", "failed")]},
        {"source": "A.jpg", "kind": "image", "info": {}, "seconds": 0, "findings": [],
         "outputs": [_out("instagram/post", "failed")]}]}
    out = summary.annotate(data)
    assert [r["source"] for r in out["results"]] == ["A.jpg", "b.jpg"]
    assert [n["source"] for n in out["summary"]["needs_person"]] == ["A.jpg", "b.jpg"]


def test_needs_by_reason_takes_job_results_as_the_terminal_has_them():
    from assetkit.model import JobResult, SlotResult, Status

    results = [JobResult(f"p{i}.jpg", "image", findings=[Finding("no-credit", Severity.WARNING, "no credit")],
                         outputs=[SlotResult("instagram/post", Status.READY, output="o.jpg", size=(1080, 1080))])
               for i in range(3)]
    [g] = report.needs_by_reason(results)
    assert g["headline"] == "3 files have no credit" and [f["source"] for f in g["files"]] == ["p0.jpg", "p1.jpg", "p2.jpg"]
