"""The policy guard: pure checks from a Draft to Findings."""
