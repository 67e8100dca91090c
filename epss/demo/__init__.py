"""Demo case software ("zaaksysteem") of the fictional Gemeente Dijkhaven, under /demo.

Realistic-looking screens of a municipal Burgerzaken desk, with fictional data only, on
which the help overlay can be shown and tried out.
"""

from epss.demo.cases import SCHERMEN, ZAKEN
from epss.demo.routes import router

DEMO_APP_ID = "demo-zaaksysteem"
DEMO_APP_NAME = "Zaaksysteem Gemeente Dijkhaven (demo)"

#: (path, title) of every demo screen, the task screens first, then the case pages.
DEMO_SCREENS: list[tuple[str, str]] = [(s.path, s.title) for s in SCHERMEN] + [
    (f"/demo/zaken/{z.zaaknummer}", f"Zaak {z.zaaknummer}") for z in ZAKEN
]

__all__ = ["DEMO_APP_ID", "DEMO_APP_NAME", "DEMO_SCREENS", "router"]
