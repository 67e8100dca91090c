"""HEAD wherever GET: a HEAD request is answered as the GET would be, headers only.
Proxies, monitors and link checkers ask with HEAD; FastAPI routes only answer the methods
they name."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        answered = False

        async def headers_only(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body" and not answered:
                answered = True  # the first body message ends the answer, without a body
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def gone_once_answered() -> Message:
            # A stream (server-sent events) stops at its next look: the client has its headers.
            return {"type": "http.disconnect"} if answered else await receive()

        await self.app({**scope, "method": "GET"}, gone_once_answered, headers_only)
