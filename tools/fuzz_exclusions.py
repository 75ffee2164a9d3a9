"""Everything `nox -s fuzz` does not count as a failure: by name, each with its reason.

The one place for exclusions. tools/fuzz.py passes EXCLUDED_CHECKS to schemathesis
(--exclude-checks); tools/fuzz_hooks.py, loaded by schemathesis, drops the failures `excuse()`
names. Standard library only, and kept small on purpose: Hypothesis mixes the literals of
every local module loaded in the schemathesis process into the data it generates, so each
module imported there changes what a given seed generates.
"""

from __future__ import annotations

import json

EXCUSED_LOG_ENV = "WORKSHOP_FUZZ_EXCUSED_LOG"  # the file where fuzz_hooks notes what it dropped

# -- everything the gate does not count: by name, with the reason -----------------------------
# Keep this short and honest. Undocumented statuses, schemas that accept what the app refuses,
# and server errors are what the gate exists to find: never excuse them here.

EXCLUDED_CHECKS: dict[str, str] = {
    "allow_header_conformance": (
        "Starlette answers 405 with an Allow header naming the methods of the FIRST route whose "
        "path matches, not of every route on the path (GET /items and POST /items are two "
        "routes, so OPTIONS /items gets `Allow: POST`). A framework limitation the steps "
        "don't teach around; the 405 itself is still checked (unsupported_method)."
    ),
}

EXCLUDED_FAILURES: dict[str, str] = {
    "non_utf8_json_body": (
        "A JSON body whose bytes aren't UTF-8 gets FastAPI's 400 `There was an error parsing "
        "the body` (fastapi/routing.py) before the route runs, on every route with a body. "
        "Only that exact answer to that exact input is excused (status_code_conformance, "
        "400, that detail, a body that doesn't decode as UTF-8): any other 400 still fails."
    ),
}


def excuse(
    code: str, status: int, request_body: bytes | str | None, response_body: bytes
) -> str | None:
    """The name (a key of EXCLUDED_FAILURES) under which this failure is excused, or None.

    code is schemathesis' failure code ("ST103"), status the response's status code, and the
    bodies are the request and response bodies as sent and received. Never raises."""
    if code == "ST103" and status == 400 and isinstance(request_body, bytes):
        try:
            request_body.decode("utf-8")
        except UnicodeDecodeError:
            try:
                detail = json.loads(response_body).get("detail")
            except (ValueError, AttributeError):
                return None
            if detail == "There was an error parsing the body":
                return "non_utf8_json_body"
    return None
