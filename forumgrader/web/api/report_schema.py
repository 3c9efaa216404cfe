"""The citation report's JSON Schema: what `forumgrader check --json`, a post's report and the self-check answer.

The report is written by forumgrader.citations.report.report_to_json and forumgrader.crossref.report (the CLI and
the self-check) or forumgrader.store.reports (stored posts); the schema is read off the same dataclasses and enums,
so a field added there is a field the schema knows (tests/web/test_openapi.py checks real answers against it).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from forumgrader.citations.findings import CODES
from forumgrader.citations.model import ReferenceFields, Severity, SourceType
from forumgrader.crossref.model import Verdict
from forumgrader.web.api import registry
from forumgrader.web.api.resources import object_schema

Schema = dict[str, Any]
STRING, INTEGER, NUMBER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
OPTIONAL_INTEGER = {"type": ["integer", "null"]}
# codes a verdict adds to the analysis' findings (forumgrader.crossref.report.check_findings)
VERDICT_FINDINGS = ("missing_doi", "retracted")
FINDING_CODES = sorted({*CODES, *VERDICT_FINDINGS})


def _fields_schema() -> Schema:
    author = object_schema({"family": STRING, "initials": STRING, "group": BOOLEAN})
    properties: Schema = {}
    for field in dataclasses.fields(ReferenceFields):
        if field.name == "authors":
            properties["authors"] = {"type": "array", "items": author}
        elif field.name == "year":
            properties["year"] = OPTIONAL_INTEGER
        else:
            properties[field.name] = STRING
    return object_schema(properties)


NOTICE = object_schema({"type": STRING, "label": STRING, "doi": STRING, "date": STRING})
RECORD = object_schema(
    {
        "doi": STRING,
        "title": STRING,
        "authors": {"type": "array", "items": STRING},
        "journal": STRING,
        "year": OPTIONAL_INTEGER,
        "volume": STRING,
        "issue": STRING,
        "pages": STRING,
        "type": STRING,
    }
)
REFERENCE = registry.schema(
    "Reference",
    object_schema(
        {
            "index": INTEGER | {"description": "position in the reference list, from 0"},
            "text": STRING | {"description": "the entry as written, lines joined"},
            "start": INTEGER,
            "end": INTEGER | {"description": "the entry's span in the text that was analysed"},
            "fields": _fields_schema(),
            "type": {"type": "string", "enum": [kind.value for kind in SourceType]},
            "confidence": NUMBER | {"description": "how sure the parser is of the fields, 0 to 1"},
            "clean": STRING | {"description": "the entry as sent to Crossref: residue removed, glued parts split"},
            "verdict": {"type": "string", "enum": [verdict.value for verdict in Verdict]},
            "doi": STRING | {"description": "the DOI as cited, normalised"},
            "matched_doi": STRING | {"description": "the DOI of the record that matched, when one did"},
            "differences": {
                "type": "array",
                "items": object_schema(
                    {
                        "field": STRING,
                        "cited": STRING,
                        "record": STRING,
                        "severity": {"type": "string", "enum": ["info", "warning"]},
                    }
                ),
            },
            "retracted": BOOLEAN,
            "notices": {"type": "array", "items": NOTICE, "description": "corrections and expressions of concern"},
            "retractions": {"type": "array", "items": NOTICE, "description": "the record's retraction notices"},
            "suggestion": STRING | {"description": "the reference in APA 7, written from the record"},
            "record": RECORD | {"type": ["object", "null"], "description": "the matched Crossref record, if any"},
            "message": STRING | {"description": "why this verdict, in one sentence for the student"},
            "match_confidence": {"type": ["number", "null"], "description": "match certainty, 0..1"},
        }
    ),
)
CITATION = object_schema(
    {
        "text": STRING,
        "start": INTEGER,
        "end": INTEGER,
        "authors": {"type": "array", "items": STRING},
        "et_al": BOOLEAN,
        "year": OPTIONAL_INTEGER,
        "year_suffix": STRING,
        "year_note": STRING,
        "narrative": BOOLEAN,
        "locator": STRING,
        "reference": OPTIONAL_INTEGER | {"description": "index of the reference it cites, null when none matches"},
    }
)
FINDING_PROPERTIES: Schema = {
    "code": {"type": "string", "enum": FINDING_CODES},
    "severity": {"type": "string", "enum": [severity.value for severity in Severity]},
    "message": STRING | {"description": "what to do, addressed to the student"},
    "text": STRING | {"description": "the words it is about"},
    "start": INTEGER,
    "end": INTEGER,
    "reference": OPTIONAL_INTEGER,
}
FINDING = registry.schema("Finding", object_schema(FINDING_PROPERTIES))
REPORT = registry.schema(
    "CitationReport",
    object_schema(
        {
            "references": {"type": "array", "items": REFERENCE},
            "citations": {"type": "array", "items": CITATION},
            "findings": {"type": "array", "items": FINDING},
            "reference_list": {
                "type": ["array", "null"],
                "items": INTEGER,
                "description": "the reference list's span in the text (heading included), null when there is none",
            },
        }
    ),
)
TOPIC_FINDING = registry.schema("TopicFinding", object_schema({"post_id": INTEGER, **FINDING_PROPERTIES}))
