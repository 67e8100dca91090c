"""Host applications: the case software the overlay runs in, the origins it may call the
service from (CORS), its own case-type codes mapped to zaaktype identificaties, and the CSS
selectors of its buttons that finish a case (the overlay warns when one is pressed while
mandatory steps are unticked)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import unicodedata
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
MAX_FINISH_BUTTONS = 20
MAX_SELECTOR = 300
# Control characters (NUL, tab, newline, …), lone surrogates and line/paragraph separators:
# none belongs in a CSS selector, and a lone surrogate cannot even be stored as JSON text.
_NOT_IN_A_SELECTOR = frozenset({"Cc", "Cs", "Zl", "Zp"})


# The standalone panel (/paneel) is a host application of its own, made by migration 0011:
# its events and feedback are recorded like those of any case software.
STANDALONE_PANEL_APP = "epss-paneel"
STANDALONE_PANEL_NAME = "Losse hulp (/paneel)"


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


def parse_finish_buttons(text: str) -> list[str]:
    """The textarea of finish buttons: one CSS selector per line, blank lines left out (the
    selectors are checked by `clean_finish_buttons`)."""
    return [line for line in text.splitlines() if line.strip()]


def clean_finish_buttons(selectors: list[str]) -> list[str]:
    """The CSS selectors of the buttons that finish a case, in the given order: stripped,
    blanks and repeats left out; at most MAX_FINISH_BUTTONS of 1 to MAX_SELECTOR characters,
    without control characters. Whether a selector is valid CSS the browser decides."""
    cleaned: dict[str, None] = {}  # a dict keeps the order and drops repeats
    for raw in selectors:
        selector = raw.strip()
        if not selector:
            continue
        if any(unicodedata.category(char) in _NOT_IN_A_SELECTOR for char in selector):
            raise InvalidInput(
                "Afrondknoppen: '{selector}' bevat een stuurteken (zoals een tab of een "
                "nulteken). Schrijf één CSS-selector per regel, bijvoorbeeld #afronden.",
                params={"selector": _shown(selector)},
            )
        if len(selector) > MAX_SELECTOR:
            raise InvalidInput(
                "Afrondknoppen: '{selector}' is te lang; een selector heeft hooguit "
                "{length} tekens.",
                params={"selector": _shown(selector), "length": MAX_SELECTOR},
            )
        cleaned[selector] = None
    if len(cleaned) > MAX_FINISH_BUTTONS:
        raise InvalidInput(
            "Afrondknoppen: hooguit {count} selectors per hostapplicatie (nu {given}).",
            params={"count": MAX_FINISH_BUTTONS, "given": len(cleaned)},
        )
    return list(cleaned)


def _shown(selector: str) -> str:
    """A refused selector as a message shows it: what does not belong replaced by '?',
    a long one cut short."""
    visible = "".join(
        "?" if unicodedata.category(char) in _NOT_IN_A_SELECTOR else char for char in selector
    )
    return visible if len(visible) <= 60 else visible[:60] + "…"


def host_apps_fingerprint(session: Session) -> str:
    """Changes whenever a host app is added, removed or changed (whatever of it the
    manifests or CORS use)."""
    rows = session.exec(
        select(
            HostApp.id, HostApp.allowed_origins, HostApp.zaaktype_map, HostApp.finish_buttons
        ).order_by(HostApp.id)
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
