"""Which boilerplate phrases earn their place: counts per phrase, and leave-sites-out folds.

    python bench/rules.py count [--sets scrapinghub,wcxb-articles-dev,trafilatura-eval,dates]
    python bench/rules.py folds [--sets scrapinghub,wcxb-articles-dev] [--folds 5] [--effects]
                                [--worst N]

``count`` runs the extractor on the dev sets and, for every phrase alternative of
``extract/rules.py`` (each ``|``-separated phrase of a whole-line shape, of a phrase rule, of the
"See also:" pointers, and each interface word) and every class word of ``extract/clean.py``,
counts the pages and the sites (URL hosts in each set's ground truth) where it removed a block.
A phrase firing on fewer than ``--min-sites`` sites is fitted to those sites, not general.

``folds`` splits each set by site into folds (a site's pages stay together) and reports body F1
per fold for newsarchive, trafilatura and readability alone. It also scores newsarchive with the
phrases *chosen without the fold*: only those firing on ``--min-sites`` sites of the other folds
stay, so the held-out fold sees rules it did not help write. ``--effects`` adds, per phrase, the
change in F1 on each fold when that phrase alone is switched off (positive: the phrase helps);
``--worst N`` lists, per fold, the N pages where the held-out newsarchive trails trafilatura most.
Figures are on the dev sets: they say how well the rule choice carries to sites it never saw.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # measure the working tree, installed or not
sys.path.insert(0, str(ROOT / "bench"))

from extraction import make_trafilatura, readability_article  # noqa: E402

from newsarchive.evaluate import EvalPage, body_counts, load_dataset, summarise_body  # noqa: E402
from newsarchive.extract import clean, extract_article, rules  # noqa: E402
from newsarchive.models import Article, RemovedBlock  # noqa: E402

SETS = ("scrapinghub", "wcxb-articles-dev", "trafilatura-eval", "dates")
FOLD_SETS = ("scrapinghub", "wcxb-articles-dev")
LINE, PHRASE, POINTER, WORD, CLASS = "line", "phrase", "pointer", "word", "class"


@dataclass(frozen=True)
class Alternative:
    """One phrase of a rule: where it lives, the rule it names, its text, and its matcher."""

    kind: str
    rule: str
    phrase: str

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.rule}:{self.phrase}"


# --- the phrases, one by one -------------------------------------------------------------


def split_top(pattern: str) -> list[str]:
    """Split a regex source at its top-level ``|`` (not inside groups or classes)."""
    pieces, depth, in_class, start, index = [], 0, False, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            pieces.append(pattern[start:index])
            start = index + 1
        index += 1
    return [*pieces, pattern[start:]]


def _expand(source: str, opens: bool = True) -> list[tuple[str, str]]:
    """(phrase, pattern matching that phrase alone): a whole-line shape written as one
    ``(?:a|b|c)rest`` opens up; a phrase's own group of variants stays one phrase."""
    if opens and _is_opened(source):
        end = _group_end(source)
        return [(piece, f"(?:{piece}){source[end + 1 :]}") for piece in split_top(source[3:end])]
    return [(piece, piece) for piece in split_top(source)]


def _is_opened(source: str) -> bool:
    """A single group of alternatives followed by a shared ending."""
    if len(split_top(source)) > 1 or not source.startswith("(?:"):
        return False
    return len(split_top(source[3 : _group_end(source)])) > 1


