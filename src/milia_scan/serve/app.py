"""The FastAPI application: the versioned JSON API, the page and its docs, all from the package.

Scanning is CPU work in pure Python: every call into the scanner runs in a worker thread, one at
a time (a capacity limiter of 1, first come first served), so the event loop keeps accepting and
answering requests, and the scanner's caches are never touched by two threads at once. More
cores: more worker processes (`milia-scan serve --workers N`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any, TypeVar

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from .._version import __version__
from ..models import DISCLAIMER, LexiconEntry, Report
from ..scanner import Scanner, default_scanner
from .errors import (
    ApiError,
    BodyLimit,
    describe_validation,
    error_response,
    on_api_error,
    on_http_error,
    on_internal_error,
    size_text,
)
from .schemas import (
    MAX_LABEL_CHARS,
    MAX_LABELS,
    MAX_OTHER_BODY,
    MAX_SCAN_BODY,
    MAX_SCORE_BODY,
    EntryResponse,
    ErrorResponse,
    Health,
    LexiconResponse,
    ScanRequest,
    ScoreRequest,
    ScoreResponse,
)

T = TypeVar("T")
ENV_CONFIG = "MILIA_SCAN_SERVE"  # JSON settings for `app_from_env` (worker processes)
BODY_CAPS = {"/v1/scan": MAX_SCAN_BODY, "/v1/score": MAX_SCORE_BODY}
_BODIES = {  # the fields each endpoint takes, and a body it takes, for the error messages
    "/v1/scan": (("label", "context"), '{"label": "Aqua, Petrolatum", "context": "leave-on"}'),
    "/v1/score": (("labels", "context"), '{"labels": ["Aqua, Petrolatum"], "context": "leave-on"}'),
}
_MAX_NAME = 300  # characters of an id or name looked up in the lexicon
_PAGE_HEADERS = {
    # The page loads nothing from anywhere else and sends nothing anywhere but this service.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_MEDIA = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    words = {404: "Not in the lexicon", 413: "Too large", 422: "Not a request this endpoint takes"}
    return {s: {"model": ErrorResponse, "description": words[s]} for s in statuses}


def _json(data: bytes | str, status: int = 200) -> Response:
    return Response(data, status, media_type="application/json")


class _Assets:
    """The page's files, read once from the package, served with an ETag."""

    def __init__(self) -> None:
        root = resources.files("milia_scan.serve") / "static"
        self.files: dict[str, tuple[bytes, str, str]] = {}
        for item in root.iterdir():
            ext = os.path.splitext(item.name)[1]
            if item.is_file() and ext in _MEDIA:
                data = item.read_bytes()
                self.files[item.name] = (data, _MEDIA[ext], '"' + hashlib.sha256(data).hexdigest()[:16] + '"')

    def response(self, request: Request, name: str) -> Response:
        if name not in self.files:
            raise ApiError(404, "not_found", f"no such file: {request.url.path}")
        data, media, etag = self.files[name]
        headers = {"ETag": etag, "Cache-Control": "no-cache", **_PAGE_HEADERS}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(data, media_type=media, headers=headers)


def _cited(entry: LexiconEntry) -> list[str]:
    keys = {r.source for r in entry.comedogenic} | {s for s in (entry.occlusion_source, entry.helpful_source) if s}
    return sorted(keys)


