"""The municipalities' operations: the BSN only ever travels in request bodies."""

from __future__ import annotations

from chalicelib.operations.model import (
    CHANGED_MEANWHILE,
    HTML,
    JSON,
    MATCH_ID,
    MUNICIPALITIES,
    REPORTERS,
    Answer,
    Operation,
)

_NOTHING_STORED = {404: "Nothing stored about this child that this municipality may see"}

SUBJECT_ACCESS = Operation(
    id="subject_access",
    method="POST",
    path="/subjects/access",
    summary="Everything stored about a child (access and copy)",
    callers=MUNICIPALITIES,
    query="AccessQuery",
    body="SubjectIn",
    answers=(
        Answer(
            200,
            "JSON, or with ?format=html a printable Dutch document for the family",
            ("SubjectAccessOut",),
            media_types=(JSON, HTML),
        ),
    ),
    problems=_NOTHING_STORED,
)

SUBJECT_RECTIFY = Operation(
    id="subject_rectify",
    method="POST",
    path="/subjects/rectify",
    summary="Correct the child's data on every signal",
    callers=MUNICIPALITIES,
    body="RectifyIn",
    answers=(Answer(200, "The corrected data", ("RectifiedOut",)),),
    problems=_NOTHING_STORED | CHANGED_MEANWHILE,
)

SUBJECT_ERASE = Operation(
    id="subject_erase",
    method="POST",
    path="/subjects/erase",
    summary="Erase every signal of the child (objection or death)",
    callers=MUNICIPALITIES,
    body="EraseIn",
    answers=(Answer(200, "Erased", ("ErasedOut",)),),
    problems=_NOTHING_STORED | {409: "Being erased by another request, retry"},
)

LIST_MATCHES = Operation(
    id="list_matches",
    method="GET",
    path="/matches",
    summary="The matches this municipality's regievoerder follows up",
    callers=MUNICIPALITIES,
    query="MatchesQuery",
    answers=(Answer(200, "Matches, newest first", ("MatchesOut",)),),
)

MATCH_FOLLOW_UP = Operation(
    id="match_follow_up",
    method="POST",
    path="/matches/{match_id}/follow-up",
    summary="Record whether the professionals coordinated",
    callers=MUNICIPALITIES,
    path_parameters={"match_id": MATCH_ID},
    body="FollowUpIn",
    answers=(Answer(200, "The match", ("MunicipalMatchOut",)),),
    problems={404: "No match of this municipality with this id"} | CHANGED_MEANWHILE,
)

REPORT = Operation(
    id="reports",
    method="GET",
    path="/reports",
    summary="Counts per period: a municipality its own, an administrator a region or the country",
    description='Every count under 5 is "<5"; a share that would reveal one is null.',
    callers=REPORTERS,
    query="ReportQuery",
    answers=(Answer(200, "The report", ("ReportOut",)),),
    problems={403: "A token of another kind, or a municipality asking for a region: region is for administrators"},
)
