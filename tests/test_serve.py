"""`milia-scan serve`: every endpoint, every error path, the caps, the OpenAPI description and the
command itself. (The page in a real browser: test_serve_page.py.)"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

import milia_scan  # noqa: E402
from milia_scan.serve import (  # noqa: E402
    MAX_LABEL_CHARS,
    MAX_LABELS,
    MAX_SCAN_BODY,
    MAX_SCORE_BODY,
    create_app,
)

from .conftest import ROOT  # noqa: E402
from .serve_live import LiveServer  # noqa: E402

NIGHT_CREAM = (ROOT / "examples" / "night-cream.txt").read_text(encoding="utf-8")
KIT = ("Cleanser ingredients: water, glycerin, coconut oil. Moisturizer ingredients: water, mineral oil, "
       "dimethicone. Night Serum 30 ml ingredients: water, isopropyl myristate, salicylic acid")
DRUG_FACTS = ("Drug Facts Active ingredients: Salicylic Acid 2%. Inactive ingredients: Water, Petrolatum, "
              "Isopropyl Myristate, Glycerin")
LABELS = [NIGHT_CREAM, KIT, DRUG_FACTS, "Petrolatum 41%, Mineral Oil, Ceresin, Lanolin Alcohol, Glycerin",
          "Aqua, Petrolaturn, Laureth-7, Cera Alba", "", "   ", "Water", "Aqua, Glycerin, Salicylic Acid"]
ENDPOINTS = {"/v1/scan": {"post"}, "/v1/score": {"post"}, "/v1/lexicon": {"get"},
             "/v1/lexicon/{id_or_name}": {"get"}, "/healthz": {"get"}}


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


def error_of(response, status: int, code: str) -> dict:
    """The error of a response, checked to have the one shape every error has."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}, body
    error = body["error"]
    assert error["code"] == code and isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in error["message"] and "\n" not in error["message"]
    return error


# --------------------------------------------------------------------------- the endpoints


@pytest.mark.parametrize("context", ["leave-on", "rinse-off", "eye-area"])
@pytest.mark.parametrize("label", LABELS[:5], ids=["night-cream", "kit", "drug-facts", "readme", "typos"])
def test_scan_gives_the_same_report_as_the_cli(client, run, label: str, context: str) -> None:
    response = client.post("/v1/scan", json={"label": label, "context": context})
    assert response.status_code == 200
    cli = run("scan", "--json", "--context", context, label)
    assert cli.exit_code == 0
    assert response.json() == json.loads(cli.output)


def test_scan_context_defaults_to_leave_on_and_spans_point_into_the_label(client) -> None:
    report = client.post("/v1/scan", json={"label": NIGHT_CREAM}).json()
    assert report["context"] == "leave-on" and report["disclaimer"] == milia_scan.models.DISCLAIMER
    assert report["hits"] and all(NIGHT_CREAM[h["start"]:h["end"]] == h["text"] for h in report["hits"])


