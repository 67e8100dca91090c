"""The event chain: written in seq order by the one writer, and `epss audit verify` names
the first event that was changed, removed, reordered or forged."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from epss.audit.chain import FIELDS, GENESIS, canonical, link
from epss.audit.checkpoints import sign, write_checkpoint
from epss.audit.head import chain_backlog
from epss.cli import app as cli
from epss.services import Services
from epss.settings import Settings
from tests.audit_support import NOW, attack, event, ids_by_seq, verdict, write, write_many


def test_an_empty_store_verifies(services: Services) -> None:
    result = verdict(services)
    assert result.ok and result.checked == 0


def test_the_first_hash_is_sha256_of_genesis_and_the_canonical_content(services: Services) -> None:
    """Written out by hand, as an auditor with another tool would compute it."""
    write(services, event(id="1b4e28ba-2fa1-11d2-883f-0016d3cca427", details={}))
    with services.engine.connect() as connection:
        row = connection.execute(text("SELECT actor, chain_hash FROM event")).one()
    content = {
        "seq": 1,
        "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "type": "step_checked",
        "occurred_at": "2026-11-23T08:41:07.250000Z",
        "received_at": "2026-11-23T10:00:00.000000Z",
        "app": "zaaksysteem",
        "url": "https://zaken.gemeente.example/zaak/reisdocument/aanvraag",
        "task_slug": "reisdocument-aanvragen",
        "task_version": 1,
        "step_id": "identiteit",
        "actor": row[0],
        "team": "Burgerzaken balie",
        "details": {},
        "case_ref": None,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert GENESIS == "0" * 64
    assert row[1] == hashlib.sha256((GENESIS + canonical).encode()).hexdigest()


def test_concurrent_batches_are_chained_in_seq_order(services: Services) -> None:
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def post() -> None:
        start.wait()
        try:
            for _ in range(3):
                write_many(services, 7, details={"source": "rule"}, type="task_viewed")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    result = verdict(services)
    assert result.ok, result.problem
    assert result.checked == result.events == 8 * 3 * 7
    assert sorted(ids_by_seq(services)) == list(range(1, 169))


def test_duplicates_leave_no_gap_in_the_chain(services: Services) -> None:
    first = event()
    assert write(services, first, event()) == 2
    assert write(services, first, event(), first) == 1
    assert verdict(services).ok
    assert sorted(ids_by_seq(services)) == [1, 2, 3]


@pytest.fixture
def chain(services: Services) -> dict[int, str]:
    """Ten chained events in three batches: seq → id."""
    write_many(services, 3)
    write_many(
        services, 4, type="search", details={"query": "paspoort", "results": 2}, step_id=None
    )
    write_many(services, 3, user="a.bakker")
    assert verdict(services).ok
    return ids_by_seq(services)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("team", "'Andere afdeling'"),
        ("actor", "NULL"),
        ("occurred_at", "received_at"),
        ("details", """'{"query":"iets anders","results": 2}'"""),
        ("task_version", "2"),
        ("id", "'00000000-0000-0000-0000-000000000000'"),
    ],
)
def test_a_changed_field_is_named(
    services: Services, chain: dict[int, str], column: str, value: str
) -> None:
    attack(services, f"UPDATE event SET {column} = {value} WHERE seq = 5")
    result = verdict(services)
    assert not result.ok
    assert result.seq == 5
    assert "event seq 5" in result.problem and "it was changed" in result.problem


def test_a_removed_event_is_named_by_the_next_one(
    services: Services, chain: dict[int, str]
) -> None:
    attack(services, "DELETE FROM event WHERE seq = 6")
    result = verdict(services)
    assert (result.seq, result.id) == (7, chain[7])
    assert "seq 6–6) were removed" in result.problem


def test_removed_oldest_events_are_detected(services: Services, chain: dict[int, str]) -> None:
    attack(services, "DELETE FROM event WHERE seq <= 2")
    result = verdict(services)
    assert result.seq == 3 and "removed" in result.problem


def test_swapped_events_are_detected(services: Services, chain: dict[int, str]) -> None:
    attack(
        services,
        "UPDATE event SET seq = 1000 WHERE seq = 4",
        "UPDATE event SET seq = 4 WHERE seq = 5",
        "UPDATE event SET seq = 5 WHERE seq = 1000",
    )
    result = verdict(services)
    assert (result.seq, result.id) == (4, chain[5])
    assert "reordered" in result.problem


def test_a_forged_event_in_place_of_another_is_detected(
    services: Services, chain: dict[int, str]
) -> None:
    """The attacker even computes a correct hash for the forged event: the next one
    no longer links to it."""
    with services.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM event WHERE seq = 4")).mappings().one()
    forged = dict(rows) | {"team": "Vervalst"}
    with services.engine.connect() as connection:
        previous = connection.execute(text("SELECT chain_hash FROM event WHERE seq = 3")).scalar()
    forged["chain_hash"] = link(previous, canonical([forged[f] for f in FIELDS]))
    attack(services, "DELETE FROM event WHERE seq = 4")
    attack(
        services,
        "INSERT INTO event (seq, id, type, occurred_at, received_at, app, url, "
        "task_slug, task_version, step_id, actor, team, details, case_ref, chain_hash) "
        "VALUES (:seq, :id, :type, :occurred_at, :received_at, :app, :url, :task_slug, "
        ":task_version, :step_id, :actor, :team, :details, :case_ref, :chain_hash)",
        **(
            forged
            | {
                "details": json.dumps(forged["details"])
                if isinstance(forged["details"], dict)
                else forged["details"]
            }
        ),
    )
    result = verdict(services)
    assert result.seq == 5 and "seq 4" in result.problem


def test_an_appended_event_without_a_valid_hash_is_detected(
    services: Services, chain: dict[int, str]
) -> None:
    attack(
        services,
        "INSERT INTO event (seq, id, type, occurred_at, received_at, app, url, "
        "details, chain_hash) SELECT 11, 'forged', type, occurred_at, received_at, app, url, "
        "details, :hash FROM event WHERE seq = 10",
        hash="ab" * 32,
    )
    assert verdict(services).seq == 11
    attack(services, "UPDATE event SET chain_hash = NULL WHERE seq = 11")
    result = verdict(services)
    assert result.seq == 11 and "no chain hash" in result.problem


def test_a_missing_hash_in_the_middle_is_detected(
    services: Services, chain: dict[int, str]
) -> None:
    attack(services, "UPDATE event SET chain_hash = NULL WHERE seq = 3")
    result = verdict(services)
    assert result.seq == 3 and "no chain hash" in result.problem


def _seal(services: Services) -> None:
    with services.engine.begin() as connection:
        result = verdict(services)
        write_checkpoint(
            connection,
            secret_key=services.settings.secret_key,
            seq=result.last_seq,
            chain_hash=result.last_hash,
            events=result.events,
            note="test",
            now=NOW,
        )


def test_a_recomputed_chain_does_not_match_the_signed_checkpoint(
    services: Services, chain: dict[int, str]
) -> None:
    """Without a key anyone can recompute SHA-256 hashes; not the checkpoint's signature."""
    _seal(services)
    attack(services, "UPDATE event SET team = 'Anders' WHERE seq = 2")
    with services.engine.begin() as connection:  # the attacker rehashes the whole chain
        connection.execute(text("UPDATE event SET chain_hash = NULL WHERE seq >= 2"))
        chain_backlog(connection)
    result = verdict(services)
    assert result.seq == 10 and "signed checkpoint" in result.problem


