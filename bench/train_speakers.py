"""Train the speaker models shipped in ``src/newsarchive/extract/speaker_model.json``.

Reads a quote set (``quotes.jsonl.gz``: articles with gold quotations, their speakers and the
offsets of the words naming the source), finds our own quotations and candidate sources in each
article exactly as extraction does, labels the candidates from the gold annotation, and fits two
conditional-logit models (a softmax over each quotation's candidates) by Adagrad with L2:

- source: which mention (name, pronoun, role phrase) or the previous quotation's speaker is the
  source of a quotation; the gold source offsets say which;
- resolver: which earlier name a pronoun or role phrase stands for; the gold speaker's last word
  says which.

    python bench/train_speakers.py ../shared/datasets/quotes-polnear-train            # write
    python bench/train_speakers.py ../shared/datasets/quotes-polnear-train --cross-validate

With --cross-validate, articles are split by publisher (``meta.publisher``), so every figure is measured
on publishers the model was not trained on.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from newsarchive.extract.attribution import (
    INHERIT,
    NOBODY,
    resolver_candidates,
    source_candidates,
)
from newsarchive.extract.mentions import Mention
from newsarchive.extract.quotes import locate
from newsarchive.extract.speaker_context import Context, FeatureNames
from newsarchive.extract.speaker_features import Speakers

MODEL_FILE = Path(__file__).parent.parent / "src/newsarchive/extract/speaker_model.json"
_TOKEN = re.compile(r"\w+")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}

Example = tuple[list[FeatureNames], list[bool]]  # one quotation's candidates and which are right


def last_word(name: str | None) -> str | None:
    words = [w.casefold() for w in _TOKEN.findall(name or "")]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return words[-1] if words else None


def article_examples(article: dict) -> tuple[list[Example], list[Example]]:
    """Labelled source and resolver examples from one annotated article."""
    text = article["text"]
    starts, paragraphs = paragraph_offsets(text)
    located = locate(paragraphs)
    mentions = located.mentions()
    known = Context(located.masked, mentions, located.ends)
    golds = [_gold_for(located, n, article["quotes"], starts) for n in range(len(located.sites))]
    sources: list[Example] = []
    resolvers: list[Example] = []
    for number, gold in enumerate(golds):
        if gold is None:
            continue
        previous = golds[number - 1] if number else None
        previous_key = last_word(previous["speaker"]) if previous else None
        said = Speakers(
            previous_key,
            frozenset(filter(None, (last_word(g["speaker"]) for g in golds[:number] if g))),
        )
        spans = [_locate_offset(starts, s, e) for s, e in gold["speaker_span"] or []]
        key = last_word(gold["speaker"])
        candidates = source_candidates(known, located.sites, number, number > 0, said)
        labels = [_source_right(c, spans, key, previous_key) for c, _ in candidates]
        if any(labels) and len(candidates) > 1:
            sources.append(([f.names() for _, f in candidates], labels))
        anaphors = [c for c, _ in candidates if isinstance(c, Mention) and c.kind != "name"]
        for mention in dict.fromkeys(anaphors):  # once each, in reading order (reproducible)
            if _overlaps(mention, spans) and (key or mention.kind == "nominal"):
                quoted = located.sites[number].words
                found = resolver_candidates(known, mentions, mention, said, quoted)
                right = [key is None if m == NOBODY else key in _words(m.text) for m, _ in found]
                if any(right) and len(found) > 1:
                    resolvers.append(([f.names() for _, f in found], right))
    return sources, resolvers


def paragraph_offsets(text: str) -> tuple[list[int], list[str]]:
    """The article's non-empty lines (our paragraphs) and where each starts in ``text``."""
    starts, paragraphs, offset = [], [], 0
    for line in text.split("\n"):
        if line.strip():
            starts.append(offset)
            paragraphs.append(line)
        offset += len(line) + 1
    return starts, paragraphs


def _words(text: str) -> set[str]:
    return {word.casefold() for word in _TOKEN.findall(text)}


def _gold_for(located, number: int, quotes: list[dict], starts: list[int]) -> dict | None:
    span = located.spans[number]
    for mark_number, mark in enumerate(span.marks):
        paragraph = span.first + mark_number
        for quote in quotes:
            index, offset = _locate_offset(starts, quote["start"], quote["end"])[:2]
            if index == paragraph and mark.start <= offset < mark.end:
                return quote
    return None


def _locate_offset(starts: list[int], start: int, end: int) -> tuple[int, int, int]:
    index = max(i for i, s in enumerate(starts) if s <= start)
    return index, start - starts[index], end - starts[index]


def _overlaps(mention: Mention, spans: Sequence[tuple[int, int, int]]) -> bool:
    return any(
        p == mention.paragraph and s < mention.end and mention.start < e for p, s, e in spans
    )


