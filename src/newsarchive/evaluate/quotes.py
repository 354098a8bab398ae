"""Scoring quotations and their speakers against a quote set (``quotes.jsonl.gz``).

A quote set holds one article a line: ``{"id", "text", "quotes": [{"text", "speaker", ...}]}``.
The metric is the one published with PolNeAR-style attribution work, so figures compare with
published tables:

- a predicted quotation matches a gold one when the F1 of their word bags (case-folded ``\\w+``
  tokens) is at least 0.8; pairs are taken greedily, best first, one to one, per article;
- speaker accuracy is over matched pairs whose gold speaker is known: right when the gold
  speaker's last word (Jr., Sr., II, III, IV skipped) is a word of the predicted speaker;
- end-to-end F1 counts a quotation right when it is matched and its speaker is right; recall is
  over gold quotations with a speaker, precision over predictions matched to those or to nothing.

A quotation running over several paragraphs is gold as one quotation per paragraph, so a
predicted quotation is scored line by line (our quotations join their paragraphs with "\\n").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsarchive.evaluate.scoring import ratio

MATCH_THRESHOLD = 0.8
_TOKEN = re.compile(r"\w+")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


@dataclass(frozen=True)
class QuoteMiss:
    """One quotation that went wrong, to show a developer what to look at."""

    kind: str  # "missed", "extra", "no speaker", "wrong speaker"
    text: str
    gold_speaker: str | None = None
    predicted_speaker: str | None = None


@dataclass(frozen=True)
class QuoteCounts:
    """One article's outcome."""

    predicted: int = 0
    gold: int = 0
    matched: int = 0
    with_speaker: int = 0  # matched pairs whose gold speaker is known
    right_speaker: int = 0
    gold_with_speaker: int = 0
    unmatched_predictions: int = 0
    misses: tuple[QuoteMiss, ...] = field(default=())

    @property
    def errors(self) -> int:
        return len(self.misses)


@dataclass(frozen=True)
class QuoteScore:
    articles: int
    precision: float
    recall: float
    f1: float
    speaker_accuracy: float
    end_to_end_precision: float
    end_to_end_recall: float
    end_to_end_f1: float
    matched: int
    with_speaker: int
    right_speaker: int


def bag(text: str) -> Counter[str]:
    """The case-folded word bag a quotation is compared by."""
    return Counter(token.casefold() for token in _TOKEN.findall(text))


def bag_f1(first: Counter[str], second: Counter[str]) -> float:
    """F1 of two word bags (0 when either is empty)."""
    common = sum((first & second).values())
    return ratio(2 * common, sum(first.values()) + sum(second.values()))


def speaker_right(gold: str, predicted: str | None) -> bool:
    """Whether the gold speaker's last word is a word of the predicted speaker, case-folded."""
    words = [token.casefold() for token in _TOKEN.findall(gold)]
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        words.pop()
    if not words or not predicted:
        return False
    return words[-1] in {token.casefold() for token in _TOKEN.findall(predicted)}


def split_paragraphs(predicted: Sequence[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """One (text, speaker) per paragraph of each predicted quotation."""
    return [
        (line, speaker) for text, speaker in predicted for line in text.split("\n") if line.strip()
    ]


def quote_counts(
    gold: Sequence[tuple[str, str | None]], predicted: Sequence[tuple[str, str | None]]
) -> QuoteCounts:
    """Match one article's predictions (text, speaker) to its gold quotations and count."""
    predicted = split_paragraphs(predicted)
    gold_bags = [bag(text) for text, _ in gold]
    predicted_bags = [bag(text) for text, _ in predicted]
    pairs = _greedy_pairs(gold_bags, predicted_bags)
    misses: list[QuoteMiss] = []
    with_speaker = right = 0
    for g, p in pairs.items():
        gold_speaker, predicted_speaker = gold[g][1], predicted[p][1]
        if gold_speaker is None:
            continue
        with_speaker += 1
        if speaker_right(gold_speaker, predicted_speaker):
            right += 1
        else:
            kind = "wrong speaker" if predicted_speaker else "no speaker"
            misses.append(QuoteMiss(kind, gold[g][0], gold_speaker, predicted_speaker))
    matched_predictions = set(pairs.values())
    unmatched = [p for p in range(len(predicted)) if p not in matched_predictions]
    misses += [
        QuoteMiss("missed", text, speaker)
        for g, (text, speaker) in enumerate(gold)
        if g not in pairs
    ]
    misses += [QuoteMiss("extra", predicted[p][0], None, predicted[p][1]) for p in unmatched]
    return QuoteCounts(
        predicted=len(predicted),
        gold=len(gold),
        matched=len(pairs),
        with_speaker=with_speaker,
        right_speaker=right,
        gold_with_speaker=sum(1 for _, speaker in gold if speaker is not None),
        unmatched_predictions=len(unmatched),
        misses=tuple(misses),
    )


def _greedy_pairs(gold: list[Counter[str]], predicted: list[Counter[str]]) -> dict[int, int]:
    """Gold index -> predicted index, best pairs first, each side used once."""
    candidates = sorted(
        (
            (score, g, p)
            for g, gold_bag in enumerate(gold)
            for p, predicted_bag in enumerate(predicted)
            if (score := bag_f1(gold_bag, predicted_bag)) >= MATCH_THRESHOLD
        ),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, g, p in candidates:
        if g not in pairs and p not in used:
            pairs[g] = p
            used.add(p)
    return pairs


def summarise_quotes(counts: Sequence[QuoteCounts]) -> QuoteScore:
    """Sum articles' counts into quote P/R/F1, speaker accuracy and end-to-end P/R/F1."""
    predicted = sum(c.predicted for c in counts)
    gold = sum(c.gold for c in counts)
    matched = sum(c.matched for c in counts)
    with_speaker = sum(c.with_speaker for c in counts)
    right = sum(c.right_speaker for c in counts)
    precision, recall = ratio(matched, predicted), ratio(matched, gold)
    e2e_precision = ratio(right, with_speaker + sum(c.unmatched_predictions for c in counts))
    e2e_recall = ratio(right, sum(c.gold_with_speaker for c in counts))
    return QuoteScore(
        articles=len(counts),
        precision=precision,
        recall=recall,
        f1=_harmonic(precision, recall),
        speaker_accuracy=ratio(right, with_speaker),
        end_to_end_precision=e2e_precision,
        end_to_end_recall=e2e_recall,
        end_to_end_f1=_harmonic(e2e_precision, e2e_recall),
        matched=matched,
        with_speaker=with_speaker,
        right_speaker=right,
    )


def _harmonic(first: float, second: float) -> float:
    return ratio(2 * first * second, first + second)
