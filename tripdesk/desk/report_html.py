"""The trip report as one HTML file: readable on a phone, printable, and never on the network.

No scripts, fonts, stylesheets or images are fetched: the style is inline, photos are data:
URIs, and a Content-Security-Policy forbids loading anything else, so opening the report in a
browser makes no request. The only links are the posts' own addresses, as plain anchors.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from tripdesk.config import NETWORK_NAMES

if TYPE_CHECKING:
    from tripdesk.desk.report import Network, PhotoSent, PostSent, RegisterImport, TripReport

APPROVAL = {
    "off": "not required",
    "children": "required for posts with photos of pupils",
    "all": "required for every post",
}
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'"

STYLE = """
:root { color-scheme: light; --ink: #1d2329; --soft: #5b6670; --line: #d5dbe0;
  --wash: #f3f6f8; --warn: #9a3412; --good: #166534; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fff; }
main { max-width: 62rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.75rem; padding-bottom: 0.25rem;
  border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05rem; margin: 0 0 0.5rem; }
p { margin: 0.25rem 0; }
.soft { color: var(--soft); }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr));
  gap: 0.5rem; margin: 0; }
.figures div { background: var(--wash); border-radius: 6px; padding: 0.5rem 0.75rem; }
.figures dt { font-size: 0.85rem; color: var(--soft); }
.figures dd { margin: 0; font-size: 1.35rem; font-weight: 600; }
article { border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1rem;
  margin: 0 0 1rem; break-inside: avoid; }
blockquote { margin: 0.5rem 0; padding: 0.5rem 0.75rem; background: var(--wash);
  border-left: 4px solid var(--soft); white-space: pre-wrap; overflow-wrap: anywhere; }
.photos { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 0.5rem 0; }
figure { margin: 0; flex: 1 1 15rem; max-width: 100%; }
figure img { display: block; max-width: 100%; height: auto; border-radius: 4px;
  border: 1px solid var(--line); }
figcaption { font-size: 0.9rem; }
.missing { padding: 2rem 0.5rem; background: var(--wash); text-align: center;
  color: var(--soft); }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--wash); }
.facts { margin: 0.5rem 0 0; display: grid; grid-template-columns: max-content 1fr;
  gap: 0.15rem 0.75rem; font-size: 0.95rem; }
.facts dt { color: var(--soft); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.warn { color: var(--warn); font-weight: 600; }
.good { color: var(--good); }
code { font-size: 0.8rem; overflow-wrap: anywhere; }
a { color: #1d4ed8; overflow-wrap: anywhere; }
@media (max-width: 30rem) {
  main { padding: 0.6rem; }
  .figures { grid-template-columns: 1fr 1fr; }
  .figures dd { font-size: 1.15rem; }
  .facts { grid-template-columns: 1fr; }
  .facts dd { margin-bottom: 0.35rem; }
}
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 0.85em; }
  h2 { break-after: avoid; }
  figure { flex-basis: 12rem; }
}
"""


def render_html(report: TripReport) -> str:
    """The whole report, every value escaped."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>Trip report: {escape(report.trip)}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        _header(report),
        _summary(report),
        _posts(report),
        _deletions(report),
        _imports(report),
        "<footer><p class=soft>Made by tripdesk from its audit log, pool catalogue, outbox and "
        "consent register. Photos are small copies of what was uploaded, without metadata. "
        "Pupils are shown by first name, surname initial, class and register id.</p></footer>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _header(report: TripReport) -> str:
    trip = escape(report.trip) + (f" · {escape(report.hashtag)}" if report.hashtag else "")
    teacher = escape(report.teacher) if report.teacher else "not set"
    return (
        "<header><p class=soft>Trip report for the safeguarding lead</p>"
        f"<h1>{trip}</h1>"
        f"<p>Trip teacher: {teacher}. Second-person approval: "
        f"{escape(APPROVAL.get(report.approval, report.approval))}.</p>"
        f"<p class=soft>Made {_when(report.made_at)}.</p></header>"
    )


