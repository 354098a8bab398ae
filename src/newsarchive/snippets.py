"""Search snippets: one paragraph of the body, one quote or the standfirst, matched words marked.

FTS5's own snippet() picks a window of one column, and both the body and the article's quotes
(indexed together as one column) run on across their paragraphs and quotes, so its windows ran
separate quotes together. Here FTS5's highlight() marks the matched words in the standfirst,
the quotes and the body (with the index's stemming and accent folding), each is cut into its
paragraphs or quotes, and the one holding the most of the query's words is shown, cut to a
window of SNIPPET_WORDS words around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"
SNIPPET_WORDS = 30
ELLIPSIS = "…"
_WORD = re.compile(r"\S+")

Span = tuple[int, int]


@dataclass(frozen=True)
class Marked:
    """Plain text and the (start, end) spans of its matched words."""

    text: str
    spans: tuple[Span, ...] = ()

    def cut(self, start: int, end: int) -> Marked:
        """The text from ``start`` to ``end``, with the spans (or parts of spans) inside it."""
        spans = tuple(
            (max(low, start) - start, min(high, end) - start)
            for low, high in self.spans
            if low < end and high > start
        )
        return Marked(self.text[start:end], spans)

    @property
    def words(self) -> set[str]:
        """The distinct matched words, in any case."""
        return {self.text[low:high].casefold() for low, high in self.spans}


def split_highlights(marked: str) -> tuple[str, list[Span]]:
    """Remove FTS5 highlight markers, returning plain text and the (start, end) spans they marked."""
    plain: list[str] = []
    spans: list[Span] = []
    length = 0
    for index, part in enumerate(re.split(f"[{HIGHLIGHT_START}{HIGHLIGHT_END}]", marked)):
        if index % 2 == 1 and part:
            spans.append((length, length + len(part)))
        plain.append(part)
        length += len(part)
    return "".join(plain), spans


def marked(text: str | None) -> Marked:
    """A column as FTS5's highlight() returned it, as plain text and spans."""
    plain, spans = split_highlights(text or "")
    return Marked(plain, tuple(spans))


def paragraphs(body: Marked) -> list[Marked]:
    """The body's paragraphs (one a line), each with its marks."""
    return _pieces(body, [len(line) for line in body.text.split("\n")], 1)


def quotes(quote_text: Marked, lengths: list[int]) -> list[Marked]:
    """The article's quotes, indexed as one text joined with spaces, cut back into quotes by
    their lengths."""
    return _pieces(quote_text, lengths, 1)


def _pieces(whole: Marked, lengths: list[int], gap: int) -> list[Marked]:
    pieces, start = [], 0
    for length in lengths:
        pieces.append(whole.cut(start, start + length))
        start += length + gap
    return pieces


def snippet(units: list[Marked]) -> Marked:
    """The unit holding the most distinct matched words (then the most marks; the first of
    equals), cut to a window around its marks; the first non-empty unit, unmarked, when no
    unit holds a match (the words were only in the headline or among the authors)."""
    shown = [unit for unit in units if unit.text.strip()]
    if not shown:
        return Marked("")
    best = max(shown, key=lambda unit: (len(unit.words), len(unit.spans)))
    return window(best if best.spans else shown[0])


def window(unit: Marked, size: int = SNIPPET_WORDS) -> Marked:
    """At most ``size`` words of ``unit``: the run of words holding the most marks, starting a
    few words before the first of them, with an ellipsis where text was left out."""
    words = [(found.start(), found.end()) for found in _WORD.finditer(unit.text)]
    if len(words) <= size:
        return unit.cut(words[0][0], words[-1][1]) if words else unit
    first = _best_start(words, unit.spans, size)
    start, end = words[first][0], words[min(first + size, len(words)) - 1][1]
    piece = unit.cut(start, end)
    before = ELLIPSIS if first else ""
    after = ELLIPSIS if end < words[-1][1] else ""
    shift = len(before)
    spans = tuple((low + shift, high + shift) for low, high in piece.spans)
    return Marked(before + piece.text + after, spans)


def _best_start(words: list[Span], spans: tuple[Span, ...], size: int) -> int:
    """The index of the word a window of ``size`` words starts at: the window holding the most
    marks, begun up to a sixth of its size before its first mark."""
    marked_words = [
        index
        for index, (start, end) in enumerate(words)
        if any(s < end and e > start for s, e in spans)
    ]
    if not marked_words:
        return 0
    counts = [sum(1 for index in marked_words if at <= index < at + size) for at in marked_words]
    first = marked_words[counts.index(max(counts))]
    return max(0, min(first - size // 6, len(words) - size))
