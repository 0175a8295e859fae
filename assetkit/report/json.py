"""The JSON report: versioned, described by ``report.schema.json`` (package data beside this file)."""
from __future__ import annotations

import json


def dumps(data: dict) -> str:
    return json.dumps(data, indent=2, default=str) + "\n"


def result_line(r: dict) -> str:
    """One annotated result as the streamed report spools it."""
    return json.dumps(r, default=str)


def head_and_tail(head: dict) -> tuple[str, str]:
    """The report without its results, split where the streamed results go."""
    text = json.dumps(head, indent=2, default=str)
    return text[:-2] + ',\n  "results": [\n', "\n  ]\n}\n"  # the head without its closing brace


def schema() -> dict:
    """The JSON Schema (draft 2020-12) of the report, shipped in the package."""
    from importlib.resources import files

    return json.loads(files("assetkit.report").joinpath("report.schema.json").read_text(encoding="utf-8"))