def _summary(report: TripReport) -> str:
    s = report.summary
    figures = [
        ("Posts sent", s.posts_sent),
        ("Recorded in dry-run (not sent)", s.posts_dry_run),
        ("Photos pooled", s.photos_pooled),
        ("Originals deleted from the phone and confirmed gone", s.originals_deleted),
        ("Originals removed by another hand", s.originals_found_gone),
        ("Damaged files quarantined", s.quarantined),
        ("Checks the guard blocked", s.blocked_when_checked),
        ("Posts held back by the guard at sending", s.held_back_at_sending),
        ("Posts with findings the teacher confirmed", s.confirmations),
        ("Overrides (sent again after a hold, or marked as sent)", s.overrides),
        ("Takedowns asked for", s.takedowns_asked),
        ("Takedowns completed", s.takedowns_done),
        ("Spent on paid networks", f"${s.spent:.3f}"),
    ]
    cells = "".join(
        f"<div><dt>{escape(name)}</dt><dd>{value}</dd></div>" for name, value in figures
    )
    since = f", the oldest pooled {_when(s.pool_since)}" if s.pool_since else ""
    return (
        f"<section id=summary><h2>Summary</h2><dl class=figures>{cells}</dl>"
        f"<p class=soft>Photos are kept in the school pool at <code>{escape(s.pool_folder)}</code>"
        f"{since}.</p></section>"
    )


def _posts(report: TripReport) -> str:
    if not report.posts:
        return "<section id=posts><h2>Posts that went out</h2><p>None.</p></section>"
    articles = "".join(_post(post) for post in report.posts)
    return (
        f"<section id=posts><h2>Posts that went out ({len(report.posts)})</h2>{articles}</section>"
    )


def _post(post: PostSent) -> str:
    where = "; ".join(_network(n) for n in post.networks)
    facts: list[tuple[str, str]] = [("Where", where)]
    if post.approved_by:
        facts.append(("Approved by", escape(post.approved_by)))
    else:
        facts.append(("Approved by", "no second approval"))
    if post.hold_until:
        facts.append(("Held until", _when(post.hold_until)))
    if post.confirmed:
        facts.append(("Teacher confirmed", _list(post.confirmed)))
    if post.takedown:
        reason = f" ({escape(post.takedown_reason)})" if post.takedown_reason else ""
        removals = [n.removal for n in post.networks if n.removal]
        shown = _list(removals) if removals else escape(post.takedown)
        facts.append(("Takedown", f"<span class=warn>{shown}</span>{reason}"))
    photos = "".join(_photo(photo) for photo in post.photos)
    dry = " <span class=soft>(dry-run: recorded, not published)</span>" if post.dry_run else ""
    return (
        f"<article id=post-{post.id}><h3>Post {post.id} · "
        f"{_when(post.sent_at) if post.sent_at else 'not sent'}{dry}</h3>"
        f"<blockquote>{escape(post.text)}</blockquote>"
        + (f"<div class=photos>{photos}</div>" if photos else "")
        + _facts(facts)
        + "</article>"
    )


def _network(network: Network) -> str:
    name = escape(NETWORK_NAMES.get(network.name, network.name))
    link = ""
    if network.url and network.url.startswith(("https://", "http://")):
        href = escape(network.url, quote=True)
        link = f' <a href="{href}" rel="noreferrer">{escape(network.url)}</a>'
    state = "" if network.state == "sent" else f" ({escape(network.state)})"
    return f"{name}{state}{link}"


