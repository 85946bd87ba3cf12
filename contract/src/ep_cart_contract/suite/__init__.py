"""The contract suite's test modules: test_conformance (layer 1, schemathesis), test_scenarios and test_effect
(layer 2, one test per documented scenario through the generated client). They hold only tests: the fixtures
and hooks are the registered plugin's (ep_cart_contract.plugin)."""
