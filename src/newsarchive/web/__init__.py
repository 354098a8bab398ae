"""The local web reader (``newsarchive serve``): the archive's list, search, articles, quotes
and tags in the browser, each page also answering as JSON in the shapes ``--json`` prints.

``markup`` escapes whatever goes into a page, ``request`` holds what a page reads and answers,
``pages`` and ``article`` build the pages from the library (``history`` an article's versions,
captures and diffs), ``edits`` takes the forms that write (with --allow-edits), ``server``
answers HTTP.
"""

from __future__ import annotations

from newsarchive.web.server import ReaderServer, ReaderSettings, is_loopback

__all__ = ["ReaderServer", "ReaderSettings", "is_loopback"]
