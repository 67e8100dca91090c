"""Numbers people (or probes) type that no database can hold, or that only look like
numbers, get a clear 4xx and change nothing: never a server error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("kwaliteit", "/kwaliteit/scherm?event=²"),
        ("kwaliteit", f"/kwaliteit/scherm?event={HUGE}"),
        ("kwaliteit", f"/api/v1/quality/on-screen/{HUGE}"),
        ("kwaliteit", "/api/v1/quality/on-screen/²"),
        ("redacteur", f"/redactie/taken/aangifte-geboorte/wijzigingen?van=1&naar={HUGE}"),
        ("redacteur", f"/redactie/taken/aangifte-geboorte/versies?van=1&naar={HUGE}"),
        ("redacteur", f"/redactie/export/aangifte-geboorte.yaml?versie={HUGE}"),
        ("beheerder", f"/beheer/log?pagina={HUGE}"),
        ("beheerder", f"/beheer/inzage-log?pagina={HUGE}"),
        ("medewerker", f"/mijn-gegevens?pagina={HUGE}"),
    ],
)
def test_a_number_out_of_range_is_refused_clearly(
    client: TestClient, people: dict, who: str, path: str
) -> None:
    answer = client.get(path, headers=people[who])
    assert 400 <= answer.status_code < 500, (path, answer.status_code)


def test_an_import_with_text_that_is_not_text_is_refused_by_file(
    client: TestClient, people: dict
) -> None:
    body = '{"files": [{"name": "x.yaml", "content": "slug: x\\ud800"}]}'  # a lone surrogate
    answer = client.post(
        "/api/v1/imports",
        content=body.encode(),
        headers={**people["redacteur"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 422 and "x.yaml" in answer.text
