"""Frozen dataclasses passed between the stages: fetch -> extract -> store -> search."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FetchResult:
    """What the fetch stage hands on: the decoded document plus everything needed to re-extract it.

    ``kind`` is ``"html"``, ``"text"`` (a plain-text article such as a pasted story) or
    ``"document"`` (a feed or sitemap fetched by ``fetch_document``, not an article).
    ``raw`` is the exact bytes received (or read), kept so later extractor fixes can re-run offline.
    """

    url: str | None
    final_url: str | None
    text: str
    raw: bytes
    kind: str = "html"
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    source: str = "http"
    fetched_at: str = ""


@dataclass(frozen=True)
class Quote:
    """A direct quotation and, when the attribution names one, its speaker.

    ``speaker`` is the fullest form of the name the article uses, without titles ("Sen.", "Mr.");
    ``role`` is what the article says the speaker is where it names it beside them ("a lawyer for
    the company"); ``kind`` is ``speech`` for words someone said or wrote, ``term`` for a short
    phrase in quote marks that nobody is quoted as saying (a scare quote, a title).
    """

    text: str
    speaker: str | None = None
    role: str | None = None
    kind: str = "speech"


@dataclass(frozen=True)
class RemovedBlock:
    """A block the cleaner stripped, with the rule that stripped it (to make over-stripping visible)."""

    text: str
    rule: str


@dataclass(frozen=True)
class Article:
    """A clean article: metadata, body as text (one paragraph per line) and as HTML, and quotes.

    ``status`` says what the capture holds (extract/status.py); ``note`` why the extractor
    left it so, when the status alone does not say (its time budget ran out; learned
    boilerplate kept because stripping it would have emptied the article).
    """

    headline: str | None = None
    standfirst: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    site: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    text: str = ""
    html: str = ""
    quotes: list[Quote] = field(default_factory=list)
    removed: list[RemovedBlock] = field(default_factory=list)
    status: str = "ok"
    note: str | None = None

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class StoredArticle:
    """An article as read back from the archive, with what the user gave it: tags (their
    normalised names, alphabetically) and a note of their own (``article.note`` is the
    extractor's)."""

    id: int
    url: str
    saved_at: str
    article: Article
    tags: list[str] = field(default_factory=list)
    user_note: str | None = None


@dataclass(frozen=True)
class SearchHit:
    """One ranked search result; ``version`` is set when it is an older version of the article
    that matched (``search --all-versions``)."""

    id: int
    url: str
    headline: str | None
    site: str | None
    published: str | None
    authors: list[str]
    snippet: str
    score: float
    highlights: list[tuple[int, int]] = field(default_factory=list)
    also_on: list[str] = field(default_factory=list)
    version: int | None = None


@dataclass(frozen=True)
class QuoteHit:
    """One quotation found by ``quotes``, with the article it came from."""

    text: str
    speaker: str | None
    role: str | None
    kind: str
    article_id: int
    url: str
    headline: str | None
    published: str | None


@dataclass(frozen=True)
class SpeakerSummary:
    """One speaker listed by ``speakers``: the fullest form of the name seen, and how many
    quotes (of kind ``speech``) and articles the archive holds of them."""

    name: str
    quotes: int
    articles: int
