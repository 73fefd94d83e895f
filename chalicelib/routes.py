"""Routes from their declarations in ``chalicelib.operations``: each registered with the checks its
declaration implies (token, who may call, query, body) and the one error mapping of ``web``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from chalice.app import Request, Response

from chalicelib import operations
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.model import Principal
from chalicelib.observability import count_rejection
from chalicelib.operations import Operation

if TYPE_CHECKING:
    # Only the API's routes use pydantic; the authorizer imports this module too.
    from chalice.app import Chalice, ChaliceAuthorizer
    from pydantic import BaseModel

from chalicelib.callers import client_certificate, principal_from
from chalicelib.web import ANY_MEDIA_TYPE, parse_body, query_params, single_values, to_problem

Body = TypeVar("Body")
Query = TypeVar("Query")


@dataclass(frozen=True)
class Call(Generic[Body, Query]):
    """A request that passed its operation's checks: the caller, its query and its body, parsed."""

    request: Request
    principal: Principal | None
    query: Query
    body: Body

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "only operations that need a token have a caller"
        return self.principal


def _model(name: str) -> type[BaseModel]:
    from chalicelib import schemas

    model: type[BaseModel] = getattr(schemas, name)
    return model


class Routes:
    """Registers each declared operation as a Chalice route with the checks its declaration implies.

    ``mutual_tls`` says whether the deployment requires client certificates (Digikoppeling); it is
    asked per request, so the authorizer's cold start never reads the settings.
    """

    def __init__(self, app: Chalice, authorizer: ChaliceAuthorizer, mutual_tls: Callable[[], bool]) -> None:
        self._app = app
        self._authorizer = authorizer
        self._mutual_tls = mutual_tls
        self.operations: dict[str, Operation] = {}

    def __call__(self, operation: Operation) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        def register(view: Callable[..., Response]) -> Callable[..., Response]:
            @functools.wraps(view)
            def handle(**path_parameters: str) -> Response:
                try:
                    return view(self._checked(operation), **path_parameters)
                except Exception as exc:  # the one place that maps errors to HTTP
                    response, reason = to_problem(exc)
                    count_rejection(operation.id, reason)
                    return response

            self._app.route(
                operation.route,
                methods=[operation.method],
                content_types=ANY_MEDIA_TYPE,
                authorizer=self._authorizer if operation.needs_token else None,
            )(handle)
            self.operations[view.__name__] = operation
            return handle

        return register

    def _checked(self, operation: Operation) -> Call[Any, Any]:
        """Token, then who may call, then query, then body: the order is the contract's, not the view's."""
        request = self._app.current_request
        assert request is not None, "only called while handling a request"
        principal = None
        if operation.needs_token:
            principal = self._authenticated(request)
            if principal.kind not in operation.callers:
                raise Forbidden(operations.forbidden_message(operation.callers))
        params = single_values(request.query_params)
        query = None
        if operation.query:
            model = _model(operation.query)
            query = model.model_validate(query_params(params, set(model.model_fields)))
        else:
            query_params(params, set())
        body = parse_body(request, _model(operation.body))[0] if operation.body else None
        return Call(request=request, principal=principal, query=query, body=body)

    def _authenticated(self, request: Request) -> Principal:
        principal = principal_from(request.context)
        if self._mutual_tls():
            from chalicelib.services import auth

            auth.require_certificate_of(principal, client_certificate(request.context))
        return principal
