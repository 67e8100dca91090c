"""One road to publication: an import (command line, upload, API) puts a new or changed
task in its draft, submitted for review by the importer, and only a redacteur publishes
it, never their own change of a critical task. `epss import --publish` publishes at once
and says so on the version. An import never overwrites an unpublished draft unless asked.
On SQLite and PostgreSQL."""

from __future__ import annotations

import getpass
import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from epss.cli import app
from epss.settings import Settings
from epss.taskfile import dump_document
from tests.conftest import shipped_document
from tests.workflow_support import CRITICAL, history, step_editor, task_row

API = "/api/v1"
HTMX = {"HX-Request": "true"}
HTML = {"Accept": "text/html"}
NEW_TEXT = "Doe ook de kwispelcontrole van het document."
runner = CliRunner()


def changed_file(slug: str = CRITICAL, **changes) -> tuple[str, str]:
    """(file name, text) of a shipped task whose first step says something new."""
    document = shipped_document(slug, why=NEW_TEXT, **changes)
    return f"{slug}.yaml", dump_document(document)


def import_by_command_line(
    client: TestClient,
    who: str,
    files: list[tuple[str, str]],
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
):
    """`epss import` by the person `who` at the terminal (their login name)."""
    monkeypatch.setattr(getpass, "getuser", lambda: who)
    paths = []
    for name, text in files:
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    return runner.invoke(app, ["import", *args, *paths])


def import_by_upload(
    client: TestClient, people: dict, who: str, files: list[tuple[str, str]], **form
):
    return client.post(
        "/redactie/import",
        headers={**people[who], **HTMX},
        data=form,
        files=[("bestanden", (n, t.encode(), "application/yaml")) for n, t in files],
    )


def import_by_api(client: TestClient, people: dict, who: str, files: list[tuple[str, str]], **body):
    return client.post(
        f"{API}/imports",
        headers=people[who],
        json={"files": [{"name": n, "content": t} for n, t in files], **body},
    )


def versions(client: TestClient, people: dict, slug: str = CRITICAL) -> list[dict]:
    answer = client.get(f"{API}/tasks/{slug}/versions", headers=people["kwaliteit"])
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("road", ["command line", "upload", "api"])
def test_every_road_leaves_a_changed_critical_task_submitted_for_review(
    client: TestClient,
    people: dict,
    env: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    road: str,
) -> None:
    files = [changed_file()]
    if road == "command line":
        result = import_by_command_line(client, "redacteur", files, tmp_path, monkeypatch)
        assert result.exit_code == 0, result.output
        assert "0 new, 1 updated, 0 unchanged" in result.output
        assert "Submitted for review by redacteur" in result.output
    elif road == "upload":
        answer = import_by_upload(client, people, "redacteur", files)
        assert answer.status_code == 200, answer.text
        assert "Geïmporteerd en ingediend ter controle" in answer.text
        assert "Nog niet gepubliceerd" in answer.text
    else:
        answer = import_by_api(client, people, "redacteur", files)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "created": [],
            "updated": [CRITICAL],
            "unchanged": [],
            "submitted_by": "redacteur",
        }

    # Not live: the desk still sees version 1, without the new text.
    task = client.get(f"{API}/tasks/{CRITICAL}").json()
    assert task["version"] == 1 and NEW_TEXT not in json.dumps(task)
    assert client.get(f"{API}/search", params={"q": "kwispelcontrole"}).json()["results"] == []
    row = task_row(client, CRITICAL)
    assert (row.status, row.submitted_by, row.published_version) == ("submitted", "redacteur", 1)
    assert history(client, CRITICAL)[-2:] == [
        ("redacteur", "imported_for_review", None),
        ("redacteur", "submitted", None),
    ]

    # The importer edited it: on a critical task they cannot publish it themselves.
    editor_page = client.get(f"/redactie/taken/{CRITICAL}", headers=people["redacteur"]).text
    assert "U heeft dit concept zelf bewerkt" in editor_page
    refused = client.post(f"{API}/tasks/{CRITICAL}/draft/publish", headers=people["redacteur"])
    assert refused.status_code == 403, refused.text
    assert refused.json()["reason"] == "second_person_required"
    assert "haar taakbestand geïmporteerd" in refused.json()["detail"]
    page = client.post(
        f"/redactie/taken/{CRITICAL}/publiceren", headers={**people["redacteur"], **HTMX}
    )
    assert page.status_code == 403 and "Publiceren door een tweede persoon" in page.text
    assert (
        client.post(f"{API}/tasks/{CRITICAL}/draft/publish", headers=people["expert"]).status_code
        == 403
    )  # not a redacteur
    assert task_row(client, CRITICAL).status == "submitted"

    published = client.post(f"{API}/tasks/{CRITICAL}/draft/publish", headers=people["redacteur2"])
    assert published.status_code == 200, published.text
    assert NEW_TEXT in json.dumps(client.get(f"{API}/tasks/{CRITICAL}").json())
    newest = versions(client, people)[0]
    assert (
        newest["number"],
        newest["edited_by"],
        newest["submitted_by"],
        newest["approved_by"],
        newest["import_unreviewed"],
    ) == (2, ["redacteur"], "redacteur", "redacteur2", False)


