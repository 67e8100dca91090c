"""The three ways into a host application: the bookmarklet page, the script (/overlay.js)
with its caching, and `epss extension DIR`, the Manifest V3 browser extension."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from epss.app import create_app
from epss.cli import app as cli
from epss.db import unit_of_work
from epss.hostapps import register_host_app
from epss.overlay.bundle import shipped_bundle
from epss.overlay.extension import manifest_version
from epss.services import Services
from epss.settings import Settings

OVERLAY_JS = Path(__file__).parents[1] / "overlay_js"
EXTENSION_SOURCES = OVERLAY_JS / "extension"
EVIL_NAME = "Zaak\"systeem' <script>alert(1)</script> & co"
EVIL_ID = "evil\"</a><script>alert(2)</script>'%41\\"
SERVICE = "http://testserver/"
runner = CliRunner()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The service with three host apps, one of them named to break out of its HTML."""
    services = Services.from_settings(settings)
    with unit_of_work(services.engine) as session:
        register_host_app(
            session, "demo-zaaksysteem", "Zaaksysteem Dijkhaven", ["https://zaken.dijkhaven.nl"]
        )
        register_host_app(session, "suite", "Suite voor burgerzaken", [])
        register_host_app(session, EVIL_ID, EVIL_NAME, [])
    services.close()
    with TestClient(create_app(settings)) as client:
        yield client


class Links(HTMLParser):
    """The bookmarklet links of a page (href and text) and every script element."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.scripts = 0
        self._in_link = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "a" and "bookmarklet" in (attrs.get("class") or "").split():
            self.links.append({**attrs, "text": ""})
            self._in_link = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False

    def handle_data(self, data: str) -> None:
        if self._in_link:
            self.links[-1]["text"] += data


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def bookmarklet_values(href: str) -> tuple[str, str]:
    """The service and app id the bookmarklet's code starts the overlay with."""
    assert href.startswith("javascript:")
    code = unquote(href.removeprefix("javascript:"))
    literal = r'"(?:[^"\\]|\\.)*"'
    match = re.search(rf"var s=({literal}),a=({literal}),E=w\.EPSS;", code)
    assert match, code
    return json.loads(match.group(1)), json.loads(match.group(2))


def test_the_page_lists_every_host_app_with_its_bookmarklet(client: TestClient) -> None:
    page = client.get("/overlay/bookmarklet")
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert "Bladwijzer voor pilots" in page.text
    links = parse(page.text).links
    assert sorted(link["text"] for link in links) == sorted(
        [
            "EPSS Hulp (Zaaksysteem Dijkhaven)",
            "EPSS Hulp (Suite voor burgerzaken)",
            f"EPSS Hulp ({EVIL_NAME})",
        ]
    )
    for link in links:
        service, app = bookmarklet_values(link["href"])
        assert service == SERVICE and app == link["data-epss-app"]
        assert link["draggable"] == "true"
    assert "https://zaken.dijkhaven.nl" in page.text
    assert 'href="/overlay/bookmarklet"' in client.get("/").text


def test_a_hostile_app_name_or_id_cannot_break_out(client: TestClient) -> None:
    page = client.get("/overlay/bookmarklet")
    parsed = parse(page.text)
    assert parsed.scripts == 1  # htmx in the head, nothing from the database
    assert "<script>alert" not in page.text
    evil = next(link for link in parsed.links if link["data-epss-app"] == EVIL_ID)
    assert evil["text"] == f"EPSS Hulp ({EVIL_NAME})"
    assert bookmarklet_values(evil["href"]) == (SERVICE, EVIL_ID)
    code = unquote(evil["href"].removeprefix("javascript:"))
    assert "<" not in code  # no markup, whatever the id holds
    # The script tag to copy is HTML source, shown escaped: the id stays in its attribute.
    assert "data-epss-app=&#34;evil&amp;quot;&amp;lt;/a&amp;gt;&amp;lt;script&amp;gt;" in page.text


def test_script_tags_and_csp_lines_to_copy(client: TestClient) -> None:
    page = client.get("/overlay/bookmarklet").text
    version = shipped_bundle().version
    tag = (
        "&lt;script src=&#34;http://testserver/overlay.js%s&#34; "
        "data-epss-app=&#34;suite&#34; defer&gt;&lt;/script&gt;"
    )
    assert tag % f"?v={version}" in page and tag % "" in page
    assert "script-src http://testserver\nconnect-src http://testserver" in page
    assert "EPSS_ALLOWED_ORIGINS" in page and "epss extension DIR" in page


def test_the_page_in_english(client: TestClient) -> None:
    page = client.get("/overlay/bookmarklet", params={"lang": "en"})
    assert '<html lang="en">' in page.text
    assert "Bookmarklet for pilots" in page.text and "Bladwijzer voor pilots" not in page.text
    assert "EPSS Hulp (Suite voor burgerzaken)" in page.text  # the bookmark's name stays


def test_our_page_keeps_its_strict_csp(client: TestClient) -> None:
    csp = client.get("/overlay/bookmarklet").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp


@pytest.fixture
def plain_client(sqlite_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_settings)) as client:
        yield client


