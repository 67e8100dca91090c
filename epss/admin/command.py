"""`epss users …` and `epss apps …`: the administration on the command line, for
automation. The same validation as the pages, and the same admin log ("by: command line",
with the system user who ran it). Messages are in English, as the rest of the command line."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlmodel import Session

from epss import i18n, migrations
from epss.admin import accounts, hostapps
from epss.admin.log import COMMAND_LINE, Actor
from epss.auth.accounts import RESET_PATH
from epss.auth.roles import Role
from epss.db import unit_of_work
from epss.errors import EpssError
from epss.hostapps import parse_zaaktype_map
from epss.services import Services
from epss.settings import Settings

users_app = typer.Typer(help="Accounts and API tokens.", no_args_is_help=True)
apps_app = typer.Typer(
    help="Host applications: the case software the overlay runs in.", no_args_is_help=True
)
_english = i18n.translator("en")


def _fail(message: str) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(1)


@contextmanager
def _admin(refusal: str) -> Iterator[tuple[Session, Actor]]:
    """A unit of work as the person at the terminal; a domain error is printed in English
    after `refusal` (e.g. 'Not added') and exits 1, with nothing changed."""
    services = Services.from_settings(Settings())
    try:
        if not migrations.is_current(services.engine):
            raise _fail("The database schema is not up to date: run `epss db upgrade` first.")
        with unit_of_work(services.engine) as session:
            yield session, Actor(getpass.getuser(), COMMAND_LINE)
    except EpssError as exc:
        raise _fail(f"{refusal}: {exc.in_language(_english).rstrip('.')}.") from None
    finally:
        services.close()


def _password(from_stdin: bool, *, ask: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if ask and sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    return None


Name = Annotated[str, typer.Argument(help="The account's login name.")]
Roles = Annotated[list[Role], typer.Option("--role", help="A role (repeat for more).")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name, e.g. j.devries.")],
    role: Roles,
    team: Annotated[str | None, typer.Option(help="Team, e.g. 'Burgerzaken Stadswinkel'.")] = None,
    password_stdin: PasswordStdin = False,
    email: Annotated[
        str | None, typer.Option(help="Where EPSS mails the account's notices.")
    ] = None,
) -> None:
    """Add an account. On a terminal it asks for a password; with --password-stdin it reads
    one; with neither the account can only use API tokens (`epss users token`)."""
    password = _password(password_stdin, ask=True)
    with _admin("Not added") as (session, actor):
        accounts.add_account(session, actor, name, [r.value for r in role], team, password, email)
    how = "with a password" if password is not None else "for API tokens only"
    typer.echo(f"Added '{name}' ({', '.join(r.value for r in role)}), {how}.")


@users_app.command("token")
def users_token(name: Name) -> None:
    """Make a new personal API token; it is printed once, as the last line."""
    with _admin("No token made") as (session, actor):
        token = accounts.make_token(session, actor, name)
    typer.echo(
        f"A new API token for '{name}'. Send it as 'Authorization: Bearer <token>'; "
        "it is not shown again:"
    )
    typer.echo(token)


@users_app.command("list")
def users_list(
    role: Annotated[Role | None, typer.Option(help="Only accounts with this role.")] = None,
    team: Annotated[str | None, typer.Option(help="Only accounts of this team.")] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Only disabled ones.")] = False,
) -> None:
    """List the accounts: name, roles, team, state, how they log in, last login (UTC) and
    e-mail address, tab-separated."""
    with _admin("Not listed") as (session, _actor):
        rows = accounts.find_accounts(
            session,
            role=role.value if role else None,
            team=team,
            active=False if disabled else None,
        )
    for row in rows:
        last = row.last_login_at.strftime("%Y-%m-%d %H:%M") if row.last_login_at else "-"
        state = "active" if row.active else "disabled"
        login = "sso" if row.single_sign_on else "password" if row.has_password else "token"
        fields = [row.name, ",".join(row.roles), row.team or "-", state, login, last]
        typer.echo("\t".join([*fields, row.email or "-"]))


@users_app.command("disable")
def users_disable(name: Name) -> None:
    """Disable an account: its login sessions and tokens stop working at once."""
    with _admin("Not disabled") as (session, actor):
        accounts.disable(session, actor, name)
    typer.echo(f"Disabled '{name}'.")


@users_app.command("enable")
def users_enable(name: Name) -> None:
    """Enable a disabled account again."""
    with _admin("Not enabled") as (session, actor):
        accounts.enable(session, actor, name)
    typer.echo(f"Enabled '{name}'.")


@users_app.command("revoke-tokens")
def users_revoke_tokens(name: Name) -> None:
    """Remove every API token of an account."""
    with _admin("Not revoked") as (session, actor):
        count = accounts.revoke_tokens(session, actor, name)
    typer.echo(f"Revoked the API tokens of '{name}': {count}.")


@users_app.command("set-roles")
def users_set_roles(name: Name, role: Roles) -> None:
    """Give an account exactly these roles."""
    with _admin("Roles not changed") as (session, actor):
        roles = accounts.set_roles(session, actor, name, [r.value for r in role]).roles
    typer.echo(f"'{name}' now has the role(s): {', '.join(roles)}.")


@users_app.command("set-team")
def users_set_team(
    name: Name,
    team: Annotated[str, typer.Argument(help="The team; '' for none.")],
) -> None:
    """Put an account in a team."""
    with _admin("Team not changed") as (session, actor):
        accounts.set_team(session, actor, name, team)
    typer.echo(
        f"'{name}' is now in the team '{team}'." if team.strip() else f"'{name}' is now in no team."
    )


@users_app.command("set-email")
def users_set_email(
    name: Name,
    email: Annotated[str, typer.Argument(help="The e-mail address; '' for none.")],
) -> None:
    """Set the address EPSS mails an account's notices to."""
    with _admin("E-mail address not changed") as (session, actor):
        address = accounts.set_email(session, actor, name, email).email
    typer.echo(
        f"'{name}' now gets notices at {address}." if address else f"'{name}' now gets no e-mail."
    )


