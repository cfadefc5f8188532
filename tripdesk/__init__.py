"""tripdesk: a school trip teacher's desk for posting pupil photos to X safely."""

__version__ = "0.1.0"
