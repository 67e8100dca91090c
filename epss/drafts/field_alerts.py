"""Mail to the writers of a step whose field the desk's panel no longer finds.

A serving process looks every minute (when mail is set up): a step of the newest published
version with `highlight_missing` reports of the last day, in a host app, is mailed about to
the people who last wrote that step (else the task), who have an e-mail address and still
edit. One mail per step and app in 30 days, or sooner once the task was published again
(the fix did not hold); whichever instance gets there first claims it in the database, and
a mail that did not go gives its claim back for the next round."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from epss.auth.roles import EDITORS
from epss.catalog import published_version
from epss.clock import aware
from epss.db import unit_of_work
from epss.drafts.field_reports import MISSING_FIELDS_DAYS, FieldReport, field_reports
from epss.i18n import translator
from epss.mail import MailNotSent
from epss.models import Change, FieldAlert, HostApp, Task, User
from epss.moments import moment
from epss.settings import Settings

log = logging.getLogger(__name__)

LOOK_BACK = dt.timedelta(days=1)  # reports this recent call for a mail
MAIL_AGAIN_AFTER = dt.timedelta(days=MISSING_FIELDS_DAYS)
MOST_WRITERS = 3
RECENT_CHANGES = 200  # of the step, then of the task, that the writers are looked for in
LANGUAGE = "nl"  # the language of the guidance: accounts keep no language of their own


@dataclass(frozen=True)
class Alert:
    """A mail claimed for one step and app: to whom, and the claim it replaced."""

    report: FieldReport
    to: list[str]
    previous: dt.datetime | None


def claim_alerts(session: Session, now: dt.datetime) -> list[Alert]:
    """The mails due now, each claimed (the caller commits, then sends)."""
    alerts = []
    for report in field_reports(session, now - LOOK_BACK):
        if report.moved or report.changed_since or report.step_id is None:
            continue
        if report.step_number is None:
            continue  # no longer a step of the task
        to = writers(session, report.task_slug, report.step_id)
        if not to:
            continue
        claimed, previous = _claim(session, report, now)
        if claimed:
            alerts.append(Alert(report, to, previous))
    return alerts


def writers(session: Session, slug: str, step_id: str) -> list[str]:
    """The e-mail addresses of the last people who changed the step (else the task), who
    may still edit: at most MOST_WRITERS, the most recent first."""
    task = session.exec(select(Task).where(Task.slug == slug)).one()
    recent = (
        select(Change.actor)
        .where(Change.task_id == task.id)
        .order_by(col(Change.at).desc())
        .limit(RECENT_CHANGES)
    )
    names = list(session.exec(recent.where(Change.step_key == step_id)).all())
    names += session.exec(recent).all()
    accounts = {
        user.name: user
        for user in session.exec(select(User).where(col(User.name).in_(set(names)))).all()
    }
    found: list[str] = []
    for name in names:
        user = accounts.get(name)
        if (
            user is not None
            and user.active
            and user.email
            and set(user.roles) & set(EDITORS)
            and user.email not in found
        ):
            found.append(user.email)
    return found[:MOST_WRITERS]


def _claim(
    session: Session, report: FieldReport, now: dt.datetime
) -> tuple[bool, dt.datetime | None]:
    """Claim the mail about this step and app, unless it was sent lately and the task was
    not published since; (claimed, the moment of the claim it replaced)."""
    assert report.step_id is not None
    key = (report.task_slug, report.step_id, report.app)
    alert = session.get(FieldAlert, key)
    if alert is None:
        try:
            with session.begin_nested():
                session.add(FieldAlert(task_slug=key[0], step_id=key[1], app=key[2], mailed_at=now))
        except IntegrityError:
            return False, None  # another instance claimed it just now
        return True, None
    before = aware(alert.mailed_at)
    version = published_version(session, report.task_slug)
    published = aware(version.published_at) if version else None
    if before > now - MAIL_AGAIN_AFTER and (published is None or published <= before):
        return False, None
    taken = session.exec(
        update(FieldAlert)
        .where(
            col(FieldAlert.task_slug) == key[0],
            col(FieldAlert.step_id) == key[1],
            col(FieldAlert.app) == key[2],
            col(FieldAlert.mailed_at) == alert.mailed_at,
        )
        .values(mailed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire(alert)
    return taken.rowcount == 1, before


def _release(session: Session, alert: Alert) -> None:
    """Give a claim back after its mail did not go."""
    report = alert.report
    row = session.get(FieldAlert, (report.task_slug, report.step_id, report.app))
    if row is None:
        return
    if alert.previous is None:
        session.delete(row)
    else:
        row.mailed_at = alert.previous


def compose(session: Session, alert: Alert, settings: Settings) -> tuple[str, str]:
    """The mail's subject and text, in Dutch."""
    _ = translator(LANGUAGE)
    report = alert.report
    app = session.get(HostApp, report.app)
    base = settings.public_url.rstrip("/")
    values = {
        "number": report.step_number,
        "step": report.step_title,
        "task": report.task_title,
        "app": app.name if app else report.app,
        "reports": report.reports,
        "first": moment(report.first),
    }
    subject = _("Veld niet gevonden: stap {number} van ‘{task}’").format(**values)
    lines = [
        _(
            "Het hulppaneel aan de balie vond het veld van stap {number}, ‘{step}’, van de "
            "taak ‘{task}’ niet in {app}: {reports} keer sinds {first}."
        ).format(**values),
        "",
        _("Op deze schermen:"),
        *(f"- {screen}" for screen in report.screens),
        "",
        _(
            "Misschien heeft een nieuwe versie van het zaaksysteem het veld hernoemd of "
            "verplaatst. Wijs het veld opnieuw aan:"
        ),
        f"{base}/redactie/taken/{report.task_slug}?bewerk={report.step_id}#stap-{report.step_id}",
        "",
        _("Alle velden die het hulppaneel niet vond:") + f" {base}/redactie/velden",
        "",
        _(
            "U krijgt deze e-mail omdat u deze stap of taak schreef of wijzigde. Over dit veld "
            "volgt de komende {days} dagen geen nieuwe e-mail, tenzij de taak intussen opnieuw "
            "is gepubliceerd."
        ).format(days=MAIL_AGAIN_AFTER.days),
    ]
    return subject, "\n".join(lines) + "\n"


Send = Callable[[list[str], str, str], None]


def mail_field_alerts(engine: Engine, settings: Settings, send: Send, now: dt.datetime) -> int:
    """One round: claim what is due, send each mail; when one does not go, stop (the
    server is away: the rounds run in the thread that also applies catalog changes, and
    should not wait for it mail after mail) and give back the claims not sent. Returns how
    many went."""
    with unit_of_work(engine) as session:
        alerts = claim_alerts(session, now)
        mails = [(alert, *compose(session, alert, settings)) for alert in alerts]
    for sent, (alert, subject, body) in enumerate(mails):
        try:
            send(alert.to, subject, body)
        except MailNotSent as exc:
            log.warning("mail about a field not found did not go; trying again later: %s", exc)
            with unit_of_work(engine) as session:
                for unsent, *_ in mails[sent:]:
                    _release(session, unsent)
            return sent
    return len(mails)