@users_app.command("reset-password")
def users_reset_password(
    name: Name,
    password_stdin: PasswordStdin = False,
    base_url: Annotated[
        str, typer.Option(help="The service's address, to print the whole reset link.")
    ] = "",
) -> None:
    """Set a new password (--password-stdin), or make a one-time link (24 hours) with which
    the person sets one; the link is printed once, as the last line."""
    password = _password(password_stdin, ask=False)
    with _admin("Not reset") as (session, actor):
        if password is not None:
            accounts.set_password(session, actor, name, password)
        else:
            secret = accounts.make_reset_link(session, actor, name)
    if password is not None:
        typer.echo(f"Set a new password for '{name}'; their login sessions have ended.")
        return
    typer.echo(
        f"A one-time link for '{name}' to set a password, valid for 24 hours; it is "
        "not shown again:"
    )
    typer.echo(f"{base_url.rstrip('/')}{RESET_PATH}{secret}")


AppId = Annotated[str, typer.Argument(help="The host application's id.")]
Origins = Annotated[
    list[str] | None,
    typer.Option("--origin", help="An origin it runs at, e.g. https://zaken.gemeente.nl (repeat)."),
]
FinishButtons = Annotated[
    list[str] | None,
    typer.Option(
        "--finish-button",
        help="A CSS selector of a button that finishes a case, e.g. '#afronden' (repeat); "
        "the panel warns when one is pressed while mandatory steps are unticked.",
    ),
]


@apps_app.command("add")
def apps_add(
    app_id: AppId,
    name: Annotated[str, typer.Option(help="Its name, for people.")],
    origin: Origins = None,
    zaaktypen: Annotated[
        str, typer.Option(help="Its own case-type codes: 'CODE=ZAAKTYPE;CODE=ZAAKTYPE'.")
    ] = "",
    finish_button: FinishButtons = None,
) -> None:
    """Register a host application."""
    with _admin("Not added") as (session, actor):
        hostapps.add_app(
            session,
            actor,
            app_id,
            name,
            origin or [],
            parse_zaaktype_map(zaaktypen.replace(";", "\n")),
            finish_button or [],
        )
    typer.echo(f"Added the host application '{app_id}'.")


@apps_app.command("list")
def apps_list() -> None:
    """List the host applications: id, name, origins, rules and last call (UTC)."""
    with _admin("Not listed") as (session, _actor):
        rows = hostapps.overview(session)
    for row in rows:
        last = row.last_call.strftime("%Y-%m-%d %H:%M") if row.last_call else "-"
        typer.echo(
            "\t".join(
                [row.id, row.name, " ".join(row.origins) or "-", f"{row.rules} rule(s)", last]
            )
        )


@apps_app.command("set-origins")
def apps_set_origins(app_id: AppId, origin: Origins = None) -> None:
    """Replace the origins of a host application (none: --origin left out). Every running
    instance allows them within seconds, without a restart."""
    with _admin("Origins not changed") as (session, actor):
        origins = hostapps.change_app(session, actor, app_id, origins=origin or []).allowed_origins
    typer.echo(f"'{app_id}' now runs at: {', '.join(origins) or 'no origin'}.")


@apps_app.command("set-finish-buttons")
def apps_set_finish_buttons(app_id: AppId, finish_button: FinishButtons = None) -> None:
    """Replace the finish buttons of a host application (none: --finish-button left out).
    The overlay gets them with the app's manifest within seconds, without a restart."""
    with _admin("Finish buttons not changed") as (session, actor):
        buttons = hostapps.change_app(
            session, actor, app_id, finish_buttons=finish_button or []
        ).finish_buttons
    typer.echo(f"'{app_id}' now has the finish buttons: {'; '.join(buttons) or 'none'}.")


@apps_app.command("remove")
def apps_remove(app_id: AppId) -> None:
    """Remove a host application that no context rule points at."""
    with _admin("Not removed") as (session, actor):
        hostapps.remove_app(session, actor, app_id)
    typer.echo(f"Removed the host application '{app_id}'.")
