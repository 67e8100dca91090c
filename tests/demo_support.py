"""The demo as every role meets it, for the tests that walk every page and every API route
(test_dutch_everywhere.py, test_one_clock.py): `epss demo`'s database (tasks, accounts,
three weeks of desk use), an open feedback item and a submitted draft, with one API token
per demo role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.app import create_app
from epss.auth.accounts import new_api_token, new_reset_link_secret
from epss.cli import DEMO_ACCOUNTS, prepare_demo
from epss.db import unit_of_work
from epss.demo import DEMO_APP_ID
from epss.drafts.document import draft_data
from epss.models import Task, User
from epss.settings import Settings

HTML = {"Accept": "text/html"}
SLUG = "aangifte-geboorte"  # high, not critical
CRITICAL = "reisdocument-aanvragen"
# role -> the demo account that has only that role
ROLES = {roles[0]: name for name, roles, _team in DEMO_ACCOUNTS if len(roles) == 1}


class Demo:
    def __init__(
        self,
        client: TestClient,
        tokens: dict[str, dict],
        code_names: frozenset,
        steps: dict[str, list[str]],
        reset_secret: str,
    ):
        self.client = client
        self.tokens = tokens  # role -> headers of the demo account with that role
        self.code_names = code_names  # the slugs and step ids: no words for people
        self.steps = steps  # slug -> step ids
        self.reset_secret = reset_secret

    def get(self, role: str | None, url: str, **headers) -> object:
        return self.client.get(
            url, headers={**HTML, **self.auth(role), **headers}, follow_redirects=False
        )

    def auth(self, role: str | None) -> dict:
        return self.tokens[role] if role else {}


@contextmanager
def demo_app(folder: Path) -> Iterator[Demo]:
    settings = Settings(data_dir=folder, demo=True, database_url="", secret_key="test-secret")
    prepare_demo(settings, "http://testserver")
    with TestClient(create_app(settings)) as client:
        engine = client.app.state.services.engine
        with unit_of_work(engine) as session:
            users = {u.name: u for u in session.exec(select(User)).all()}
            tokens = {
                role: {"Authorization": f"Bearer {new_api_token(session, users[name])}"}
                for role, name in ROLES.items()
            }
            secret = new_reset_link_secret(session, users[ROLES["medewerker"]])
        with Session(engine) as session:
            tasks = session.exec(select(Task)).all()
            steps = {t.slug: [s["id"] for s in draft_data(session, t)["steps"]] for t in tasks}
        names = frozenset([*steps, *(s for ids in steps.values() for s in ids)])
        sent = client.post(
            "/api/v1/feedback",
            json={
                "id": "8f0e0c7a-4a3b-4a53-9d5e-2b4a7f1c0d11",
                "app": DEMO_APP_ID,
                "task_slug": SLUG,
                "task_version": 1,
                "step_id": steps[SLUG][0],
                "kind": "onduidelijk",
                "comment": "Welke termijn geldt hier?",
            },
        )
        assert sent.status_code == 201, sent.text
        editor = tokens["expert"]
        first = steps[CRITICAL][0]
        current = client.get(f"/api/v1/tasks/{CRITICAL}/draft/steps/{first}", headers=editor)
        edited = client.patch(
            f"/api/v1/tasks/{CRITICAL}/draft/steps/{first}",
            json={"title": current.json()["title"] + " (bijgewerkt)"},
            headers={**editor, "If-Match": current.headers["etag"].strip('"')},
        )
        submitted = client.post(f"/api/v1/tasks/{CRITICAL}/draft/submit", headers=editor)
        assert edited.status_code == 200 and submitted.status_code == 200, submitted.text
        yield Demo(client, tokens, names, steps, secret)