def test_a_normal_task_imported_for_review_may_be_published_by_its_importer(
    client: TestClient, people: dict
) -> None:
    answer = import_by_api(client, people, "redacteur", [changed_file("verhuizing-doorgeven")])
    assert answer.status_code == 200, answer.text
    published = client.post(
        f"{API}/tasks/verhuizing-doorgeven/draft/publish", headers=people["redacteur"]
    )
    assert published.status_code == 200, published.text
    assert published.json()["approved_by"] == "redacteur"


def test_lowering_the_criticality_in_the_draft_does_not_skip_the_second_person(
    client: TestClient, people: dict
) -> None:
    answer = import_by_api(
        client, people, "redacteur", [changed_file(CRITICAL, title="Twijfel, nu normaal")]
    )
    assert answer.status_code == 200, answer.text
    lowered = changed_file(CRITICAL, title="Twijfel, nu normaal")[1].replace(
        "criticality: critical", "criticality: normal"
    )
    answer = import_by_api(
        client, people, "redacteur", [(f"{CRITICAL}.yaml", lowered)], replace_draft=True
    )
    assert answer.status_code == 200, answer.text
    refused = client.post(f"{API}/tasks/{CRITICAL}/draft/publish", headers=people["redacteur"])
    assert refused.status_code == 403 and refused.json()["reason"] == "second_person_required"
    assert task_row(client, CRITICAL).published_version == 1


def test_importing_the_same_file_again_changes_nothing(client: TestClient, people: dict) -> None:
    files = [changed_file()]
    assert import_by_api(client, people, "redacteur", files).json()["updated"] == [CRITICAL]
    before = history(client, CRITICAL)
    again = import_by_api(client, people, "redacteur2", files)
    assert again.status_code == 200, again.text
    assert (again.json()["updated"], again.json()["unchanged"]) == ([], [CRITICAL])
    assert history(client, CRITICAL) == before
    shipped = import_by_api(
        client,
        people,
        "redacteur",
        [(f"{CRITICAL}.yaml", dump_document(shipped_document(CRITICAL)))],
    )  # equal to the published version
    assert shipped.json()["unchanged"] == [CRITICAL]
    assert task_row(client, CRITICAL).submitted_by == "redacteur"


def test_a_new_task_waits_outside_the_catalog_until_it_is_published(
    client: TestClient, people: dict
) -> None:
    slug = "nieuwe-taak"
    document = shipped_document("verhuizing-doorgeven").model_copy(
        update={"slug": slug, "title": "Een gloednieuwe taak", "context_rules": []}
    )
    answer = import_by_api(client, people, "redacteur", [(f"{slug}.yaml", dump_document(document))])
    assert answer.status_code == 200 and answer.json()["created"] == [slug]

    assert slug not in [t["slug"] for t in client.get(f"{API}/tasks").json()]
    assert client.get(f"{API}/tasks/{slug}").status_code == 404
    assert client.get(f"{API}/tasks/{slug}/panel").status_code == 404
    assert client.get(f"/taken/{slug}", headers=HTML).status_code == 404
    assert "gloednieuwe" not in client.get("/").text
    assert client.get(f"{API}/search", params={"q": "gloednieuwe"}).json()["results"] == []
    assert slug not in json.dumps(client.get(f"{API}/review", headers=people["expert"]).json())

    listing = client.get("/redactie", params={"status": "submitted"}, headers=people["expert"]).text
    assert "Een gloednieuwe taak" in listing and "Ingediend" in listing
    assert client.get(f"/redactie/taken/{slug}", headers=people["expert"]).status_code == 200
    page = client.get(f"/redactie/taken/{slug}/versies", headers=people["expert"])
    assert page.status_code == 200 and "nog geen gepubliceerde versie" in page.text
    assert versions(client, people, slug) == []

    published = client.post(f"{API}/tasks/{slug}/draft/publish", headers=people["redacteur2"])
    assert published.status_code == 200, published.text
    assert client.get(f"{API}/tasks/{slug}").json()["version"] == 1
    assert versions(client, people, slug)[0]["submitted_by"] == "redacteur"


