"""Schemathesis hooks of `nox -s fuzz`, loaded by schemathesis itself (SCHEMATHESIS_HOOKS).

Drops the failures that tools/fuzz_exclusions.py excuses by name (`excuse()`), and notes each
one dropped in the file named by WORKSHOP_FUZZ_EXCUSED_LOG, so that the gate's summary shows
how often each exclusion applied. Runs in the fuzz session's virtualenv, the only place
schemathesis is installed. Imports nothing else of tools/ (see fuzz_exclusions' docstring).
"""

from __future__ import annotations

import os

import schemathesis

from tools.fuzz_exclusions import EXCUSED_LOG_ENV, excuse


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """False (drop it) for a failure fuzz_exclusions excuses; True (keep it) for any other."""
    name = excuse(failure.code, response.status_code, response.request.body, response.content)
    if name is None:
        return True
    log = os.environ.get(EXCUSED_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{name}\t{failure.operation}\n")
    return False
