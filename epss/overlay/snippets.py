"""The three ways a host page gets the overlay, as text to copy: the bookmarklet (a
`javascript:` URL), the script tag, and the lines the host's Content-Security-Policy needs.

Every value from the database (app id, name) is escaped for the place it goes to: a JSON
string inside the bookmarklet's code, an HTML attribute in the script tag. The page that
shows them escapes again for HTML, as Jinja always does.
"""

from __future__ import annotations

import html
import json
from urllib.parse import quote, urlsplit

# The bookmarklet: start the overlay that is already there, or add its script tag once.
# `s` is the service URL (ending in '/'), `a` the host app's id.
_BOOKMARKLET = (
    "(function(d,w){var s=%(service)s,a=%(app)s,E=w.EPSS;"
    "if(E){if(!d.querySelector('epss-overlay'))E.start({service:s,app:a});"
    "else if(E.open)E.open();return}"
    "var t=d.createElement('script');t.src=s+'overlay.js';t.setAttribute('data-epss-app',a);"
    "(d.head||d.documentElement).appendChild(t)})(document,window)"
)
# Characters left as they are in the javascript: URL. Not '%' (the browser percent-decodes
# the code before running it), '#' (a fragment) or white space.
_URL_SAFE = "!$&'()*+,-./:;=?@_~[]{}|^\\\""


def js_string(value: str) -> str:
    """A JavaScript string literal of `value` that no HTML or URL context can end early."""
    literal = json.dumps(value, ensure_ascii=True)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        literal = literal.replace(char, escape)
    return literal


def bookmarklet(service: str, app_id: str) -> str:
    """The `javascript:` URL of the bookmarklet for host app `app_id`."""
    code = _BOOKMARKLET % {"service": js_string(service), "app": js_string(app_id)}
    return "javascript:" + quote(code, safe=_URL_SAFE)


def script_url(service: str, version: str | None = None) -> str:
    """/overlay.js, or with `version` the URL that may be cached for a year."""
    return f"{service}overlay.js" + (f"?v={version}" if version else "")


def script_tag(service: str, app_id: str, version: str | None = None) -> str:
    """The tag a host page embeds (HTML source, to be shown escaped)."""
    src = html.escape(script_url(service, version), quote=True)
    app = html.escape(app_id, quote=True)
    return f'<script src="{src}" data-epss-app="{app}" defer></script>'


def origin(service: str) -> str:
    """'https://epss.gemeente.nl/hulp/' -> 'https://epss.gemeente.nl'."""
    parts = urlsplit(service)
    return f"{parts.scheme}://{parts.netloc}"


def csp_lines(service: str) -> list[str]:
    """What a host page's Content-Security-Policy must allow (added to its own sources)."""
    return [f"script-src {origin(service)}", f"connect-src {origin(service)}"]


EXTENSION_ID_PLACEHOLDER = "abcdefghijklmnopabcdefghijklmnop"
UPDATE_URL_PLACEHOLDER = "https://intranet.gemeente.nl/epss/updates.xml"


def managed_policy(
    service: str,
    app_id: str,
    origins: list[str],
    extension_id: str = EXTENSION_ID_PLACEHOLDER,
    update_url: str = UPDATE_URL_PLACEHOLDER,
) -> str:
    """The browser policy (JSON) that force-installs the extension and shows the panel in
    this host app's origins (see overlay_js/README.md, "The policy"). IT replaces the
    extension id and the update URL by those of its own packed extension."""
    policy = {
        "ExtensionSettings": {
            extension_id: {
                "installation_mode": "force_installed",
                "update_url": update_url,
                "runtime_blocked_hosts": ["*://*"],
                "runtime_allowed_hosts": list(origins),
            }
        },
        "3rdparty": {
            "extensions": {
                extension_id: {
                    "service": service,
                    "sites": [{"matches": [f"{o}/*" for o in origins], "app": app_id}],
                }
            }
        },
    }
    return json.dumps(policy, indent=2, ensure_ascii=False)
