"""A blocking call in `async def` stops other requests; `def` or a thread fixes it.

No timing is measured: the slow call waits for /ping to be served. With the event loop free,
/ping is served at once and releases it (True); with the loop blocked, /ping can't be served
until the slow call gives up (False). Only the blocking case waits, for WAIT_SECONDS.
"""

import anyio
import httpx
import pytest

from . import blocking

pytestmark = pytest.mark.anyio


async def slow_request_then_ping(path: str) -> bool:
    """Start the slow request, send /ping once it has begun; did /ping get served meanwhile?"""
    blocking.started.clear()
    blocking.released.clear()
    transport = httpx.ASGITransport(app=blocking.app)
    result = {}
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        anyio.create_task_group() as tasks,
    ):

        async def slow() -> None:
            response = await client.get(path)
            assert response.status_code == 200, response.text
            result.update(response.json())

        tasks.start_soon(slow)
        await anyio.to_thread.run_sync(blocking.started.wait)  # the slow call has begun
        assert (await client.get("/ping")).status_code == 200
    return result["ping_served_meanwhile"]


async def test_blocking_call_in_async_route_blocks_other_requests(monkeypatch):
    """time.sleep()-like calls in `async def` hold the loop: /ping waits until they finish."""
    # The outcome doesn't depend on this wait (the loop is blocked either way): keep it short.
    monkeypatch.setattr(blocking, "WAIT_SECONDS", 0.3)
    assert await slow_request_then_ping("/report/blocking") is False


async def test_def_route_leaves_the_loop_free():
    """The same call in a plain `def` route runs in a thread: /ping is served meanwhile."""
    assert await slow_request_then_ping("/report/def") is True


async def test_run_in_threadpool_leaves_the_loop_free():
    """The same call sent to run_in_threadpool from `async def`: /ping is served meanwhile."""
    assert await slow_request_then_ping("/report/threadpool") is True
