"""The real server for benchmarks: started on 127.0.0.1 in a subprocess, driven over HTTP
with keep-alive, sequentially or by concurrent clients (bounded in count and time)."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from bench.corpus import ACTIONS, APP, slugify
from epss.taskfile import TaskDocument

HOST = "127.0.0.1"
SERVER_CODE = """
import sys, warnings
warnings.filterwarnings("ignore", category=DeprecationWarning)
from pathlib import Path
import uvicorn
from epss.app import create_app
from epss.settings import Settings
app = create_app(Settings(data_dir=Path(sys.argv[1]), secret_key="bench",
                          demo=sys.argv[3] == "demo"))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def running_server(
    data_dir: Path, log_path: Path, demo: bool = False
) -> Iterator[tuple[str, psutil.Process]]:
    """The real app under uvicorn in a child process (with the demo case software if
    `demo`); yields (base URL of the API, process)."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SERVER_CODE,
                str(data_dir),
                str(port),
                "demo" if demo else "plain",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://{HOST}:{port}/api/v1"
    try:
        wait_until_healthy(base, process, log_path)
        yield base, psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until_healthy(
    base: str, process: subprocess.Popen, log_path: Path, timeout: float = 120.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited:\n" + log_path.read_text()[-3000:])
        try:
            if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict | None = None
    json: dict | None = None


def send(client: httpx.Client, request: Request) -> httpx.Response:
    response = client.request(
        request.method, request.path, params=request.params, json=request.json
    )
    if response.status_code != 200:
        raise RuntimeError(f"{request.path}: HTTP {response.status_code} {response.text[:200]}")
    return response


def rule_contexts(documents: list[TaskDocument], rng: random.Random, count: int) -> list[dict]:
    """Pages of generated tasks: a case id and a query string, with markers or zaaktype
    where the task has such a rule."""
    contexts = []
    for document in rng.sample(documents, min(count, len(documents))):
        case = rng.randint(10_000, 99_999)
        path = f"/zaken/{document.domain}/{document.slug}/{case}"
        context = {
            "app": APP,
            "url": f"{path}?tab=documenten",
            "title": f"Zaak {case}",
            "markers": [],
            "zaaktype": None,
        }
        extra = document.context_rules[1] if len(document.context_rules) > 1 else None
        if extra is not None and extra.markers:
            context.update(url=f"{path}/stappen?tab=1", markers=list(extra.markers))
        elif extra is not None:
            context["zaaktype"] = extra.zaaktype
        contexts.append(context)
    return contexts


def fallback_contexts(documents: list[TaskDocument], rng: random.Random, count: int) -> list[dict]:
    """Pages no rule knows, about a product of the catalog (the first tag of a task), whose
    words lead to a search on task titles and tags."""
    products = sorted({document.tags[0] for document in documents})
    contexts = []
    for _ in range(count):
        product, action = rng.choice(products), rng.choice(ACTIONS)
        contexts.append(
            {
                "app": APP,
                "url": f"/overzicht/{slugify(product)}/{rng.randint(1, 999)}?pagina=2",
                "title": f"{product} {action} - werkvoorraad",
                "markers": [],
                "zaaktype": None,
            }
        )
    return contexts


def resolve_request(context: dict) -> Request:
    return Request("POST", "/context/resolve", json=context)


def check_sources(client: httpx.Client, contexts: list[dict], want: str) -> None:
    """Fail loudly when the contexts do not resolve the way the measurement assumes."""
    for context in contexts[:20]:
        matches = send(client, resolve_request(context)).json()["matches"]
        if not matches or matches[0]["source"] != want:
            raise RuntimeError(f"{context['url']}: expected a {want} match, got {matches}")


def throughput(base: str, requests: list[Request], clients: int, seconds: float) -> float:
    """Completed requests per second with `clients` threads, each its own keep-alive client."""
    counts = [0] * clients
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    max_per_client = 1_000_000

    def work(n: int) -> None:
        with httpx.Client(base_url=base, timeout=10.0) as client:
            try:
                send(client, requests[0])  # connect before the clock matters
                for k in range(max_per_client):
                    if time.monotonic() >= deadline:
                        break
                    send(client, requests[(n + k * clients) % len(requests)])
                    counts[n] += 1
            except (httpx.HTTPError, RuntimeError) as error:
                errors.append(str(error))

    start = time.monotonic()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.monotonic() - start
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]}")
    return sum(counts) / elapsed
