"""The findings list and the yes/no dialog on their own, in a bare app: no database needed."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tripdesk.screens.confirm import ConfirmScreen, confirm_finding
from tripdesk.verdict import Finding, Where
from tripdesk.widgets.findings import FindingsList

SURNAME = Finding(
    "first-names-only",
    "block",
    "First names only: use first names only.",
    "First names only",
    Where("text", None, 0, 10),
)
HOMEWORK = Finding("homework", "confirm", "Set it on the homework platform too.", "Homework")
NOTE = Finding("length", "info", "12 characters left.", "X's limits")


class FindingsApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[Finding] = []

    def compose(self) -> ComposeResult:
        yield FindingsList(id="findings")

    def on_findings_list_finding_selected(self, event: FindingsList.FindingSelected) -> None:
        self.selected.append(event.finding)


async def test_findings_are_listed_worst_first_with_their_severity_word() -> None:
    app = FindingsApp()
    async with app.run_test(size=(100, 12)) as pilot:
        findings = app.query_one(FindingsList)
        findings.show([NOTE, HOMEWORK, SURNAME])
        await pilot.pause()
        assert findings.findings == (SURNAME, HOMEWORK, NOTE)
        prompts = [str(findings.get_option_at_index(i).prompt) for i in range(3)]
        assert prompts[0] == "BLOCKS  First names only: use first names only."
        assert prompts[1] == "CONFIRM Homework: Set it on the homework platform too."
        assert prompts[2].startswith("NOTE")


async def test_selecting_a_finding_reports_it_and_an_empty_list_says_so() -> None:
    app = FindingsApp()
    async with app.run_test(size=(100, 12)) as pilot:
        findings = app.query_one(FindingsList)
        findings.show([HOMEWORK, SURNAME])
        findings.focus()
        await pilot.press("down", "enter")
        assert app.selected == [HOMEWORK]
        findings.show([])
        await pilot.pause()
        assert findings.option_count == 1
        assert "Nothing found" in str(findings.get_option_at_index(0).prompt)
        await pilot.press("enter")
        assert app.selected == [HOMEWORK]


async def test_clicking_a_finding_selects_it() -> None:
    app = FindingsApp()
    async with app.run_test(size=(100, 12)) as pilot:
        app.query_one(FindingsList).show([SURNAME, HOMEWORK])
        await pilot.pause()
        await pilot.click(FindingsList, offset=(5, 2))  # inside the border, the second line
        await pilot.pause()
        assert app.selected == [HOMEWORK]


class DialogApp(App[None]):
    def __init__(self, dialog: ConfirmScreen) -> None:
        super().__init__()
        self.dialog = dialog
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.answers.append)


async def test_the_dialog_answers_yes_on_y_and_no_on_n_or_escape() -> None:
    for key, expected in (("y", True), ("n", False), ("escape", False)):
        app = DialogApp(confirm_finding(HOMEWORK, 1, 2))
        async with app.run_test(size=(90, 20)) as pilot:
            await pilot.pause()
            assert "Check 1 of 2" in str(app.screen.query_one("#title").render())
            await pilot.press(key)
            await pilot.pause()
            assert app.answers == [expected], key
            assert not isinstance(app.screen, ConfirmScreen)


async def test_the_dialog_buttons_answer_too() -> None:
    app = DialogApp(ConfirmScreen("Leave this draft?", "It is not saved.", yes="Leave", no="Stay"))
    async with app.run_test(size=(90, 20)) as pilot:
        await pilot.pause()
        await pilot.click("#no")
        await pilot.pause()
        assert app.answers == [False]
