"""How ``history`` and ``diff`` print: plain text (coloured when the CLI says so) and HTML.

Every text here came from a page; it goes through ``printable`` (text) or ``html_text``
(HTML) before anything else is added to it, so no page writes to the terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from newsarchive.controls import html_text, one_line, printable
from newsarchive.history import Fetch, History
from newsarchive.render import duration_text
from newsarchive.textdiff import ArticleDiff, Change, Span

if TYPE_CHECKING:
    from newsarchive.importer import ImportSummary

# Marks a changed word run with: (op, text) -> text as shown. The plain one is wdiff's.
SpanStyle = Callable[[str, str], str]


def plain_span(op: str, text: str) -> str:
    """``[-removed-]`` and ``{+added+}``, for a file or a pipe."""
    return {"delete": f"[-{text}-]", "insert": f"{{+{text}+}}"}.get(op, text)


def history_text(history: History) -> str:
    """One line per fetch, oldest first, then the counts."""
    sizes = {capture.id: capture.raw_size for capture in history.captures}
    digests = {capture.id: capture.sha256 or "" for capture in history.captures}
    changes = {version.version: version.changed for version in history.versions}
    lines = [one_line(f"Article {history.id} · {history.url}")]
    for fetch in history.fetches:
        what = fetch_outcome(fetch, changes)
        size = f"{sizes[fetch.capture_id]:>9,} B  {digests[fetch.capture_id][:12]}"
        status = f"{fetch.http_status or '-':>3} {fetch.status:<11}"
        lines.append(
            f"{fetch.fetched_at:<25}  capture {fetch.capture_id:<3} {status} {size}  {what}"
        )
    for version in history.versions:
        lines.append(one_line(f"version {version.version}: {version.headline or '(no headline)'}"))
    lines.append(history_counts(history))
    return "\n".join(lines)


def history_counts(history: History) -> str:
    """How many captures, fetches and versions the article has ("2 captures, 3 fetches, ...")."""
    return (
        f"{len(history.captures)} captures, {len(history.fetches)} fetches,"
        f" {len(history.versions)} versions"
    )


def fetch_outcome(fetch: Fetch, changes: dict[int, list[str]]) -> str:
    """What a fetch brought: the same bytes again, new bytes, or a version and what changed
    (``changes``: each version's changed fields)."""
    if not fetch.new_bytes:
        return "same bytes again: time recorded"
    if fetch.version is None:  # the same article, or less of it (a stub kept aside)
        return "new bytes, no new version"
    changed = changes.get(fetch.version) or []
    if fetch.version == 1 or not changed:
        return f"version {fetch.version}"
    return f"version {fetch.version}: {', '.join(changed)} changed"


def diff_text(diff: ArticleDiff, style: SpanStyle = plain_span) -> str:
    """The changes, one block each, the most telling first."""
    lines = [f"Article {diff.article_id}: version {diff.old_version} -> {diff.new_version}"]
    if not diff.changes:
        lines.append("no changes")
    lines += [_change_text(change, style) for change in diff.changes]
    return "\n".join(lines)


def _change_text(change: Change, style: SpanStyle) -> str:
    label = f"{change.kind} {change.op}:"
    if change.kind == "number":
        return f"{label} {printable(change.old or '-')} -> {printable(change.new or '-')}"
    if change.op == "changed":
        return f"{label} {_spans_text(change.words, style)}"
    text = change.new if change.op == "added" else change.old
    return f"{label} {style('insert' if change.op == 'added' else 'delete', printable(text or ''))}"


def _spans_text(spans: list[Span], style: SpanStyle) -> str:
    return "".join(style(span.op, printable(span.text)) for span in spans)


def diff_html(diff: ArticleDiff) -> str:
    """A small standalone page: the changes (``changes_html``) under a heading."""
    title = f"Article {diff.article_id}: version {diff.old_version} to {diff.new_version}"
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>'
        f"{title}</title>\n<style>del{{background:#fdd}} ins{{background:#dfd}}</style>"
        f"</head><body>\n<h1>{title}</h1>\n{changes_html(diff)}\n</body></html>"
    )


def changes_html(diff: ArticleDiff) -> str:
    """The changes as an HTML list (the part of a page the reader shows too): each change an
    item, removed words in ``del``, added in ``ins``, every text from the page escaped."""
    items = "\n".join(f"<li>{_change_html(change)}</li>" for change in diff.changes)
    return f'<ul class="changes">\n{items or "<li>no changes</li>"}\n</ul>'


def _change_html(change: Change) -> str:
    label = f"<b>{change.kind} {change.op}</b>: "
    if change.kind == "number":
        old, new = html_text(change.old or "-"), html_text(change.new or "-")
        return f"{label}<del>{old}</del> → <ins>{new}</ins>"
    if change.op == "changed":
        return label + "".join(_span_html(span.op, span.text) for span in change.words)
    text = change.new if change.op == "added" else change.old
    return label + _span_html("insert" if change.op == "added" else "delete", text or "")


def _span_html(op: str, text: str) -> str:
    escaped = html_text(text)
    return {"delete": f"<del>{escaped}</del>", "insert": f"<ins>{escaped}</ins>"}.get(op, escaped)


def refresh_summary_text(summary: ImportSummary, changed: int) -> str:
    """The closing line of ``refresh``, with what to do after failures or Ctrl-C."""
    fetched = summary.updated + summary.saved
    lines = [
        f"Refreshed {fetched}: {changed} changed, {fetched - changed} unchanged,"
        f" {summary.failed} failed ({duration_text(summary.seconds)})."
    ]
    if summary.failed:
        lines.append("List them: newsarchive failures")
    if summary.interrupted:
        lines.append("Interrupted: run the same command again to resume.")
    return "\n".join(lines)