def _source_right(candidate, spans, key: str | None, previous_key: str | None) -> bool:
    if candidate == INHERIT:
        return key is not None and key == previous_key
    if candidate == NOBODY:
        return key is None and not spans
    if not _overlaps(candidate, spans):
        return False
    return candidate.kind != "name" or key is None or key in _words(candidate.text)


# Conditional logit by Adagrad


def train(examples: Sequence[Example], epochs: int = 10, rate: float = 0.2, l2: float = 1e-4):
    """Adagrad on the conditional log-likelihood; the weights returned are averaged over every
    step (as an averaged perceptron's are), which steadies them against the order of examples."""
    weights: dict[str, float] = defaultdict(float)
    squares: dict[str, float] = defaultdict(lambda: 1e-8)
    totals: dict[str, float] = defaultdict(float)  # sum over steps of each weight, kept lazily
    stamps: dict[str, int] = defaultdict(int)
    order = list(examples)
    random.Random(7).shuffle(order)
    step = 0
    for _ in range(epochs):
        for candidates, labels in order:
            step += 1
            scores = [sum(weights[k] for k in f) for f in candidates]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            right = sum(e for e, label in zip(exps, labels, strict=True) if label)
            gradient: dict[str, float] = defaultdict(float)
            for f, e, label in zip(candidates, exps, labels, strict=True):
                share = e / total - (e / right if label else 0.0)
                for k in f:
                    gradient[k] += share
            for k, g in gradient.items():
                totals[k] += weights[k] * (step - stamps[k])
                stamps[k] = step
                g += l2 * weights[k]
                squares[k] += g * g
                weights[k] -= rate * g / math.sqrt(squares[k])
    averaged = {k: (totals[k] + weights[k] * (step - stamps[k])) / step for k in weights}
    return {k: round(v, 4) for k, v in averaged.items() if abs(v) >= 1e-4}


def accuracy(weights: dict[str, float], examples: Sequence[Example]) -> float:
    right = 0
    for candidates, labels in examples:
        scores = [sum(weights.get(k, 0.0) for k in f) for f in candidates]
        right += labels[scores.index(max(scores))]
    return right / len(examples) if examples else 0.0


def load(path: Path) -> list[dict]:
    with gzip.open(path / "quotes.jsonl.gz", "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument(
        "--cross-validate", dest="folds", action="store_true", help="leave one publisher out"
    )
    args = parser.parse_args()
    articles = load(args.dataset)
    examples = [(a["meta"].get("publisher", ""), article_examples(a)) for a in articles]
    if args.folds:
        cross_validate(articles, examples)
        return
    sources = [e for _, (s, _) in examples for e in s]
    resolvers = [e for _, (_, r) in examples for e in r]
    model = {
        "source": {"bias": 0.0, "weights": train(sources)},
        "resolver": {"bias": 0.0, "weights": train(resolvers)},
    }
    MODEL_FILE.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n")
    print(
        f"source: {len(sources)} quotations, training accuracy {accuracy(model['source']['weights'], sources):.3f}"
    )
    print(
        f"resolver: {len(resolvers)} anaphors, training accuracy {accuracy(model['resolver']['weights'], resolvers):.3f}"
    )


def cross_validate(articles: list[dict], examples) -> None:
    """Leave one publisher out: train on the others, extract the held-out publisher's articles
    with that model and score them with the quote-set metric."""
    from newsarchive.evaluate.quotes import quote_counts, summarise_quotes
    from newsarchive.extract import attribution, extract_text_article

    counts_all = []
    for publisher in sorted({p for p, _ in examples}):
        source = train([e for p, (s, _) in examples if p != publisher for e in s])
        resolver = train([e for p, (_, r) in examples if p != publisher for e in r])
        attribution.models = lambda s=source, r=resolver: (  # the held-out model, this fold only
            attribution.Model(s, 0.0),
            attribution.Model(r, 0.0),
        )
        counts = [
            quote_counts(
                [(q["text"], q["speaker"]) for q in article["quotes"]],
                [
                    (q.text, q.speaker)
                    for q in extract_text_article(article["text"]).quotes
                    if q.kind == "speech"
                ],
            )
            for article in articles
            if article["meta"].get("publisher", "") == publisher
        ]
        counts_all += counts
        score = summarise_quotes(counts)
        print(
            f"{publisher:20} articles {len(counts):4}  quote F1 {score.f1:.3f}"
            f"  speaker {score.speaker_accuracy:.3f}  end-to-end F1 {score.end_to_end_f1:.3f}"
        )
    score = summarise_quotes(counts_all)
    print(
        f"{'all (held out)':20} articles {len(counts_all):4}  quote F1 {score.f1:.3f}"
        f"  speaker {score.speaker_accuracy:.3f}  end-to-end F1 {score.end_to_end_f1:.3f}"
    )


if __name__ == "__main__":
    main()
