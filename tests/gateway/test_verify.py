"""`gateway verify` in process: traffic recorded through the gateway app, replayed by the command."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from typer.testing import CliRunner

from gateway.app import GatewayApp
from gateway.cli import app
from gateway.flags import ApiFlags, FlagFile
from gateway.modes import Mode
from gateway.settings import ServerSettings
from tests.e2e.shadow_apis import registry

runner = CliRunner()
APIS = "tests.e2e.shadow_apis"
UNMIGRATED = "tests.gateway.unmigrated_apis"
CHAT = {"model": "echo", "messages": [{"role": "user", "content": "hi there"}]}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few exchanges of models, files and inference (a stream among them), recorded in process."""
    workdir = tmp_path_factory.mktemp("corpus")
    records = workdir / "records"
    recorded: dict[str, Mode | ApiFlags] = {api: ApiFlags(record=1) for api in ("models", "files", "inference")}
    settings = ServerSettings(data_dir=workdir / "data", record_dir=records, record_redact=["X-Team"])
    gateway = GatewayApp(registry, settings, flags=FlagFile(apis=recorded))

    async def serve() -> None:
        async with gateway.runtime.running():
            transport = httpx.ASGITransport(app=gateway)
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
                await client.post("/v1/models", json={"model_id": "team/v"}, headers={"x-team": "secret"})
                await client.get("/v1/models")
                await client.get("/v1/models/nope")
                upload = await client.post(
                    "/v1/files", files={"file": ("a.bin", b"\xff\x00")}, data={"purpose": "batch"}
                )
                await client.get(f"/v1/files/{upload.json()['id']}/content")
                await client.post("/v1/chat/completions", json=CHAT)
                await client.post("/v1/chat/completions", json={**CHAT, "stream": True})

    asyncio.run(serve())
    return records


def _lines(corpus: Path) -> list[dict[str, object]]:
    return [json.loads(text) for path in sorted(corpus.glob("*.jsonl")) for text in path.read_text().splitlines()]


def _edited(corpus: Path, tmp_path: Path, lines: list[dict[str, object]]) -> Path:
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return edited


