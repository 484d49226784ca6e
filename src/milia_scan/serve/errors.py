"""Errors as JSON of one shape, `{"error": {"code", "message", "field"}}`, and the body-size cap.

Nothing here lets a traceback reach a client: validation errors become one plain sentence that
names the field, HTTP errors (404, 405) and bugs (500) get the same shape.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("milia_scan.serve")


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The one shape every error has."""
    return JSONResponse({"error": {"code": code, "message": message, "field": field}}, status, headers=headers)


class ApiError(Exception):
    """Raised by an endpoint; answered with `error_response`."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def size_text(n: int) -> str:
    """64 KB, 2 MB: the caps as people read them."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"


# --------------------------------------------------------------------------- validation errors


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _field_name(loc: Sequence[Any]) -> str:
    """('labels', 3) -> 'labels[3]'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe_validation(errors: Sequence[Mapping[str, Any]], *, content_type: str | None, fields: Sequence[str],
                        example: str) -> tuple[str, str | None]:
    """The first validation error as one plain sentence and the field it names.

    `fields` are the endpoint's body fields and `example` a body it takes, for the messages.
    """
    err = errors[0]
    kind, loc, value = err.get("type", ""), tuple(err.get("loc", ())), err.get("input")
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    if kind == "json_invalid":
        ctx = err.get("ctx") or {}
        at = f" at character {loc[1]}" if len(loc) > 1 and isinstance(loc[1], int) else ""
        reason = str(ctx.get("error", "decode error")).removesuffix(" at")  # "Invalid control character at"
        return f"the body is not valid JSON: {reason}{at}", None
    path = loc[1:] if loc and loc[0] == "body" else loc
    if not path:  # the body as a whole
        if kind == "missing":
            return f"the body is empty: send a JSON object such as {example}", None
        media = (content_type or "").split(";")[0].strip().lower()
        if not (media == "application/json" or media.endswith("+json")):
            sent = f"'{media}'" if media else "no Content-Type"
            return (f"the body must be JSON, sent with 'Content-Type: application/json' ({sent} was sent)"
                    f", such as {example}"), None
        return f"the body must be a JSON object such as {example}, not {_json_type(value)}", None
    field = _field_name(path)
    if kind == "missing":
        message = f"missing field '{field}'"
    elif kind == "extra_forbidden":
        message = f"unknown field '{field}': this endpoint takes {', '.join(repr(f) for f in fields)}"
    elif kind == "string_type":
        message = f"field '{field}' must be a string, not {_json_type(value)}"
    elif kind == "list_type":
        message = f"field '{field}' must be an array of strings, not {_json_type(value)}"
    elif kind == "literal_error":
        expected = (err.get("ctx") or {}).get("expected", "")
        message = f"field '{field}' must be {expected}, not {json.dumps(value)[:80]}"
    else:
        message = f"field '{field}': {err.get('msg', 'is not valid')}"
    return message + more, field


# --------------------------------------------------------------------------- handlers


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}


async def on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.field)


async def on_http_error(request: Request, exc: Exception) -> Response:
    """404, 405 and any other HTTPException, in the error shape."""
    status = getattr(exc, "status_code", 500)
    headers = getattr(exc, "headers", None) or {}
    if status == 400:  # FastAPI could not even decode the body (bytes that are not UTF-8)
        return error_response(422, "invalid_request", "the body is not valid JSON: it is not UTF-8 text")
    if status == 404:
        message = f"no such path: {request.url.path} (the API is under /v1, its description at /docs)"
    elif status == 405:
        allowed = headers.get("Allow") or headers.get("allow") or ""
        message = f"{request.method} is not allowed on {request.url.path}" + (f": use {allowed}" if allowed else "")
    else:
        message = str(getattr(exc, "detail", "")) or "the request failed"
    return error_response(status, _HTTP_CODES.get(status, "invalid_request"), message, headers=headers)


async def on_internal_error(request: Request, exc: Exception) -> Response:
    """A bug: the client gets the error shape, the server log gets the traceback."""
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal error: the server log has the details")


# --------------------------------------------------------------------------- body cap


DRAIN_LIMIT = 8 * 1024 * 1024  # an oversized body up to this size is read (and dropped) before the 413


class BodyLimit:
    """Cap request bodies per path before the app sees them: 413 in the error shape.

    The size is checked from Content-Length first and then while reading, so a body sent without
    one (chunked) is capped too. Nothing over the cap is kept: an oversized body of up to
    DRAIN_LIMIT bytes is read and dropped before the 413 goes out, so that a client still sending
    it (a browser) gets the answer rather than a reset connection; a larger one is answered at once
    and the connection closed. A body within the cap is handed to the app in one piece.
    """

    def __init__(self, app: ASGIApp, caps: Mapping[str, int], default: int) -> None:
        self.app, self.caps, self.default = app, dict(caps), default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.caps.get(scope["path"], self.default)
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
        declared_size = int(declared) if declared.isdigit() else None
        if declared_size is not None and declared_size > DRAIN_LIMIT:
            await self._refuse(scope, receive, send, cap, close=True)
            return
        chunks: list[bytes] = []
        size = 0
        over = declared_size is not None and declared_size > cap
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before sending its body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                over = True
                chunks.clear()
                if size > DRAIN_LIMIT:
                    await self._refuse(scope, receive, send, cap, close=True)
                    return
            elif not over:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        if over:
            await self._refuse(scope, receive, send, cap, close=False)
            return
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as a server would

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, cap: int, *, close: bool) -> None:
        where = f"{scope['method']} {scope['path']}"
        response = error_response(413, "body_too_large", f"the request body is over {size_text(cap)}, "
                                  f"the most {where} takes", headers={"Connection": "close"} if close else None)
        await response(scope, receive, send)
