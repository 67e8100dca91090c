"""A file upload posted as a plain HTML form (multipart, the CSRF token as a form field, no
htmx header), as a browser without JavaScript sends it: it works with a good token and is
refused with 403 and a Dutch reason without one, and nothing changes then. The CSRF
middleware's own multipart parsing broke with python-multipart 0.0.2x+ (a 500); the app
reads the token from the form itself."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.models import Task
from tests.conftest import TASKS_DIR, add_user

SLUG = "verhuizing-doorgeven"
PASSWORD = "een-lang-wachtwoord-42"


def _token(client: TestClient, path: str) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', client.get(path).text).group(1)


def _logged_in(client: TestClient) -> None:
    add_user(client.app.state.services, "ruth", "redacteur", password=PASSWORD)
    answer = client.post(
        "/inloggen",
        follow_redirects=False,
        data={"csrftoken": _token(client, "/inloggen"), "naam": "ruth", "wachtwoord": PASSWORD},
    )
    assert answer.status_code == 303


def _changed_file() -> bytes:
    text = (TASKS_DIR / f"{SLUG}.yaml").read_text(encoding="utf-8")
    return text.replace("\ntitle: ", "\ntitle: Gewijzigd ", 1).encode()


def _status(client: TestClient) -> str:
    with Session(client.app.state.services.engine) as session:
        return session.exec(select(Task.status).where(Task.slug == SLUG)).one()


def test_a_plain_form_upload_with_its_token_is_imported(client: TestClient) -> None:
    _logged_in(client)
    answer = client.post(
        "/redactie/import",
        data={"csrftoken": _token(client, "/redactie/import")},
        files={"bestanden": (f"{SLUG}.yaml", _changed_file())},
    )
    assert answer.status_code == 200, answer.text[:500]
    assert _status(client) == "submitted"


def test_a_plain_form_upload_without_a_good_token_is_refused(client: TestClient) -> None:
    _logged_in(client)
    for data in ({}, {"csrftoken": "vervalst"}):
        answer = client.post(
            "/redactie/import", data=data, files={"bestanden": (f"{SLUG}.yaml", _changed_file())}
        )
        assert answer.status_code == 403
        assert answer.json()["error"] == "csrf"
        assert "Laad de pagina opnieuw" in answer.json()["detail"]
    assert _status(client) == "published"


def test_a_plain_form_upload_too_large_to_check_is_refused_unread(client: TestClient) -> None:
    """The token of a form without the header is looked for in memory: a form of more than
    32 MB is refused with 413 and a reason, whether its size is declared or not."""
    _logged_in(client)
    token = _token(client, "/redactie/import")
    boundary = "grens"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrftoken"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="bestanden"; '
        f'filename="{SLUG}.yaml"\r\n\r\n'
    ).encode()
    body = head + _changed_file() + b"#" * (32 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    content_type = {"content-type": f"multipart/form-data; boundary={boundary}"}
    declared = client.post("/redactie/import", content=body, headers=content_type)
    undeclared = client.post(
        "/redactie/import",
        content=iter([body[:1000], body[1000:]]),
        headers={**content_type, "accept": "text/html"},
    )
    assert declared.status_code == undeclared.status_code == 413
    assert declared.json()["error"] == "too_large"
    assert "hooguit 32 MB" in declared.json()["detail"]
    assert "Te groot" in undeclared.text and "hooguit 32 MB" in undeclared.text
    assert _status(client) == "published"
    smaller = client.post(
        "/redactie/import",
        content=body[: len(head)] + _changed_file() + f"\r\n--{boundary}--\r\n".encode(),
        headers=content_type,
    )
    assert smaller.status_code == 200, smaller.text[:500]
    assert _status(client) == "submitted"