def _verify(*args: str | Path, apis: str = APIS) -> tuple[int, str, str]:
    result = runner.invoke(app, ["verify", "--apis", apis, *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_recorded_lines_hold_calls_streams_binary_bodies_and_redacted_headers(corpus: Path) -> None:
    lines = _lines(corpus)
    assert [line["route"] for line in lines] == [
        "POST /v1/models",
        "GET /v1/models",
        "GET /v1/models/{model_id:path}",
        "POST /v1/files",
        "GET /v1/files/{file_id}/content",
        "POST /v1/chat/completions",
        "POST /v1/chat/completions",
    ]
    assert dict(lines[0]["request"]["headers"])["x-team"] == "<redacted>"  # type: ignore[index]
    assert "body_b64" in lines[4]["response"]  # type: ignore[operator]
    assert any("streamed" in call["outcome"] for call in lines[6]["calls"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("side", ["migrated", "legacy"])
def test_verify_passes_on_either_side_in_text_json_and_junit(corpus: Path, side: str, tmp_path: Path) -> None:
    junit = tmp_path / "verify.xml"
    status, out, _ = _verify(corpus, "--side", side, "--junit", junit)
    assert status == 0, out
    assert out.splitlines()[0] == f"verify against {side}"
    assert out.splitlines()[-1] == "PASS: 7 exchanges, 0 mismatch, 0 unverifiable"
    status, out, _ = _verify(corpus, "--side", side, "--format", "json")
    report = json.loads(out)
    assert report["passed"] and sum(route["match"] for route in report["routes"]) == 7
    cases = ElementTree.parse(junit).getroot().findall(".//testcase")
    assert len(cases) == 6 and not ElementTree.parse(junit).getroot().findall(".//failure")


def test_verify_against_a_drifting_router_fails_naming_the_drift(corpus: Path, tmp_path: Path) -> None:
    junit = tmp_path / "verify.xml"
    status, out, _ = _verify(corpus, "--api", "models", "--junit", junit, apis=f"{APIS}:drifting_registry")
    assert status == 1
    assert 'calls[0] register_model args $.provider_model_id: recorded null | migrated "echo"' in out
    assert out.splitlines()[-1] == "FAIL: 3 exchanges, 3 mismatch, 0 unverifiable"
    failures = ElementTree.parse(junit).getroot().findall(".//failure")
    assert len(failures) == 3 and "register_model" in (failures[0].text or "")


def test_an_edited_response_fails_at_its_file_and_line(corpus: Path, tmp_path: Path) -> None:
    lines = _lines(corpus)
    lines[1]["response"]["status"] = 201  # type: ignore[index]
    edited = _edited(corpus, tmp_path, lines)
    status, out, _ = _verify(edited, "--format", "json")
    problems = json.loads(out)["problems"]
    assert status == 1
    assert [(p["kind"], p["where"]) for p in problems] == [("mismatch", f"{edited}:2")]
    assert problems[0]["text"] == "status: recorded 201 | migrated 200"


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        pytest.param(
            {"type": "no_such_module:Gone"}, "exception class 'no_such_module:Gone' is not importable", id="import"
        ),
        pytest.param({"type": "builtins:len"}, "'builtins:len' is not an exception class", id="not-exception"),
        pytest.param(
            {"attributes": {}, "args": [1, 2, 3]}, "does not rebuild from its arguments [1, 2, 3]", id="arguments"
        ),
    ],
)
def test_an_outcome_that_does_not_rebuild_is_unverifiable_and_fails(
    corpus: Path, tmp_path: Path, edit: dict[str, object], reason: str
) -> None:
    lines = _lines(corpus)
    raised = lines[2]["calls"][0]["outcome"]["raised"]  # type: ignore[index]
    raised.update(edit)
    status, out, _ = _verify(_edited(corpus, tmp_path, lines))
    assert status == 1
    assert out.splitlines()[-1] == "FAIL: 7 exchanges, 0 mismatch, 1 unverifiable"
    assert reason in out


def test_a_returned_value_that_does_not_fit_the_annotation_is_unverifiable(corpus: Path, tmp_path: Path) -> None:
    lines = _lines(corpus)
    lines[0]["calls"][0]["outcome"] = {"returned": {"id": 42}}  # type: ignore[index]
    lines[1]["calls"][0]["outcome"] = {"neither": 1}  # type: ignore[index]
    lines[4]["calls"][0]["method"] = "gone"  # type: ignore[index]
    status, out, _ = _verify(_edited(corpus, tmp_path, lines))
    assert status == 1
    assert "register_model: its returned value does not rebuild as" in out
    assert "an outcome is returned, raised or streamed" in out
    assert "the implementation has no method 'gone'" in out


def test_an_uploads_content_is_recorded_and_verified(corpus: Path, tmp_path: Path) -> None:
    lines = _lines(corpus)
    uploaded = lines[3]["calls"][0]["args"]["file"]  # type: ignore[index]
    assert uploaded == {
        "filename": "a.bin",
        "content_type": "application/octet-stream",
        "size": 2,
        "content_b64": base64.b64encode(b"\xff\x00").decode(),
    }
    uploaded["content_b64"] = base64.b64encode(b"\xff\x01").decode()
    status, out, _ = _verify(_edited(corpus, tmp_path, lines))
    assert status == 1
    assert 'calls[0] upload_file args $.file.content_b64: recorded "/wE=" | migrated "/wA="' in out


def test_a_stream_is_recorded_as_its_events_and_an_edited_event_fails_naming_it(corpus: Path, tmp_path: Path) -> None:
    lines = _lines(corpus)
    response = lines[6]["response"]
    events = response["events"]  # type: ignore[index]
    assert "body" not in response and len(events) > 2  # type: ignore[operator]
    assert all(event["object"] == "chat.completion.chunk" for event in events)
    events[1]["choices"][0]["delta"]["content"] = "edited"
    edited = _edited(corpus, tmp_path, lines)
    status, out, _ = _verify(edited, "--format", "json")
    (problem,) = json.loads(out)["problems"]
    assert status == 1 and problem["where"] == f"{edited}:7"
    assert problem["text"].startswith('body $[1].choices[0].delta.content: recorded "edited" | migrated ')


def test_a_stream_recorded_as_its_body_by_an_earlier_gateway_still_verifies(corpus: Path, tmp_path: Path) -> None:
    lines = _lines(corpus)
    response = lines[6]["response"]
    events = response.pop("events")  # type: ignore[attr-defined]
    response["body"] = "".join(f"data: {json.dumps(event)}\n\n" for event in events)  # type: ignore[index]
    status, out, _ = _verify(_edited(corpus, tmp_path, lines))
    assert status == 0, out


def test_an_api_without_the_side_is_unverifiable(corpus: Path, tmp_path: Path) -> None:
    lines = [{**_lines(corpus)[0], "api": "providers", "calls": []}]
    status, out, _ = _verify(_edited(corpus, tmp_path, lines), apis=UNMIGRATED)
    assert status == 1
    assert "API 'providers' has no migrated side" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('{"format": 1, "api"', ":2: not a JSON line (truncated?)", id="truncated"),
        pytest.param('{"format": 2}\n', ":2: unknown format 2; this gateway reads format 1", id="format"),
        pytest.param("[1]\n", ":2: a line is a JSON object, not list", id="not-object"),
        pytest.param('{"format": 1}\n', ":2: no 'api'", id="missing"),
        pytest.param(
            '{"format": 1, "api": "modles", "route": "", "request": {}, "calls": [], "response": {}}\n',
            ":2: unknown API 'modles' (did you mean 'models'?)",
            id="unknown-api",
        ),
    ],
)
def test_bad_corpus_exits_2_naming_file_and_line(corpus: Path, tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(_lines(corpus)[0]) + "\n" + text)
    status, _, err = _verify(bad)
    assert status == 2
    assert f"{bad}{message}" in err


def test_missing_paths_and_unknown_apis_exit_2(corpus: Path, tmp_path: Path) -> None:
    status, _, err = _verify(tmp_path / "nowhere.jsonl")
    assert (status, f"{tmp_path / 'nowhere.jsonl'}: no such file or directory" in err) == (2, True)
    status, _, err = _verify(corpus, "--api", "modls")
    assert (status, "--api modls: unknown API (did you mean 'models'?)" in err) == (2, True)
    unreadable = tmp_path / "dir.jsonl"
    unreadable.mkdir()
    (unreadable / "x.jsonl").mkdir()
    status, _, err = _verify(unreadable)
    assert (status, "cannot read it" in err) == (2, True)
