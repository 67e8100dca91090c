"""Accounts, roles and who may use which route."""

from epss.auth.accounts import Identity
from epss.auth.policy import PUBLIC, allow, identify
from epss.auth.roles import EDITORS, Role

__all__ = ["EDITORS", "PUBLIC", "Identity", "Role", "allow", "identify"]
