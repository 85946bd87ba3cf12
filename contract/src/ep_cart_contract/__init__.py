"""The contract suite's engine: what `ep-cart-contract` (and `make contract-test`) runs against the bundled mock
or a live store. It reads the spec through ep_cart_spec and never imports the mock (it starts it as a process).

Its modules:

- cli: the `ep-cart-contract` command, the one way the suite runs;
- plugin: the pytest plugin (registered by the package's `pytest11` entry point): a session is a run, the
  scenarios' fixtures, the clean-up, the verdicts printed and written;
- run: one run's state (settings, verdicts, table, ledger, secrets, target), one per session;
- settings: the EP_* configuration;
- hooks: the schemathesis hooks (tokens, real IDs mixed into cases, the live-store guard, observation), which
  `st run` loads through schemathesis.toml too;
- live_safety: the cart IDs a run may write to, and the requests it must never send to a live store;
- tokens: the run's own token requests, account members' logins, and its clean-up's deletes;
- logins: the account tokens a run acts with (a member's login, renewed before it expires, or the static ones);
- preflight: every fixture the run leans on, checked before any test; a broken one is named, never judged;
- judging: every answer observed and judged, every schemathesis failure classified;
- classify: which claim a failure broke (the vendor's, the marks of `x-assumptions` that explain it, or none,
  when it is about what the spec cannot say);
- verdicts: every claim checked, vendor contract or assumption, and the two verdicts;
- observations: the documented-response table;
- ledger: what a run associated, removed before it ends;
- transport: polite and patient requests (a rate limit; 429s and transient failures retried, each answer's retry
  story), operations that stopped answering;
- availability: what the store's availability cost the run (retries, requests failed after them, answers left
  unjudged, scenarios run again), kept apart from its contract;
- exits: the command's exit statuses, one meaning each;
- interrupts: Ctrl-C remembered, and raised again where Python dropped it;
- redaction: secrets masked everywhere;
- target: the bundled mock as a process, and the check that EP_BASE_URL answers;
- scenario_client: the generated client for the scenarios, polite and observed;
- expectations: what the scenarios expect of an answer, each a claim with its source (the `expect` fixture);
- store_profile: the alternatives a run holds the store to (EP_STORE_PROFILE) and those it saw, written to
  store-profile.yaml;
- results: one run's results as a typed model, built once (contract.json, the page and the terminal read it);
- ending: the end of a run as the plugin shows it: the results built, the terminal's summary, the JUnit properties;
- report: contract.json and contract.html (the page from templates/contract.html, autoescaped);
- exchanges: every request a run sent and its answer, with the check and the credentials' roles, written to
  exchanges.har (secrets masked);
- twin: `ep-cart-twin-check`, the command and its reports (twin-check.md and .json);
- recording: a run's recording read back, and each request mapped to the mock's fixtures to be sent again;
- compare: each recorded exchange replayed against the mock and its answer compared with the store's;
- wording: the store's wording of its errors, learned from a twin check into twin-profile.yaml.

suite/ holds the test modules (test_conformance, test_scenarios, test_effect), and schemathesis.toml the
settings both the suite and `st run` use.
"""
