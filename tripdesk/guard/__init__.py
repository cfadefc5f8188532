"""The policy guard: pure checks from a Draft to Findings."""

from tripdesk.guard.check import check

__all__ = ["check"]
