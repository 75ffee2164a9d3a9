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
    "unparseable_json_body": (
        "A body that Python's json module can't read for a reason other than JSON syntax (its "
        "bytes aren't UTF-8, or a number has more than Python's 4,300 digits) gets FastAPI's "
        "400 `There was an error parsing the body` (fastapi/routing.py) before the route runs, "
        "on every route with a body; JSON syntax errors get the documented 422. Only that "
        "exact answer to such a body is excused (status_code_conformance, 400, that detail): "
        "any other 400 still fails."
    ),
    "bcrypt_password_limits": (
        "bcrypt can't hash a password holding NUL or over 72 bytes in UTF-8, so registration "
        "refuses them with a 422 naming the rule (bcrypt_can_hash, step 06). JSON Schema's "
        "maxLength counts characters, not bytes: the schema can't say this. Only a 422 whose "
        "every error is one of those two messages on body.password is excused."
    ),
    "special_use_email_domain": (
        "email-validator (behind EmailStr) refuses the special-use domains of RFC 6761 (.test, "
        ".invalid, .localhost, ...), which JSON Schema's `format: email` allows. Only a 422 "
        "whose every error is that message on body.email is excused."
    ),
}

PARSE_ERROR_DETAIL = "There was an error parsing the body"
PASSWORD_RULES = ("must not contain the NUL character", "at most 72 bytes in UTF-8")
SPECIAL_USE_DOMAIN = "special-use or reserved name"


def unparseable(body: bytes | str | None) -> bool:
    """Whether json.loads fails on `body` for a reason other than JSON syntax."""
    if not isinstance(body, bytes):
        return False
    try:
        json.loads(body)
    except json.JSONDecodeError:  # a syntax error: FastAPI's documented 422
        return False
    except ValueError:  # not UTF-8 (UnicodeDecodeError), or over 4,300 digits
        return True
    return False


def error_messages(response_body: bytes, field: str) -> list[str] | None:
    """The messages of a 422's errors if every one points at body.<field>, else None."""
    try:
        errors = json.loads(response_body)["detail"]
        if errors and all(error["loc"] == ["body", field] for error in errors):
            return [str(error["msg"]) for error in errors]
    except (ValueError, KeyError, TypeError):
        pass
    return None


def excuse(
    code: str, status: int, request_body: bytes | str | None, response_body: bytes
) -> str | None:
    """The name (a key of EXCLUDED_FAILURES) under which this failure is excused, or None.

    code is schemathesis' failure code ("ST103"), status the response's status code, and the
    bodies are the request and response bodies as sent and received. Never raises."""
    if code == "ST103" and status == 400 and unparseable(request_body):
        try:
            detail = json.loads(response_body).get("detail")
        except (ValueError, AttributeError):
            return None
        return "unparseable_json_body" if detail == PARSE_ERROR_DETAIL else None
    if code == "ST202" and status == 422:
        passwords = error_messages(response_body, "password") or [""]
        if all(any(rule in message for rule in PASSWORD_RULES) for message in passwords):
            return "bcrypt_password_limits"
        emails = error_messages(response_body, "email") or [""]
        if all(SPECIAL_USE_DOMAIN in message for message in emails):
            return "special_use_email_domain"
    return None