def _group_end(source: str) -> int:
    depth = 0
    for index, char in enumerate(source):
        if char == "(" and (index == 0 or source[index - 1] != "\\"):
            depth += 1
        elif char == ")" and source[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index
    return len(source) - 1


def _line_source(compiled: re.Pattern[str]) -> tuple[str, str]:
    """The phrase part of a ``rules._whole`` pattern, and what follows it (``:?``)."""
    match = re.fullmatch(r"\^\(\?:(.*)\)(:\?)?\$", compiled.pattern, re.DOTALL)
    assert match, compiled.pattern
    return match.group(1), match.group(2) or ""


def alternatives() -> list[tuple[Alternative, re.Pattern[str]]]:
    """Every phrase alternative with a matcher for a lower-cased, trimmed block."""
    found: list[tuple[Alternative, re.Pattern[str]]] = []
    for rule, compiled in _sources("LINE_RULES").items():
        source, colon = _line_source(compiled)
        for phrase, alone in _expand(source):
            found.append((Alternative(LINE, rule, phrase), re.compile(f"^(?:{alone}){colon}$")))
    for rule, phrases in rules.PHRASES.items():
        for pattern in phrases:
            for phrase, alone in _expand(pattern, opens=False):
                found.append((Alternative(PHRASE, rule, phrase), rules._any(alone)))
    teaser = re.fullmatch(r"\(\?:(.*)\)(.*)", rules.TEASER.pattern, re.DOTALL)
    for phrase in split_top(teaser.group(1)) if teaser else []:
        found.append(
            (Alternative(POINTER, "related", phrase), re.compile(f"(?:{phrase}){teaser.group(2)}"))
        )
    for word in sorted(rules.INTERFACE_WORDS):
        found.append(
            (Alternative(WORD, "interface", word), re.compile(rf"(?<!\w){re.escape(word)}(?!\w)"))
        )
    hint = _hint_words()
    for word in hint:
        found.append((Alternative(CLASS, f"class-{word}", word), re.compile("")))
    return found


def _sources(name: str) -> dict[str, re.Pattern[str]]:
    return dict(getattr(rules, name))


# --- which phrases fired on which pages ---------------------------------------------------


@dataclass(frozen=True)
class Page:
    set: str
    page: EvalPage

    @property
    def site(self) -> str:
        return urlsplit(self.page.url or "").hostname or "?"


def fired(article: Article, matchers: Sequence[tuple[Alternative, re.Pattern[str]]]) -> set[str]:
    """Labels of the phrases that match a block the article's cleaning removed, by its rule."""
    labels: set[str] = set()
    for block in article.removed:
        text = rules.normalise(block.text).strip(" .|•·-–—()").lower()
        for alternative, matcher in matchers:
            if _fires(alternative, matcher, block.rule, text):
                labels.add(alternative.label)
    return labels


def _fires(alternative: Alternative, matcher: re.Pattern[str], rule: str, text: str) -> bool:
    if alternative.kind == CLASS:
        return rule.startswith("class-") and re.fullmatch(alternative.phrase, rule[6:]) is not None
    if rule != alternative.rule:
        return False
    if alternative.kind == LINE:
        return len(text) <= rules.SHORT_LINE and matcher.match(text) is not None
    if alternative.kind == POINTER:
        return matcher.match(text) is not None
    return matcher.search(text) is not None


def _pages(sets: Sequence[str], datasets: Path, limit: int | None) -> list[Page]:
    return [Page(name, page) for name in sets for page in load_dataset(datasets / name, limit)]


def newsarchive(html: str, url: str | None) -> Article:
    """extract_article, or what it found before giving up (removed blocks, metadata)."""
    try:
        return extract_article(html, url)
    except Exception as error:  # scored as an empty answer, as newsarchive.evaluate does
        return getattr(error, "article", None) or Article()


Removed = list[tuple[str, str, str, list[tuple[str, str]]]]  # set, id, site, (text, rule)s


def removed_blocks(pages: Sequence[Page]) -> Removed:
    """What the cleaning removed on each page (the slow part: one extraction per page)."""
    found: Removed = []
    for number, page in enumerate(pages):
        if number % 200 == 0:
            print(f"  {number}/{len(pages)} pages", file=sys.stderr, flush=True)
        article = newsarchive(page.page.html, page.page.url)
        blocks = [(block.text, block.rule) for block in article.removed]
        found.append((page.set, page.page.id, page.site, blocks))
    return found


def count(removed: Removed) -> dict[str, tuple[set[str], set[tuple[str, str]]]]:
    """For each phrase label: the sites and the (set, page id)s it fired on."""
    matchers = alternatives()
    hits: dict[str, tuple[set[str], set[tuple[str, str]]]] = {
        a.label: (set(), set()) for a, _ in matchers
    }
    for set_name, page_id, site, blocks in removed:
        article = Article(removed=[RemovedBlock(text, rule) for text, rule in blocks])
        for label in fired(article, matchers):
            hits[label][0].add(site)
            hits[label][1].add((set_name, page_id))
    return hits


def format_counts(hits: dict[str, tuple[set[str], set[tuple[str, str]]]], min_sites: int) -> str:
    rows = sorted(hits.items(), key=lambda item: (len(item[1][0]), item[0]))
    lines = [f"{'sites':>5} {'pages':>5}  kind:rule:phrase"]
    lines += [f"{len(s):>5} {len(p):>5}  {label}" for label, (s, p) in rows]
    fitted = [label for label, (s, _) in rows if len(s) < min_sites]
    kinds = defaultdict(int)
    for label in fitted:
        kinds[label.split(":")[0]] += 1
    lines.append("")
    lines.append(
        f"{len(rows)} phrases; {len(fitted)} fire on fewer than {min_sites} sites "
        f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})"
    )
    return "\n".join(lines)


# --- switching phrases off ----------------------------------------------------------------


