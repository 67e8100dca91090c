"""`epss audit verify|checkpoint` and `epss retention run`: the command line of epss.audit."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from sqlalchemy import text
from sqlmodel import Session

from epss import migrations
from epss.admin.log import verify_admin_log
from epss.audit.checkpoints import write_checkpoint
from epss.audit.head import chain_backlog
from epss.audit.retention import run_retention
from epss.audit.verify import verify_chain
from epss.errors import EpssError
from epss.services import Services
from epss.settings import Settings

audit_app = typer.Typer(help="Tamper evidence of the recorded events.", no_args_is_help=True)
retention_app = typer.Typer(
    help="Removing old event detail (daily counts are kept).", no_args_is_help=True
)


def _services() -> Services:
    services = Services.from_settings(Settings())
    if not migrations.is_current(services.engine):
        services.close()
        _fail("The database schema is not up to date: run `epss db upgrade` first.")
    return services


def _fail(message: str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


@audit_app.command("verify")
def verify(
    batch: Annotated[int, typer.Option(min=100, help="Events read at a time.")] = 5000,
) -> None:
    """Recompute the hash chain over every stored event and check the signed checkpoints,
    then the chain of the admin log. Exits 0 with a summary, or 1 naming the first event or
    admin action that does not match."""
    services = _services()
    try:
        with services.engine.connect() as connection:
            verdict = verify_chain(connection, secret_key=services.settings.secret_key, batch=batch)
        with Session(services.engine) as session:
            broken_action = verify_admin_log(session)
    finally:
        services.close()
    if not verdict.ok:
        _fail(verdict.summary())
    if broken_action is not None:
        _fail(
            f"{verdict.summary()} The admin log does not hold: action {broken_action} was "
            "changed, or an action before it was removed."
        )
    typer.echo(f"{verdict.summary()} The admin log holds.")


@audit_app.command("checkpoint")
def checkpoint() -> None:
    """Verify the chain and sign its newest event in a checkpoint (run it daily, e.g. from
    cron: a chain rewritten before a signed checkpoint is detected). Events stored before
    the chain existed get their hashes first."""
    services = _services()
    try:
        with services.engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # the writers' turn
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": 0x6570_7373_6576_6E74}
                )
            chain_backlog(connection)
            verdict = verify_chain(connection, secret_key=services.settings.secret_key)
            if not verdict.ok:
                _fail(verdict.summary())
            if verdict.last_seq:
                write_checkpoint(
                    connection,
                    secret_key=services.settings.secret_key,
                    seq=verdict.last_seq,
                    chain_hash=verdict.last_hash,
                    events=verdict.events,
                    note="epss audit checkpoint",
                    now=dt.datetime.now(dt.UTC),
                )
    finally:
        services.close()
    typer.echo(f"{verdict.summary()} Signed a checkpoint at seq {verdict.last_seq}.")


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count; change nothing.")] = False,
    now: Annotated[
        dt.datetime | None,
        typer.Option("--now", hidden=True, help="Run as if it were this moment (UTC), for tests."),
    ] = None,
) -> None:
    """Remove events received more than EPSS_RETENTION_MONTHS ago, keeping daily counts and
    a signed checkpoint (`epss audit verify` still passes)."""
    services = _services()
    moment = now.replace(tzinfo=now.tzinfo or dt.UTC) if now else dt.datetime.now(dt.UTC)
    try:
        with services.engine.begin() as connection:
            report = run_retention(
                connection,
                secret_key=services.settings.secret_key,
                months=services.settings.retention_months,
                now=moment,
                dry_run=dry_run,
            )
    except EpssError as exc:
        _fail(exc.detail)
    finally:
        services.close()
    typer.echo(report.summary())
