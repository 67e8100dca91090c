"""`epss xapi export`: the command line of the xAPI export."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer

from epss import migrations
from epss.services import Services
from epss.settings import Settings
from epss.xapi.client import LrsClient, XapiError
from epss.xapi.export import export_events

xapi_app = typer.Typer(
    help="Export consultations to a Learning Record Store (xAPI).", no_args_is_help=True
)


@xapi_app.command("export")
def export(
    base_url: Annotated[
        str,
        typer.Option(
            "--base-url",
            envvar="EPSS_XAPI_BASE_URL",
            help="Public base URL of this service, e.g. https://epss.gemeente.example: the "
            "actors' homePage and the start of every activity id. Keep it the same over time.",
        ),
    ],
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=1000, help="Statements per request.")
    ] = 100,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the statements (one JSON object a line); send nothing "
            "and leave the cursor where it is.",
        ),
    ] = False,
    every: Annotated[
        int | None,
        typer.Option("--every", min=10, help="Keep running: export again every this many seconds."),
    ] = None,
) -> None:
    """Send the events recorded since the last export as xAPI 1.0.3 statements to the LRS
    of EPSS_XAPI_ENDPOINT (HTTP Basic with EPSS_XAPI_USERNAME and EPSS_XAPI_PASSWORD)."""
    if not base_url.startswith(("https://", "http://")):
        _fail(f"--base-url must be an http(s) URL, not '{base_url}'.")
    settings = Settings()
    if not dry_run and not settings.xapi_endpoint:
        _fail(
            "EPSS_XAPI_ENDPOINT is not set: say where the LRS is "
            "(e.g. https://lrs.example/xAPI/), or use --dry-run."
        )
    services = Services.from_settings(settings)
    try:
        if not migrations.is_current(services.engine):
            _fail("The database schema is not up to date: run `epss db upgrade` first.")
        while True:
            _export_once(services, settings, base_url, batch_size, dry_run)
            if every is None or dry_run:
                return
            time.sleep(every)
    finally:
        services.close()


def _export_once(
    services: Services, settings: Settings, base_url: str, batch_size: int, dry_run: bool
) -> None:
    client = (
        None
        if dry_run
        else LrsClient(settings.xapi_endpoint, settings.xapi_username, settings.xapi_password)
    )
    try:
        report = export_events(
            services.engine,
            client,
            base_url=base_url,
            batch_size=batch_size,
            show=_show if dry_run else None,
        )
    except XapiError as exc:
        _fail(f"xAPI export stopped: {exc}")
    finally:
        if client is not None:
            client.close()
    if dry_run:
        typer.echo(
            f"{report.events - report.skipped} statement(s) for {report.events} "
            f"event(s) after seq {report.last_seq}; nothing was sent (--dry-run).",
            err=True,
        )
        return
    typer.echo(
        f"{report.events} event(s) after the cursor: {report.sent} statement(s) sent, "
        f"{report.already_there} already in the LRS, {report.skipped} event(s) without "
        f"a statement; the cursor is at seq {report.last_seq}."
    )


def _show(statement: dict[str, Any]) -> None:
    typer.echo(json.dumps(statement, ensure_ascii=False))


def _fail(message: str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(1)
