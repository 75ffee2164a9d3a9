"""Troubleshooting, CORS: why the browser blocks answers the server did send, and the fix.

docs/troubleshooting.md includes this file; test_cors.py checks it.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

# --8<-- [start:broken]
app = FastAPI()  # no CORS middleware: a page from another origin may not read the answers


@app.get("/items")
async def list_items() -> list[dict[str, str]]:
    return [{"name": "Mug"}]


# --8<-- [end:broken]

# --8<-- [start:fixed]
app_with_cors = FastAPI()
app_with_cors.add_middleware(
    CORSMiddleware,
    # The origin of the page that calls the API: scheme, host and port, exactly as the
    # browser shows it. http://localhost:3000 and http://127.0.0.1:3000 are different origins.
    allow_origins=["http://localhost:3000"],
    allow_credentials=True,  # cookies or an Authorization header: never with ["*"]
    allow_methods=["GET", "POST", "PATCH", "DELETE"],
    allow_headers=["Authorization", "Content-Type"],
)
# --8<-- [end:fixed]

app_with_cors.get("/items")(list_items)
