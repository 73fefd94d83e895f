"""A national year's running cost from the capacity benchmark's figures (``docs/cost.md``).

Volumes: 1,000,000 signals and 630,000 matches a year; a signal is kept at most 7 years, so the
table holds about 7 years of signals at steady state. Prices: eu-west-1, on demand, as assumed in
``docs/cost.md`` (check the AWS price list before quoting them).
"""

from __future__ import annotations

from dataclasses import dataclass

SIGNALS_A_YEAR = 1_000_000
MATCHES_A_YEAR = 630_000
YEARS_KEPT = 7
GB = 1024**3

# eu-west-1, on demand.
WRITE_UNIT = 0.7068 / 1_000_000
READ_UNIT = 0.1413 / 1_000_000
STORAGE_GB_MONTH = 0.283
PITR_GB_MONTH = 0.2264
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1_000_000
API_REQUEST = 3.50 / 1_000_000
SES_MAIL = 0.10 / 1_000
KMS_KEY_MONTH = 1.00
KMS_REQUEST = 0.03 / 10_000

# Assumed use besides the measured operations.
API_REQUESTS_PER_SIGNAL = 5  # POST, a few GETs and list pages, a close or hand-over
LAMBDA_GB_SECONDS_PER_INVOCATION = 0.5 * 0.15  # 512 MB, 150 ms on average, authorizer included
INVOCATIONS_PER_API_REQUEST = 2  # the route and (uncached) the authorizer
MAILS_PER_SIGNAL = 1  # the archive notice to the owner
REMINDERS_PER_MATCH = 1  # half the matches not followed up in 14 days, two sides each
LOG_LINES_PER_SIGNAL = 8  # created, read, listed, archived, deleted, mails
KMS_REQUESTS_A_MONTH = 50_000  # DynamoDB and SSM data-key requests, cached per table and instance


@dataclass(frozen=True)
class Figures:
    """What the capacity benchmark measured (write units, bytes)."""

    post: float
    life: float
    match: float
    stored: float
    read_units_per_signal: float = 10.0
    mails_per_match: int = 3
    stored_per_match: float = 1_000.0
    log_line: float = 250.0


@dataclass(frozen=True)
class Cost:
    lines: dict[str, float]
    notes: dict[str, str]

    def monthly(self) -> float:
        return sum(self.lines.values())

    def table(self) -> str:
        rows = ["national year (1 M signals, 630,000 matches, 7-year life), per month, eu-west-1:"]
        for name, amount in sorted(self.lines.items(), key=lambda line: -line[1]):
            rows.append(f"  {name:28s} ${amount:8.2f}  {self.notes[name]}")
        rows.append(f"  {'total':28s} ${self.monthly():8.2f}")
        return "\n".join(rows)


def national_year(figures: Figures) -> Cost:
    writes = SIGNALS_A_YEAR * figures.life + MATCHES_A_YEAR * figures.match
    reads = SIGNALS_A_YEAR * figures.read_units_per_signal
    signals_gb = SIGNALS_A_YEAR * YEARS_KEPT * figures.stored / GB
    matches_gb = MATCHES_A_YEAR * YEARS_KEPT * figures.stored_per_match / GB
    log_gb = (SIGNALS_A_YEAR * LOG_LINES_PER_SIGNAL * YEARS_KEPT) * figures.log_line / GB
    stored_gb = signals_gb + matches_gb + log_gb
    mails = SIGNALS_A_YEAR * MAILS_PER_SIGNAL + MATCHES_A_YEAR * (figures.mails_per_match + REMINDERS_PER_MATCH)
    api = SIGNALS_A_YEAR * API_REQUESTS_PER_SIGNAL
    invocations = api * INVOCATIONS_PER_API_REQUEST + SIGNALS_A_YEAR + 365
    lines = {
        "DynamoDB writes": writes * WRITE_UNIT / 12,
        "DynamoDB reads": reads * READ_UNIT / 12,
        "DynamoDB storage": stored_gb * STORAGE_GB_MONTH,
        "DynamoDB PITR": stored_gb * PITR_GB_MONTH,
        "SES": mails * SES_MAIL / 12,
        "API Gateway": api * API_REQUEST / 12,
        "Lambda": invocations * (LAMBDA_REQUEST + LAMBDA_GB_SECONDS_PER_INVOCATION * LAMBDA_GB_SECOND) / 12,
        "KMS": KMS_KEY_MONTH + KMS_REQUESTS_A_MONTH * KMS_REQUEST,
    }
    notes = {
        "DynamoDB writes": f"{writes / 1e6:.0f} M WRU a year",
        "DynamoDB reads": f"{reads / 1e6:.0f} M RRU a year",
        "DynamoDB storage": (
            f"{stored_gb:.1f} GB (signals {signals_gb:.1f}, matches {matches_gb:.1f}, log {log_gb:.1f})"
        ),
        "DynamoDB PITR": "the same GB",
        "SES": f"{mails / 1e6:.2f} M mails a year",
        "API Gateway": f"{api / 1e6:.0f} M REST requests a year",
        "Lambda": f"{invocations / 1e6:.0f} M invocations a year",
        "KMS": "one key, cached data keys",
    }
    return Cost(lines, notes)