@contextmanager
def without(labels: set[str]) -> Iterator[None]:
    """Rebuild the rule patterns without the given phrases, restoring them afterwards."""
    names = ("LINE_RULES", "ANY_LINE", "PHRASES", "PHRASE_RULES", "ANY_PHRASE", "APPEAL_WORDS")
    names += ("TEASER", "INTERFACE_WORDS")
    saved = {name: getattr(rules, name) for name in names}
    saved_hint = clean.HINT
    try:
        _rebuild(labels)
        yield
    finally:
        for name, value in saved.items():
            setattr(rules, name, value)
        clean.HINT = saved_hint


def _rebuild(labels: set[str]) -> None:
    line_rules = {}
    for rule, compiled in rules.LINE_RULES.items():
        source, colon = _line_source(compiled)
        kept = [p for p, _ in _expand(source) if f"{LINE}:{rule}:{p}" not in labels]
        body = _rejoin(source, kept, opens=True)
        line_rules[rule] = re.compile(f"^(?:{body or '(?!)'}){colon}$")
    rules.LINE_RULES = line_rules
    rules.ANY_LINE = re.compile(
        "|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in line_rules.items())
    )
    phrases = {
        rule: tuple(
            joined
            for pattern in patterns
            if (joined := _rejoin(pattern, _kept(pattern, f"{PHRASE}:{rule}:", labels)))
        )
        for rule, patterns in rules.PHRASES.items()
    }
    rules.PHRASES = phrases
    rules.PHRASE_RULES = {name: rules._any(*(p or ("(?!)",))) for name, p in phrases.items()}
    rules.ANY_PHRASE = rules._any(*(p for ps in phrases.values() for p in ps))
    rules.INTERFACE_WORDS = frozenset(
        w for w in rules.INTERFACE_WORDS if f"{WORD}:interface:{w}" not in labels
    )
    teaser = re.fullmatch(r"\(\?:(.*)\)(.*)", rules.TEASER.pattern, re.DOTALL)
    if teaser:
        kept = [p for p in split_top(teaser.group(1)) if f"{POINTER}:related:{p}" not in labels]
        rules.TEASER = re.compile(f"(?:{'|'.join(kept) or '(?!)'}){teaser.group(2)}")
    words = _hint_words()
    kept = [w for w in words if f"{CLASS}:class-{w}:{w}" not in labels]
    if words and len(kept) < len(words):
        pattern = clean.HINT.pattern.replace("|".join(words), "|".join(kept) or "(?!)")
        clean.HINT = re.compile(pattern, clean.HINT.flags)


def _hint_words() -> list[str]:
    """The class words of clean.HINT: ``(?:^|[-_\\s])(share|sharing|...)(?:$|[-_\\s])``."""
    hint = re.search(r"\]\)\((.*?)\)\(\?:\$", clean.HINT.pattern, re.DOTALL)
    return split_top(hint.group(1)) if hint else []


def _kept(source: str, prefix: str, labels: set[str]) -> list[str]:
    return [phrase for phrase, _ in _expand(source, opens=False) if prefix + phrase not in labels]


def _rejoin(source: str, kept: list[str], opens: bool = False) -> str:
    """The source with only the kept phrases (inside its opened group when it had one)."""
    if not kept:
        return ""
    if opens and _is_opened(source):
        end = _group_end(source)
        return f"(?:{'|'.join(kept)}){source[end + 1 :]}"
    return "|".join(kept)


# --- folds --------------------------------------------------------------------------------


def fold_of(site: str, folds: int) -> int:
    """A site's fold: a stable hash of its host, so every run splits alike."""
    return zlib.crc32(site.encode()) % folds


def _f1(texts: dict[str, str], pages: Sequence[Page]) -> float:
    counts = [body_counts(texts[p.page.id], p.page.truth.get("articleBody") or "") for p in pages]
    return summarise_body(counts).f1 if counts else 0.0


def _texts(pages: Sequence[Page], extractor) -> dict[str, str]:
    texts = {}
    for page in pages:
        try:
            texts[page.page.id] = extractor(page.page.html, page.page.url).text or ""
        except Exception:  # scored as an empty answer, as newsarchive.evaluate does
            texts[page.page.id] = ""
    return texts


