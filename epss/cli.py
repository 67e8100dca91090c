"""The `epss` command."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from epss import migrations, serving
from epss.app import create_app
from epss.audit.command import audit_app, retention_app
from epss.auth.accounts import create_user, new_api_token, user_by_name
from epss.auth.roles import Role
from epss.catalog import export_documents, import_documents, known_slugs, newest_versions
from epss.db import unit_of_work
from epss.demo import DEMO_APP_ID, DEMO_APP_NAME, DEMO_SCREENS
from epss.demo.history import seed_history
from epss.errors import EpssError, InvalidInput
from epss.hostapps import register_host_app
from epss.models import User
from epss.overlay.extension import write_extension
from epss.resources import shipped
from epss.services import Services
from epss.settings import DEFAULT_SECRET, Settings
from epss.taskfile import TaskFileError, json_schema, load_paths
from epss.xapi.command import xapi_app

app = typer.Typer(help="EPSS: step-by-step guidance for critical tasks.", no_args_is_help=True,
                  add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
users_app = typer.Typer(help="Accounts and API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(xapi_app, name="xapi")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")


def _fail(message: str) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(1)


def _services(settings: Settings | None = None) -> Services:
    services = Services.from_settings(settings or Settings())
    if not migrations.is_current(services.engine):
        raise _fail("The database schema is not up to date: run `epss db upgrade` first.")
    return services


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (creates the database when it does not exist)."""
    services = Services.from_settings(Settings())
    migrations.upgrade(services.engine)
    typer.echo("The database schema is up to date.")


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Task files, or folders of them.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only check the files.")] = False,
) -> None:
    """Import task files: all of them, or (when one is not valid) none."""
    services = _services()
    with unit_of_work(services.engine) as session:
        try:
            loaded = load_paths(paths, known_slugs=known_slugs(session))
        except TaskFileError as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            raise _fail(f"{len(exc.problems)} problem(s) found; nothing was imported.") from None
        if dry_run:
            typer.echo(f"{len(loaded)} task file(s) are valid; nothing was changed (--dry-run).")
            return
        report = import_documents(session, [item.document for item in loaded],
                                  by=f"import ({getpass.getuser()})")
    services.refresh_search_index()
    typer.echo(f"Imported {len(loaded)} task file(s): {len(report.created)} new, "
               f"{len(report.updated)} updated, {len(report.unchanged)} unchanged.")


