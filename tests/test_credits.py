"""Correct credits: each version names who edited the draft, who submitted it and who
approved it (another person on a critical task), the same on the versions page, the public
task page, in the API and in the export; versions published before credits were kept get
them from the history. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from contextlib import ExitStack
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from epss import migrations
from epss.db import make_engine
from epss.settings import Settings
from tests.conftest import add_user, scratch_postgres
from tests.workflow_support import CRITICAL, step_editor

API = "/api/v1"


def test_a_version_edited_by_two_experts_and_published_by_a_third_person(
    client: TestClient, people: dict
) -> None:
    services = client.app.state.services
    eva, erik = (add_user(services, name, "expert") for name in ("eva", "erik"))
    ruth, rob = (add_user(services, name, "redacteur") for name in ("ruth", "rob"))
    people = {**people, "eva": eva, "erik": erik, "ruth": ruth, "rob": rob}
    edit = step_editor(client, people)
    edit("eva", CRITICAL, "vergelijk-gezicht", why="Kijk naar oren, neus en kin.")
    edit("erik", CRITICAL, "beoordeel-pasfoto", check="De foto volgt de fotomatrix.")
    assert client.post(f"{API}/tasks/{CRITICAL}/draft/submit", headers=erik).status_code == 200
    answer = client.post(f"{API}/tasks/{CRITICAL}/draft/publish", headers=ruth)
    assert answer.status_code == 200, answer.text
    assert (
        answer.json()["edited_by"],
        answer.json()["submitted_by"],
        answer.json()["approved_by"],
    ) == (["erik", "eva"], "erik", "ruth")

    # The API
    listed = client.get(f"{API}/tasks/{CRITICAL}/versions", headers=people["kwaliteit"]).json()
    newest = listed[0]
    assert (
        newest["number"],
        newest["edited_by"],
        newest["submitted_by"],
        newest["approved_by"],
        newest["published_by"],
        newest["import_unreviewed"],
    ) == (2, ["erik", "eva"], "erik", "ruth", "ruth", False)
    assert listed[1]["import_unreviewed"] is True  # version 1 came from the shipped files

    # The versions page: one row per version, each credit in its own column.
    page = client.get(f"/redactie/taken/{CRITICAL}/versies", headers=rob).text
    row = page.split(">versie 2</a>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="credits-edited">erik, eva</td>' in row
    assert '<td class="credits-submitted">erik</td>' in row
    assert '<td class="credits-approved">ruth</td>' in row
    assert "rob" not in row
    assert "(Nederlandse tijd)" in row  # published at, in Dutch time, the zone said
    head = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    for column in ("Bewerkt door", "Ingediend door", "Goedgekeurd door"):
        assert column in head

    # The public task page's accountability block.
    task = client.get(f"/taken/{CRITICAL}").text
    block = task.split('id="kop-verantwoording"', 1)[1].split("</section>", 1)[0]
    assert '<dd class="credits-edited">erik, eva</dd>' in block
    assert '<dd class="credits-submitted">erik</dd>' in block
    assert '<dd class="credits-approved">ruth</dd>' in block
    old = client.get(f"/taken/{CRITICAL}", params={"versie": 1}).text
    assert "gepubliceerd bij import, zonder review" in old.split('id="kop-verantwoording"')[1]

    # The export: the task files stay as they are; the credits are in versions.json.
    archive = zipfile.ZipFile(
        io.BytesIO(client.get("/redactie/export/taken.zip", headers=rob).content)
    )
    assert "eva" not in archive.read(f"{CRITICAL}.yaml").decode()
    listing = json.loads(archive.read("versions.json"))
    task_versions = next(t for t in listing["tasks"] if t["slug"] == CRITICAL)["versions"]
    assert [
        (v["number"], v["edited_by"], v["submitted_by"], v["approved_by"]) for v in task_versions
    ] == [(1, ["test"], None, None), (2, ["erik", "eva"], "erik", "ruth")]
    assert task_versions[1]["content_hash"] == newest["content_hash"]
    assert dt.datetime.fromisoformat(task_versions[1]["published_at"]).tzinfo is not None


# ---- the migration fills in what is known of older versions ---------------------------

_TASK = sa.table(
    "task",
    *(
        sa.column(c)
        for c in (
            "id",
            "slug",
            "title",
            "domain",
            "goal",
            "trigger",
            "standard",
            "criticality",
            "owner",
            "review_by",
            "status",
            "version",
            "published_version",
            "updated_at",
        )
    ),
    sa.column("tags", sa.JSON),
    sa.column("zaaktypen", sa.JSON),
    sa.column("sources", sa.JSON),
    sa.column("context_rules", sa.JSON),
)
_VERSION = sa.table(
    "task_version",
    *(
        sa.column(c)
        for c in (
            "id",
            "task_id",
            "number",
            "content_hash",
            "published_at",
            "published_by",
            "approved_by",
        )
    ),
    sa.column("document", sa.JSON),
    sa.column("edited_by", sa.JSON),
)
_CHANGE = sa.table(
    "change",
    *(
        sa.column(c)
        for c in ("id", "task_id", "at", "actor", "action", "comment", "version_number")
    ),
)


def test_the_migration_gives_older_versions_their_credits(database: str, tmp_path: Path) -> None:
    with ExitStack() as stack:
        if database == "postgresql":
            engine = sa.create_engine(stack.enter_context(scratch_postgres()))
        else:
            engine = make_engine(Settings(data_dir=tmp_path))
        stack.callback(engine.dispose)
        migrations.upgrade(engine, "0005")
        now = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
        with engine.begin() as connection:
            connection.execute(
                sa.insert(_TASK).values(
                    id=1,
                    slug="t",
                    title="T",
                    domain="d",
                    goal="g",
                    trigger="",
                    standard="",
                    criticality="critical",
                    owner="o",
                    review_by=dt.date(2027, 1, 31),
                    status="published",
                    version=3,
                    published_version=3,
                    updated_at=now,
                    tags=[],
                    zaaktypen=[],
                    sources=[],
                    context_rules=[],
                )
            )
            for number, by, approved, edited, review_by in (
                (1, "import (beheer)", None, [], "2027-01-31"),
                (2, "ruth", "ruth", ["erik", "eva"], "2027-01-31"),
                (3, "rob", "rob", ["rob"], "2028-02-10"),
            ):  # a confirmation, as it was
                connection.execute(
                    sa.insert(_VERSION).values(
                        id=number,
                        task_id=1,
                        number=number,
                        content_hash=f"{number:064d}",
                        published_at=now,
                        published_by=by,
                        approved_by=approved,
                        document={"slug": "t", "review_by": review_by},
                        edited_by=edited,
                    )
                )
            for n, (actor, action, version) in enumerate(
                (
                    ("import (beheer)", "imported", 1),
                    ("eva", "step_updated", None),
                    ("erik", "submitted", None),
                    ("ruth", "sent_back", None),
                    ("erik", "step_updated", None),
                    ("eva", "submitted", None),
                    ("ruth", "published", 2),
                    ("rob", "confirmed", 3),
                ),
                start=1,
            ):
                connection.execute(
                    sa.insert(_CHANGE).values(
                        id=n,
                        task_id=1,
                        at=now,
                        actor=actor,
                        action=action,
                        comment="",
                        version_number=version,
                    )
                )
        migrations.upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT number, submitted_by, import_unreviewed, edited_by, review_by "
                    "FROM task_version ORDER BY number"
                )
            ).all()
    assert [(r[0], r[1], bool(r[2]), _json(r[3]), _date(r[4])) for r in rows] == [
        (1, None, True, ["import (beheer)"], dt.date(2027, 1, 31)),
        (2, "eva", False, ["erik", "eva"], dt.date(2027, 1, 31)),  # the last submission
        (3, None, False, ["rob"], dt.date(2028, 2, 10)),
    ]


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


def _date(value: object) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
