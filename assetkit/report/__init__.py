"""Reports: what a person reads after a batch, as JSON (versioned, ``report.schema.json``) and as a
self-contained HTML page, both from the same annotated data.

    summary   statuses for people, the slot tally, the summary and what needs a person grouped by reason
    json      the JSON text and its schema
    html      the page (Jinja2 templates in templates/, CSS and script in static/)
    pictures  thumbnails with the crop, faces, safe areas drawn
    writer    write() and the streaming ReportWriter
    slots     slots in words (the presets table)

Modules import downwards only (writer -> html -> pictures/summary), never this package.
"""
from .json import schema
from .slots import limits_text, slot_dict, variants_text
from .summary import (REPORT_SCHEMA_VERSION, STATUS_TEXT, STATUSES, Summary, annotate, annotate_result, build,
                      group_by_reason, needs_by_reason, output_status, person_items, plain, result_status, tally_text)
from .writer import ReportError, ReportWriter, write

__all__ = ["build", "write", "ReportWriter", "ReportError", "schema", "STATUSES", "STATUS_TEXT",
           "REPORT_SCHEMA_VERSION", "Summary", "annotate", "annotate_result", "output_status", "result_status",
           "group_by_reason", "needs_by_reason", "person_items", "plain", "tally_text", "variants_text", "limits_text", "slot_dict"]
