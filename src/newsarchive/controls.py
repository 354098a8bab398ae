"""Control characters: what a fetched page must not get to write to the user's terminal.

C0 controls but tab and newline, DEL and C1 controls can set a terminal's window title, clear
the screen, write to the clipboard or draw links. Extraction strips them from every text field
it stores (``strip_controls``); whatever is printed is passed through ``printable`` as well,
for what did not come through extraction (URLs, HTTP reason phrases, archives made earlier).
"""

from __future__ import annotations

import html
import re

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1


def strip_controls(text: str) -> str:
    """``text`` without control characters (tab and newline stay)."""
    return CONTROLS.sub("", text)


def printable(text: str) -> str:
    """``text`` with each control character written as a visible escape (``\\x1b``)."""
    return CONTROLS.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def html_text(text: str) -> str:
    """``text`` for an HTML page: escaped, its control characters shown as ``printable``
    shows them."""
    return html.escape(printable(text), quote=True)


def one_line(text: str) -> str:
    """``text`` as one line of a message or a log: controls escaped, line breaks too (a URL
    read from a list may hold them)."""
    return printable(text).replace("\n", "\\n")
