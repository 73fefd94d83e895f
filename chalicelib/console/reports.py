"""The period report as tables and server-rendered charts: the same service as ``GET /v1/reports``.

A municipality's people see their municipality; the ops administrator the country or a region.
Counts under 5 arrive as ``"<5"`` from the report itself: this page shows what it is given.
"""

from __future__ import annotations

import re
from typing import Any

from chalice.app import Request, Response

from chalicelib.console import kit
from chalicelib.console.access import principal_of, signed_in
from chalicelib.console.charts import Bar, bar_chart
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.follow_up import KIND_LABELS
from chalicelib.domain.matching import MatchKind
from chalicelib.domain.people import Role
from chalicelib.domain.sectors import SECTORS

READERS = (Role.REGIEVOERDER, Role.MUNICIPAL_ADMIN, Role.ADMIN)
PERIOD_MESSAGE = "Vul een jaar (2026), een kwartaal (2026-Q4) of een maand (2026-11) in, vanaf 2000."
REGION_MESSAGE = "Een regio bestaat uit kleine letters, cijfers, - en _."
REGION = re.compile(r"[a-z0-9_-]{1,60}")


def _share(value: object) -> str:
    return f"{round(float(value) * 100)}%" if isinstance(value, int | float) else "niet getoond (te weinig)"


def _tables(report: dict[str, Any]) -> dict[str, Any]:
    signals, matches = report["signals"], report["matches"]
    sectors = [Bar(SECTORS.get(code, code), count) for code, count in signals["by_sector"].items()]
    kinds = [Bar(KIND_LABELS[MatchKind(kind)], count) for kind, count in matches["by_kind"].items()]
    return {
        "sectors": sectors,
        "signals_total": signals["total"],
        "sector_chart": bar_chart("grafiek-sectoren", "Meldingen per sector", sectors, "tabel-sectoren"),
        "kinds": kinds,
        "matches_total": matches["total"],
        "kind_chart": bar_chart("grafiek-soorten", "Matches per soort", kinds, "tabel-soorten"),
        "informed": report["families_informed"]["count"],
        "informed_share": _share(report["families_informed"]["share"]),
        "followed_up": report["follow_up"]["followed_up"],
        "followed_up_share": _share(report["follow_up"]["rate"]),
    }


def _scope(report: dict[str, Any]) -> str:
    scope = report["scope"]
    if "municipality" in scope:
        return f"gemeente {scope['municipality']}"
    if "region" in scope:
        return f"regio {scope['region']}"
    return "heel Nederland"


def report_page(request: Request) -> Response:
    from chalicelib.bootstrap import container

    session, person = signed_in(request, *READERS)
    query = kit.query(request)
    today = kit.today()
    period = (query.get("periode") or f"{today.year}-{today.month:02d}").strip()
    may_choose_region = person.has(Role.ADMIN) and not person.municipality_code
    region = (query.get("regio") or "").strip() if may_choose_region else ""
    context: dict[str, Any] = {"title": "Rapportage", "period": period, "region": region}
    context["may_choose_region"] = may_choose_region
    errors: dict[str, str] = {}
    if region and not REGION.fullmatch(region):
        errors["regio"] = REGION_MESSAGE
    report = None
    if not errors:
        try:
            report = container().reports.report(principal_of(person), period, region or None)
        except InvalidInput:
            errors["periode"] = PERIOD_MESSAGE
    if report is None:
        return kit.render("report.html", session, 400, errors=errors, report=None, **context)
    return kit.render("report.html", session, report=report, scope=_scope(report), **_tables(report), **context)
