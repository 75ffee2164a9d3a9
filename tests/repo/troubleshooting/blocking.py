"""Troubleshooting, a blocking call inside `async def` stops every other request.

`slow_blocking_call()` stands for anything that blocks: time.sleep(), requests.get(), a sync
database driver, a long computation. Here it waits until /ping has been served (or gives up
after WAIT_SECONDS), so a test can see, without measuring time, whether /ping got served
meanwhile. docs/troubleshooting.md includes this file; test_blocking.py checks it.
"""

import threading

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

app = FastAPI()

WAIT_SECONDS = 10.0
started = threading.Event()  # set when the slow call begins
released = threading.Event()  # set by /ping


def slow_blocking_call() -> bool:
    """Blocks its thread until /ping is served; True if it was, False if it gave up."""
    started.set()
    return released.wait(timeout=WAIT_SECONDS)


@app.get("/ping")
async def ping() -> dict[str, str]:
    released.set()
    return {"status": "ok"}


# --8<-- [start:blocking]
@app.get("/report/blocking")
async def report_blocking() -> dict[str, bool]:
    # WRONG: a blocking call inside `async def` holds the event loop. Until it returns,
    # the server answers nothing else, not even /ping.
    return {"ping_served_meanwhile": slow_blocking_call()}


# --8<-- [end:blocking]


# --8<-- [start:fixed]
@app.get("/report/def")
def report_def() -> dict[str, bool]:
    # Fix 1: a plain `def` route. FastAPI runs it in a worker thread; the loop stays free.
    return {"ping_served_meanwhile": slow_blocking_call()}


@app.get("/report/threadpool")
async def report_threadpool() -> dict[str, bool]:
    # Fix 2: stay `async def` and hand the blocking call to a worker thread.
    return {"ping_served_meanwhile": await run_in_threadpool(slow_blocking_call)}


# --8<-- [end:fixed]
