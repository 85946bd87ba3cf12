"""The contract suite's engine: what `make contract-test` runs against the bundled mock or a live store.

settings (EP_* configuration), assumptions (the spec's `x-assumptions` marks and the spec with them taken
out), verdicts (every claim checked, vendor contract or assumption), observations (the documented-response
table), ledger (what a run associated, removed before it ends), transport (polite requests, operations
that stopped answering), redaction (secrets masked everywhere), extensions (schemathesis hooks), client (the
generated client for the scenarios), report (reports/contract.json and .html) and plugin (the pytest hooks
that tie them together). tests/contract/ holds only the test modules.
"""
