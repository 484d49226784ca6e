"""The request and response bodies of the HTTP API (their JSON Schemas are in the OpenAPI file).

The scan response is `milia_scan.Report` itself, the same JSON as `milia-scan scan --json`; the
lexicon responses carry `LexiconEntry` and `Source`, the same JSON as `milia-scan explain --json`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models import Band, Context, LexiconEntry, Source, Verdict

MAX_SCAN_BODY = 64 * 1024  # bytes of a POST /v1/scan body
MAX_SCORE_BODY = 2 * 1024 * 1024  # bytes of a POST /v1/score body
MAX_OTHER_BODY = 64 * 1024  # bytes of any other request's body (none needs one)
MAX_LABEL_CHARS = 32_768  # characters of one label, in either endpoint
MAX_LABELS = 1_000  # labels in one POST /v1/score


class _Request(BaseModel):
    # An unknown field is an error, so that a typo ("lable") is reported, not silently ignored.
    model_config = ConfigDict(extra="forbid")


class ScanRequest(_Request):
    """One label to scan."""

    label: str = Field(
        description="The ingredient list as printed or pasted (any text; line breaks are fine).",
        json_schema_extra={"maxLength": MAX_LABEL_CHARS},  # checked by the endpoint: 413, not 422
        examples=["Aqua, Paraffinum Liquidum, Cera Microcristallina, Glycerin, Lanolin Alcohol"],
    )
    context: Context = Field(default="leave-on", description="How the product is used.")


class ScoreRequest(_Request):
    """Many labels to score, the lean way (no spans, no reasons)."""

    labels: list[str] = Field(
        description=f"Up to {MAX_LABELS:,} labels, each up to {MAX_LABEL_CHARS:,} characters.",
        json_schema_extra={"maxItems": MAX_LABELS, "items": {"type": "string", "maxLength": MAX_LABEL_CHARS}},
        examples=[["Petrolatum, Mineral Oil, Glycerin", "Aqua, Glycerin, Salicylic Acid"]],
    )
    context: Context = Field(default="leave-on", description="How the products are used (all of them).")


class ScoreResult(BaseModel):
    """One label's lean result, as `Scanner.score` gives it."""

    score: int = Field(ge=0, le=100)
    band: Band
    hits: list[str] = Field(description="Risk lexicon ids in label order, each once.")
    helpful: list[str] = Field(description="Helpful actives' lexicon ids, each once.")
    milia: int = Field(ge=0, le=100, description="The milia (heavy occlusive film) axis, as Report.milia.score.")
    pore_clogging: int = Field(ge=0, le=100, description="The comedogenic-rating axis, as Report.pore_clogging.score.")
    fungal_acne: Verdict = Field(description="The fungal-acne profile's verdict, as Report.profiles.fungal_acne.")
    allergens: Verdict = Field(description="The EU fragrance-allergen profile's verdict, as Report.profiles.allergens.")


class ScoreResponse(BaseModel):
    """The results of POST /v1/score, in the order of the labels sent."""

    results: list[ScoreResult]


class LexiconResponse(BaseModel):
    """Every entry of the lexicon, and every source their ratings and claims cite."""

    entries: list[LexiconEntry]
    sources: list[Source]


class EntryResponse(BaseModel):
    """One entry (as `milia-scan explain --json`) and the sources it cites."""

    entry: LexiconEntry
    sources: list[Source]


class Health(BaseModel):
    """GET /healthz: the service is up and its lexicon loaded."""

    status: Literal["ok"]
    version: str
    lexicon_entries: int


ErrorCode = Literal[
    "invalid_request",  # 422: the body is not what the endpoint takes (the message names the field)
    "body_too_large",  # 413: the body is over the endpoint's cap
    "label_too_large",  # 413: a label is over MAX_LABEL_CHARS
    "too_many_labels",  # 413: more than MAX_LABELS labels
    "not_found",  # 404: no such path, or no such lexicon entry
    "method_not_allowed",  # 405
    "internal_error",  # 500: a bug; the server log has the details
]


class ErrorDetail(BaseModel):
    """What went wrong, in one plain sentence."""

    code: ErrorCode
    message: str
    field: str | None = Field(default=None, description="The request field at fault (e.g. 'labels[3]'), if any.")


class ErrorResponse(BaseModel):
    """Every error response has this shape, whatever the status."""

    error: ErrorDetail
