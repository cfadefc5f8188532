"""The hallway: the teacher's journeys as use-cases that the TUI and the CLI both call.

A use-case takes its database connection and settings from the caller and never opens one, so
both front ends record the same events and follow the same rules. No Textual here.
"""
