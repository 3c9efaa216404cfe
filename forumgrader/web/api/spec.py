"""Each API route declares what it is next to its view; the OpenAPI document is built from those declarations."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint

from forumgrader.web.errors import ERROR_CODES, SPECIFIC_CODES

Schema = dict[str, Any]
View = Callable[..., Any]

# Flask converters and the JSON Schema of the values they accept
CONVERTERS: dict[str, Schema] = {
    "default": {"type": "string"},
    "string": {"type": "string"},
    "path": {"type": "string"},
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
}
RULE_PARAMETER = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


@dataclass(frozen=True, slots=True)
class Parameter:
    """A query-string parameter an operation reads."""

    name: str
    description: str
    schema: Schema
    required: bool = False


@dataclass(frozen=True, slots=True)
class Operation:
    """One method on one route, as the OpenAPI document describes it."""

    rule: str  # the Flask rule under the API prefix, e.g. "/courses/<int:course_id>"
    method: str
    endpoint: str
    summary: str
    description: str
    response: Schema  # JSON Schema of the successful answer
    status: int
    query: tuple[Parameter, ...]
    request_body: Schema | None
    errors: tuple[int, ...]
    public: bool

    @property
    def path(self) -> str:
        """Return the rule in OpenAPI's notation: /courses/{course_id}."""
        return RULE_PARAMETER.sub(lambda found: "{" + found["name"] + "}", self.rule)

    def path_parameters(self) -> list[Schema]:
        """Describe the parameters of the rule's path, typed by their converters."""
        return [
            {
                "name": found["name"],
                "in": "path",
                "required": True,
                "schema": CONVERTERS[found["converter"] or "default"],
            }
            for found in RULE_PARAMETER.finditer(self.rule)
        ]


class Registry:
    """The API's routes: each is added to the blueprint and described for the OpenAPI document at once."""

    def __init__(self, blueprint: Blueprint, *, prefix: str, title: str, version: str) -> None:
        self.blueprint = blueprint
        self.prefix = prefix
        self.title = title
        self.version = version
        self.operations: list[Operation] = []
        self.schemas: dict[str, Schema] = {}

    def schema(self, name: str, schema: Schema) -> Schema:
        """Name a schema in the document's components and return a reference to it."""
        self.schemas[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}

    def route(
        self,
        rule: str,
        *,
        summary: str,
        response: Schema,
        description: str = "",
        methods: Iterable[str] = ("GET",),
        status: int = 200,
        query: Iterable[Parameter] = (),
        request_body: Schema | None = None,
        errors: Iterable[int] = (401, 404),
        public: bool = False,
    ) -> Callable[[View], View]:
        """Add a view to the API under `rule` and describe it; `errors` lists the statuses it may answer with."""

        def register(view: View) -> View:
            methods_ = tuple(method.upper() for method in methods)
            self.blueprint.add_url_rule(rule, view_func=view, methods=list(methods_))
            for method in methods_:
                self.operations.append(
                    Operation(
                        rule=rule,
                        method=method,
                        endpoint=f"{self.blueprint.name}.{view.__name__}",
                        summary=summary,
                        description=description or (view.__doc__ or "").strip(),
                        response=response,
                        status=status,
                        query=tuple(query),
                        request_body=request_body,
                        errors=tuple(errors),
                        public=public,
                    )
                )
            return view

        return register

    def document(self) -> Schema:
        """Build the OpenAPI 3.1 document of every declared route."""
        paths: dict[str, dict[str, Schema]] = {}
        for operation in self.operations:
            paths.setdefault(operation.path, {})[operation.method.lower()] = _describe(operation)
        error_ref = {"$ref": "#/components/schemas/Error"}
        return {
            "openapi": "3.1.0",
            "info": {
                "title": self.title,
                "version": self.version,
                "description": "Send `Authorization: Bearer <token>` (make one with `forumgrader users token EMAIL`). "
                'Every error answers {"error": "<code>", "message": "<what to do>"}.',
            },
            "servers": [{"url": self.prefix}],
            "security": [{"bearerAuth": []}],
            "paths": paths,
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
                "schemas": {"Error": ERROR_SCHEMA, **self.schemas},
                "responses": {
                    str(status): {
                        "description": code.replace("_", " "),
                        "content": {"application/json": {"schema": error_ref}},
                    }
                    for status, code in ERROR_CODES.items()
                },
            },
        }


ERROR_SCHEMA: Schema = {
    "type": "object",
    "required": ["error", "message"],
    "additionalProperties": False,
    "properties": {
        "error": {"type": "string", "enum": sorted(set(ERROR_CODES.values()) | SPECIFIC_CODES)},
        "message": {"type": "string", "description": "What went wrong and what to do next, for a person."},
    },
}


def _describe(operation: Operation) -> Schema:
    described: Schema = {
        "operationId": operation.endpoint.replace(".", "_"),
        "summary": operation.summary,
        "parameters": operation.path_parameters()
        + [
            {
                "name": parameter.name,
                "in": "query",
                "required": parameter.required,
                "description": parameter.description,
                "schema": parameter.schema,
            }
            for parameter in operation.query
        ],
        "responses": {
            str(operation.status): {
                "description": operation.summary,
                "content": {"application/json": {"schema": operation.response}},
            },
            **{str(status): {"$ref": f"#/components/responses/{status}"} for status in operation.errors},
        },
    }
    if operation.description:
        described["description"] = operation.description
    if operation.request_body is not None:
        described["requestBody"] = {"required": True, "content": operation.request_body}
    if operation.public:
        described["security"] = []
    return described