def test_score_gives_lean_results_in_order(client, scanner) -> None:
    labels = LABELS * 3
    response = client.post("/v1/score", json={"labels": labels, "context": "eye-area"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results == [json.loads(json.dumps(scanner.score(label, context="eye-area", profiles=True)._asdict()))
                       for label in labels]
    scans = [client.post("/v1/scan", json={"label": label, "context": "eye-area"}).json() for label in LABELS]
    assert [r["score"] for r in results[: len(LABELS)]] == [s["score"] for s in scans]
    assert [r["band"] for r in results[: len(LABELS)]] == [s["band"] for s in scans]
    assert [(r["fungal_acne"], r["allergens"]) for r in results[: len(LABELS)]] == [
        (s["profiles"]["fungal_acne"]["verdict"], s["profiles"]["allergens"]["verdict"]) for s in scans]
    assert {r["fungal_acne"] for r in results} >= {"flag", "cannot tell"}


def test_score_takes_up_to_1000_labels(client) -> None:
    labels = [f"Aqua, Petrolatum, Glycerin, CI {i}" for i in range(MAX_LABELS)]
    response = client.post("/v1/score", json={"labels": labels})
    assert response.status_code == 200
    assert len(response.json()["results"]) == MAX_LABELS
    error = error_of(client.post("/v1/score", json={"labels": [*labels, "Aqua"]}), 413, "too_many_labels")
    assert error["field"] == "labels" and "1,001" in error["message"] and "1,000" in error["message"]
    assert client.post("/v1/score", json={"labels": []}).json() == {"results": []}


def test_lexicon_lists_every_entry_as_the_cli_does(client, run) -> None:
    body = client.get("/v1/lexicon").json()
    assert body["entries"] == json.loads(run("lexicon", "--json").output)
    lex = milia_scan.load_lexicon()
    assert [s["key"] for s in body["sources"]] == list(lex.sources)


@pytest.mark.parametrize("name", ["isopropyl-myristate", "IPM", "isopropyl myristate", "Caprylic/Capric Triglyceride",
                                  "Petrolaturn", "salicylic-acid"])
def test_lexicon_entry_is_the_explain_data(client, run, name: str) -> None:
    response = client.get(f"/v1/lexicon/{name}")
    assert response.status_code == 200
    body = response.json()
    assert body["entry"] == json.loads(run("explain", "--json", name).output)
    entry = body["entry"]
    cited = {r["source"] for r in entry["comedogenic"]} | {entry["occlusion_source"], entry["helpful_source"]} - {None}
    assert [s["key"] for s in body["sources"]] == sorted(cited)


def test_lexicon_entry_not_found(client) -> None:
    error = error_of(client.get("/v1/lexicon/definitely not an ingredient"), 404, "not_found")
    assert "not in the lexicon" in error["message"]
    error_of(client.get("/v1/lexicon/" + "x" * 5000), 404, "not_found")


def test_healthz(client) -> None:
    body = client.get("/healthz").json()
    assert body == {"status": "ok", "version": milia_scan.__version__,
                    "lexicon_entries": len(milia_scan.load_lexicon().entries)}


# --------------------------------------------------------------------------- 422: bodies the endpoint does not take

SCAN_422 = [
    # (body bytes, content type, field named, words in the message)
    (b"[1, 2]", "application/json", None, "must be a JSON object"),
    (b'"Aqua, Petrolatum"', "application/json", None, "must be a JSON object"),
    (b"null", "application/json", None, "must be a JSON object"),
    (b"{}", "application/json", "label", "missing field 'label'"),
    (b'{"context": "leave-on"}', "application/json", "label", "missing field 'label'"),
    (b'{"label": 3}', "application/json", "label", "field 'label' must be a string, not a number"),
    (b'{"label": null}', "application/json", "label", "field 'label' must be a string, not null"),
    (b'{"label": ["Aqua"]}', "application/json", "label", "field 'label' must be a string, not an array"),
    (b'{"label": "Aqua", "context": "face"}', "application/json", "context", "must be 'leave-on', 'rinse-off' or 'eye-area'"),
    (b'{"label": "Aqua", "context": 1}', "application/json", "context", "field 'context'"),
    (b'{"lable": "Aqua"}', "application/json", "label", "missing field 'label'"),
    (b'{"label": "Aqua", "lable": "Aqua"}', "application/json", "lable", "unknown field 'lable'"),
    (b'{"label": "Aqua",', "application/json", None, "not valid JSON"),
    (b'{"label": "Aqua\x00"}', "application/json", None, "not valid JSON: Invalid control character at character 15"),
    (b'{"label": "\xff\xfe"}', "application/json", None, "not valid JSON: it is not UTF-8 text"),
    (b"label=Aqua", "application/x-www-form-urlencoded", None, "Content-Type: application/json"),
    (b'{"label": "Aqua"}', "text/plain", None, "Content-Type: application/json"),
    (b"", "application/json", None, "the body is empty"),
]


@pytest.mark.parametrize("body,content_type,field,words", SCAN_422, ids=[repr(c[0][:24]) for c in SCAN_422])
def test_scan_422_names_the_field(client, body: bytes, content_type: str, field: str | None, words: str) -> None:
    response = client.post("/v1/scan", content=body, headers={"Content-Type": content_type})
    error = error_of(response, 422, "invalid_request")
    assert error["field"] == field
    assert words in error["message"]


@pytest.mark.parametrize("body,field,words", [
    ({"label": "Aqua"}, "labels", "missing field 'labels'"),
    ({"labels": "Aqua, Petrolatum"}, "labels", "field 'labels' must be an array of strings, not a string"),
    ({"labels": ["Aqua", 7, "Petrolatum"]}, "labels[1]", "field 'labels[1]' must be a string, not a number"),
    ({"labels": ["Aqua"], "context": "face"}, "context", "field 'context' must be"),
    ([["Aqua"]], None, "must be a JSON object"),
])
def test_score_422_names_the_field(client, body, field: str | None, words: str) -> None:
    error = error_of(client.post("/v1/score", json=body), 422, "invalid_request")
    assert error["field"] == field and words in error["message"]


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)
_BODY = st.one_of(
    st.binary(max_size=200),
    _JSON.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"label": _JSON | st.text()}, optional={"context": _JSON}).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"labels": st.lists(st.text(max_size=60) | _JSON, max_size=5)},
                          optional={"context": _JSON}).map(lambda v: json.dumps(v).encode()),
)


