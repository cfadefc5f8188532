"""Fixtures every test may use: a fresh TRIPDESK_HOME, and the shared fixtures read in place."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# On a developer's machine the property tests look for new examples on every run; in CI they
# replay a fixed set, so a red build always means a change, never a lucky draw.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def shared() -> Path:
    """`../shared` beside the repository; tests that need it skip, saying why, when it is absent."""
    if not (SHARED / "fixtures").is_dir():
        pytest.skip(f"the shared fixtures are not at {SHARED} (clone the project beside shared/)")
    return SHARED


@pytest.fixture
def fixture_photos(shared: Path) -> Path:
    return shared / "fixtures" / "photos"


@pytest.fixture
def fixture_register(shared: Path) -> Path:
    return shared / "fixtures" / "register"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty TRIPDESK_HOME for this test, with no backend or credentials leaking in."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("TRIPDESK_HOME", str(folder))
    for name in (
        "TRIPDESK_BACKEND",
        "TRIPDESK_X_API_BASE",
        "TRIPDESK_X_CONSUMER_KEY",
        "TRIPDESK_X_CONSUMER_SECRET",
        "TRIPDESK_X_ACCESS_TOKEN",
        "TRIPDESK_X_ACCESS_TOKEN_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture(autouse=True)
def fresh_network_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept Bluesky sessions and Mastodon limits are remembered per address for the process: a
    stand-in that gets an earlier test's port is a new service, and must be met as one."""
    for module, name in (("bluesky", "_SESSIONS"), ("mastodon", "_LIMITS")):
        loaded = sys.modules.get(f"tripdesk.publish.{module}")
        if loaded is not None:
            monkeypatch.setattr(loaded, name, {})