def _photo(photo: PhotoSent) -> str:
    if photo.data_uri:
        image = (
            f'<img src="{photo.data_uri}" alt="{escape(photo.alt, quote=True)}" '
            f'width="240" loading="eager">'
        )
    else:
        image = f"<div class=missing>{escape(photo.missing or 'No copy.')}</div>"
    lines = [f"<strong>Photo {photo.position}</strong>: {escape(photo.alt) or 'no alt text'}"]
    if photo.pupils:
        rows = "".join(
            f"<tr><td>{escape(p.first_name or '?')}</td><td>{escape(p.initial)}</td>"
            f"<td>{escape(p.klass)}</td><td>{escape(p.id)}</td>"
            f"<td>{escape(p.consent_at_send)}</td></tr>"
            for p in photo.pupils
        )
        lines.append(
            "<div class=table><table><thead><tr><th>First name</th><th>Initial</th>"
            "<th>Class</th><th>Id</th><th>Consent when sent</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )
    elif photo.no_children:
        lines.append("Declared to show no identifiable children.")
    lines.append(_faces(photo))
    lines.append(f"<span class=soft>sha256 <code>{escape(photo.sha256)}</code></span>")
    caption = "<br>".join(line for line in lines if line)
    return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"


def _faces(photo: PhotoSent) -> str:
    if photo.faces_blurred is not None:
        before = (
            f"{photo.faces_before_blurring} found before blurring; "
            if photo.faces_before_blurring is not None
            else ""
        )
        after = "" if photo.faces_found is None else f"; {photo.faces_found} found after"
        return f"Faces: {before}{photo.faces_blurred} blurred{after}."
    if photo.faces_found is None:
        return "Faces: not checked."
    return f"Faces: {photo.faces_found} found, none blurred."


def _deletions(report: TripReport) -> str:
    title = f"Deleted from the phone ({len(report.deletions)})"
    if not report.deletions:
        return f"<section id=deletions><h2>{title}</h2><p>None.</p></section>"
    rows = "".join(
        f"<tr><td>{_when(d.at)}</td><td>{d.photo}</td><td>{escape(d.pool_file)}</td>"
        f"<td>{d.size:,} bytes</td><td><code>{escape(d.sha256)}</code></td>"
        "<td class=good>deleted after the pool copy was verified; confirmed gone</td></tr>"
        for d in report.deletions
    )
    return (
        f"<section id=deletions><h2>{title}</h2><div class=table><table><thead><tr>"
        "<th>When</th><th>Photo</th><th>Pool file</th><th>Size</th><th>sha256</th>"
        f"<th>Receipt</th></tr></thead><tbody>{rows}</tbody></table></div></section>"
    )


def _imports(report: TripReport) -> str:
    title = "Consent register: imports and withdrawals"
    if not report.imports:
        return f"<section id=register><h2>{title}</h2><p>None.</p></section>"
    items = "".join(_import(report, item) for item in report.imports)
    return f"<section id=register><h2>{title}</h2>{items}</section>"


def _import(report: TripReport, item: RegisterImport) -> str:
    if item.withdrawn_by_hand:
        who = ", ".join(escape(report.named(i)) for i in item.lost)
        return (
            f"<article><h3>{_when(item.at)}: consent withdrawn by hand</h3>"
            f"<p class=warn>{who}</p></article>"
        )
    facts = [
        ("File", f"{escape(item.file)} <code>{escape(item.sha256[:16])}</code>"),
        ("Pupils", f"{item.count} ({item.on_roster} on the trip roster)"),
        ("Lost consent", _names(report, item.lost) or "none"),
        ("Gained consent", _names(report, item.gained) or "none"),
        ("New on the register", str(item.added)),
        ("No longer on the register", str(item.removed)),
    ]
    return f"<article><h3>{_when(item.at)}: register imported</h3>{_facts(facts)}</article>"


def _names(report: TripReport, ids: Iterable[str]) -> str:
    return ", ".join(escape(report.named(pupil_id)) for pupil_id in ids)


def _facts(facts: list[tuple[str, str]]) -> str:
    body = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    return f"<dl class=facts>{body}</dl>"


def _list(items: Iterable[str]) -> str:
    return "<br>".join(escape(item) for item in items)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone()
    return f"{local:%a %d %b %Y, %H:%M}"