def folds_report(
    name: str, pages: list[Page], folds: int, min_sites: int, effects: bool, worst: int = 0
) -> str:
    print(f"{name}: counting phrases ...", file=sys.stderr, flush=True)
    hits = count(removed_blocks(pages))
    site_fold = {p.site: fold_of(p.site, folds) for p in pages}
    by_fold = [[p for p in pages if site_fold[p.site] == k] for k in range(folds)]
    print(f"{name}: readability, trafilatura, newsarchive ...", file=sys.stderr, flush=True)
    traf = make_trafilatura(False)
    columns = {
        "readability": _texts(pages, readability_article),
        "trafilatura": _texts(pages, traf) if traf else {},
        "newsarchive (dev rules)": _texts(pages, newsarchive),
    }
    held_out: dict[str, str] = {}
    for k, fold in enumerate(by_fold):
        other_sites = {p.site for p in pages if site_fold[p.site] != k}
        fitted = {label for label, (s, _) in hits.items() if len(s & other_sites) < min_sites}
        with without(fitted):
            held_out.update(_texts(fold, newsarchive))
    columns["newsarchive (rules chosen without the fold)"] = held_out
    lines = [f"{name}: body F1 per fold (sites split by host; {len(pages)} pages)"]
    header = ["fold", "sites", "pages", *columns]
    rows = [
        [
            str(k),
            str(len({p.site for p in f})),
            str(len(f)),
            *(_cell(c, f) for c in columns.values()),
        ]
        for k, f in enumerate(by_fold)
    ]
    rows.append(
        ["all", str(len(site_fold)), str(len(pages)), *(_cell(c, pages) for c in columns.values())]
    )
    lines.append(_table(header, rows))
    if worst and columns["trafilatura"]:
        lines.append(_worst(by_fold, held_out, columns["trafilatura"], worst))
    if effects:
        lines.append(_effects(hits, pages, by_fold, columns["newsarchive (dev rules)"]))
    return "\n".join(lines)


def _worst(by_fold, ours: dict[str, str], theirs: dict[str, str], count: int) -> str:
    """Per fold, the pages where the held-out newsarchive trails trafilatura most: where to look
    for what we drop or keep that it does not."""
    lines = [
        "",
        "pages trailing trafilatura most, per fold (page F1: held-out newsarchive, trafilatura)",
    ]
    for k, fold in enumerate(by_fold):
        rows = []
        for page in fold:
            truth = page.page.truth.get("articleBody") or ""
            mine = body_counts(ours[page.page.id], truth).f1
            rows.append((mine - body_counts(theirs[page.page.id], truth).f1, mine, page))
        for gap, mine, page in sorted(rows, key=lambda row: row[0])[:count]:
            if gap < 0:
                lines.append(
                    f"  fold {k}  {mine:.3f} {mine - gap:.3f}  {page.page.id}  {page.page.url}"
                )
    return "\n".join(lines)


def _cell(texts: dict[str, str], pages: Sequence[Page]) -> str:
    return f"{_f1(texts, pages):.4f}" if texts else "n/a"


def _effects(hits, pages, by_fold, base: dict[str, str]) -> str:
    """Per phrase that fired here: F1 with it minus F1 without it, on each fold."""
    index = {(p.set, p.page.id): p for p in pages}
    lines = ["", "effect of each phrase on each fold's F1 (x1000; + helps, - hurts)"]
    for label, (sites, fired_on) in sorted(hits.items(), key=lambda item: -len(item[1][0])):
        touched = [index[key] for key in fired_on if key in index]
        if not touched:
            continue
        with without({label}):
            changed = {**base, **_texts(touched, newsarchive)}
        deltas = [1000 * (_f1(base, f) - _f1(changed, f)) for f in by_fold]
        cells = " ".join(f"{d:+6.1f}" for d in deltas)
        lines.append(f"{cells}  sites {len(sites):>3}  {label}")
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = [" | ".join(c.rjust(w) for c, w in zip(header, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    out += [" | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("count", "folds"))
    parser.add_argument("--sets", default=None, help="comma-separated set names")
    parser.add_argument("--limit", type=int, default=None, help="pages per set")
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--min-sites", type=int, default=3)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--effects", action="store_true", help="per-phrase effect on each fold")
    parser.add_argument("--worst", type=int, default=0, help="folds: pages trailing trafilatura")
    parser.add_argument("--json", type=Path, help="count: also write the counts here")
    parser.add_argument("--cache", type=Path, help="count: removed blocks kept here, reused")
    args = parser.parse_args(argv)
    if args.command == "count":
        sets = args.sets.split(",") if args.sets else SETS
        if args.cache and args.cache.is_file():
            removed = json.loads(args.cache.read_text(encoding="utf-8"))
        else:
            removed = removed_blocks(_pages(sets, args.datasets, args.limit))
            if args.cache:
                args.cache.write_text(json.dumps(removed, ensure_ascii=False), encoding="utf-8")
        hits = count(removed)
        print(format_counts(hits, args.min_sites))
        if args.json:
            data = {k: {"sites": sorted(s), "pages": len(p)} for k, (s, p) in hits.items()}
            args.json.write_text(json.dumps(data, indent=1, ensure_ascii=False))
        return
    for name in args.sets.split(",") if args.sets else FOLD_SETS:
        pages = _pages([name], args.datasets, args.limit)
        report = folds_report(name, pages, args.folds, args.min_sites, args.effects, args.worst)
        print(report, flush=True)


if __name__ == "__main__":
    main()
