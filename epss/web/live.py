"""A server-sent-events response for the live streams (the editors' presence and notices)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send


class LiveResponse(StreamingResponse):
    """A server-sent-events response that always closes its stream (and so leaves the
    presence list), also when the client disconnects or the server cancels it."""

    media_type = "text/event-stream"

    def __init__(self, stream: AsyncIterator[str]) -> None:
        super().__init__(stream, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()