@app.command("export")
def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write the files to.")],
) -> None:
    """Write the newest published version of every task as a task file."""
    services = _services()
    with unit_of_work(services.engine) as session:
        files = export_documents(session)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    _write_schema(directory / "task.schema.json")
    typer.echo(f"Wrote {len(files)} task file(s) to {directory}.")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name, e.g. j.devries.")],
    role: Annotated[list[Role], typer.Option("--role", help="A role (repeat for more).")],
    team: Annotated[str | None, typer.Option(help="Team, e.g. 'Burgerzaken Stadswinkel'.")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Add an account. On a terminal it asks for a password; with --password-stdin it reads
    one; with neither the account can only use API tokens (`epss users token`)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = None
    services = _services()
    try:
        with unit_of_work(services.engine) as session:
            create_user(session, name, [r.value for r in role], team=team, password=password)
    except EpssError as exc:
        raise _fail(f"Not added: {exc.detail}.") from None
    finally:
        services.close()
    how = "with a password" if password is not None else "for API tokens only"
    typer.echo(f"Added '{name}' ({', '.join(r.value for r in role)}), {how}.")


@users_app.command("token")
def users_token(name: Annotated[str, typer.Argument(help="The account's login name.")]) -> None:
    """Make a new personal API token; it is printed once, as the last line."""
    services = _services()
    try:
        with unit_of_work(services.engine) as session:
            token = new_api_token(session, user_by_name(session, name))
    except EpssError as exc:
        raise _fail(f"No token made: {exc.detail}.") from None
    finally:
        services.close()
    typer.echo(f"A new API token for '{name}'. Send it as 'Authorization: Bearer <token>'; "
               "it is not shown again:")
    typer.echo(token)


@app.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database."""
    services = _services()
    services.refresh_search_index(force=True)
    typer.echo(f"The search index in {services.settings.index_dir} was rebuilt.")


@app.command("schema")
def schema(output: Annotated[Path, typer.Argument()] = Path("tasks/task.schema.json")) -> None:
    """Write the JSON Schema of the task file format."""
    _write_schema(output)
    typer.echo(f"Wrote {output}.")


def _write_schema(path: Path) -> None:
    path.write_text(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")


@app.command("extension")
def extension(
    directory: Annotated[Path, typer.Argument(help="Folder to write the extension to.")],
) -> None:
    """Write the browser extension (Manifest V3) with the current overlay in it, ready to
    load unpacked or to pack."""
    try:
        manifest = write_extension(directory)
    except InvalidInput as exc:
        raise _fail(exc.detail) from None
    typer.echo(f"Wrote the browser extension to {manifest.parent} "
               "(load it unpacked, or pack it; see overlay_js/README.md).")


@app.command("serve")
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the service with the settings from the environment."""
    settings = Settings()
    if settings.secret_key == DEFAULT_SECRET:
        typer.secho("Warning: EPSS_SECRET_KEY is not set; pseudonyms and sessions are not "
                    "secret. Set it before real use.", err=True, fg=typer.colors.YELLOW)
    _services(settings).close()
    serving.run(create_app(settings), host=host, port=port)


@app.command("demo")
def demo(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Everything a newcomer needs: data folder, schema, shipped tasks, demo case software."""
    settings = demo_settings()
    prepare_demo(settings, origin=f"http://{host}:{port}")
    base = f"http://{host}:{port}"
    typer.echo(f"\nEPSS demo, data in {settings.data_dir.resolve()}\n")
    typer.echo(f"  Guidance (tasks and search): {base}/")
    typer.echo(f"  API documentation:           {base}/api/v1/docs")
    typer.echo(f"  Embedding the help panel:    {base}/overlay/bookmarklet")
    typer.echo(f"  Editing, review, feedback:   {base}/redactie  (log in below)")
    typer.echo("  Demo case software (Zaaksysteem Gemeente Dijkhaven), with the help panel on")
    typer.echo("  every screen (the 'Hulp' button, or Alt+Shift+H):")
    for path, title in DEMO_SCREENS:
        typer.echo(f"    {title:<28} {base}{path}")
    typer.echo(f"\nDemo accounts, all with the password '{DEMO_PASSWORD}':")
    for name, roles, team in DEMO_ACCOUNTS:
        typer.echo(f"    {name:<8} {', '.join(roles):<11} {team}")
    typer.echo("\nStop with Ctrl+C.\n")
    serving.run(create_app(settings), host=host, port=port, log_level="warning")


DEMO_PASSWORD = "demo-wachtwoord"
DEMO_ACCOUNTS = [  # name, roles, team
    ("eva", ["expert"], "Kennisteam Burgerzaken"),
    ("erik", ["expert"], "Kennisteam Burgerzaken"),
    ("rob", ["redacteur"], "Kennisteam Burgerzaken"),
    ("ruth", ["redacteur"], "Kwaliteit en Control"),
    ("kim", ["kwaliteit"], "Kwaliteit en Control"),
    ("bea", ["beheerder"], "Informatievoorziening"),
    ("rvisser", ["medewerker"], "Burgerzaken Stadswinkel"),
]


def demo_settings() -> Settings:
    """Demo data lives in ./epss-demo unless EPSS_DATA_DIR says otherwise."""
    data_dir = Path(os.environ.get("EPSS_DATA_DIR", "epss-demo"))
    return Settings(data_dir=data_dir, demo=True)


def prepare_demo(settings: Settings, origin: str) -> None:
    """Migrate, import the shipped tasks (unchanged ones stay as they are), register the
    demo host app, add the demo accounts and, in a new database, three weeks of desk use.
    Safe to run again."""
    services = Services.from_settings(settings)
    try:
        migrations.upgrade(services.engine)
        loaded = load_paths([shipped("tasks")])
        with unit_of_work(services.engine) as session:
            register_host_app(session, DEMO_APP_ID, DEMO_APP_NAME, [origin])
            import_documents(session, [item.document for item in loaded], by="epss demo")
            taken = set(session.exec(select(User.name)).all())
            for name, roles, team in DEMO_ACCOUNTS:
                if name not in taken:
                    create_user(session, name, roles, team=team, password=DEMO_PASSWORD)
            tasks = [_demo_task(v.document, v.number) for v in newest_versions(session)]
        seed_history(services.engine, secret_key=settings.secret_key, app=DEMO_APP_ID,
                     origin=origin, tasks=tasks, now=dt.datetime.now(dt.UTC))
        services.refresh_search_index()
    finally:
        services.close()


def _demo_task(document: dict, number: int) -> dict:
    """What the demo's history needs of a published task: its steps and its demo screen."""
    paths = [r["url"] for r in document.get("context_rules", [])
             if r.get("app") == DEMO_APP_ID and r.get("url") and "*" not in r["url"]
             and ":" not in r["url"]]
    return {"slug": document["slug"], "version": number, "url": (paths or ["/demo/"])[0],
            "steps": [step["id"] for step in document["steps"]]}


def main() -> None:
    app()
