"""Run a Sanic app with channel blueprints on a free port in a thread (no Rasa NLU).

The app is real (Sanic's router, request parsing, responses); only Rasa's
agent is replaced by a fake ``on_new_message`` that the test controls.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from contextlib import contextmanager

from sanic import Sanic


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    def __init__(self, url: str, loop: asyncio.AbstractEventLoop) -> None:
        self.url, self.loop = url, loop

    def run(self, coro, timeout: float = 30):
        """Run a coroutine on the server's loop (e.g. a channel's ``drain``)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


@contextmanager
def serve(channels_and_handlers):
    """``channels_and_handlers``: [(input_channel, on_new_message)]; yields a :class:`Served`."""
    Sanic.test_mode = True
    app = Sanic(f"test_{uuid.uuid4().hex[:8]}")
    for channel, on_new_message in channels_and_handlers:
        app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    port = free_port()
    loop = asyncio.new_event_loop()
    ready, stopped = threading.Event(), threading.Event()
    holder = {}

    def run() -> None:
        asyncio.set_event_loop(loop)

        async def start():
            server = await app.create_server(
                host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
            )
            await server.startup()
            await server.before_start()
            await server.after_start()
            holder["server"] = server
            ready.set()

        loop.run_until_complete(start())
        loop.run_forever()
        stopped.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(20):
        raise RuntimeError("the test server did not start")
    try:
        yield Served(f"http://127.0.0.1:{port}", loop)
    finally:
        async def stop():
            server = holder["server"]
            await server.before_stop()
            await server.close()
            await server.after_stop()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        stopped.wait(10)
