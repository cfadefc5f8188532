"""Compose end to end in the real app: a real pool, the fixture register, the dry-run backend.

Each test uses the shared trip (fresh TRIPDESK_HOME, fixture register), pools real fixture
photos through the pool engine, tags them, opens Compose and drives it by keys.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Static, TextArea

from tripdesk.app import TripdeskApp
from tripdesk.config import Config
from tripdesk.desk.database import open_database
from tripdesk.desk.drafts_kept import KeptDraft, kept_drafts
from tripdesk.pool.catalogue import PoolPhoto, set_tags
from tripdesk.publish.outbox import Outbox
from tripdesk.screens.compose import ComposeScreen
from tripdesk.screens.compose_dialogs import SendPreview
from tripdesk.screens.confirm import ConfirmScreen
from tripdesk.screens.outbox import OutboxScreen
from tripdesk.widgets.findings import FindingsList
from tripdesk.widgets.poll_editor import PollEditor

SIZE = (120, 40)


def tagged(trip: Config, photo: PoolPhoto, *pupils: str) -> PoolPhoto:
    conn = open_database(trip.database)
    try:
        return set_tags(conn, photo.id, pupils, False)
    finally:
        conn.close()


async def until(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    """Let the app run until `condition` holds; fail naming `what` after a generous wait."""
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"gave up waiting for {what}")


async def open_compose(app: TripdeskApp, pilot: Pilot, photos: list[PoolPhoto]) -> ComposeScreen:
    await pilot.pause()
    app.open_compose(photos)
    await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "the Compose screen")
    screen = app.screen
    assert isinstance(screen, ComposeScreen)
    await until(pilot, lambda: screen.verdict is not None, "the first check")
    return screen


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", "!": "exclamation_mark"}.get(c, c) for c in text])


def declared(trip: Config, photo: PoolPhoto) -> PoolPhoto:
    conn = open_database(trip.database)
    try:
        return set_tags(conn, photo.id, (), True)
    finally:
        conn.close()


def kept(trip: Config) -> list[KeptDraft]:
    conn = open_database(trip.database)
    try:
        return kept_drafts(conn)
    finally:
        conn.close()


def posts(trip: Config):
    conn = open_database(trip.database)
    try:
        return Outbox(conn, trip).posts()
    finally:
        conn.close()


def dialog_text(dialog: ConfirmScreen) -> str:
    """Everything the dialog says, its buttons included."""
    words = [str(static.render()) for static in dialog.query(Static)]
    return " ".join(words + [str(button.label) for button in dialog.query(Button)])


async def send_through_dialogs(app: TripdeskApp, pilot: Pilot) -> list[str]:
    """Press Send, say yes to each dialog up to the outbox; return what each dialog said."""
    said: list[str] = []
    await pilot.press("ctrl+s")
    while True:
        await until(
            pilot,
            lambda: isinstance(app.screen, ConfirmScreen | OutboxScreen),
            "a dialog or the outbox",
        )
        if isinstance(app.screen, OutboxScreen):
            return said
        dialog = app.screen
        if isinstance(dialog, SendPreview):  # its body is mounted a moment after the dialog
            await until(pilot, lambda d=dialog: bool(d.query("#outgoing-text")), "the post")
        said.append(dialog_text(dialog))
        await pilot.press("y")
        if isinstance(dialog, SendPreview):
            await until(pilot, lambda: isinstance(app.screen, OutboxScreen), "the outbox")
            return said
        await until(pilot, lambda d=dialog: app.screen is not d, "the dialog to close")


def table_text(app: TripdeskApp) -> str:
    table = app.screen.query_one("#posts", DataTable)
    return " ".join(str(cell) for row in range(table.row_count) for cell in table.get_row_at(row))


async def test_a_consenting_pupil_is_composed_sent_and_shown_sent_in_the_outbox(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp], pool_photos
) -> None:
    (photo,) = pool_photos("IMG_0001.JPG")
    photo = tagged(tui_trip, photo, "P1001")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [photo])
        text = screen.query_one("#text", TextArea)
        assert text.text == " #Y6Museum"
        await type_text(pilot, "Year 6 met an astronaut!")
        app.screen.query_one("#alt-0", Input).focus()
        await type_text(pilot, "A pupil beside a model astronaut")
        await until(pilot, lambda: screen.verdict and not screen.verdict.blocking, "a clear draft")
        assert "34/280" in str(screen.query_one("#count").render())
        assert app.screen.active_bindings["ctrl+s"].enabled

        said = await send_through_dialogs(app, pilot)
        await until(
            pilot, lambda: "Recorded" in table_text(app), "the post to show as recorded (dry-run)"
        )

    final = said[-1]
    assert "This is exactly what will go out" in final
    assert "Year 6 met an astronaut! #Y6Museum" in final
    assert "Photo 1: 2016×1512 JPEG" in final, final  # upright: EXIF orientation 6 applied
    assert "no metadata" in final
    assert "Alt text: A pupil beside a model astronaut" in final
    assert "Dry-run: nothing will be posted" in final
    assert "Record (y)" in final

    (post,) = posts(tui_trip)
    assert post.state == "sent"
    assert post.draft.text == "Year 6 met an astronaut! #Y6Museum"
    assert post.draft.photos[0].alt == "A pupil beside a model astronaut"
    assert post.draft.photos[0].pupils == ("P1001",)


async def test_a_pupil_without_consent_greys_out_send_with_the_finding(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp], pool_photos
) -> None:
    (chosen,) = pool_photos("IMG_0001.JPG")
    tagged(tui_trip, chosen, "P1002")  # tagged after it was chosen: Compose reads the tags again
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [chosen])
        assert screen.verdict is not None and screen.verdict.blocking
        assert any(f.rule == "photo-consent" for f in screen.verdict.blocking)
        findings = screen.query_one(FindingsList)
        assert str(findings.get_option_at_index(0).prompt).startswith("BLOCKS")
        assert not app.screen.active_bindings["ctrl+s"].enabled
        assert "Photo 1: IMG_0001.JPG — Ben" in str(
            screen.query_one("#photo-0 .photo-caption", Static).render()
        )

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
    assert posts(tui_trip) == []


async def test_a_surname_blocks_and_selecting_the_finding_selects_the_name(
    app_factory: Callable[..., TripdeskApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [])
        assert app.screen.active_bindings["ctrl+s"].enabled
        await type_text(pilot, "Well done Amira Khan ")
        await until(
            pilot,
            lambda: any(f.rule == "first-names-only" for f in screen.verdict.blocking),
            "the surname to block",
        )
        assert not app.screen.active_bindings["ctrl+s"].enabled

        finding = await choose_finding(pilot, screen, "first-names-only")
        text = screen.query_one("#text", TextArea)
        assert text.has_focus
        assert "Khan" in text.selected_text
        assert text.selected_text == text.text[finding.where.start : finding.where.end]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_offline_the_post_is_queued_and_waits(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIPDESK_BACKEND", "x")
    monkeypatch.setenv("TRIPDESK_X_API_BASE", f"http://127.0.0.1:{closed_port()}")
    for name in ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"):
        monkeypatch.setenv(f"TRIPDESK_X_{name}", f"test-{name.lower()}")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(app, pilot, [])
        await type_text(pilot, "Museum day ")
        await send_through_dialogs(app, pilot)
        await until(
            pilot,
            lambda: app.outbox_status is not None and not app.outbox_status.online,
            "the sender to find it is offline",
        )
        await until(pilot, lambda: "Queued" in table_text(app), "the post to show as queued")
        assert "Offline" in str(app.screen.query_one("#online").render())

        await pilot.press("escape")
        await open_compose(app, pilot, [])
        assert app.screen.active_bindings["ctrl+s"].binding.description == "Queue (offline)"
        await type_text(pilot, "Coach leaves at three ")
        said = await send_through_dialogs(app, pilot)
        assert "it goes out when the connection is back" in said[-1]
        assert "Queue (y)" in said[-1]
        await until(pilot, lambda: table_text(app).count("Queued") == 2, "both posts queued")

    assert [post.state for post in posts(tui_trip)] == ["queued", "queued"]
    assert all(post.sent_at is None for post in posts(tui_trip))


async def test_no_to_a_finding_goes_back_to_it_and_yes_then_sends_it(
    app_factory: Callable[..., TripdeskApp], tui_trip: Config
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [])
        await type_text(pilot, "Remember to bring a coat ")
        await until(pilot, lambda: screen.verdict.verdict == "confirm", "the homework question")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the first question")
        assert "Check 1 of 1" in dialog_text(app.screen)
        assert "Homework" in dialog_text(app.screen)
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen, "Compose again")
        text = screen.query_one("#text", TextArea)
        assert text.has_focus
        assert text.selected_text.lower() == "remember to"
        assert posts(tui_trip) == []

        said = await send_through_dialogs(app, pilot)
        assert "Check 1 of 1" in said[0]
        await until(pilot, lambda: "Recorded" in table_text(app), "the confirmed post to go out")
    (post,) = posts(tui_trip)
    assert post.state == "sent"


async def choose_finding(pilot: Pilot, screen: ComposeScreen, rule: str):
    """Highlight the first finding of `rule` in the findings list and press Enter on it."""
    verdict = screen.run_check()  # the draft as typed, without waiting for the debounce
    finding = next(f for f in verdict.findings if f.rule == rule)
    await pilot.press("ctrl+f")
    findings = screen.query_one(FindingsList)
    findings.highlighted = findings.findings.index(finding)
    await pilot.press("enter")
    await pilot.pause()
    return finding


async def test_a_surname_in_alt_text_is_selected_in_that_alt_field(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp], pool_photos
) -> None:
    (photo,) = pool_photos("IMG_0002.JPG")
    conn = open_database(tui_trip.database)
    try:
        photo = set_tags(conn, photo.id, (), True)
    finally:
        conn.close()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [photo])
        screen.query_one("#alt-0", Input).focus()
        await type_text(pilot, "A cup drawn by Amira Khan")
        await until(
            pilot,
            lambda: any(f.where.field == "alt" for f in screen.verdict.blocking),
            "the surname in the alt text",
        )
        await pilot.press("ctrl+t")
        rule = next(f.rule for f in screen.verdict.blocking if f.where.field == "alt")
        finding = await choose_finding(pilot, screen, rule)
        alt = screen.query_one("#alt-0", Input)
        assert alt.has_focus
        assert "Khan" in alt.selected_text
        assert alt.selected_text == alt.value[finding.where.start : finding.where.end]
        assert alt.selected_text != alt.value


async def test_a_long_poll_option_is_selected_past_what_x_allows(
    app_factory: Callable[..., TripdeskApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [])
        await type_text(pilot, "Which was best ")
        screen.query_one("#poll-on").focus()
        await pilot.press("space")
        screen.query_one("#poll-option-0", Input).focus()
        await type_text(pilot, "Dinosaurs")
        screen.query_one("#poll-option-1", Input).focus()
        await type_text(pilot, "The enormous blue whale skeleton")
        await until(
            pilot,
            lambda: any(f.where.field == "poll" for f in screen.verdict.blocking),
            "the long poll option",
        )
        assert not app.screen.active_bindings["ctrl+s"].enabled
        finding = await choose_finding(pilot, screen, "poll")
        assert finding.where.index == 1
        option = screen.query_one("#poll-option-1", Input)
        assert option.has_focus
        assert option.selected_text == "keleton"  # past the 25 characters X allows


async def test_leaving_a_written_draft_keeps_it_and_compose_reopens_it(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp]
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(app, pilot, [])
        await type_text(pilot, "Half written ")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.photos, "the photos, without a question")
        assert [d.text for d in kept(tui_trip)] == ["Half written  #Y6Museum"]

        screen = await open_compose(app, pilot, [])
        assert screen.query_one("#text", TextArea).text == "Half written  #Y6Museum"
        await pilot.press("ctrl+a", "backspace")
        await until(pilot, lambda: not kept(tui_trip), "the emptied draft to be forgotten")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.photos, "the photos")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_a_draft_survives_the_app_closing_and_comes_back_with_its_photo_and_poll(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp], pool_photos
) -> None:
    (photo,) = pool_photos("IMG_0002.JPG")
    photo = declared(tui_trip, photo)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [photo])
        await type_text(pilot, "Still life ")
        screen.query_one("#alt-0", Input).focus()
        await type_text(pilot, "A cup")
        screen.query_one("#poll-on").focus()
        await pilot.press("space")
        screen.query_one("#poll-option-1", Input).focus()
        await type_text(pilot, "Tea")
        await until(
            pilot, lambda: kept(tui_trip) and kept(tui_trip)[0].poll_options[1] == "Tea", "kept"
        )
    # The app is gone as after a crash: no leaving, no question. The draft is in the database.
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compose(app, pilot, [])
        assert screen.query_one("#text", TextArea).text == "Still life  #Y6Museum"
        assert [p.id for p in screen.photos] == [photo.id]
        assert screen.query_one("#alt-0", Input).value == "A cup"
        assert screen.query_one(PollEditor).options()[:2] == ("", "Tea")
        assert screen.query_one(PollEditor).enabled


async def test_going_to_the_photos_from_a_written_draft_keeps_it(
    tui_trip: Config, app_factory: Callable[..., TripdeskApp]
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_compose(app, pilot, [])
        await type_text(pilot, "Half written ")
        await pilot.press("ctrl+f", "1")  # from the findings, where 1 is not typed into the text
        await until(pilot, lambda: app.screen is app.photos, "the photos")
        assert [d.text for d in kept(tui_trip)] == ["Half written  #Y6Museum"]
