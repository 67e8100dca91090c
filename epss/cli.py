"""The `epss` command."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from epss import i18n, migrations
from epss.admin.command import apps_app, users_app
from epss.audit.command import audit_app, retention_app
from epss.auth.accounts import create_user
from epss.catalog import (
    VERSIONS_FILE,
    export_documents,
    import_documents,
    known_slugs,
    newest_versions,
    published_slugs,
    versions_listing,
)
from epss.db import unit_of_work
from epss.demo import DEMO_APP_ID, DEMO_APP_NAME, DEMO_FINISH_BUTTONS, DEMO_SCREENS
from epss.demo.history import seed_history
from epss.drafts.importing import import_for_review
from epss.errors import EpssError, InvalidInput
from epss.hostapps import register_host_app
from epss.models import User
from epss.overlay.extension import write_extension
from epss.resources import shipped
from epss.services import Services
from epss.settings import DEFAULT_SECRET, Settings
from epss.taskfile import TaskFileError, json_schema, load_paths
from epss.xapi.command import xapi_app

app = typer.Typer(
    help="EPSS: step-by-step guidance for critical tasks.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(apps_app, name="apps")
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
    publish: Annotated[
        bool,
        typer.Option(
            "--publish",
            help="Publish at once, without review (installing a fresh system); "
            "each version records that.",
        ),
    ] = False,
    replace_draft: Annotated[
        bool,
        typer.Option("--replace-draft", help="Replace a task's draft that holds unpublished work."),
    ] = False,
) -> None:
    """Import task files: all of them, or (when one is not valid) none. Each new or changed
    task becomes its draft, submitted for review by you; a redacteur publishes it."""
    services = _services()
    by = getpass.getuser()
    try:
        with unit_of_work(services.engine) as session:
            known = published_slugs(session) if publish else known_slugs(session)
            try:
                loaded = load_paths(paths, known_slugs=known)
            except TaskFileError as exc:
                for problem in exc.problems:  # the command line speaks English
                    typer.echo(problem.as_in_file(i18n.translator("en")), err=True)
                raise _fail(
                    f"{len(exc.problems)} problem(s) found; nothing was imported."
                ) from None
            if dry_run:
                typer.echo(
                    f"{len(loaded)} task file(s) are valid; nothing was changed (--dry-run)."
                )
                return
            documents = [item.document for item in loaded]
            report = (
                import_documents(session, documents, by=by, replace_draft=replace_draft)
                if publish
                else import_for_review(session, documents, by=by, replace_draft=replace_draft)
            )
    except EpssError as exc:
        hint = (
            " Use --replace-draft for that."
            if exc.extra.get("reason") == "unpublished_draft"
            else ""
        )
        raise _fail(exc.in_language(i18n.translator("en")) + hint) from None
    if publish:
        services.refresh_search_index()
    typer.echo(
        f"Imported {len(loaded)} task file(s): {len(report.created)} new, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
    )
    if publish and report.changed:
        typer.echo("Published at once, without review (--publish); each new version records that.")
    elif report.changed:
        typer.echo(
            f"Submitted for review by {by}: a redacteur publishes them "
            "(a critical task: another one than you)."
        )


@app.command("export")
def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write the files to.")],
) -> None:
    """Write the newest published version of every task as a task file, and the credits
    of every version in versions.json."""
    services = _services()
    with unit_of_work(services.engine) as session:
        files = export_documents(session)
        listing = versions_listing(session)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    (directory / VERSIONS_FILE).write_text(listing, encoding="utf-8")
    _write_schema(directory / "task.schema.json")
    typer.echo(f"Wrote {len(files)} task file(s) to {directory}.")


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
    path.write_text(
        json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


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
    typer.echo(
        f"Wrote the browser extension to {manifest.parent} "
        "(load it unpacked, or pack it; see overlay_js/README.md)."
    )


@app.command("serve")
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes on one port (each with the settings from the environment).",
        ),
    ] = 1,
) -> None:
    """Run the service with the settings from the environment."""
    settings = Settings()
    if settings.secret_key == DEFAULT_SECRET:
        typer.secho(
            "Warning: EPSS_SECRET_KEY is not set; pseudonyms and sessions are not "
            "secret. Set it before real use.",
            err=True,
            fg=typer.colors.YELLOW,
        )
    services = _services(settings)  # refuses an out-of-date schema before anything starts
    try:
        services.refresh_search_index()  # once, before workers that share the index start
    finally:
        services.close()
    from epss.web import serving  # the web app: only the commands that serve load it

    serving.serve(settings, host=host, port=port, workers=workers)


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
    from epss.web import serving  # the web app: only the commands that serve load it

    serving.run(serving.served_app(settings), host=host, port=port, log_level="warning")


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
    """Demo data lives in ./epss-demo unless EPSS_DATA_DIR says otherwise, always in its
    own SQLite file: never in the database of EPSS_DATABASE_URL, which may be a real one
    (the demo imports tasks unreviewed and adds accounts with a public password)."""
    data_dir = Path(os.environ.get("EPSS_DATA_DIR", "epss-demo"))
    return Settings(data_dir=data_dir, demo=True, database_url="")


def prepare_demo(settings: Settings, origin: str) -> None:
    """Migrate, import the shipped tasks (unchanged ones stay as they are), register the
    demo host app (with its finish buttons when it has none), add the demo accounts and,
    in a new database, three weeks of desk use. Safe to run again."""
    services = Services.from_settings(settings)
    try:
        migrations.upgrade(services.engine)
        loaded = load_paths([shipped("tasks")])
        with unit_of_work(services.engine) as session:
            app = register_host_app(session, DEMO_APP_ID, DEMO_APP_NAME, [origin])
            app.finish_buttons = app.finish_buttons or DEMO_FINISH_BUTTONS
            import_documents(
                session, [item.document for item in loaded], by="epss demo", replace_draft=True
            )
            taken = set(session.exec(select(User.name)).all())
            for name, roles, team in DEMO_ACCOUNTS:
                if name not in taken:
                    create_user(session, name, roles, team=team, password=DEMO_PASSWORD)
            tasks = [_demo_task(v.document, v.number) for v in newest_versions(session)]
        seed_history(
            services.engine,
            secret_key=settings.secret_key,
            app=DEMO_APP_ID,
            origin=origin,
            tasks=tasks,
            now=dt.datetime.now(dt.UTC),
        )
        services.refresh_search_index()
    finally:
        services.close()


def _demo_task(document: dict, number: int) -> dict:
    """What the demo's history needs of a published task: its steps, its demo screen and
    its reasons to deviate."""
    paths = [
        r["url"]
        for r in document.get("context_rules", [])
        if r.get("app") == DEMO_APP_ID
        and r.get("url")
        and "*" not in r["url"]
        and ":" not in r["url"]
    ]
    return {
        "slug": document["slug"],
        "version": number,
        "url": (paths or ["/demo/"])[0],
        "steps": [step["id"] for step in document["steps"]],
        "reasons": document.get("deviation_reasons", []),
    }


def main() -> None:
    app()
