"""Widgets the screens share: photo grid, preview, pupil picker, findings list."""
