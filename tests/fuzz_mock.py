"""`make fuzz`: a long negative-mode schemathesis run against the bundled mock (not part of `make test`).

At least CASES generated requests (default 10,000), every one invalid in some way, must each get a documented
status, a documented content type and a body matching the documented schema: no server error, no surprise.
"""

from __future__ import annotations

import argparse
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import MockProcess, mock_env
from tests.paths import ROOT

OPERATIONS = 3
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000, help="minimum number of generated requests")
    args = parser.parse_args(argv)

    server = MockProcess(mock_env(), Path(tempfile.mkdtemp(prefix="fuzz-")) / "mock.log")
    try:
        command = [
            str(Path(sys.executable).parent / "st"),
            "run",
            "openapi.yaml",
            "--url",
            server.base_url,
            "--mode",
            "negative",
            "--phases",
            "fuzzing",
            "--checks",
            CHECKS,
            "--max-examples",
            str(math.ceil(args.cases / OPERATIONS) + 200),
            "--continue-on-failure",
        ]
        print("$", " ".join(command), flush=True)
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    finally:
        server.stop()
    print(result.stdout[-6000:], result.stderr[-3000:], sep="\n")
    generated = re.search(r"(\d+) generated", result.stdout)
    count = int(generated.group(1)) if generated else 0
    log = server.log()
    server_errors = len(re.findall(r" 5\d\d [\d.]+ms$", log, re.MULTILINE))
    print(
        f"fuzz: {count} negative cases generated, {server_errors} server errors in the mock's log, "
        f"schemathesis exit code {result.returncode}"
    )
    if "Traceback" in log:
        print("fuzz: the mock logged a traceback:\n" + log[log.index("Traceback") :][:3000])
        return 1
    if count < args.cases:
        print(f"fuzz: only {count} cases were generated, fewer than the {args.cases} asked for")
        return 1
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