@given(body=_BODY, path=st.sampled_from(["/v1/scan", "/v1/score"]))
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_body_gets_a_report_or_a_plain_error(client, body: bytes, path: str) -> None:
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    if response.status_code != 200:
        error = error_of(response, 422, "invalid_request")
        assert error["field"] is None or error["field"].split("[")[0] in ("label", "labels", "context") or \
            error["message"].startswith("unknown field")


# --------------------------------------------------------------------------- 413: caps


def test_label_cap_on_both_endpoints(client) -> None:
    at_cap = "Aqua, " * (MAX_LABEL_CHARS // 6) + "x" * (MAX_LABEL_CHARS % 6)
    assert len(at_cap) == MAX_LABEL_CHARS
    assert client.post("/v1/scan", json={"label": at_cap}).status_code == 200
    error = error_of(client.post("/v1/scan", json={"label": at_cap + "x"}), 413, "label_too_large")
    assert error["field"] == "label" and f"{MAX_LABEL_CHARS:,}" in error["message"]
    error = error_of(client.post("/v1/score", json={"labels": ["Aqua", "Petrolatum", at_cap + "x"]}), 413,
                     "label_too_large")
    assert error["field"] == "labels[2]"


def test_body_caps(client) -> None:
    big = {"label": "Aqua, " * (MAX_SCAN_BODY // 6)}  # a body just over 64 KB
    error = error_of(client.post("/v1/scan", json=big), 413, "body_too_large")
    assert "64 KB" in error["message"] and "POST /v1/scan" in error["message"]
    # /v1/score takes up to 2 MB: 100 labels of 20,000 characters (about 2.0 MB) pass, 110 do not
    label = ("Aqua, Glycerin, " * 1250)[:20_000]
    assert client.post("/v1/score", json={"labels": [label] * 100}).status_code == 200
    assert len(json.dumps({"labels": [label] * 110})) > MAX_SCORE_BODY
    error = error_of(client.post("/v1/score", json={"labels": [label] * 110}), 413, "body_too_large")
    assert "2 MB" in error["message"]


def test_body_cap_without_content_length(client) -> None:
    """A chunked body has no Content-Length: it is counted while read."""
    def chunks(n: int):
        yield b'{"label": "'
        for _ in range(n):
            yield b"Aqua, " * 1000
        yield b'"}'

    ok = client.post("/v1/scan", content=chunks(2), headers={"Content-Type": "application/json"})
    assert ok.request.headers.get("transfer-encoding") == "chunked" and "content-length" not in ok.request.headers
    assert ok.status_code == 200
    error_of(client.post("/v1/scan", content=chunks(20), headers={"Content-Type": "application/json"}), 413,
             "body_too_large")


def test_other_paths_are_capped_too(client) -> None:
    error_of(client.request("GET", "/healthz", content=b"x" * (MAX_SCAN_BODY + 1)), 413, "body_too_large")


# --------------------------------------------------------------------------- other errors


def test_404_and_405_have_the_error_shape(client) -> None:
    error = error_of(client.get("/v2/scan"), 404, "not_found")
    assert "/v2/scan" in error["message"]
    error = error_of(client.get("/v1/scan"), 405, "method_not_allowed")
    assert "POST" in error["message"]
    error_of(client.post("/healthz"), 405, "method_not_allowed")
    error_of(client.get("/static/nothing.js"), 404, "not_found")


def test_a_bug_is_a_500_in_the_error_shape_without_a_traceback() -> None:
    class Broken(milia_scan.Scanner):
        def scan(self, label: str, *, context: str = "leave-on"):
            raise RuntimeError("boom: secret internals")

    with TestClient(create_app(Broken()), raise_server_exceptions=False) as c:
        error = error_of(c.post("/v1/scan", json={"label": "Aqua"}), 500, "internal_error")
        assert "boom" not in error["message"]


# --------------------------------------------------------------------------- the event loop


def test_scanning_runs_off_the_event_loop_one_call_at_a_time(scanner) -> None:
    """A scan that blocks leaves the service answering; scans wait for each other (the scanner's
    caches are never used by two threads at once)."""
    entered, release = threading.Event(), threading.Event()
    inside = []

    class Slow(milia_scan.Scanner):
        def scan(self, label: str, *, context: str = "leave-on"):
            inside.append(label)
            if label == "block":
                entered.set()
                assert release.wait(30)
            return super().scan(label, context=context)

    import httpx

    with LiveServer(create_app(Slow(scanner.lexicon))) as server:
        results: dict[str, int] = {}

        def post(label: str) -> None:
            results[label] = httpx.post(server.url + "/v1/scan", json={"label": label}, timeout=60).status_code

        blocked = threading.Thread(target=post, args=("block",))
        blocked.start()
        assert entered.wait(30)
        waiting = threading.Thread(target=post, args=("Petrolatum",))
        waiting.start()
        # while the scan thread is held, the event loop still answers
        assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
        assert inside == ["block"], "the second scan must wait for the first"
        release.set()
        blocked.join(60)
        waiting.join(60)
        assert results == {"block": 200, "Petrolatum": 200} and inside == ["block", "Petrolatum"]


def test_oversized_bodies_on_a_real_socket(app) -> None:
    """Content-Length over the cap: 413 before the body is read; chunked: 413 while reading; the
    service goes on serving on new connections."""
    with LiveServer(app) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.putrequest("POST", "/v1/scan")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(50 * 1024 * 1024))  # says 50 MB, sends nothing
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 413 and response.getheader("connection") == "close"
        assert json.loads(response.read())["error"]["code"] == "body_too_large"
        conn.close()

        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        body = (b"x" * 8192 for _ in range(40))  # 320 KB, chunked
        conn.request("POST", "/v1/scan", body=body, headers={"Content-Type": "application/json"},
                     encode_chunked=True)
        response = conn.getresponse()
        assert response.status == 413 and json.loads(response.read())["error"]["code"] == "body_too_large"
        conn.close()

        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("POST", "/v1/scan", body=json.dumps({"label": "Petrolatum"}),
                     headers={"Content-Type": "application/json"})
        assert json.loads(conn.getresponse().read())["hits"][0]["id"] == "petrolatum"
        conn.close()


# --------------------------------------------------------------------------- CORS


def test_cors_only_for_the_origins_given() -> None:
    origin = {"Origin": "https://shop.example"}
    with TestClient(create_app()) as plain:
        assert "access-control-allow-origin" not in plain.get("/healthz", headers=origin).headers
    with TestClient(create_app(cors_origins=["https://shop.example"])) as c:
        assert c.get("/healthz", headers=origin).headers["access-control-allow-origin"] == "https://shop.example"
        assert "access-control-allow-origin" not in c.get("/healthz", headers={"Origin": "https://evil.example"}).headers
        pre = c.options("/v1/scan", headers={**origin, "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"})
        assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]
        too_big = c.post("/v1/scan", json={"label": "x" * MAX_SCAN_BODY}, headers=origin)
        assert too_big.status_code == 413 and too_big.headers["access-control-allow-origin"] == "https://shop.example"


# --------------------------------------------------------------------------- OpenAPI and the pages


def test_openapi_describes_exactly_the_endpoints(app, client) -> None:
    schema = client.get("/openapi.json").json()
    assert {path: set(ops) for path, ops in schema["paths"].items()} == ENDPOINTS
    routed = {(r.path.replace(":path", ""), m.lower()) for r in app.routes
              if getattr(r, "include_in_schema", False) and getattr(r, "methods", None) for m in r.methods}
    assert routed == {(p, m) for p, ms in ENDPOINTS.items() for m in ms}
    ref = "#/components/schemas/"
    ops = schema["paths"]
    assert ops["/v1/scan"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"] == ref + "ScanRequest"
    assert ops["/v1/score"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"] == ref + "ScoreRequest"
    assert ops["/v1/scan"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == ref + "Report"
    for path, methods in ops.items():  # every error response is the one error shape
        for op in methods.values():
            for status, response in op["responses"].items():
                if status.startswith("4"):
                    assert response["content"]["application/json"]["schema"]["$ref"] == ref + "ErrorResponse", path
    components = schema["components"]["schemas"]
    assert "HTTPValidationError" not in components
    assert components["ScanRequest"]["properties"]["label"]["maxLength"] == MAX_LABEL_CHARS
    assert components["ScoreRequest"]["properties"]["labels"]["maxItems"] == MAX_LABELS
    assert components["ScanRequest"]["properties"]["context"]["enum"] == ["leave-on", "rinse-off", "eye-area"]


def test_committed_openapi_file_matches_the_service(app) -> None:
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(app.openapi())), (
        "docs/openapi.json is stale: regenerate it with `milia-scan serve --openapi > docs/openapi.json`")


def test_readme_web_service_section_matches_the_service(client) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Web service", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(GET|POST) (/[^`]*)`", section, flags=re.M))
    assert {(m.lower(), p.replace("{id or name}", "{id_or_name}")) for m, p in documented} == {
        (m, p) for p, ms in ENDPOINTS.items() for m in ms}
    # every curl example there runs against the service as written
    commands = [c.replace("\\\n", " ") for c in re.findall(r"^curl (?:.*\\\n)*.*", section, flags=re.M)]
    assert len(commands) >= 4
    answers = []
    for command in commands:
        args = shlex.split(command.split(" | ")[0])
        url = next(a for a in args if a.startswith("localhost:8000"))
        body = args[args.index("-d") + 1].encode() if "-d" in args else None
        response = client.request("POST" if body else "GET", url.removeprefix("localhost:8000"), content=body,
                                  headers={"Content-Type": "application/json"} if body else {})
        assert response.status_code in (200, 413, 422), (url, response.text)
        answers.append(response.json())
    # and the JSON shown under it is what they answer
    shown = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, flags=re.S)]
    scan, score, error = shown
    real_scan = answers[0]
    assert set(scan) == set(real_scan) and scan["hits"][0] == real_scan["hits"][0]
    assert {k: scan[k] for k in ("score", "band", "context")} == {k: real_scan[k] for k in ("score", "band", "context")}
    assert all(scan[k] == real_scan[k] for k in ("milia", "pore_clogging", "profiles", "disclaimer"))  # shown whole
    assert score == answers[1]
    assert error == answers[-1]


