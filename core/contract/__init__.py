"""The submission contract (contract.yaml) and what is derived from it."""
