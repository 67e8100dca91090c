"""Two `epss serve` processes on one PostgreSQL database stay in step through the change
log: editors on different instances see each other and each other's saves; a task published
through one is found, resolved and in the manifest of the other within seconds; and the
faults an operator meets: an instance killed with `kill -9` in the middle of a publish, an
instance that was down while the catalog changed, the database going away and coming back,
and an index folder deleted under a running instance.

Real processes throughout (see tests/instances_support.py). Without PostgreSQL these tests
skip with the reason (fail under EPSS_TEST_REQUIRE_POSTGRES=1), as in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from epss import migrations
from epss.auth.accounts import create_user, new_api_token
from epss.changes.log import CHANNEL
from epss.models import Task
from tests.conftest import TASKS_DIR, scratch_postgres, within
from tests.drafts_support import EventReader
from tests.instances_support import Deployment, browser, start, stop, wait_until_up

IN_STEP_WITHIN = 2.0  # seconds: the budget for another instance to follow
SLUG = "verhuizing-doorgeven"
LOG_LOCK = 0x6570_7373_6368_6E67  # the change log's advisory lock (epss.changes.log)
PEOPLE = (("eva", "expert"), ("erik", "expert"), ("ruth", "redacteur"))


@dataclass
class Cluster:
    deployment: Deployment
    tokens: dict[str, dict[str, str]]
    processes: dict[str, object] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return self.deployment.instances[name]

    def start(self, name: str) -> None:
        process, log, base = start(self.deployment, name)
        wait_until_up(base, process, log)
        self.processes[name] = process
        self.deployment.instances[name] = base

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def api(self, name: str, who: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url(name) + "/api/v1",
            headers=self.tokens[who],
            trust_env=False,
            timeout=30,
        )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with scratch_postgres() as url:
        deployment = Deployment(url, tmp_path_factory.mktemp("in-step"))
        engine = sa.create_engine(url)
        migrations.upgrade(engine)
        with Session(engine) as session:
            tokens = {}
            for name, role in PEOPLE:
                token = new_api_token(session, create_user(session, name, [role]))
                tokens[name] = {"Authorization": f"Bearer {token}"}
            session.commit()
        engine.dispose()
        deployment.epss("import", "--publish", str(TASKS_DIR))
        cluster = Cluster(deployment, tokens)
        try:
            for name in ("a", "b"):
                cluster.start(name)
            yield cluster
        finally:
            for process in cluster.processes.values():
                stop(process)


def _found(client: httpx.Client, word: str) -> list[str]:
    answer = client.get("/search", params={"q": word})
    assert answer.status_code == 200, answer.text
    return [hit["task_slug"] for hit in answer.json()["results"]]


def _publish_with_word(cluster: Cluster, instance: str, word: str) -> int:
    """eva puts `word` in a step and submits; ruth publishes; returns the new version."""
    with cluster.api(instance, "eva") as eva, cluster.api(instance, "ruth") as ruth:
        step = eva.get(f"/tasks/{SLUG}/draft").json()["steps"][0]
        saved = eva.patch(
            f"/tasks/{SLUG}/draft/steps/{step['id']}",
            json={"instruction": f"Controleer de {word} van de aanvrager."},
            headers={"If-Match": str(step["version"])},
        )
        assert saved.status_code == 200, saved.text
        assert eva.post(f"/tasks/{SLUG}/draft/submit").status_code == 200
        published = ruth.post(f"/tasks/{SLUG}/draft/publish")
        assert published.status_code == 200, published.text
        return published.json()["number"]


def test_editors_on_two_instances_see_each_other_and_their_saves(cluster: Cluster) -> None:
    live = f"/api/v1/tasks/{SLUG}/draft/live"
    eva = EventReader(cluster.url("a") + live, cluster.tokens["eva"])
    erik = None
    try:
        assert eva.next() == ("presence", {"editors": ["eva"], "you": "eva"})
        erik = EventReader(cluster.url("b") + live, cluster.tokens["erik"])
        assert erik.next() == ("presence", {"editors": ["erik", "eva"], "you": "erik"})
        assert eva.next(IN_STEP_WITHIN) == (
            "presence",
            {"editors": ["erik", "eva"], "joined": "erik"},
        )
        with cluster.api("b", "erik") as client:
            step = client.get(f"/tasks/{SLUG}/draft").json()["steps"][1]
            saved = client.patch(
                f"/tasks/{SLUG}/draft/steps/{step['id']}",
                json={"why": "Zo weet de medewerker waarom."},
                headers={"If-Match": str(step["version"])},
            )
            assert saved.status_code == 200, saved.text
        assert eva.next_of("saved", IN_STEP_WITHIN) == {
            "kind": "step",
            "step_id": step["id"],
            "version": step["version"] + 1,
            "by": "erik",
        }
        erik.close()
        assert eva.next_of("presence", IN_STEP_WITHIN) == {"editors": ["eva"], "left": "erik"}
    finally:
        eva.close()
        if erik is not None:
            erik.close()


def test_a_task_published_through_one_instance_is_found_on_the_other(cluster: Cluster) -> None:
    with cluster.api("b", "eva") as b:
        etag = b.get(f"/apps/{_app_of(cluster)}/manifest").headers["ETag"]
        assert _found(b, "zeepbelcontrole") == []
        version = _publish_with_word(cluster, "a", "zeepbelcontrole")
        assert within(IN_STEP_WITHIN, lambda: _found(b, "zeepbelcontrole")) == [SLUG]
        hits = b.get("/search", params={"q": "zeepbelcontrole"}).json()["results"]
        assert hits[0]["task_version"] == version
        # The overlay on b: the manifest's rules name the new version, with a new ETag.
        manifest = b.get(f"/apps/{_app_of(cluster)}/manifest")
        assert manifest.headers["ETag"] != etag
        assert {rule["version"] for rule in manifest.json()["rules"] if rule["task"] == SLUG} == {
            version
        }


def _app_of(cluster: Cluster) -> str:
    with cluster.deployment.session() as session:
        task = session.exec(select(Task).where(Task.slug == SLUG)).one()
        return task.context_rules[0]["app"]


def test_an_instance_that_was_down_catches_up_when_it_starts(cluster: Cluster) -> None:
    cluster.kill("b")
    _publish_with_word(cluster, "a", "ijsberenwacht")
    cluster.start("b")
    with cluster.api("b", "eva") as b:
        assert _found(b, "ijsberenwacht") == [SLUG]


def test_an_instance_killed_in_the_middle_of_a_publish(cluster: Cluster) -> None:
    """The publish waits for the change log's lock (held here) with its new version written
    but not committed; the instance dies; the database keeps the old version, and both
    instances, the killed one restarted, show the same."""
    with cluster.api("a", "eva") as eva:
        step = eva.get(f"/tasks/{SLUG}/draft").json()["steps"][0]
        assert (
            eva.patch(
                f"/tasks/{SLUG}/draft/steps/{step['id']}",
                json={"instruction": "Controleer de walrusmelding."},
                headers={"If-Match": str(step["version"])},
            ).status_code
            == 200
        )
        assert eva.post(f"/tasks/{SLUG}/draft/submit").status_code == 200
        before = eva.get(f"/tasks/{SLUG}").json()["version"]
    engine = sa.create_engine(cluster.deployment.database_url)
    try:
        with engine.connect() as holder:
            holder.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": LOG_LOCK})
            publishing = threading.Thread(target=_publish_quietly, args=(cluster,), daemon=True)
            publishing.start()
            assert within(10, lambda: _waiting_for_log_lock(engine)), "the publish never came"
            cluster.kill("a")
            holder.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LOG_LOCK})
            holder.commit()
        publishing.join(30)
    finally:
        engine.dispose()
    cluster.start("a")
    for name in ("a", "b"):
        with cluster.api(name, "eva") as client:
            assert client.get(f"/tasks/{SLUG}").json()["version"] == before
            assert _found(client, "walrusmelding") == []
    # The submitted draft is still there: publishing it now works, on either instance.
    with cluster.api("b", "ruth") as ruth:
        assert ruth.post(f"/tasks/{SLUG}/draft/publish").status_code == 200
    with cluster.api("a", "eva") as a:
        assert within(IN_STEP_WITHIN, lambda: _found(a, "walrusmelding")) == [SLUG]


def _publish_quietly(cluster: Cluster) -> None:
    with cluster.api("a", "ruth") as ruth, contextlib.suppress(httpx.TransportError):
        ruth.post(f"/tasks/{SLUG}/draft/publish")  # its instance dies before it answers


def _waiting_for_log_lock(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                    "AND (classid::bigint << 32) + objid::bigint = :key"
                ),
                {"key": LOG_LOCK},
            ).scalar()
        )


def test_instances_ride_out_a_database_outage(cluster: Cluster) -> None:
    """The database refuses connections and drops the open ones (as in a restart): the
    instances say they are not ready, and once it is back they reconnect, listen again and
    catch up on a change made meanwhile."""
    name = sa.make_url(cluster.deployment.database_url).database
    admin = sa.create_engine(
        cluster.deployment.database_url.replace(f"/{name}", "/postgres"),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        with browser() as client:
            for instance in ("a", "b"):
                ready = within(
                    10,
                    lambda i=instance: (
                        client.get(cluster.url(i) + "/health/ready").status_code == 503
                    ),
                )
                assert ready, f"instance {instance} still said it was ready"
        with admin.connect() as connection:
            connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        _publish_with_word(cluster, "a", "pinguinpost")
        with cluster.api("b", "eva") as b:
            assert within(10, lambda: _found(b, "pinguinpost")) == [SLUG]
        with browser() as client:
            for instance in ("a", "b"):
                assert within(
                    10,
                    lambda i=instance: (
                        client.get(cluster.url(i) + "/health/ready").status_code == 200
                    ),
                )
        # Both listen again: the next change arrives within the usual time.
        assert within(10, lambda: _listening(cluster) == 2)
        _publish_with_word(cluster, "a", "robbenrust")
        with cluster.api("b", "eva") as b:
            assert within(IN_STEP_WITHIN, lambda: _found(b, "robbenrust")) == [SLUG]
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def _listening(cluster: Cluster) -> int:
    """How many connections to the cluster's database listen on the change log's channel."""
    engine = sa.create_engine(cluster.deployment.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query = :listen"
                ),
                {"listen": f"LISTEN {CHANNEL}"},
            ).scalar()
    finally:
        engine.dispose()


def _delete(folder: Path) -> None:
    shutil.rmtree(folder)


def _corrupt(folder: Path) -> None:
    """Every file of the index replaced by garbage of its size (as a restore from a bad
    backup leaves it; the files are new, so the process's open ones stay as they were)."""
    for path in folder.rglob("*"):
        if path.is_file():
            damaged = path.with_name(path.name + ".damaged")
            damaged.write_bytes(b"\0garbage" * max(1, path.stat().st_size // 8))
            damaged.replace(path)


@pytest.mark.parametrize("damage", [_delete, _corrupt], ids=["deleted", "corrupt"])
def test_an_index_folder_damaged_under_a_running_instance_is_rebuilt(
    cluster: Cluster, damage: Callable[[Path], None]
) -> None:
    folder = cluster.deployment.folder / "b" / "index"
    log = cluster.deployment.folder / "b.log"
    rebuilds = log.read_text().count("rebuilding the search index")
    with cluster.api("b", "eva") as b:
        expected = b.get("/search", params={"q": "verhuizing adres"}).json()["results"]
        assert expected
        damage(folder)
        # Until it is rebuilt, every answer is the right one or a refusal, never a wrong one.
        noticed = False
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (noticed and _ready(b)):
            noticed = noticed or not _ready(b)
            answer = b.get("/search", params={"q": "verhuizing adres"})
            assert answer.status_code in (200, 503), answer.text
            if answer.status_code == 200:
                assert answer.json()["results"] == expected
            time.sleep(0.1)
        assert within(10, lambda: _ready(b)), "the index was not rebuilt"
        assert b.get("/search", params={"q": "verhuizing adres"}).json()["results"] == expected
    assert log.read_text().count("rebuilding the search index") > rebuilds, "not rebuilt"


def _ready(b: httpx.Client) -> bool:
    """The instance says it is ready (its index there and readable)."""
    ready = httpx.get(str(b.base_url).removesuffix("/api/v1/") + "/health/ready")
    return ready.status_code == 200
