"""The `epss` command as people use it: import all or nothing, export, and the demo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from epss import catalog
from epss.cli import app
from epss.db import make_engine
from epss.models import Task
from epss.services import Services
from epss.settings import Settings
from tests.conftest import SHIPPED_TASKS, TASKS_DIR
from tests.ports import free_port

runner = CliRunner()


def task_count(settings: Settings) -> int:
    engine = make_engine(settings)
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Task)).one()
    engine.dispose()
    return count


def test_one_bad_file_and_nothing_is_imported(env: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(TASKS_DIR, folder)
    bad = folder / "verhuizing-doorgeven.yaml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("review_by:", "herzien_op:"), encoding="utf-8"
    )
    line = (
        bad.read_text(encoding="utf-8")
        .splitlines()
        .index(next(x for x in bad.read_text(encoding="utf-8").splitlines() if "herzien_op" in x))
        + 1
    )
    result = runner.invoke(app, ["import", str(folder)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{bad}, line 2, review_by: this field is missing",
        f"{bad}, line {line}, herzien_op: this field is not part of the task format (a typo?)",
        "2 problem(s) found; nothing was imported.",
    ]
    assert task_count(env) == 0


def test_a_failure_halfway_through_an_import_leaves_nothing(
    env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = []

    def publish_then_fail(*args, **kwargs):
        if len(published) == 2:
            raise RuntimeError("the database went away")
        published.append(args)
        return real_publish(*args, **kwargs)

    real_publish = catalog.publish
    monkeypatch.setattr(catalog, "publish", publish_then_fail)
    result = runner.invoke(app, ["import", "--publish", str(TASKS_DIR)])
    assert result.exit_code != 0 and len(published) == 2
    assert task_count(env) == 0


def test_dry_run_only_checks(env: Settings) -> None:
    result = runner.invoke(app, ["import", "--dry-run", str(TASKS_DIR)])
    assert result.exit_code == 0, result.output
    assert f"{SHIPPED_TASKS} task file(s) are valid; nothing was changed" in result.output
    assert task_count(env) == 0


def test_import_twice_then_export_gives_the_same_files(env: Settings, tmp_path: Path) -> None:
    first = runner.invoke(app, ["import", "--publish", str(TASKS_DIR)])
    assert first.exit_code == 0, first.output
    assert f"{SHIPPED_TASKS} new, 0 updated, 0 unchanged" in first.output
    again = runner.invoke(app, ["import", "--publish", *sorted(map(str, TASKS_DIR.glob("*.yaml")))])
    assert f"0 new, 0 updated, {SHIPPED_TASKS} unchanged" in again.output
    out = tmp_path / "export"
    assert runner.invoke(app, ["export", str(out)]).exit_code == 0
    for file in TASKS_DIR.iterdir():
        assert (out / file.name).read_bytes() == file.read_bytes(), file.name


def test_a_missing_path_is_named(env: Settings, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(tmp_path / "nergens.yaml")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nergens.yaml'}: no such file or folder" in result.output


def test_commands_ask_for_the_migration_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EPSS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("EPSS_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["import", str(TASKS_DIR)])
    assert result.exit_code == 1
    assert "run `epss db upgrade` first" in result.output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["import", str(TASKS_DIR)]).exit_code == 0


def _start_demo(cwd: Path, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPSS_")}
    with log.open("w") as output:
        return subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from epss.cli import main; main()",
                "demo",
                "--port",
                str(port),
            ],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _wait_until_up(client: httpx.Client, url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            client.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"the demo did not start within 60 s:\n{log.read_text()}")


def test_epss_demo_serves_the_tasks_and_the_demo_screens(tmp_path: Path) -> None:
    client = httpx.Client(trust_env=False)  # loopback only, never through a proxy
    for run in (1, 2):  # a second run finds its data and changes nothing
        port, log = free_port(), tmp_path / f"demo-{run}.log"
        base = f"http://127.0.0.1:{port}"
        process = _start_demo(tmp_path, port, log)
        try:
            _wait_until_up(client, base + "/api/v1/health", process, log)
            tasks = client.get(base + "/api/v1/tasks").json()
            assert len(tasks) == SHIPPED_TASKS and {t["version"] for t in tasks} == {1}, run
            assert client.get(base + "/demo/verhuizing").status_code == 200
            resolved = client.post(
                base + "/api/v1/context/resolve",
                json={"app": "demo-zaaksysteem", "url": base + "/demo/geboorte/aangifte"},
            ).json()
            assert resolved["matches"][0]["task"] == "aangifte-geboorte"
            login = client.get(base + "/inloggen")
            token = re.search(r'name="csrftoken" value="([^"]+)"', login.text).group(1)
            client.post(
                base + "/inloggen",
                data={"csrftoken": token, "naam": "rob", "wachtwoord": "demo-wachtwoord"},
            )
            assert client.get(base + "/api/v1/me").json()["roles"] == ["redacteur"]
            client.cookies.clear()
        finally:
            process.terminate()
            process.wait(timeout=20)
        assert f"{base}/demo/reisdocument/aanvraag" in log.read_text()
        assert "rob      redacteur" in log.read_text()
        assert (tmp_path / "epss-demo" / "epss.sqlite3").exists()
    client.close()


def test_reindex_rebuilds_a_lost_index(env: Settings) -> None:
    assert runner.invoke(app, ["import", "--publish", str(TASKS_DIR)]).exit_code == 0
    shutil.rmtree(env.index_dir)
    result = runner.invoke(app, ["reindex"])
    assert result.exit_code == 0, result.output
    assert f"The search index in {env.index_dir} was rebuilt." in result.output
    services = Services.from_settings(env)
    assert services.search_index.search("naamskeuze")[0].task_slug == "aangifte-geboorte"
    services.close()


def test_schema_writes_the_json_schema(tmp_path: Path) -> None:
    target = tmp_path / "task.schema.json"
    assert runner.invoke(app, ["schema", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == (TASKS_DIR / "task.schema.json").read_text(
        encoding="utf-8"
    )
