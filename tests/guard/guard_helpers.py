"""Shared by the guard's tests: the day they are judged on, so consent dates never drift."""

from __future__ import annotations

from datetime import date

TODAY = date(2026, 11, 24)
