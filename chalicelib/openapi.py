"""The OpenAPI 3.1 document, generated from the same pydantic models that validate requests."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib import schemas

_REF = "#/components/schemas/{model}"


def _json(schema: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": _REF.format(model=schema)}}}}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": _REF.format(model="Problem")}}},
    }


_ERRORS = {
    "400": _problem("The body is not JSON"),
    "401": _problem("No valid bearer token"),
    "403": _problem("A token of the wrong kind"),
    "413": _problem("The body exceeds 64 KiB"),
    "422": _problem("The request breaks a rule, or has an unknown field"),
}


_UNSUPPORTED_MEDIA_TYPE = {"415": _problem("The body is not declared application/json in UTF-8")}


def _operation(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    errors = {**_ERRORS, **(_UNSUPPORTED_MEDIA_TYPE if "requestBody" in extra else {})}
    return {"summary": summary, "security": [{"bearer": []}], "responses": {**responses, **errors}, **extra}


_SIGNAL_ID = {"name": "signal_id", "in": "path", "required": True, "schema": {"type": "string"}}
# Read-modify-write operations retry on fresh data a few times before giving up with this.
_CHANGED_MEANWHILE = "Changed meanwhile by another request, retry"


@cache
def document() -> dict[str, Any]:
    models: list[type[BaseModel]] = [
        schemas.SignalIn,
        schemas.CloseIn,
        schemas.ProfessionalIn,
        schemas.SignalOut,
        schemas.SignalPage,
        schemas.DeletedOut,
        schemas.HealthOut,
        schemas.Problem,
        schemas.SubjectIn,
        schemas.RectifyIn,
        schemas.EraseIn,
        schemas.FollowUpIn,
        schemas.SubjectAccessOut,
        schemas.RectifiedOut,
        schemas.ErasedOut,
        schemas.MatchesOut,
        schemas.MunicipalMatchOut,
    ]
    _, definitions = models_json_schema(
        [(model, "validation" if model.__name__.endswith("In") else "serialization") for model in models],
        ref_template=_REF,
    )
    return {
        "openapi": "3.1.0",
        "info": {"title": "Verwijsindex", "version": "1.0.0"},
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/v1/health": {
                "get": {
                    "summary": "Liveness",
                    "security": [],
                    "responses": {"200": {"description": "OK", **_json("HealthOut")}},
                }
            },
            "/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
            "/v1/signals": {
                "post": _operation(
                    "Register a signal",
                    {
                        "201": {
                            "description": "Created (or replayed for a repeated Idempotency-Key)",
                            **_json("SignalOut"),
                        },
                        "409": _problem("This organisation already has an active signal for the child"),
                    },
                    parameters=[
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 128},
                        }
                    ],
                    requestBody={"required": True, **_json("SignalIn")},
                ),
                "get": _operation(
                    "This organisation's signals, newest first",
                    {"200": {"description": "A page", **_json("SignalPage")}},
                    parameters=[
                        {"name": "status", "in": "query", "schema": {"enum": ["active", "archived"]}},
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
                            "description": "ASCII digits only",
                        },
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    ],
                ),
            },
            "/v1/signals/{signal_id}": {
                "get": _operation(
                    "One signal with its matches",
                    {"200": {"description": "The signal", **_json("SignalOut")}, "404": _problem("Not found")},
                    parameters=[_SIGNAL_ID],
                )
            },
            "/v1/signals/{signal_id}/close": {
                "post": _operation(
                    "Close a signal early",
                    {
                        "200": {
                            "description": "risk_resolved: the archived signal; unjustified: deleted",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "oneOf": [
                                            {"$ref": _REF.format(model="SignalOut")},
                                            {"$ref": _REF.format(model="DeletedOut")},
                                        ]
                                    }
                                }
                            },
                        },
                        "404": _problem("Not found"),
                        "409": _problem(_CHANGED_MEANWHILE),
                    },
                    parameters=[_SIGNAL_ID],
                    requestBody={"required": True, **_json("CloseIn")},
                )
            },
            "/v1/subjects/access": {
                "post": _operation(
                    "Municipality: everything stored about a child (access and copy)",
                    {
                        "200": {
                            "description": "JSON, or with ?format=html a printable Dutch document for the family",
                            **_json("SubjectAccessOut"),
                        },
                        "404": _problem("Nothing stored about this child that this municipality may see"),
                    },
                    parameters=[{"name": "format", "in": "query", "schema": {"enum": ["json", "html"]}}],
                    requestBody={"required": True, **_json("SubjectIn")},
                )
            },
            "/v1/subjects/rectify": {
                "post": _operation(
                    "Municipality: correct the child's data on every signal",
                    {
                        "200": {"description": "The corrected data", **_json("RectifiedOut")},
                        "404": _problem("Nothing stored"),
                        "409": _problem(_CHANGED_MEANWHILE),
                    },
                    requestBody={"required": True, **_json("RectifyIn")},
                )
            },
            "/v1/subjects/erase": {
                "post": _operation(
                    "Municipality: erase every signal of the child (objection or death)",
                    {
                        "200": {"description": "Erased", **_json("ErasedOut")},
                        "404": _problem("Nothing stored"),
                        "409": _problem("Being erased by another request, retry"),
                    },
                    requestBody={"required": True, **_json("EraseIn")},
                )
            },
            "/v1/matches": {
                "get": _operation(
                    "Municipality: the matches its regievoerder follows up",
                    {"200": {"description": "Matches, newest first", **_json("MatchesOut")}},
                    parameters=[
                        {
                            "name": "since",
                            "in": "query",
                            "schema": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                        }
                    ],
                )
            },
            "/v1/matches/{match_id}/follow-up": {
                "post": _operation(
                    "Municipality: record whether the professionals coordinated",
                    {
                        "200": {"description": "The match", **_json("MunicipalMatchOut")},
                        "404": _problem("Not found"),
                        "409": _problem(_CHANGED_MEANWHILE),
                    },
                    parameters=[{"name": "match_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    requestBody={"required": True, **_json("FollowUpIn")},
                )
            },
            "/v1/reports": {
                "get": _operation(
                    "Municipality (its own) or administrator (a region or the country): counts per period",
                    {
                        "200": {
                            "description": "Signals by sector, families informed, matches by kind, follow-up rate; "
                            'every count under 5 is "<5", a share that would reveal one is null',
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                    parameters=[
                        {
                            "name": "period",
                            "in": "query",
                            "required": True,
                            "description": "A year (2026), quarter (2026-Q4) or month (2026-11), from 2000 to 2999",
                            "schema": {"type": "string", "pattern": "^[0-9]{4}(-(Q[1-4]|[0-9]{2}))?$"},
                        },
                        {"name": "region", "in": "query", "schema": {"type": "string"}},
                    ],
                )
            },
            "/v1/signals/{signal_id}/professional": {
                "put": _operation(
                    "Hand the signal to another professional",
                    {
                        "200": {"description": "The signal", **_json("SignalOut")},
                        "404": _problem("Not found"),
                        "409": _problem(_CHANGED_MEANWHILE),
                    },
                    parameters=[_SIGNAL_ID],
                    requestBody={"required": True, **_json("ProfessionalIn")},
                )
            },
        },
    }
