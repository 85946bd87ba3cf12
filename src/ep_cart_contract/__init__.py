"""The contract suite's engine: what `make contract-test` runs against the bundled mock or a live store.

Its modules:

- settings: the EP_* configuration;
- classify: which claim a failure broke (the vendor's, the marks of `x-assumptions` that explain it, or none,
  when it is about what the spec cannot say);
- verdicts: every claim checked, vendor contract or assumption, and the two verdicts;
- observations: the documented-response table;
- ledger: what a run associated, removed before it ends;
- transport: polite requests, operations that stopped answering;
- redaction: secrets masked everywhere;
- target: the server a run checks (EP_BASE_URL's, or the bundled mock started for the run);
- extensions: the schemathesis hooks (auth, case mixing, the live-store guard, observation, judging);
- client: the generated client for the scenarios, and their expectations;
- report: reports/contract.json and .html;
- plugin: the pytest hooks that tie them together.

tests/contract/ holds only the test modules.
"""
