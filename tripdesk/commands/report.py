"""`tripdesk report [--format html|csv] [--out FILE] [--json]`: the trip report, written to a file.

The report lists children, so it is written readable by its owner only; the path is printed
(with `--json`, the path and the summary figures).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tripdesk import config as settings
from tripdesk.desk.database import open_database
from tripdesk.desk.report import write_report


def run(args: argparse.Namespace) -> int:
    config = settings.load()
    out = Path(args.out).expanduser().absolute() if args.out else None
    conn = open_database(config.database)
    try:
        path, report = write_report(conn, config, args.format, out)
    finally:
        conn.close()
    if args.json:
        body = {
            "path": str(path),
            "format": args.format,
            "posts": [post.id for post in report.posts],
            "summary": report.summary.to_dict(),
        }
        print(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        s = report.summary
        print(
            f"Trip report written to {path}: {s.posts_sent} post{'s' if s.posts_sent != 1 else ''}"
            f" sent, {s.photos_pooled} photos pooled, {s.originals_deleted} originals deleted."
        )
    return 0
