"""A local stand-in for the Haal Centraal BRP Personen API (v2), on loopback, from RvIG test personas.

It answers ``POST /personen`` (types ``RaadpleegMetBurgerservicenummer`` and
``ZoekMetGeslachtsnaamEnGeboortedatum``, ``local/brp_search.py``) in the v2 answer shape, trimmed to
the ``fields`` asked, with ``opschortingBijhouding`` unasked as the real API sends it;
an unknown BSN has no entry. It refuses what the real one refuses: a request without a valid bearer
token (401), a malformed query (400, ``invalidParams``), a field outside the authorisation (403,
``unauthorizedField``). ``POST /token`` hands out tokens for OAuth2 client credentials.

It also answers the BRP Update API: ``PUT /volgindicaties/{bsn}`` (follow a persona until
``einddatum``; kept in memory) and ``GET /wijzigingen?vanaf=YYYY-MM-DD`` (the followed personas moved
or deceased here on or after that day, while still followed).

Only the stand-in has the ``/stand-in/...`` routes, with which the local stack moves a persona,
records a death, or makes the next answers fail (429/503), so moves, deaths and outages can be
tried by hand and in tests (``python -m admin brp``, never against a real register).
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import urllib.parse
from collections.abc import Callable
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from local import brp_search

PERSONAS = Path(__file__).resolve().parent / "brp_personas.json"
QUERY_TYPE = "RaadpleegMetBurgerservicenummer"
# What RvIG would authorise a verwijsindex to ask (docs/brp.md): anything else is 403 unauthorizedField.
AUTHORISED = (
    "burgerservicenummer",
    "naam.voorvoegsel",
    "naam.geslachtsnaam",
    "geboorte.datum",
    "verblijfplaats.verblijfadres",
    "gemeenteVanInschrijving",
    "ouders.burgerservicenummer",
    "overlijden.datum",
)
KNOWN_TOP_FIELDS = frozenset(
    {"burgerservicenummer", "naam", "geboorte", "verblijfplaats", "gemeenteVanInschrijving", "ouders", "overlijden"}
    | {"geslacht", "leeftijd", "nationaliteiten", "partners", "kinderen", "adressering", "gezag", "immigratie"}
)
UNASKED = ("opschortingBijhouding",)
PROBLEM = "application/problem+json"


def pick(person: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """``person`` trimmed to the dotted ``fields`` (a list is trimmed element by element)."""
    result: dict[str, Any] = {}
    for path in fields:
        _copy_path(person, result, path.split("."))
    for name in UNASKED:
        if name in person:
            result[name] = copy.deepcopy(person[name])
    if "verblijfplaats" in result and "type" in person.get("verblijfplaats", {}):
        result["verblijfplaats"]["type"] = person["verblijfplaats"]["type"]
    return result


def _copy_path(source: Any, target: dict[str, Any], parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if not isinstance(source, dict) or head not in source:
        return
    value = source[head]
    if not rest:
        target[head] = copy.deepcopy(value)
    elif isinstance(value, list):
        items = target.setdefault(head, [{} for _ in value])
        for item_source, item_target in zip(value, items, strict=True):
            _copy_path(item_source, item_target, rest)
    else:
        _copy_path(value, target.setdefault(head, {}), rest)


class BrpStandIn:
    """The stand-in's state and server; ``start()`` listens on 127.0.0.1 (port 0: any free one)."""

    def __init__(self, port: int = 0, personas: Path = PERSONAS, today: Callable[[], date] = date.today) -> None:
        self.client_id = "verwijsindex-local"
        self.client_secret = secrets.token_urlsafe(24)
        self._personas = {p["burgerservicenummer"]: p for p in json.loads(personas.read_text())["personen"]}
        self._tokens: set[str] = set()
        self._failures: list[int] = []
        self._update_failures: list[int] = []
        self._lock = threading.Lock()
        self.personen_requests = 0
        self._today = today
        # Moves and deaths recorded here, oldest first (BSN, day): GET /wijzigingen names the followed ones.
        self.changed: list[tuple[str, date]] = []
        # The BRP Update API's volgindicaties: BSN -> (begindatum, einddatum); followed from the first
        # day up to, not including, the second (the API's einddatum: "not active from that day").
        self.volgindicaties: dict[str, tuple[date, date]] = {}
        self.update_requests = 0
        self.answers: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="brp-stand-in", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()

    def provision(self, ssm: Any, prefix: str) -> None:
        """Its URLs and credentials where a deployment keeps the real ones: SSM, under ``prefix``
        (the setting BRP_PARAMETERS)."""
        values = {
            "base-url": self.url,
            "token-url": self.token_url,
            "client-id": self.client_id,
            "client-secret": self.client_secret,
        }
        for name, value in values.items():
            ssm.put_parameter(Name=f"{prefix}/{name}", Value=value, Type="SecureString", Overwrite=True)

    # What the admin command and the tests change.

    def move(self, bsn: str, postcode: str, house_number: int, municipality_code: str, **extra: str | None) -> None:
        with self._lock:
            person = self._personas[bsn]
            address = {"postcode": postcode, "huisnummer": house_number}
            address.update({k: v for k, v in extra.items() if v and k in {"huisletter", "huisnummertoevoeging"}})
            person["verblijfplaats"] = {"type": "Adres", "verblijfadres": address}
            person["gemeenteVanInschrijving"] = {"code": municipality_code}
            self.changed.append((bsn, self._today()))

    def record_death(self, bsn: str, on: str) -> None:
        with self._lock:
            person = self._personas[bsn]
            day = {"type": "Datum", "datum": on, "langFormaat": on}
            person["overlijden"] = {"datum": day}
            person["opschortingBijhouding"] = {"reden": {"code": "O", "omschrijving": "overlijden"}, "datum": day}
            self.changed.append((bsn, self._today()))

    def rename(self, bsn: str, family_name: str, prefix: str | None = None) -> None:
        """Another family name (an adoption): the search by the old one no longer finds the persona."""
        with self._lock:
            name = self._personas[bsn]["naam"]
            name["geslachtsnaam"] = family_name
            name.pop("voorvoegsel", None)
            if prefix:
                name["voorvoegsel"] = prefix

    def fail_next(self, status: int, count: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def fail_next_updates(self, status: int, count: int = 1) -> None:
        """Only the Update API's next requests fail: ``/personen`` still answers."""
        with self._lock:
            self._update_failures.extend([status] * count)

    # The API.

    def issue_token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def personen(self, authorization: str | None, body: Any) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.personen_requests += 1
            if self._failures:
                status = self._failures.pop(0)
                return status, _problem(status, "Tijdelijk niet beschikbaar.", "unavailable")
            token = (authorization or "").removeprefix("Bearer ")
            if token not in self._tokens:
                return 401, _problem(401, "Niet correct geauthenticeerd.", "authentication")
            searching = isinstance(body, dict) and body.get("type") == brp_search.SEARCH_TYPE
            invalid = brp_search.invalid_search(body) if searching else _invalid(body)
            if invalid:
                return 400, {
                    **_problem(400, "Een of meerdere parameters zijn niet correct.", "paramsValidation"),
                    "invalidParams": invalid,
                }
            unauthorised = [f for f in body["fields"] if not f.startswith(AUTHORISED)]
            if unauthorised:
                return 403, _problem(403, "U bent niet geautoriseerd voor een gevraagd veld.", "unauthorizedField")
            if searching:
                return self._search(body)
            found = [self._personas[b] for b in body["burgerservicenummer"] if b in self._personas]
            answer = {"type": QUERY_TYPE, "personen": [pick(p, body["fields"]) for p in found]}
            self.answers.append(copy.deepcopy(answer))
            return 200, answer

    def _search(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        found = [p for p in self._personas.values() if brp_search.matches(p, body)]
        if len(found) > brp_search.MAX_FOUND:
            problem = _problem(400, "Teveel zoekresultaten.", "tooManyResults")
            return 400, {
                **problem,
                "detail": "Meer dan maximum van 10 zoekresultaten gevonden. Verfijn de zoekopdracht.",
            }
        answer = {"type": brp_search.SEARCH_TYPE, "personen": [pick(p, body["fields"]) for p in found]}
        self.answers.append(copy.deepcopy(answer))
        return 200, answer

    def add(self, person: dict[str, Any]) -> None:
        """One more persona (a namesake, in the tests)."""
        with self._lock:
            self._personas[person["burgerservicenummer"]] = person

    def volgindicatie(self, authorization: str | None, bsn: str, body: Any) -> tuple[int, dict[str, Any]]:
        """``PUT /volgindicaties/{bsn}``: follow up to ``einddatum`` (again: the new day holds)."""
        with self._lock:
            self.update_requests += 1
            refused = self._refused(authorization)
            if refused:
                return refused
            until = _day(body.get("einddatum")) if isinstance(body, dict) else None
            if not (len(bsn) == 9 and bsn.isdigit()) or until is None:
                return 400, {
                    **_problem(400, "Een of meerdere parameters zijn niet correct.", "paramsValidation"),
                    "invalidParams": [{"name": "einddatum", "code": "date", "reason": "Waarde is geen datum."}],
                }
            today = self._today()
            begin, end = self.volgindicaties.get(bsn, (today, today))
            # Placed anew, or reopened after it ended: it begins today, and earlier changes are not
            # named; an extension keeps its begin (the Update API's features, "volgindicaties").
            status = 201 if bsn not in self.volgindicaties else 200
            self.volgindicaties[bsn] = (begin if end > today else today, until)
            begin = self.volgindicaties[bsn][0]
            return status, {"burgerservicenummer": bsn, "begindatum": begin.isoformat(), "einddatum": until.isoformat()}

    def wijzigingen(self, authorization: str | None, since: str | None) -> tuple[int, dict[str, Any]]:
        """``GET /wijzigingen?vanaf=``: the followed persons changed on or after that day."""
        with self._lock:
            self.update_requests += 1
            refused = self._refused(authorization)
            if refused:
                return refused
            day = _day(since)
            if day is None:
                return 400, {
                    **_problem(400, "Een of meerdere parameters zijn niet correct.", "paramsValidation"),
                    "invalidParams": [{"name": "vanaf", "code": "date", "reason": "Waarde is geen datum."}],
                }
            found = [b for b, on in self.changed if on >= day and self._followed_on(b, on)]
            return 200, {
                "_links": {"self": {"href": f"/wijzigingen?vanaf={day.isoformat()}"}},
                "burgerservicenummers": list(dict.fromkeys(found)),
            }

    @property
    def followed(self) -> dict[str, date]:
        """The persons followed, each with its einddatum (the first day it is no longer followed)."""
        return {bsn: end for bsn, (_, end) in self.volgindicaties.items()}

    def _followed_on(self, bsn: str, changed_on: date) -> bool:
        """A change is named while its following is active, and only when it happened during it."""
        begin, end = self.volgindicaties.get(bsn, (date.max, date.min))
        return begin <= changed_on < end and self._today() < end

    def _refused(self, authorization: str | None) -> tuple[int, dict[str, Any]] | None:
        failures = self._update_failures or self._failures
        if failures:
            status = failures.pop(0)
            return status, _problem(status, "Tijdelijk niet beschikbaar.", "unavailable")
        if (authorization or "").removeprefix("Bearer ") not in self._tokens:
            return 401, _problem(401, "Niet correct geauthenticeerd.", "authentication")
        return None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _invalid(body: Any) -> list[dict[str, str]]:
    if not isinstance(body, dict) or body.get("type") != QUERY_TYPE:
        return [{"name": "type", "code": "value", "reason": "Waarde wordt niet ondersteund."}]
    problems = []
    bsns = body.get("burgerservicenummer")
    if not isinstance(bsns, list) or not 1 <= len(bsns) <= 20:
        problems.append({"name": "burgerservicenummer", "code": "array", "reason": "Parameter bevat 1 tot 20 items."})
    elif not all(isinstance(b, str) and len(b) == 9 and b.isdigit() for b in bsns):
        problems.append(
            {"name": "burgerservicenummer", "code": "pattern", "reason": "Waarde voldoet niet aan patroon."}
        )
    return problems + brp_search.invalid_fields(body.get("fields"), KNOWN_TOP_FIELDS)


def _problem(status: int, title: str, code: str) -> dict[str, Any]:
    return {"type": "https://datatracker.ietf.org/doc/html/rfc7231", "title": title, "status": status, "code": code}


def _handler(stand_in: BrpStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Headers and body go out in two writes: without this, each answer waits for a delayed ACK.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: a request line could carry nothing personal, but the terminal is the API's."""

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/wijzigingen" and not _accepts_hal(self.headers.get("Accept")):
                self._answer(406, _problem(406, "Gevraagde contenttype wordt niet ondersteund.", "notAcceptable"))
            elif path == "/wijzigingen":
                since = dict(urllib.parse.parse_qsl(query)).get("vanaf")
                self._answer(*stand_in.wijzigingen(self.headers.get("Authorization"), since))
            else:
                self._answer(404, _problem(404, "Opgevraagde resource bestaat niet.", "notFound"))

        def do_PUT(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/volgindicaties/"):
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = None
                bsn = self.path.removeprefix("/volgindicaties/")
                self._answer(*stand_in.volgindicatie(self.headers.get("Authorization"), bsn, body))
            else:
                self._answer(404, _problem(404, "Opgevraagde resource bestaat niet.", "notFound"))

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/token":
                form = dict(urllib.parse.parse_qsl(raw.decode()))
                self._answer(*stand_in.issue_token(form))
                return
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
            if self.path == "/personen":
                self._answer(*stand_in.personen(self.headers.get("Authorization"), body))
            elif self.path in ("/stand-in/verhuizing", "/stand-in/overlijden", "/stand-in/storing"):
                self._answer(*_admin(stand_in, self.path, body))
            else:
                self._answer(404, _problem(404, "Opgevraagde resource bestaat niet.", "notFound"))

        def _answer(self, status: int, document: dict[str, Any]) -> None:
            payload = json.dumps(document).encode()
            self.send_response(status)
            kind = PROBLEM if status >= 400 and "title" in document else "application/json; charset=utf-8"
            if "_links" in document:
                kind = "application/hal+json; charset=utf-8"  # GET /wijzigingen, as the Update API answers it
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _accepts_hal(accept: str | None) -> bool:
    """``GET /wijzigingen`` answers ``application/hal+json`` only, as the spec declares it."""
    kinds = {part.split(";")[0].strip() for part in (accept or "*/*").split(",")}
    return bool(kinds & {"application/hal+json", "application/*", "*/*"})


def _admin(stand_in: BrpStandIn, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    try:
        if path == "/stand-in/storing":
            stand_in.fail_next(int(body["status"]), int(body.get("aantal", 1)))
        elif path == "/stand-in/overlijden":
            stand_in.record_death(body["burgerservicenummer"], body["datum"])
        else:
            stand_in.move(
                body["burgerservicenummer"],
                body["postcode"],
                int(body["huisnummer"]),
                body["gemeente"],
                huisletter=body.get("huisletter"),
                huisnummertoevoeging=body.get("huisnummertoevoeging"),
            )
    except (KeyError, TypeError, ValueError):
        return 400, _problem(400, "Onbekende persoon of onvolledige opdracht.", "standIn")
    return HTTPStatus.OK, {"status": "ok"}
