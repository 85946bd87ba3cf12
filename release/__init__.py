"""What a change to openapi.yaml means for the kit's versions: `make diff` (spec_diff)."""
