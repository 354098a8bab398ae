"""What changed between two versions of an article (pure: no database, no terminal).

The fields a reader notices first come first: headline, standfirst, authors, publication date,
then the quotations (a corrected quote matters more than a moved comma), then the numbers that
changed inside changed sentences, then the body: paragraphs aligned first (one removed or
added whole is one change), then the sentences of the paragraphs that differ, and inside a
changed sentence the words (difflib throughout).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from newsarchive.models import Article

# Two sentences at least this alike are one sentence changed, not one removed and one added.
SAME_SENTENCE = 0.5
_FIELDS = ("headline", "standfirst", "authors", "published")
_WORDS = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*%?")
# A sentence ends at . ! ? or … (with closing quote marks or brackets) before a space and a
# capital, a digit or an opening quote mark.
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9À-Ý])")


@dataclass(frozen=True)
class Span:
    """A run of words that is the same in both versions (``equal``), only in the older
    (``delete``) or only in the newer (``insert``)."""

    op: str
    text: str


@dataclass(frozen=True)
class Change:
    """One change: ``kind`` is a field name, ``quote``, ``number``, ``paragraph`` or
    ``sentence``; ``op`` is ``changed``, ``added`` or ``removed``; ``words`` shows a changed
    text word by word."""

    kind: str
    op: str
    old: str | None = None
    new: str | None = None
    words: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class ArticleDiff:
    """The changes from one version of an article to another, most telling first."""

    article_id: int
    old_version: int
    new_version: int
    changes: list[Change]


def diff_articles(
    old: Article, new: Article, article_id: int = 0, versions: tuple[int, int] = (0, 0)
) -> ArticleDiff:
    """Compare two versions of an article."""
    fields = _field_changes(old, new)
    quotes = _sequence_changes("quote", [q.text for q in old.quotes], [q.text for q in new.quotes])
    body = _body_changes(old.text, new.text)
    changed = [change for change in [*fields, *quotes, *body] if change.op == "changed"]
    numbers = [number for change in changed if (number := _number_change(change))]
    changes = [*fields, *quotes, *_unique(numbers), *body]
    return ArticleDiff(article_id, versions[0], versions[1], changes)


def word_spans(old: str, new: str) -> list[Span]:
    """``old`` and ``new`` as runs of words kept, removed and added."""
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    spans: list[Span] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(spans, "equal", "".join(before[i1:i2]))
            continue
        _append(spans, "delete", "".join(before[i1:i2]))
        _append(spans, "insert", "".join(after[j1:j2]))
    return spans


def _append(spans: list[Span], op: str, text: str) -> None:
    if not text:
        return
    if spans and spans[-1].op == op:
        spans[-1] = Span(op, spans[-1].text + text)
    else:
        spans.append(Span(op, text))


def _field_changes(old: Article, new: Article) -> list[Change]:
    changes = []
    for name in _FIELDS:
        before, after = _field_text(old, name), _field_text(new, name)
        if before != after:
            op = "added" if before is None else "removed" if after is None else "changed"
            changes.append(Change(name, op, before, after, word_spans(before or "", after or "")))
    return changes


def _field_text(article: Article, name: str) -> str | None:
    value = getattr(article, name)
    if isinstance(value, list):
        value = ", ".join(value)
    return value or None


def _sequence_changes(kind: str, old: list[str], new: list[str]) -> list[Change]:
    """Align two lists of texts; texts in a replaced run are paired in order, alike or not."""
    changes = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            changes += _paired(
                kind, old[i1:i2], new[j1:j2], SAME_SENTENCE if kind != "quote" else 0
            )
    return changes


def _paired(kind: str, old: list[str], new: list[str], alike: float) -> list[Change]:
    """Each old text paired with the next new one at least ``alike`` like it (in order); the
    unpaired ones were removed or added."""
    changes: list[Change] = []
    start = 0
    for text in old:
        match = next((j for j in range(start, len(new)) if _alike(text, new[j], alike)), None)
        if match is None:
            changes.append(Change(kind, "removed", text))
            continue
        changes += [Change(kind, "added", new=added) for added in new[start:match]]
        changes.append(Change(kind, "changed", text, new[match], word_spans(text, new[match])))
        start = match + 1
    return changes + [Change(kind, "added", new=added) for added in new[start:]]


def _alike(old: str, new: str, least: float) -> bool:
    """Whether the two texts share at least ``least`` of their words (cheap bounds first)."""
    if least <= 0:
        return True
    # Words only: shared spaces and commas would make any two sentences look alike.
    matcher = SequenceMatcher(None, _WORD.findall(old), _WORD.findall(new), autojunk=False)
    return (
        matcher.real_quick_ratio() >= least
        and matcher.quick_ratio() >= least
        and matcher.ratio() >= least
    )


def _body_changes(old: str, new: str) -> list[Change]:
    """Whole paragraphs removed or added, then sentences within the paragraphs that differ."""
    before, after = _paragraphs(old), _paragraphs(new)
    changes = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "delete":
            changes += [Change("paragraph", "removed", text) for text in before[i1:i2]]
        elif op == "insert":
            changes += [Change("paragraph", "added", new=text) for text in after[j1:j2]]
        elif op == "replace":
            changes += _replaced_paragraphs(before[i1:i2], after[j1:j2])
    return changes


def _replaced_paragraphs(old: list[str], new: list[str]) -> list[Change]:
    """A paragraph with no sentence left in the newer version was removed whole (and one
    with none from the older, added); the rest are compared sentence by sentence."""
    new_sentences = {s for p in new for s in sentences(p)}
    old_sentences = {s for p in old for s in sentences(p)}
    gone = [p for p in old if not any(_kept(s, new_sentences) for s in sentences(p))]
    came = [p for p in new if not any(_kept(s, old_sentences) for s in sentences(p))]
    rest_old = [s for p in old if p not in gone for s in sentences(p)]
    rest_new = [s for p in new if p not in came for s in sentences(p)]
    return [
        *[Change("paragraph", "removed", text) for text in gone],
        *[Change("paragraph", "added", new=text) for text in came],
        *_sequence_changes("sentence", rest_old, rest_new),
    ]


def _kept(sentence: str, others: set[str]) -> bool:
    return sentence in others or any(_alike(sentence, o, SAME_SENTENCE) for o in others)


def _number_change(change: Change) -> Change | None:
    """The numbers a changed sentence lost and gained, if any."""
    before, after = (
        Counter(_NUMBER.findall(change.old or "")),
        Counter(_NUMBER.findall(change.new or "")),
    )
    lost, gained = list((before - after).elements()), list((after - before).elements())
    if not lost and not gained:
        return None
    return Change(
        "number", "changed", ", ".join(lost) or None, ", ".join(gained) or None, change.words
    )


def _unique(changes: list[Change]) -> list[Change]:
    """A number changed in a quote is changed in its sentence too: listed once."""
    seen: set[tuple[str | None, str | None]] = set()
    kept = []
    for change in changes:
        if (change.old, change.new) not in seen:
            seen.add((change.old, change.new))
            kept.append(change)
    return kept


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences (a plain rule: an end mark, a space, a capital or a digit)."""
    found, start = [], 0
    for end in _SENTENCE_END.finditer(paragraph):
        found.append(paragraph[start : end.end()].strip())
        start = end.end()
    found.append(paragraph[start:].strip())
    return [sentence for sentence in found if sentence]
