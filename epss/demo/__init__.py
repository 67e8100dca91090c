"""Demo case software ("zaaksysteem") of the fictional Gemeente Dijkhaven, under /demo.

Realistic-looking screens of a municipal Burgerzaken desk, with fictional data only, on
which the help overlay can be shown and tried out: as server-rendered pages, and the same
screens as a single-page app with client-side routing under /demo/app/.
"""

from epss.demo.cases import APP_ID, APP_NAME, FINISH_BUTTONS, SCHERMEN, ZAKEN
from epss.demo.routes import router

DEMO_APP_ID = APP_ID
DEMO_APP_NAME = APP_NAME
DEMO_FINISH_BUTTONS = FINISH_BUTTONS

#: (path, title) of every demo screen, the task screens first, then the case pages, then
#: the single-page variant (which has every screen at /demo/app/ + the same path).
DEMO_SCREENS: list[tuple[str, str]] = [
    *((s.path, s.title) for s in SCHERMEN),
    # The next citizen at the desk for the same task: the task screen with another case.
    *(
        (z.eigen_scherm, f"{z.zaaktype.omschrijving}, volgende burger")
        for z in ZAKEN
        if z.eigen_scherm != z.scherm
    ),
    *((f"/demo/zaken/{z.zaaknummer}", f"Zaak {z.zaaknummer}") for z in ZAKEN),
    ("/demo/app/", "Single-page-versie (SPA)"),
]

__all__ = ["DEMO_APP_ID", "DEMO_APP_NAME", "DEMO_FINISH_BUTTONS", "DEMO_SCREENS", "router"]
