"""The roles of the people who use EPSS."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    medewerker = "medewerker"  # works at the desk, reads guidance, gives feedback
    expert = "expert"  # writes and edits task analyses
    redacteur = "redacteur"  # reviews and publishes
    kwaliteit = "kwaliteit"  # quality officer: what was consulted, and when
    beheerder = "beheerder"  # admin: accounts, host apps, retention


EDITORS = (Role.expert, Role.redacteur)