def test_overlay_js_is_javascript_gzipped_when_asked(plain_client: TestClient) -> None:
    bundle = shipped_bundle()
    plain = plain_client.get("/overlay.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/javascript")
    assert "content-encoding" not in plain.headers and plain.content == bundle.first.code
    for address, script in (("/overlay.js", bundle.first), ("/overlay-panel.js", bundle.panel)):
        zipped = plain_client.get(address, headers={"Accept-Encoding": "gzip, br"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.content == script.code  # httpx decoded it
        assert int(zipped.headers["content-length"]) == len(script.gzipped)
        assert gzip.decompress(script.gzipped) == script.code
        assert "Accept-Encoding" in zipped.headers["vary"]


def test_overlay_js_revalidates_with_its_etag(plain_client: TestClient) -> None:
    first = plain_client.get("/overlay.js")
    assert first.headers["etag"] == f'"{shipped_bundle().version}"'
    again = plain_client.get("/overlay.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    stale = plain_client.get("/overlay.js", headers={"If-None-Match": '"0ld"'})
    assert stale.status_code == 200 and stale.content == shipped_bundle().first.code


def test_only_the_current_version_is_cached_for_a_year(plain_client: TestClient) -> None:
    version = shipped_bundle().version
    assert plain_client.get("/overlay.js").headers["cache-control"] == "no-cache"
    pinned = plain_client.get("/overlay.js", params={"v": version})
    assert "immutable" in pinned.headers["cache-control"]
    assert "max-age=31536000" in pinned.headers["cache-control"]
    for wrong in ("0ld", version.upper(), ""):
        answer = plain_client.get("/overlay.js", params={"v": wrong})
        assert answer.headers["cache-control"] == "no-cache", wrong
    panel = plain_client.get("/overlay-panel.js", params={"v": version})
    assert "immutable" in panel.headers["cache-control"]


def test_epss_extension_writes_an_mv3_extension_with_the_served_bundle(
    plain_client: TestClient, tmp_path: Path
) -> None:
    target = tmp_path / "ext"
    result = runner.invoke(cli, ["extension", str(target)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifest_version"] == 3
    assert (target / manifest["background"]["service_worker"]).is_file()
    assert "scripts" not in manifest["background"]  # an MV3 service worker, no page
    assert sorted(manifest["permissions"]) == ["scripting", "storage"]
    assert manifest["host_permissions"] == ["<all_urls>"]
    assert re.fullmatch(r"\d+(\.\d+){0,3}", manifest["version"])
    assert (target / manifest["options_ui"]["page"]).is_file()
    schema = json.loads((target / manifest["storage"]["managed_schema"]).read_text())
    assert schema["properties"]["sites"]["items"]["properties"]["matches"]["type"] == "array"
    for lang in ("nl", "en"):
        messages = json.loads((target / "_locales" / lang / "messages.json").read_text())
        assert messages["name"]["message"] and messages["description"]["message"]
    assert manifest["default_locale"] == "nl"
    # Both scripts in one: Manifest V3 runs no code from elsewhere.
    carried = (target / "overlay.js").read_bytes()
    first, panel = (
        plain_client.get(address, headers={"Accept-Encoding": "identity"}).content
        for address in ("/overlay.js", "/overlay-panel.js")
    )
    assert carried.startswith(first) and carried.endswith(panel.split(b"\n", 1)[1])
    assert shipped_bundle().version in manifest["version_name"]
    again = runner.invoke(cli, ["extension", str(target)])  # over an earlier build: fine
    assert again.exit_code == 0, again.output


def test_every_file_the_extension_names_is_in_it(tmp_path: Path) -> None:
    assert runner.invoke(cli, ["extension", str(tmp_path / "ext")]).exit_code == 0
    worker = (tmp_path / "ext" / "background.js").read_text(encoding="utf-8")
    imported = re.findall(r"importScripts\('([^']+)'\)", worker)
    injected = json.loads(
        re.search(r"const FILES = (\[[^\]]*\]);", worker).group(1).replace("'", '"')
    )
    options = (tmp_path / "ext" / "options.html").read_text(encoding="utf-8")
    linked = re.findall(r'(?:src|href)="([^"]+)"', options)
    for name in [*imported, *injected, *linked]:
        assert (tmp_path / "ext" / name).is_file(), name
    assert injected[0] == "overlay.js" and injected[-1] == "start.js"


def test_epss_extension_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(cli, ["extension", str(tmp_path)])
    assert result.exit_code == 1
    assert "not empty" in result.output and str(tmp_path) in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_bundle_built_into_the_sources_is_not_committed() -> None:
    ignored = (OVERLAY_JS.parent / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "overlay_js/extension/overlay.js" in ignored


def test_manifest_version_is_what_browsers_accept() -> None:
    assert manifest_version("0.1.0") == "0.1.0"
    assert manifest_version("1.2.3rc1") == "1.2.3"
    assert manifest_version("2.0.0.dev4+g1234") == "2.0.0"


def test_the_example_policy_in_the_docs_fits_the_managed_schema() -> None:
    readme = (OVERLAY_JS / "README.md").read_text(encoding="utf-8")
    schema = json.loads((EXTENSION_SOURCES / "managed_schema.json").read_text())
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", readme, re.S)]
    policies = [b for b in blocks if "3rdparty" in b]
    assert policies, "the README has no example policy with managed storage"
    for policy in policies:
        for config in policy["3rdparty"]["extensions"].values():
            jsonschema.validate(config, schema)
            assert config["service"].endswith("/")
        settings = next(iter(policy["ExtensionSettings"].values()))
        assert settings["installation_mode"] in ("force_installed", "normal_installed")


def test_the_readme_names_the_command() -> None:
    assert runner.invoke(cli, ["extension", "--help"]).exit_code == 0
    assert "epss extension DIR" in (OVERLAY_JS.parent / "README.md").read_text()
