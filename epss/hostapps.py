"""Host applications: the case software the overlay runs in, the origins it may call the
service from (CORS), and its own case-type codes mapped to zaaktype identificaties."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from urllib.parse import urlsplit

from sqlmodel import Session, select

from epss.changes import log as change_log
from epss.errors import InvalidInput
from epss.models import HostApp

APP_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
_HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
    r"(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_CODE_LINE = re.compile(r"^\s*([^=:\t]+?)\s*[=:\t]\s*(\S.*?)\s*$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_ORIGINS = 50
MAX_CODES = 200


def register_host_app(session: Session, app_id: str, name: str, origins: list[str]) -> HostApp:
    """Create the host app, or update its name and add the origins it lacks."""
    app = session.get(HostApp, app_id) or HostApp(id=app_id, name=name)
    app.name = name
    app.allowed_origins = list(
        dict.fromkeys([*app.allowed_origins, *(parse_origin(o) for o in origins)])
    )
    session.add(app)
    change_log.record(session, change_log.HOST_APP, app_id)
    return app


def parse_origin(text: str) -> str:
    """An origin as browsers send it ('https://zaken.gemeente.nl', 'http://10.0.0.5:8080'):
    http or https, a host, a port only when it is not the default; nothing else."""
    value = text.strip()
    refusal = InvalidInput(
        "'{origin}' is geen herkomst (origin). Een herkomst is alleen schema, host en "
        "eventueel poort, zoals https://zaken.gemeente.nl of http://localhost:8080: zonder "
        "pad, '*', gebruikersnaam, vraagteken of #.",
        params={"origin": value[:200]},
    )
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise refusal from None
    host = (parts.hostname or "").lower()
    if (
        parts.scheme.lower() not in _DEFAULT_PORTS
        or not host
        or parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or "?" in value
        or "#" in value
        or not _valid_host(host)
    ):
        raise refusal
    scheme = parts.scheme.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" + ("" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}")


def parse_origins(texts: list[str]) -> list[str]:
    """Every origin parsed (one per line, or separated by commas), without repeats."""
    items = [item.strip() for text in texts for item in re.split(r"[\r\n,]+", text) if item.strip()]
    if len(items) > MAX_ORIGINS:
        raise InvalidInput(
            "Hooguit {count} herkomsten per hostapplicatie.", params={"count": MAX_ORIGINS}
        )
    return list(dict.fromkeys(parse_origin(item) for item in items))


def parse_zaaktype_map(text: str) -> dict[str, str]:
    """Lines 'own code = zaaktype identificatie' (or ':' or a tab): the application's own
    case-type codes mapped to the zaaktypen that the rules name."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _CODE_LINE.match(line)
        if match is None or max(len(part) for part in match.groups()) > 300:
            raise InvalidInput(
                "Zaaktypen, regel {line}: schrijf 'eigen code = zaaktype', "
                "bijvoorbeeld 'PAS01 = BZ-REISDOC'.",
                params={"line": number},
            )
        code, zaaktype = match.groups()
        if code in mapping:
            raise InvalidInput(
                "Zaaktypen, regel {line}: de code '{code}' staat er al.",
                params={"line": number, "code": code},
            )
        mapping[code] = zaaktype
    if len(mapping) > MAX_CODES:
        raise InvalidInput(
            "Hooguit {count} zaaktypecodes per hostapplicatie.", params={"count": MAX_CODES}
        )
    return mapping


def host_apps_fingerprint(session: Session) -> str:
    """Changes whenever a host app is added, removed or changed."""
    rows = session.exec(
        select(HostApp.id, HostApp.allowed_origins, HostApp.zaaktype_map).order_by(HostApp.id)
    ).all()
    body = json.dumps([list(r) for r in rows], sort_keys=True).encode()
    return ":" + hashlib.sha256(body).hexdigest()[:16]


def _valid_host(host: str) -> bool:
    if _HOST.match(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
