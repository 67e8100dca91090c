"""The log of individual-level views: who looked at data about someone, when, which view
and why. Written by every view that shows individual-level event data; read by admins."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from epss.errors import InvalidInput
from epss.models import PersonalDataView

MAX_PURPOSE = 500


def record_view(
    session: Session, viewer: str, purpose: str, what: str, subject: str | None = None
) -> PersonalDataView:
    """Record that `viewer` looked at individual-level data (`what`: the view with its
    filters; `subject`: the pseudonym or case hash looked at, if one) for `purpose`.
    Refuses (InvalidInput naming the field `purpose`) a blank or overlong purpose, so the
    caller must record before it shows anything. Does not commit."""
    stated = (purpose or "").strip()
    if not stated:
        raise InvalidInput(
            "Doel: schrijf op waarom u gegevens over één persoon of zaak "
            "bekijkt (bijvoorbeeld: klacht Z-2026-000101 over een "
            "paspoortaanvraag).",
            extra={"field": "purpose"},
        )
    if len(stated) > MAX_PURPOSE:
        raise InvalidInput(
            "Doel: hooguit {most} tekens, niet {count}.",
            params={"most": MAX_PURPOSE, "count": len(stated)},
            extra={"field": "purpose"},
        )
    view = PersonalDataView(viewer=viewer, purpose=stated, what=what, subject=subject)
    session.add(view)
    session.flush()
    return view


def views_log(
    session: Session, *, limit: int = 100, offset: int = 0
) -> tuple[list[PersonalDataView], int]:
    """A page of the log, newest first, and how many views it holds in all."""
    total = session.exec(select(func.count()).select_from(PersonalDataView)).one()
    rows = session.exec(
        select(PersonalDataView)
        .order_by(col(PersonalDataView.at).desc(), col(PersonalDataView.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total
