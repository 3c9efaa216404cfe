"""The OpenAPI document matches the routes: same paths, methods and parameters both ways, and the answers fit it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from .conftest import World

Document = dict[str, Any]
PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
JSON_TYPES = {dict: "object", list: "array", str: "string", int: "integer", float: "number", bool: "boolean"}
JSON_TYPES[type(None)] = "null"
TYPES = {None: "string", "string": "string", "path": "string", "int": "integer", "float": "number"}


@pytest.fixture
def document(app: Flask) -> Document:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def api_routes(app: Flask, prefix: str) -> dict[tuple[str, str], dict[str, str]]:
    """(OpenAPI path, method) -> {path parameter: JSON type}, read from the app's url_map (the docs page aside)."""
    found = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix + "/") or rule.endpoint == "api.docs":
            continue
        path = PARAMETER.sub(r"{\2}", rule.rule.removeprefix(prefix))
        types = {name: TYPES[converter or None] for converter, name in PARAMETER.findall(rule.rule)}
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found[(path, method.lower())] = types
    return found


def documented(document: Document) -> dict[tuple[str, str], dict[str, str]]:
    """(OpenAPI path, method) -> {path parameter: JSON type}, read from the document."""
    return {
        (path, method): {p["name"]: p["schema"]["type"] for p in operation["parameters"] if p["in"] == "path"}
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def test_every_api_route_is_documented_and_every_documented_route_exists(app: Flask, document: Document) -> None:
    prefix = document["servers"][0]["url"]
    assert prefix == "/api/v1"
    in_app, in_document = api_routes(app, prefix), documented(document)
    assert in_app.keys() - in_document.keys() == set(), "routes missing from the OpenAPI document"
    assert in_document.keys() - in_app.keys() == set(), "documented routes the app does not have"
    for key, parameters in in_app.items():
        assert in_document[key] == parameters, f"{key}: path parameters differ"


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def resolve(document: Document, reference: str) -> Any:
    assert reference.startswith("#/"), reference
    node: Any = document
    for part in reference[2:].split("/"):
        node = node[part]
    return node


def test_the_document_is_well_formed_openapi_3_1(document: Document) -> None:
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    for reference in references(document):
        resolve(document, reference)  # every $ref points at something
    operation_ids = []
    for path, operations in document["paths"].items():
        assert path.startswith("/")
        in_path = set(re.findall(r"{(\w+)}", path))
        for method, operation in operations.items():
            assert method in {"get", "put", "post", "delete", "patch"}
            operation_ids.append(operation["operationId"])
            assert operation["summary"]
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == in_path, f"{method} {path}: path parameters"
            assert all(p["required"] for p in operation["parameters"] if p["in"] == "path")
            assert {p["in"] for p in operation["parameters"]} <= {"path", "query", "header", "cookie"}
            assert operation["responses"], f"{method} {path} has no responses"
            for status, answer in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", status)
                answer = resolve(document, answer["$ref"]) if "$ref" in answer else answer
                assert answer["description"]
                assert "schema" in answer["content"]["application/json"]
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"


def test_the_openapi_document_is_public_and_the_rest_needs_a_token(document: Document) -> None:
    assert document["security"] == [{"bearerAuth": []}]
    public = [
        (path, method)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if operation.get("security") == []
    ]
    assert sorted(public) == [("/openapi.json", "get"), ("/self-check", "post")]  # the self-check: a token optional


def test_with_openapi_spec_validator_when_installed(document: Document) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)


def fits(value: Any, schema: dict[str, Any], document: Document, where: str = "$") -> list[str]:
    """Check a value against the parts of JSON Schema the document uses (type, required, properties, items, enum)."""
    if "$ref" in schema:
        return fits(value, resolve(document, schema["$ref"]), document, where)
    problems = []
    allowed = schema.get("type")
    if allowed is not None:
        names = allowed if isinstance(allowed, list) else [allowed]
        kind = JSON_TYPES.get(type(value), "?")
        if kind not in names and not (kind == "integer" and "number" in names):
            return [f"{where}: {value!r} is not {allowed}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [f"{where}: missing {name}" for name in schema.get("required", []) if name not in value]
        if schema.get("additionalProperties") is False:
            problems += [f"{where}: undeclared {name}" for name in value if name not in properties]
        for name, item in value.items():
            if name in properties:
                problems += fits(item, properties[name], document, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += fits(item, schema["items"], document, f"{where}[{index}]")
    return problems


def test_every_answer_fits_its_documented_schema(
    app: Flask, world: World, document: Document, token_for: Callable[[str], dict[str, str]]
) -> None:
    samples = {
        "course_id": world.course_a,
        "topic_id": world.topic_a,
        "job_id": world.job_a,
        "post_id": world.post_a,
        "person_id": world.person_a,
    }
    client, headers = app.test_client(), token_for("instructor")
    checked = 0
    for path, operations in document["paths"].items():
        if "get" not in operations:
            continue
        url = "/api/v1" + re.sub(r"{(\w+)}", lambda found: str(samples[found[1]]), path)
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        schema = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert fits(response.get_json(), schema, document) == [], url
        checked += 1
    assert checked >= 5
    error = client.get("/api/v1/courses/999", headers=headers).get_json()
    assert fits(error, {"$ref": "#/components/schemas/Error"}, document) == []


def test_a_route_added_outside_the_registry_is_noticed(app: Flask) -> None:
    from forumgrader.web.api import registry

    app.add_url_rule("/api/v1/undocumented/<int:thing_id>", "undocumented", lambda thing_id: {})
    missing = api_routes(app, "/api/v1").keys() - documented(registry.document()).keys()
    assert missing == {("/undocumented/{thing_id}", "get")}
