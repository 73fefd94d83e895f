"""Each operation is declared once, and what the app serves and documents derives from that."""

from __future__ import annotations

import typing

import pytest

from app import app, routes
from chalicelib import operations, schemas
from chalicelib.domain.model import PrincipalKind
from chalicelib.openapi import document
from chalicelib.routes import Call


def _view(operation: operations.Operation) -> typing.Any:
    return app.routes[operation.route][operation.method].view_function.__wrapped__


def test_the_app_serves_each_declared_operation_and_nothing_else() -> None:
    # The console's pages (/console/...) are HTML for people, not operations of the HTTP API.
    served = {
        (path, method) for path, methods in app.routes.items() for method in methods if not path.startswith("/console/")
    }
    declared = {(operation.route, operation.method) for operation in operations.OPERATIONS}

    assert served == declared
    assert len({operation.id for operation in operations.OPERATIONS}) == len(operations.OPERATIONS)
    assert sorted(op.id for op in routes.operations.values()) == sorted(op.id for op in operations.OPERATIONS)


@pytest.mark.parametrize("operation", operations.OPERATIONS, ids=lambda operation: operation.id)
def test_each_view_is_typed_with_the_models_its_declaration_names(operation: operations.Operation) -> None:
    hints = typing.get_type_hints(_view(operation), localns={"schemas": schemas, "Call": Call})
    body, query = typing.get_args(hints["call"])

    assert body is (getattr(schemas, operation.body) if operation.body else type(None))
    assert query is (getattr(schemas, operation.query) if operation.query else type(None))


@pytest.mark.parametrize("operation", operations.OPERATIONS, ids=lambda operation: operation.id)
def test_only_operations_that_need_a_token_run_the_authorizer(operation: operations.Operation) -> None:
    route = app.routes[operation.route][operation.method]

    assert (route.authorizer is not None) == operation.needs_token


def test_the_document_is_built_from_the_declarations() -> None:
    paths = document()["paths"]

    for operation in operations.OPERATIONS:
        documented = paths[operation.path][operation.method.lower()]
        assert documented["operationId"] == operation.id
        statuses = {int(status) for status in documented["responses"]}
        assert statuses == {answer.status for answer in operation.answers} | set(operations.problems(operation))
        assert ("requestBody" in documented) == bool(operation.body)
        assert (documented["security"] == []) == (not operation.needs_token)


def test_what_a_declaration_implies() -> None:
    assert set(operations.problems(operations.CREATE_SIGNAL)) == {400, 401, 403, 409, 413, 415, 422}
    assert set(operations.problems(operations.LIST_SIGNALS)) == {400, 401, 403, 422}
    assert set(operations.problems(operations.GET_SIGNAL)) == {401, 403, 404}
    assert set(operations.problems(operations.HEALTH)) == set()
    every_kind = operations.Operation(
        id="x", method="GET", path="/x", summary="x", callers=frozenset(PrincipalKind), answers=()
    )
    assert set(operations.problems(every_kind)) == {401}


def test_the_forbidden_message_names_who_may_call() -> None:
    assert (
        operations.forbidden_message(operations.REPORTERS) == "this endpoint is for municipalities and administrators"
    )
