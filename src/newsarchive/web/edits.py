"""The reader's forms that write: tags, the user's note, deleting an article.

They are reached only with ``--allow-edits``, from this server's pages, with the CSRF token
(server.py checks all three before any of these runs). Each calls the library function the
command calls (tags.edit_tags, notes.set_note and clear_note, deletion.delete_articles), so a
tag name or a note is checked in one place: what the library refuses comes back as the
article's page with its one-line error, HTTP 400, and nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import TYPE_CHECKING

from newsarchive.deletion import delete_articles
from newsarchive.errors import InputError
from newsarchive.notes import clear_note, set_note
from newsarchive.render import deletion_lines
from newsarchive.tags import TagEdit, edit_tags, tag_name
from newsarchive.web.article import article_page
from newsarchive.web.markup import csrf_field, join, render
from newsarchive.web.request import READ_ONLY, Page, Request, Routes, error_page, redirect

if TYPE_CHECKING:
    from newsarchive.store import Archive

Change = Callable[["Archive", Request, str], None]

CONFIRM_DELETE = """<h1>Delete this article?</h1>
<ul class="gone">
{lines}</ul>
<p>This cannot be undone (<code>newsarchive backup</code> keeps a copy first).</p>
<form method="post" action="/articles/{id}/delete">{csrf}
<button class="danger" type="submit">Delete</button> <a href="/articles/{id}">Keep it</a>
</form>
"""


def _on_the_article(change: Change) -> Callable[[Archive, Request, str], Page]:
    """A form's action: make the change, then show the article again; when the library
    refuses the input, the article's page with the reason, HTTP 400."""

    def action(archive: Archive, request: Request, article_id: str) -> Page:
        try:
            change(archive, request, article_id)
        except InputError as error:
            shown = article_page(archive, request, article_id, error=str(error))
            return replace(shown, data={"error": str(error)}, status=400)
        return redirect(f"/articles/{article_id}")

    return action


@_on_the_article
def change_tags(archive: Archive, request: Request, article_id: str) -> None:
    """Add the tag in ``add``, or remove the one in ``remove``."""
    edit_tags(archive, [article_id], _tag_edit(request))


def _tag_edit(request: Request) -> TagEdit:
    if "add" in request.params:
        return TagEdit(add=(tag_name(request.params["add"]),), remove=())
    if "remove" in request.params:
        return TagEdit(add=(), remove=(tag_name(request.params["remove"]),))
    raise InputError("give a tag to add or to remove")


@_on_the_article
def change_note(archive: Archive, request: Request, article_id: str) -> None:
    """Write the note in ``note``, or remove the note when ``clear`` is sent."""
    if "clear" in request.params:
        clear_note(archive, article_id)
    else:
        set_note(archive, article_id, request.params.get("note", ""))


def confirm_delete_page(archive: Archive, request: Request, article_id: str) -> Page:
    """What deleting the article would remove, and the form that does it (edits only)."""
    if request.csrf is None:
        return error_page(403, READ_ONLY)
    report = delete_articles(archive, [article_id], dry_run=True)
    lines = join(render("<li>{line}</li>\n", line=line) for line in deletion_lines(report))
    body = render(CONFIRM_DELETE, lines=lines, id=article_id, csrf=csrf_field(request.csrf))
    return Page("Delete this article?", asdict(report), body)


def delete_article(archive: Archive, _request: Request, article_id: str) -> Page:
    """Delete the article with everything that is its own, then show the list."""
    delete_articles(archive, [article_id])
    return redirect("/")


ARTICLE_PATH = r"/articles/(\d{1,19})"
# Forms that write, by path.
WRITE_ACTIONS: Routes = [
    (re.compile(ARTICLE_PATH + "/tags"), change_tags),
    (re.compile(ARTICLE_PATH + "/note"), change_note),
    (re.compile(ARTICLE_PATH + "/delete"), delete_article),
]