def test_pages_load_nothing_from_elsewhere(client) -> None:
    for path in ("/", "/docs"):
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
        refs = re.findall(r'(?:src|href)="([^"]*)"', page.text)
        assert refs and all(r.startswith(("/", "#", "data:")) and not r.startswith("//") for r in refs), refs
        for ref in (r for r in refs if r.startswith("/static/")):
            asset = client.get(ref)
            assert asset.status_code == 200, ref
            assert not re.search(r"https?://|//cdn|@import", asset.text), f"{ref} names another host"
        assert "swagger" not in page.text.lower()
    assert client.get("/redoc").status_code == 404  # the stock pages (CDN scripts) are off


def test_static_files_revalidate_with_an_etag(client) -> None:
    first = client.get("/static/app.js")
    again = client.get("/static/app.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


# --------------------------------------------------------------------------- the command


def test_import_milia_scan_does_not_load_fastapi() -> None:
    code = ("import sys, milia_scan, milia_scan.cli, milia_scan.bulk; milia_scan.scan('Petrolatum'); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'fastapi', 'uvicorn', 'starlette', 'httpx'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_serve_without_fastapi_says_how_to_install(run, monkeypatch) -> None:
    for name in [m for m in sys.modules if m.startswith("milia_scan.serve")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fastapi", None)  # as if not installed: import raises ImportError
    result = run("serve")
    assert result.exit_code == 2
    assert "pip install 'milia-scan[serve]'" in result.output and "fastapi" in result.output


def test_serve_on_a_port_in_use_is_a_one_line_error(run) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 2
    assert result.output.strip() == f"milia-scan: error: port {port} on 127.0.0.1 is in use: stop what runs there, " \
                                    "or pick another --port"


def test_serve_with_a_broken_lexicon_fails_before_starting_workers(run, tmp_path) -> None:
    result = run("serve", "--workers", "2", "--lexicon", str(tmp_path / "missing"))
    assert result.exit_code == 2 and result.output.startswith("milia-scan: error: ") and "Traceback" not in result.output


def test_serve_openapi_flag_prints_the_schema(run, app) -> None:
    result = run("serve", "--openapi")
    assert result.exit_code == 0 and json.loads(result.output) == json.loads(json.dumps(app.openapi()))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_command_runs_and_stops_on_sigterm(workers: int) -> None:
    import httpx

    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "milia_scan.cli", "serve", "--port", str(port), "--workers",
                             str(workers), "--cors-origin", "https://shop.example", "--no-access-log"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in proc.stderr:  # uvicorn says when it listens
            if "Application startup complete" in line or proc.poll() is not None:
                break
        url = f"http://127.0.0.1:{port}"
        origin = {"Origin": "https://shop.example"}
        for _ in range(4):  # with 2 workers, requests land on either: each has the settings
            response = httpx.post(url + "/v1/scan", json={"label": "Aqua, Petrolatum"}, headers=origin, timeout=30)
            assert response.json()["hits"][0]["id"] == "petrolatum"
            assert response.headers["access-control-allow-origin"] == "https://shop.example"
        assert "<title>milia-scan" in httpx.get(url + "/", timeout=30).text
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    # a graceful stop: uvicorn finishes, then ends with the signal it was sent (as servers do)
    assert proc.returncode in (0, -signal.SIGTERM), err
    assert "Finished server process" in err and "Traceback" not in err
