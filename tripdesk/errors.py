"""The one exception type whose message is meant for the teacher's eyes."""


class TripdeskError(Exception):
    """A failure explained in one plain sentence; the CLI and the TUI show it as it is.

    `exit_code` is what the command line exits with (2: usage or input error).
    """

    exit_code: int = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)
