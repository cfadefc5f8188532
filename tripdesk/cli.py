"""The `tripdesk` command: the contract's options in one place, each job in its own module.

Command modules are imported only when their command runs, so `tripdesk --version` and
`tripdesk check` never pay for Textual, onnxruntime or tweepy.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from tripdesk import __version__, private
from tripdesk.errors import TripdeskError
from tripdesk.shown import ShownStream


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tripdesk",
        description="A school trip teacher's desk: photos in, consent checked, posts out safely.",
    )
    parser.add_argument("--version", action="version", version=f"tripdesk {__version__}")
    parser.set_defaults(command="tui")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = sub.add_parser("demo", help="open the app on a throwaway demo trip")
    demo.set_defaults(command="demo")

    ingest = sub.add_parser("ingest", help="pool the photos that land in the inbox")
    ingest.add_argument("--once", action="store_true", help="pool what is there, then exit")
    ingest.add_argument(
        "--delete-source",
        action="store_true",
        help="delete originals from the inbox once their pool copy is verified",
    )
    ingest.add_argument("--json", action="store_true", help="print one JSON object")
    ingest.set_defaults(command="ingest")

    consent = sub.add_parser("consent", help="the consent register")
    consent_sub = consent.add_subparsers(title="actions", metavar="ACTION", required=True)
    consent_import = consent_sub.add_parser("import", help="load a register exported from the MIS")
    consent_import.add_argument("register", metavar="REGISTER.csv")
    consent_import.add_argument("--roster", metavar="ROSTER.csv", help="ids of pupils on the trip")
    consent_import.add_argument("--json", action="store_true")
    consent_import.set_defaults(command="consent", action="import")
    consent_withdraw = consent_sub.add_parser(
        "withdraw", help="record that a pupil's consent is withdrawn, and find their posts"
    )
    consent_withdraw.add_argument("pupil", metavar="PUPIL_ID")
    consent_withdraw.add_argument("--json", action="store_true")
    consent_withdraw.set_defaults(command="consent", action="withdraw")

    check = sub.add_parser("check", help="check a draft against the policy")
    check.add_argument("draft", nargs="?", metavar="DRAFT.json")
    check.add_argument("--text", help="check this text instead of a draft file")
    check.add_argument("--json", action="store_true")
    check.set_defaults(command="check")

    post = sub.add_parser("post", help="check a draft and put it in the outbox")
    post.add_argument("draft", metavar="DRAFT.json")
    post.add_argument("--confirm", action="store_true", help="confirm the findings that ask for it")
    post.add_argument("--approved-by", metavar="NAME", help="the colleague approving this post")
    post.add_argument(
        "--pin-stdin", action="store_true", help="read the approver's PIN from standard input"
    )
    post.add_argument(
        "--hold-until", metavar="TIME", help="send no earlier than TIME (15:30 today, or ISO)"
    )
    post.add_argument("--json", action="store_true")
    post.set_defaults(command="post")

    outbox = sub.add_parser("outbox", help="posts waiting to go out, and what became of them")
    outbox.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=["list", "send", "retry", "cancel", "mark-sent", "release", "pause", "resume"],
    )
    outbox.add_argument("id", nargs="?", type=int, help="the post's outbox id")
    outbox.add_argument("--json", action="store_true")
    outbox.set_defaults(command="outbox")

    account = sub.add_parser("account", help="the X account's credentials")
    account.add_argument("action", choices=["set", "status", "forget"])
    account.add_argument(
        "--store",
        choices=["keyring", "file", "env"],
        default="keyring",
        help="where `set` keeps them: the OS keyring (default), an encrypted file, or nowhere "
        "(use the TRIPDESK_X_* environment variables each time)",
    )
    account.add_argument(
        "--network",
        choices=["x", "bluesky", "mastodon"],
        default="x",
        help="whose credentials (default: x)",
    )
    account.add_argument("--json", action="store_true")
    account.set_defaults(command="account")

    report = sub.add_parser("report", help="the trip report for the safeguarding lead")
    report.add_argument("--format", choices=["html", "csv"], default="html")
    report.add_argument("--out", metavar="FILE", help="where to write it (default: reports/)")
    report.add_argument("--json", action="store_true", help="print the report's facts as JSON")
    report.set_defaults(command="report")

    takedown = sub.add_parser(
        "takedown", help="take down published posts of pupils whose consent is gone"
    )
    takedown.add_argument(
        "target", nargs="?", metavar="list|PUPIL_ID", help="`list`, or the pupil's register id"
    )
    takedown.add_argument("--post", type=int, metavar="ID", help="take down this outbox post")
    takedown.add_argument("--yes", action="store_true", help="queue the removal without asking")
    takedown.add_argument("--json", action="store_true")
    takedown.set_defaults(command="takedown")

    staff = sub.add_parser("staff", help="colleagues who may approve posts")
    staff_sub = staff.add_subparsers(title="actions", metavar="ACTION", required=True)
    staff_add = staff_sub.add_parser("add", help="add a colleague with a PIN")
    staff_add.add_argument("name", metavar="NAME")
    staff_add.add_argument(
        "--pin-stdin", action="store_true", help="read the PIN from standard input"
    )
    staff_add.set_defaults(command="staff", action="add")
    staff_list = staff_sub.add_parser("list", help="who is on the staff list")
    staff_list.add_argument("--json", action="store_true")
    staff_list.set_defaults(command="staff", action="list")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    private.owner_only()  # all that tripdesk writes is about children: for the teacher only
    if args.command not in ("tui", "demo"):  # the app draws its own screen
        # Nothing from a register, a draft or a file name may steer the terminal.
        sys.stdout = ShownStream(sys.stdout)  # type: ignore[assignment]
        sys.stderr = ShownStream(sys.stderr)  # type: ignore[assignment]
    try:
        module = importlib.import_module(f"tripdesk.commands.{args.command}")
        return int(module.run(args))
    except TripdeskError as error:
        print(f"tripdesk: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("tripdesk: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`tripdesk outbox list | head`): stop quietly, as `cat` would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
