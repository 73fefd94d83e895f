"""The OpenAPI 3.1 document, built from the declarations in ``chalicelib.operations``.

Nothing here names a route: every path, method, caller, parameter, body, answer and problem comes
from an operation's declaration, and every schema from the pydantic model that validates it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib import operations, schemas
from chalicelib.operations import Answer, Header, Operation

_REF = "#/components/schemas/{model}"
PROBLEM_JSON = "application/problem+json"
SEMVER = r"^[0-9]+\.[0-9]+\.[0-9]+$"

_API_VERSION = Header(
    "API-Version",
    "The full version of the API that answered (semantic versioning); the major one is in the path",
    {"type": "string", "pattern": SEMVER},
    required=True,
)
_TAGS = {
    "signals": "Organisations: their signals",
    "subjects": "Municipalities: the rights of the family (the BSN travels only in the body)",
    "matches": "Municipalities: the matches their regievoerder follows up",
    "reports": "Municipalities and administrators: counts per period",
    "health": "The service",
    "openapi.json": "The service",
}


def _ref(model: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=model)}


def _headers(headers: tuple[Header, ...]) -> dict[str, Any]:
    return {
        header.name: {"description": header.description, "required": header.required, "schema": dict(header.schema)}
        for header in (_API_VERSION, *headers)
    }


def _content(answer: Answer) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for media_type in answer.media_types:
        if media_type == operations.HTML:
            content[media_type] = {"schema": {"type": "string"}}
        elif len(answer.models) > 1:
            content[media_type] = {"schema": {"oneOf": [_ref(model) for model in answer.models]}}
        elif answer.models:
            content[media_type] = {"schema": _ref(answer.models[0])}
        else:
            content[media_type] = {"schema": {"type": "object"}}
    return content


def _answer(answer: Answer) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": answer.description,
        "headers": _headers(answer.headers),
        "content": _content(answer),
    }
    if answer.links:
        response["links"] = {
            link.name: {
                "operationId": link.operation,
                "parameters": dict(link.parameters),
                "description": link.description,
            }
            for link in answer.links
        }
    return response


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _headers(()),
        "content": {PROBLEM_JSON: {"schema": _ref("Problem")}},
    }


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a string: pydantic's ``anyOf [..., null]`` is just the first."""
    alternatives = schema.get("anyOf")
    if alternatives is not None:
        others = [alternative for alternative in alternatives if alternative != {"type": "null"}]
        if len(others) == 1:
            schema = {**{key: value for key, value in schema.items() if key != "anyOf"}, **others[0]}
    if schema.get("type") == ["string", "null"]:
        schema = {**schema, "type": "string"}
    schema.pop("title", None)
    if "default" in schema and schema["default"] is None:
        del schema["default"]
    return schema


def _inlined(node: Any, definitions: dict[str, Any]) -> Any:
    """``node`` with every local ``$ref`` replaced by what it names (a query's enums)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inlined(definitions[node["$ref"].rsplit("/", 1)[1]], definitions)
        return {key: _inlined(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(value, definitions) for value in node]
    return node


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    definitions = schema.get("$defs", {})
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": _without_null(_inlined(field, definitions)),
        }
        for name, field in schema["properties"].items()
    ]


def _operation(operation: Operation) -> dict[str, Any]:
    parameters = [
        {"name": header.name, "in": "header", "required": header.required, "schema": dict(header.schema)}
        | {"description": header.description}
        for header in operation.request_headers
    ]
    if operation.query:
        parameters += _query_parameters(getattr(schemas, operation.query))
    responses = {str(answer.status): _answer(answer) for answer in operation.answers}
    responses |= {str(status): _problem(text) for status, text in operations.problems(operation).items()}
    document: dict[str, Any] = {
        "operationId": operation.id,
        "summary": operation.summary,
        "tags": [operation.path.split("/")[1]],
        "security": [{"bearer": []}] if operation.needs_token else [],
    }
    if operation.description:
        document["description"] = operation.description
    if parameters:
        document["parameters"] = parameters
    if operation.body:
        document["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(operation.body)}}}
    document["responses"] = responses
    return document


def _path_item(path: str, declared: list[Operation]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    patterns = declared[0].path_parameters
    if patterns:
        # Shared by every operation on the path, so declared once for the path.
        item["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": pattern}}
            for name, pattern in patterns.items()
        ]
    for operation in declared:
        item[operation.method.lower()] = _operation(operation)
    return item


def _models() -> list[tuple[type[BaseModel], Any]]:
    names = {"Problem"}
    for operation in operations.OPERATIONS:
        if operation.body:
            names.add(operation.body)
        for answer in operation.answers:
            names.update(answer.models)
    return [
        (getattr(schemas, name), "validation" if name.endswith("In") else "serialization") for name in sorted(names)
    ]


@cache
def document() -> dict[str, Any]:
    _, definitions = models_json_schema(_models(), ref_template=_REF)
    by_path: dict[str, list[Operation]] = {}
    for operation in operations.OPERATIONS:
        by_path.setdefault(operation.path, []).append(operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Verwijsindex",
            "version": operations.API_VERSION,
            "description": "The Dutch reference index for youths at risk (Jeugdwet chapter 7.1). The BSN travels only "
            "in request bodies and is never answered. Every error is an RFC 9457 problem document.",
            "contact": {
                "name": "Beheer Verwijsindex",
                "url": "https://verwijsindex.example.nl/beheer",
                "email": "beheer@verwijsindex.example.nl",
            },
        },
        "servers": [
            {
                "url": f"..{operations.BASE_PATH}",
                "description": "Relative to this document, wherever the API is served (a stage or a custom domain)",
            }
        ],
        "tags": [{"name": name, "description": text} for name, text in _TAGS.items()],
        "paths": {path: _path_item(path, declared) for path, declared in by_path.items()},
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