def test_import_with_publish_publishes_at_once_and_says_so(
    client: TestClient, people: dict, env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = import_by_command_line(
        client, "beheer", [changed_file()], tmp_path, monkeypatch, "--publish"
    )
    assert result.exit_code == 0, result.output
    assert "Published at once, without review (--publish)" in result.output
    assert NEW_TEXT in json.dumps(client.get(f"{API}/tasks/{CRITICAL}").json())
    newest = versions(client, people)[0]
    assert (
        newest["number"],
        newest["published_by"],
        newest["approved_by"],
        newest["submitted_by"],
        newest["edited_by"],
        newest["import_unreviewed"],
    ) == (2, "beheer", None, None, ["beheer"], True)
    assert task_row(client, CRITICAL).status == "published"

    page = client.get(f"/redactie/taken/{CRITICAL}/versies", headers=people["expert"]).text
    row = page.split("versie 2", 1)[1].split("</tr>", 1)[0]
    assert "gepubliceerd bij import, zonder review" in row and "beheer" in row
    history_page = client.get(
        f"/redactie/taken/{CRITICAL}/geschiedenis", headers=people["expert"]
    ).text
    assert "Gepubliceerd bij import, zonder review" in history_page
    english = client.get(
        f"/redactie/taken/{CRITICAL}/versies", params={"lang": "en"}, headers=people["expert"]
    ).text
    assert "published at import, without review" in english

    archive = client.get("/redactie/export/taken.zip", headers=people["expert"])
    listing = json.loads(zipfile.ZipFile(io.BytesIO(archive.content)).read("versions.json"))
    task = next(t for t in listing["tasks"] if t["slug"] == CRITICAL)
    assert [(v["number"], v["import_unreviewed"], v["approved_by"]) for v in task["versions"]] == [
        (1, True, None),
        (2, True, None),
    ]


def test_an_import_into_an_unpublished_draft_is_refused_unless_it_replaces_it(
    client: TestClient, people: dict, env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = step_editor(client, people)
    edit("expert", CRITICAL, "beoordeel-pasfoto", check="De fotomatrix is gevolgd.")
    files = [changed_file()]
    before = history(client, CRITICAL)

    api = import_by_api(client, people, "redacteur", files)
    assert api.status_code == 409, api.text
    assert api.json()["reason"] == "unpublished_draft" and api.json()["tasks"] == [CRITICAL]
    assert api.json()["detail"].startswith(
        f"De taak '{CRITICAL}' heeft een concept dat nog niet gepubliceerd is"
    )
    upload = import_by_upload(client, people, "redacteur", files)
    assert upload.status_code == 409 and "Niets geïmporteerd" in upload.text
    assert "heeft een concept dat nog niet gepubliceerd is" in upload.text
    english = client.post(
        "/redactie/import",
        params={"lang": "en"},
        headers={**people["redacteur"], **HTMX},
        files=[("bestanden", (files[0][0], files[0][1].encode()))],
    )
    assert english.status_code == 409 and "has a draft that has not been published" in english.text
    cli = import_by_command_line(client, "redacteur", files, tmp_path, monkeypatch)
    assert cli.exit_code == 1
    assert "has a draft that has not been published" in cli.output
    assert "--replace-draft" in cli.output
    published = import_by_command_line(client, "beheer", files, tmp_path, monkeypatch, "--publish")
    assert published.exit_code == 1 and "--replace-draft" in published.output
    assert history(client, CRITICAL) == before  # nothing changed
    assert task_row(client, CRITICAL).status == "draft"
    assert len(versions(client, people)) == 1

    replaced = import_by_upload(client, people, "redacteur", files, vervang_concept="ja")
    assert replaced.status_code == 200, replaced.text
    assert [a for _, a, _ in history(client, CRITICAL)[-3:]] == [
        "draft_replaced",
        "imported_for_review",
        "submitted",
    ]
    draft = client.get(f"{API}/tasks/{CRITICAL}/draft", headers=people["expert"]).json()
    assert (draft["status"], draft["editors"]) == ("submitted", ["redacteur"])
    step = next(s for s in draft["steps"] if s["id"] == "beoordeel-pasfoto")
    assert step["check"] != "De fotomatrix is gevolgd."  # the file's text, not the draft's
    assert (
        client.post(
            f"{API}/tasks/{CRITICAL}/draft/publish", headers=people["redacteur"]
        ).status_code
        == 403
    )
    answer = client.post(f"{API}/tasks/{CRITICAL}/draft/publish", headers=people["redacteur2"])
    assert answer.status_code == 200 and answer.json()["edited_by"] == ["redacteur"]


def test_the_api_import_names_every_problem_and_changes_nothing(
    client: TestClient, people: dict
) -> None:
    name, text = changed_file()
    broken = text.replace("review_by:", "herzien_op:")
    answer = import_by_api(client, people, "redacteur", [(name, broken)])
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"].startswith("Er is niets geïmporteerd: 2 problemen in de bestanden")
    assert {(p["file"], p["field"]) for p in body["problems"]} == {
        (name, "review_by"),
        (name, "herzien_op"),
    }
    assert import_by_api(client, people, "redacteur", [("x.txt", "a")]).status_code == 422
    assert import_by_api(client, people, "expert", [(name, text)]).status_code == 403
    assert (
        client.post(f"{API}/imports", json={"files": []}, headers=people["redacteur"]).status_code
        == 422
    )
    assert task_row(client, CRITICAL).status == "published"