def create_app(scanner: Scanner | None = None, *, cors_origins: Sequence[str] = ()) -> FastAPI:
    """The service around one `Scanner` (default: the bundled lexicon).

    `cors_origins`: web origins (e.g. "https://shop.example") whose pages may call the API from a
    browser; the page served at / needs none (same origin).
    """
    scanner = scanner if scanner is not None else default_scanner()
    lexicon = scanner.lexicon
    assets = _Assets()
    limiter: list[anyio.CapacityLimiter] = []  # made on first use, inside the event loop

    async def work(fn: Callable[[], T]) -> T:
        if not limiter:
            limiter.append(anyio.CapacityLimiter(1))
        return await anyio.to_thread.run_sync(fn, limiter=limiter[0])

    def check_label(label: str, field: str) -> None:
        if len(label) > MAX_LABEL_CHARS:
            raise ApiError(413, "label_too_large", f"{field} is {len(label):,} characters long: a label may be at "
                           f"most {MAX_LABEL_CHARS:,}", field)

    app = FastAPI(
        title="milia-scan",
        version=__version__,
        summary="Score a cosmetic ingredient label (INCI list) for pore-clogging and milia risk, with every reason.",
        description=(
            "Every error has the shape `{\"error\": {\"code\", \"message\", \"field\"}}`. Caps: a POST /v1/scan "
            f"body {size_text(MAX_SCAN_BODY)}, a POST /v1/score body {size_text(MAX_SCORE_BODY)}, "
            f"{MAX_LABELS:,} labels a request, {MAX_LABEL_CHARS:,} characters a label (413 over any of them). "
            f"{DISCLAIMER}"
        ),
        docs_url=None,  # the stock pages load their scripts from a CDN: /docs is served from the package
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.add_middleware(BodyLimit, caps=BODY_CAPS, default=MAX_OTHER_BODY)
    if cors_origins:  # outside the body cap, so that a browser can read a 413 too
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"], max_age=600)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_internal_error)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        fields, example = _BODIES.get(request.url.path, ((), "{}"))
        message, field = describe_validation(exc.errors(), content_type=request.headers.get("content-type"),
                                             fields=fields, example=example)
        return error_response(422, "invalid_request", message, field)

    # ------------------------------------------------------------------ API

    @app.post("/v1/scan", response_model=Report, responses=_errors(413, 422), tags=["scan"],
              summary="Scan one label: the full report")
    async def scan(body: ScanRequest) -> Response:
        """The same report as `milia-scan scan --json`: the score and band, every risk hit with its
        span in the label (`start`, `end`), its share of the score, its published ratings with
        their sources and why it matters; helpful actives; every ingredient; the unrecognised ones;
        a kit's parts, each scored on its own."""
        check_label(body.label, "label")
        label, context = body.label, body.context
        return _json(await work(lambda: scanner.scan(label, context=context).model_dump_json()))

    @app.post("/v1/score", response_model=ScoreResponse, responses=_errors(413, 422), tags=["scan"],
              summary=f"Score up to {MAX_LABELS:,} labels: lean results, in order")
    async def score(body: ScoreRequest) -> Response:
        """For catalogues: each label's score, band, risk ids, helpful ids, the two axes and the two
        condition profiles' verdicts (as `Scanner.score(profiles=True)`), in the order sent. The
        same scores and verdicts as POST /v1/scan."""
        labels, context = body.labels, body.context
        if len(labels) > MAX_LABELS:
            raise ApiError(413, "too_many_labels", f"{len(labels):,} labels: at most {MAX_LABELS:,} in one request "
                           "(send them in batches)", "labels")
        for i, label in enumerate(labels):
            check_label(label, f"labels[{i}]")

        def run() -> str:
            one = scanner.score
            return json.dumps({"results": [one(label, context=context, profiles=True)._asdict() for label in labels]})

        return _json(await work(run))

    lexicon_json = LexiconResponse(
        entries=list(lexicon.entries.values()), sources=list(lexicon.sources.values())
    ).model_dump_json(by_alias=True)

    @app.get("/v1/lexicon", response_model=LexiconResponse, tags=["lexicon"],
             summary="Every ingredient the scanner knows, and the sources")
    async def lexicon_all() -> Response:
        """Every entry (as `milia-scan lexicon --json`) and every source cited."""
        return _json(lexicon_json)

    @app.get("/v1/lexicon/{id_or_name:path}", response_model=EntryResponse, responses=_errors(404, 422),
             tags=["lexicon"], summary="One ingredient: names, ratings with sources, why it matters")
    async def lexicon_one(id_or_name: str) -> Response:
        """An entry by id or by any name it goes by, typos allowed (as `milia-scan explain --json`),
        with the sources it cites. A name with a slash is fine: /v1/lexicon/Caprylic/Capric Triglyceride."""
        entry = await work(lambda: scanner.explain(id_or_name)) if len(id_or_name) <= _MAX_NAME else None
        if entry is None:
            raise ApiError(404, "not_found", f"{id_or_name[:80]!r} is not in the lexicon (GET /v1/lexicon lists it all)")
        found = EntryResponse(entry=entry, sources=[lexicon.sources[k] for k in _cited(entry)])
        return _json(found.model_dump_json(by_alias=True))

    @app.get("/healthz", response_model=Health, tags=["service"], summary="Up, with its lexicon loaded")
    async def healthz() -> Health:
        return Health(status="ok", version=__version__, lexicon_entries=len(lexicon.entries))

    # ------------------------------------------------------------------ page and docs

    @app.get("/", include_in_schema=False)
    async def page(request: Request) -> Response:
        return assets.response(request, "index.html")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> Response:
        return assets.response(request, "docs.html")

    @app.get("/static/{name}", include_in_schema=False)
    async def static(request: Request, name: str) -> Response:
        return assets.response(request, name)

    return app


def app_from_env() -> FastAPI:
    """The app for a worker process (`uvicorn --factory`): settings from $MILIA_SCAN_SERVE, JSON
    with optional keys `lexicon`, `vocabulary` (paths) and `cors_origins` (a list)."""
    settings = json.loads(os.environ.get(ENV_CONFIG) or "{}")
    lexicon, vocabulary = settings.get("lexicon"), settings.get("vocabulary")
    scanner = Scanner(lexicon, vocabulary=vocabulary) if lexicon or vocabulary else None
    return create_app(scanner, cors_origins=settings.get("cors_origins") or ())
