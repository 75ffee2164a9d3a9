"""The fuzz gate's own rules (tools/fuzz.py, tools/fuzz_exclusions.py), checked without fuzzing.

`nox -s fuzz` runs schemathesis against every step; these tests only check what the gate asks
schemathesis for, what it excuses, and that it reads schemathesis' output right.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import fuzz
from tools.fuzz_exclusions import EXCLUDED_CHECKS, EXCLUDED_FAILURES, excuse

PARSE_ERROR = b'{"detail":"There was an error parsing the body"}'


@pytest.mark.parametrize(
    "name, reason", [*EXCLUDED_CHECKS.items(), *EXCLUDED_FAILURES.items()], ids=str
)
def test_every_exclusion_says_why(name: str, reason: str):
    """Each exclusion is named and written down with its reason (a sentence, not a tag)."""
    assert len(reason) > 80, f"{name}: say why it is excluded"


def test_excluded_checks_are_schemathesis_checks():
    """--exclude-checks gets real check names only (a typo would exclude nothing, silently)."""
    known = set(fuzz.CHECK_OF_CODE.values())
    assert set(EXCLUDED_CHECKS) <= known


def test_the_unparseable_body_excuse_is_that_answer_to_that_input_only():
    """Only FastAPI's 400 for a body json can't read (not UTF-8, 4,300+ digits) is excused."""
    assert excuse("ST103", 400, b"\xff\xfe{", PARSE_ERROR) == "unparseable_json_body"
    assert excuse("ST103", 400, b'{"p": ' + b"9" * 5000 + b"}", PARSE_ERROR) == (
        "unparseable_json_body"
    )
    assert excuse("ST103", 400, b'{"name": "x"}', PARSE_ERROR) is None  # valid UTF-8
    assert excuse("ST103", 400, b'{"name": ', PARSE_ERROR) is None  # a syntax error is a 422
    assert excuse("ST103", 400, "\udcff", PARSE_ERROR) is None  # not the bytes sent
    assert excuse("ST103", 400, b"\xff", b'{"detail":"Bad request"}') is None  # another 400
    assert excuse("ST103", 400, b"\xff", b"not json") is None
    assert excuse("ST103", 500, b"\xff", PARSE_ERROR) is None  # another status
    assert excuse("ST101", 400, b"\xff", PARSE_ERROR) is None  # another check
    assert excuse("ST103", 404, None, b'{"detail":"Item not found"}') is None


def test_the_command_asks_for_every_check_and_phase_with_a_fixed_seed(tmp_path: Path):
    command = fuzz.schemathesis_command(
        Path("st"), "http://127.0.0.1:1234", "TOKEN", 7, tmp_path / "r.json"
    )
    text = " ".join(command)
    assert "--checks all" in text
    assert "--phases examples,coverage,fuzzing,stateful" in text
    assert f"--seed {fuzz.SEED}" in text and "--max-examples 7" in text
    assert "--max-time" not in text
    excluded = command[command.index("--exclude-checks") + 1]
    assert excluded.split(",") == list(EXCLUDED_CHECKS)
    assert command[command.index("--header") + 1] == "Authorization: Bearer TOKEN"
    no_token = fuzz.schemathesis_command(Path("st"), "http://x", None, 7, tmp_path / "r.json")
    assert "--header" not in no_token


SAMPLE = """\
 ❌  Coverage (in 3.11s)

=================================== FAILURES ===================================
___________________________ DELETE /items/{item_id} ____________________________
1. Test Case ID: t2J7Of

- ST103 Undocumented status code

    Received: 404
    Documented: 204, 422

[404] Not Found:

    `{"detail":"Item not found"}`

Reproduce with:

    curl -X DELETE -H 'Authorization: Bearer abc.def' http://127.0.0.1:8000/items/7

    st replay t2J7Of

________________________________ Stateful tests ________________________________
1. Test Case ID: uNBDkn

- ST101 Server error

- ST103 Undocumented status code

    Received: 500

Reproduce with:

    curl -X POST http://127.0.0.1:8000/items
    curl -X DELETE http://127.0.0.1:8000/items/1

    st replay uNBDkn

=================================== SUMMARY ====================================

Failures:
  ❌ ST103 Undocumented status code: 2
"""


def test_findings_are_read_from_schemathesis_output():
    first, second = fuzz.parse_findings(SAMPLE)
    assert first.operation == "DELETE /items/{item_id}"
    assert first.checks == ["status_code_conformance"]
    assert "Received: 404" in first.details
    assert first.curls == [
        "curl -X DELETE -H 'Authorization: Bearer abc.def' http://127.0.0.1:8000/items/7"
    ]
    assert fuzz.replayable(first.curls[0], "abc.def") == (
        'curl -X DELETE -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/items/7'
    )
    assert second.operation == "Stateful tests"
    assert second.checks == ["not_a_server_error", "status_code_conformance"]
    assert len(second.curls) == 2


def test_logged_exceptions_are_the_last_line_of_each_traceback():
    log = (
        "ERROR:    Exception in ASGI application\nTraceback (most recent call last):\n"
        '  File "x.py", line 1, in f\n    raise ValueError("boom")\nValueError: boom\n'
        "Traceback (most recent call last):\n  File ...\nValueError: boom\n"
    )
    assert fuzz.logged_exceptions(log) == ["ValueError: boom"]


def test_the_schema_gap_excuses_need_every_error_to_be_that_rule():
    """A 422 is excused for bcrypt's limits or a special-use domain only if nothing else failed."""

    def errors(*pairs):
        detail = [
            {"loc": ["body", field], "msg": msg, "type": "value_error"} for field, msg in pairs
        ]
        return json.dumps({"detail": detail}).encode()

    nul = ("password", "Value error, password must not contain the NUL character (U+0000)")
    long = ("password", "Value error, password must be at most 72 bytes in UTF-8 (bcrypt's …)")
    domain = ("email", "value is not a valid email address: … a special-use or reserved name …")
    assert excuse("ST202", 422, b"{}", errors(nul)) == "bcrypt_password_limits"
    assert excuse("ST202", 422, b"{}", errors(long, nul)) == "bcrypt_password_limits"
    assert excuse("ST202", 422, b"{}", errors(domain)) == "special_use_email_domain"
    assert excuse("ST202", 422, b"{}", errors(nul, domain)) is None  # two fields: not excused
    assert excuse("ST202", 422, b"{}", errors(("password", "too short"))) is None
    assert excuse("ST202", 422, b"{}", errors(("email", "not an email"))) is None
    assert excuse("ST103", 422, b"{}", errors(nul)) is None  # another check
    assert excuse("ST202", 500, b"{}", errors(nul)) is None