def test_a_forged_or_changed_checkpoint_is_detected(
    services: Services, chain: dict[int, str]
) -> None:
    _seal(services)
    attack(services, "UPDATE audit_checkpoint SET events = 9")
    assert "wrong signature" in verdict(services).problem
    attack(
        services,
        "UPDATE audit_checkpoint SET events = 10, signature = :s",
        s=sign("another key", 10, verdict(services).last_hash or "x", 10, 0),
    )
    result = verdict(services)
    assert result.seq == 10 and "checkpoint at seq 10 has a wrong signature" in result.problem


def test_a_checkpoint_removed_from_the_middle_is_detected(
    services: Services, chain: dict[int, str]
) -> None:
    with services.engine.begin() as connection:
        for seq in (3, 6, 10):
            row = connection.execute(
                text("SELECT chain_hash FROM event WHERE seq = :s"), {"s": seq}
            ).scalar()
            write_checkpoint(
                connection,
                secret_key="test-secret",
                seq=seq,
                chain_hash=row,
                events=seq,
                note="test",
                now=NOW,
            )
    assert verdict(services).ok
    attack(services, "DELETE FROM audit_checkpoint WHERE seq = 6")
    assert verdict(services).seq == 10


def test_events_from_before_the_chain_are_chained_by_the_next_write(
    services: Services, chain: dict[int, str]
) -> None:
    attack(services, "UPDATE event SET chain_hash = NULL")  # as after the migration
    assert "no chain hash" in verdict(services).problem
    write(services, event())
    result = verdict(services)
    assert result.ok and result.checked == 11


# -- the command line -------------------------------------------------------------------


def test_audit_verify_exits_0_with_a_summary(
    services: Services, chain: dict[int, str], env: Settings
) -> None:
    result = CliRunner().invoke(cli, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 10 event(s) checked up to seq 10" in result.output


def test_audit_verify_exits_1_naming_the_event(
    services: Services, chain: dict[int, str], env: Settings
) -> None:
    attack(services, "UPDATE event SET url = 'https://elders.example/' WHERE seq = 8")
    result = CliRunner().invoke(cli, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN: event seq 8 (id {chain[8]}) does not match" in result.output


def test_audit_checkpoint_signs_the_head(
    services: Services, chain: dict[int, str], env: Settings
) -> None:
    result = CliRunner().invoke(cli, ["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert "Signed a checkpoint at seq 10" in result.output
    with services.engine.connect() as connection:
        assert connection.execute(text("SELECT seq FROM audit_checkpoint")).scalars().all() == [10]
    attack(services, "DELETE FROM event WHERE seq = 10")
    assert "signed in a checkpoint, was removed" in verdict(services).problem


def test_the_canonical_form_is_what_json_dumps_gives() -> None:
    row = (
        7,
        "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "search",
        dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "2026-05-01 10:30:00.000001",
        "app",
        'https://x.example/"quoted"\\path\n',
        None,
        None,
        None,
        None,
        "Team één ✓\u2028",
        '{"results":0,"query":"a\\"b"}',
        None,
    )
    content = dict(zip(FIELDS, row, strict=True)) | {
        "occurred_at": "2026-05-01T10:30:00.000000Z",
        "received_at": "2026-05-01T10:30:00.000001Z",
        "details": {"query": 'a"b', "results": 0},
    }
    assert (
        canonical(row)
        == json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
