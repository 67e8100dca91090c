"""A POST's form, read on the event loop by a dependency, so that the route itself can be
a plain `def` that does its database work in a worker thread and never blocks the loop."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]
