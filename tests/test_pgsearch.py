"""Search on PostgreSQL (pgsearch.py): the same results contract as on SQLite.

One small corpus (STORIES, written for these tests) is saved into a SQLite archive and into a
PostgreSQL one in the same order, so each article has the same id in both. "The same results"
means: with a limit above the corpus and copies not collapsed, a query finds the same set of
articles on both engines. Their order is the engine's ranking (bm25 on SQLite, ts_rank_cd on
PostgreSQL), which weighs the same columns alike but scores differently, so it is checked on
PostgreSQL for what the ranking promises (a headline above a body) rather than compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from conftest import cli_json, run_cli
from pg import fresh_database

from newsarchive.errors import QueryError
from newsarchive.models import Article, FetchResult, Quote, SearchHit
from newsarchive.searching import search, search_quotes
from newsarchive.snippets import HIGHLIGHT_END, HIGHLIGHT_START
from newsarchive.speakers import list_speakers
from newsarchive.store import Archive


@dataclass(frozen=True)
class Story:
    headline: str
    body: list[str]
    site: str
    published: str | None
    standfirst: str | None = None
    authors: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    language: str = "en"


OKAFOR, LEE = "Grace Okafor", "Ann Lee"
STORIES = [
    Story(
        "Harbour bridge reopens after storm repairs",
        [
            "The harbour bridge reopened to traffic on Tuesday after a week of repairs.",
            "Engineers said the deck would be checked again in the spring.",
        ],
        "Harbour Times",
        "2024-01-16",
        "Commuters return to the crossing after the worst storm in decades.",
        ["Harriet Calloway"],
        [Quote("The bridge is safe and open again", OKAFOR)],
    ),
    Story(
        "Ferry company restores timetable",
        [
            "The ferry company said its boats would return to the usual timetable next week.",
            "Ferries carried commuters across the water while the bridge was closed.",
        ],
        "Harbour Times",
        "2024-01-20",
        authors=["Tom Reyes"],
        quotes=[Quote("No ferries will be cancelled this month", LEE)],
    ),
    Story(
        "Storm damage closes seafront cafe",
        [
            "A small café on the seafront closed after the storm flooded its kitchen.",
            "The owner said she hoped to reopen before the summer.",
        ],
        "Coast Gazette",
        "2024-02-03",
        authors=["Harriet Calloway"],
    ),
    Story(
        "Council votes on flood defences",
        [
            "The council voted to spend more on flood defences along the harbour wall.",
            "Residents asked whether the bridge would be protected from the next storm.",
        ],
        "Coast Gazette",
        "2024-03-11",
        quotes=[Quote("We cannot wait for another winter like this one", OKAFOR)],
    ),
    Story(
        "Tram line extension approved",
        [
            "The tram line will be extended to the harbour by the end of next year.",
            "Cable cars were considered and rejected as too costly.",
        ],
        "City Herald",
        "2023-11-02",
        authors=["Mira Patel"],
    ),
    Story(
        "Archives reveal the first bridge plans",
        [
            "Plans for the first harbour crossing, archived for a century, were put on show.",
            "The archivist said the drawings were found in a box of council papers.",
        ],
        "City Herald",
        "2023-06-30",
        "Century-old drawings go on display at the town library.",
        ["Mira Patel", "Tom Reyes"],
    ),
    Story(
        "Fishing fleet stays in port",
        [
            "The fishing fleet stayed in port for a third day as the storm moved north.",
            "Skippers said the harbour was too rough to leave.",
        ],
        "Harbour Times",
        "2024-01-12",
        quotes=[Quote("Nobody goes out in seas like these", "Sam Okafor")],
    ),
    Story(
        "Cable car plan returns",
        [
            "A cable car between the cliffs and the harbour is back on the council agenda.",
        ],
        "Coast Gazette",
        None,
    ),
    Story(
        "School reopening delayed",
        ["The primary school will reopen a week late after roof repairs ran over."],
        "City Herald",
        "2024-09-02",
        authors=["Tom Reyes"],
    ),
    Story(
        "Ferry crew praised for rescue",
        [
            "The crew of the evening ferry pulled two kayakers from the water.",
            "The ferry company gave the crew an award.",
        ],
        "Harbour Times",
        "2024-04-18",
        quotes=[Quote("They did exactly what they were trained to do", LEE)],
    ),
    Story(
        "Zürich delegation visits the port",
        ["A delegation from Zürich toured the harbour and the new ferry terminal."],
        "City Herald",
        "2024-05-07",
    ),
    Story(
        "Bridge tolls to rise",
        ["Drivers will pay more to cross the bridge from April, the council said."],
        "Coast Gazette",
        "2024-02-28",
        quotes=[Quote("The repairs have to be paid for somehow", OKAFOR)],
    ),
    Story(
        "Storm warning for the weekend",
        ["Forecasters issued a storm warning for the coast on Saturday and Sunday."],
        "Weather Desk",
        "2024-10-25",
    ),
    Story(
        "Harbour festival cancelled",
        [
            "The harbour festival was cancelled because of the storm forecast.",
            "Organisers said tickets would be refunded.",
        ],
        "Coast Gazette",
        "2024-10-26",
        quotes=[Quote("Safety has to come first", "Lena Fischer")],
    ),
    Story(
        "New lighthouse keeper appointed",
        ["The lighthouse has a keeper again for the first time in thirty years."],
        "City Herald",
        "2022-08-15",
    ),
    Story(
        "Die Brücke am Hafen ist wieder offen",
        ["Nach dem Sturm ist die Brücke am Hafen wieder für den Verkehr geöffnet."],
        "Hafen Zeitung",
        "2024-01-17",
        language="de",
    ),
    Story(
        "Le café du port rouvre",
        ["Le café du port a rouvert après la tempête, avec une nouvelle terrasse."],
        "Journal du Port",
        "2024-02-10",
        language="fr",
    ),
    Story(
        "Ferry fares frozen for a year",
        ["Fares on the harbour ferry will not rise this year, the ferry company said."],
        "Harbour Times",
        "2024-06-01",
        "Good news for commuters who cross every day.",
    ),
    Story(
        "Bridge inspection finds no cracks",
        [
            "Inspectors found no cracks in the piers of the harbour bridge.",
            "The next inspection is due in the autumn.",
        ],
        "Coast Gazette",
        "2024-07-09",
        quotes=[Quote("The bridge is in better shape than we feared", OKAFOR)],
    ),
    Story(
        "Winter storms cost the town dearly",
        ["The storms of the winter cost the town more than any year on record."],
        "City Herald",
        "2024-12-30",
        authors=["Harriet Calloway"],
    ),
    Story(
        "Kayak club opens boathouse",
        ["The kayak club opened its new boathouse beside the harbour steps."],
        "Harbour Times",
        "2023-05-20",
    ),
    Story(
        "Reader letters: the bridge debate",
        [
            "Readers wrote in about the bridge tolls, the ferry fares and the tram.",
            "Most said the harbour should come first.",
        ],
        "Coast Gazette",
        "2024-03-02",
        "Your views on how we cross the water.",
    ),
]

# Queries each engine must answer alike: words (stemmed: "reopening" finds "reopened"; accents
# folded), phrases, prefixes, OR, NOT, field filters, sites, dates, quotes and speakers.
SAME_RESULTS = [
    "bridge",
    "ferry",
    "storm",
    "harbour",
    "reopening",
    "archive",
    "cafe",
    "café",
    "zurich",
    "ZÜRICH",
    '"harbour bridge"',
    '"ferry company"',
    '"the bridge"',
    '"cable car"',
    "ferr*",
    "reop*",
    '"harbour br"*',
    "ferry OR tram",
    "tram OR cable harbour",
    "bridge -ferry",
    "bridge NOT storm",
    'ferry -"ferry company"',
    "headline:bridge",
    "headline:storm harbour",
    "-headline:storm storm",
    "author:calloway",
    "author:reyes harbour",
    "standfirst:commuters",
    "site:harbour",
    "storm site:gazette",
    "storm -site:gazette",
    "ferry site:harbourtimes",
    "storm after:2024-03",
    "harbour before:2024",
    "bridge after:2023-06 before:2024-02",
    "after:2024-10",
    "lang:de",
    "lang:fr",
    "quote:bridge",
    'quote:"safe and open"',
    "speaker:okafor",
    'speaker:"grace okafor"',
    "speaker:lee ferry",
    "-speaker:okafor bridge",
    "harbour -storm -ferry",
    "brücke",
    "hafen",
    "the",
]


def _page(number: int, story: Story) -> tuple[FetchResult, Article]:
    host = story.site.lower().replace(" ", "")
    url = f"https://www.{host}.example/{number}"
    page = FetchResult(url=url, final_url=url, text="", raw=url.encode())
    article = Article(
        headline=story.headline,
        standfirst=story.standfirst,
        authors=story.authors,
        published=story.published,
        site=story.site,
        language=story.language,
        text="\n".join(story.body),
        quotes=story.quotes,
    )
    return page, article


def fill(archive: Archive) -> None:
    archive.save_many([_page(number, story) for number, story in enumerate(STORIES)])


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, Archive]]:
    """The corpus in a SQLite archive and in a PostgreSQL one (a database of its own)."""
    path: Path = tmp_path_factory.mktemp("contract") / "archive.db"
    with fresh_database() as url, Archive(path) as sqlite, Archive(url) as postgres:
        fill(sqlite)
        fill(postgres)
        yield sqlite, postgres


def found(archive: Archive, query: str) -> set[int]:
    return {hit.id for hit in search(archive, query, limit=100, all_copies=True)}


@pytest.mark.parametrize("query", SAME_RESULTS)
def test_same_articles_on_both_engines(both: tuple[Archive, Archive], query: str) -> None:
    sqlite, postgres = both
    assert found(postgres, query) == found(sqlite, query)


@pytest.mark.parametrize("sort", ["rank", "published"])
def test_walking_and_gathering_the_window_find_the_same(
    both: tuple[Archive, Archive], monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    """The first matches in the window's order are the same however they are found (the
    choice follows the planner's estimates, which a small archive cannot steer)."""
    import newsarchive.pgsearch

    _, postgres = both
    monkeypatch.setattr(newsarchive.pgsearch, "RANK_WINDOW", 2)
    monkeypatch.setattr(newsarchive.pgsearch, "PHRASE_CANDIDATES", 2)
    results = {}
    for cost in (WALKED, GATHERED):
        monkeypatch.setattr(newsarchive.pgsearch, "VECTOR_READ_COST", cost)
        results[cost] = [
            [hit.id for hit in search(postgres, query, sort=sort)] for query in SAME_RESULTS
        ]
    assert results[WALKED] == results[GATHERED]
    assert sum(map(len, results[GATHERED])) > len(SAME_RESULTS)  # more than one hit a query


def test_the_contract_queries_find_something(both: tuple[Archive, Archive]) -> None:
    """A contract that held because both engines found nothing would prove little."""
    _, postgres = both
    assert [query for query in SAME_RESULTS if not found(postgres, query)] == []


def test_an_article_is_stemmed_in_its_language(both: tuple[Archive, Archive]) -> None:
    """PostgreSQL stems the German article as German: "Brücken" finds its "Brücke", which
    SQLite's index, stemming every article as English, does not."""
    sqlite, postgres = both
    german = 1 + next(n for n, story in enumerate(STORIES) if story.language == "de")
    assert found(postgres, "brücken") == {german}
    assert found(sqlite, "brücken") == set()


def test_a_headline_match_ranks_above_a_body_match(both: tuple[Archive, Archive]) -> None:
    _, postgres = both
    ranked = search(postgres, "storm", limit=100)
    headlines = [hit.headline for hit in ranked]
    in_headline = [index for index, text in enumerate(headlines) if "storm" in text.lower()]
    assert max(in_headline) < min(set(range(len(headlines))) - set(in_headline))
    assert [hit.score for hit in ranked] == sorted((hit.score for hit in ranked), reverse=True)


def test_snippets_mark_the_words_as_on_sqlite(both: tuple[Archive, Archive]) -> None:
    sqlite, postgres = both
    for query in ["ferry company", "reopening", "cafe", '"harbour bridge"']:
        on_sqlite = search(sqlite, query, limit=100, all_copies=True)
        on_postgres = {hit.id: hit for hit in search(postgres, query, limit=100, all_copies=True)}
        for hit in on_sqlite:
            other = on_postgres[hit.id]
            assert other.snippet == hit.snippet, query
            assert marked_words(other) == marked_words(hit), query


def marked_words(hit: SearchHit) -> list[str]:
    """The words marked, in order (FTS5 marks a phrase as one span, PostgreSQL each word)."""
    return " ".join(hit.snippet[start:end].lower() for start, end in hit.highlights).split()


def test_hits_carry_the_same_fields(both: tuple[Archive, Archive]) -> None:
    sqlite, postgres = both
    [expected] = search(sqlite, "lighthouse")
    [hit] = search(postgres, "lighthouse")
    assert (hit.id, hit.url, hit.headline, hit.site, hit.published, hit.authors) == (
        expected.id,
        expected.url,
        expected.headline,
        expected.site,
        expected.published,
        expected.authors,
    )
    assert HIGHLIGHT_START not in hit.snippet and HIGHLIGHT_END not in hit.snippet


@pytest.mark.parametrize(
    ("query", "sort"),
    [("harbour", "published"), ("site:gazette", "published"), ("site:gazette", "saved")],
)
def test_sorted_orders_match(both: tuple[Archive, Archive], query: str, sort: str) -> None:
    """Orders that do not depend on the scores (every article was saved at once, so "saved"
    orders a search's words by score alone)."""
    sqlite, postgres = both
    expected = [hit.id for hit in search(sqlite, query, limit=100, sort=sort)]
    assert [hit.id for hit in search(postgres, query, limit=100, sort=sort)] == expected


def test_limit_and_collapsed_copies(both: tuple[Archive, Archive]) -> None:
    _, postgres = both
    assert len(search(postgres, "harbour", limit=3)) == 3


@pytest.mark.parametrize(
    "query",
    ["", "-storm", "after:2024-13", "speaker:--", "   ", "x" * 10_001, 'headline:"--"'],
)
def test_malformed_queries_fail_as_on_sqlite(both: tuple[Archive, Archive], query: str) -> None:
    sqlite, postgres = both
    with pytest.raises(QueryError) as on_sqlite:
        search(sqlite, query)
    with pytest.raises(QueryError) as on_postgres:
        search(postgres, query)
    assert str(on_postgres.value) == str(on_sqlite.value)


def test_raw_fts5_syntax_is_refused_in_one_line(both: tuple[Archive, Archive]) -> None:
    _, postgres = both
    with pytest.raises(QueryError, match="--raw"):
        search(postgres, "bridge", raw=True)


def test_all_versions_as_on_sqlite(pg_url: str, archive_path: Path) -> None:
    """Words only an earlier version held find it, shown as that version, after the
    articles that match as they are now."""
    first, second = _page(0, STORIES[0]), _page(1, STORIES[1])
    edited = Story("Harbour crossing open again", ["Traffic is moving."], "Harbour Times", None)
    found_on: dict[str, list] = {}
    for name, location in [("sqlite", archive_path), ("postgresql", pg_url)]:
        with Archive(location) as archive:
            archive.save_many([first, second])
            again = replace(first[0], raw=b"edited")  # the same URL, another capture
            archive.save(again, _page(0, edited)[1])
            found_on[name] = [
                [(hit.id, hit.version, hit.headline) for hit in search(archive, query, **options)]
                for query, options in [
                    ("storm repairs", {}),
                    ("storm repairs", {"all_versions": True}),
                    ("harbour", {"all_versions": True}),
                    ("timetable OR repairs", {"all_versions": True, "limit": 1}),
                ]
            ]
    assert found_on["postgresql"] == found_on["sqlite"]
    assert found_on["sqlite"][1] == [(1, 1, STORIES[0].headline)]


@pytest.mark.parametrize(
    ("query", "speaker"),
    [("bridge", None), ("ferries", None), (None, "okafor"), ("bridge", "okafor"), (None, None)],
)
def test_quotes_as_on_sqlite(both: tuple[Archive, Archive], query, speaker) -> None:
    sqlite, postgres = both
    expected = search_quotes(sqlite, query, speaker=speaker)
    hits = search_quotes(postgres, query, speaker=speaker)
    assert sorted(hits, key=repr) == sorted(expected, key=repr)
    if query is None:
        assert hits == expected  # newest article first, in the order of its quotes


def test_speakers_as_on_sqlite(both: tuple[Archive, Archive]) -> None:
    sqlite, postgres = both
    assert list_speakers(postgres) == list_speakers(sqlite)
    assert list_speakers(postgres, "okafor") == list_speakers(sqlite, "okafor")
    assert list_speakers(postgres, limit=None) == list_speakers(sqlite, limit=None)


def test_the_command_line_searches_postgresql(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_DB", pg_url)
    with Archive(pg_url) as archive:
        fill(archive)
    assert run_cli("tag", "2", "+Timetables").exit_code == 0
    assert run_cli("note", "2", "Check the winter timetable").exit_code == 0
    hits = cli_json("search", '"ferry company" site:harbour', "--json")
    assert [hit["headline"] for hit in hits][:1] == ["Ferry company restores timetable"]
    assert [hit["id"] for hit in cli_json("search", "tag:timetables", "--json")] == [2]
    assert [hit["id"] for hit in cli_json("search", "note:winter ferry", "--json")] == [2]
    quotes = cli_json("quotes", "ferries", "--speaker", "lee", "--json")
    assert [quote["text"] for quote in quotes] == ["No ferries will be cancelled this month"]
    speakers = cli_json("speakers", "--json")
    assert speakers[0]["name"] == OKAFOR
    refused = run_cli("search", "bridge", "--raw")
    assert refused.exit_code == 2
    assert refused.stderr.strip().count("\n") == 0 and "--raw" in refused.stderr


def test_a_text_too_long_for_one_vector_is_saved(pg_url: str) -> None:
    """A page of more distinct words than a 1 MB tsvector holds is saved on PostgreSQL as on
    SQLite; its first words are found by search."""
    words = [f"w{number:06d}x" for number in range(130_000)]  # 1.3 MB, every word distinct
    fetched, article = _page(0, STORIES[0])
    with Archive(pg_url) as archive:
        saved = archive.save(fetched, replace(article, text=" ".join(["lighthouse", *words])))
        assert archive.get(saved.id).article.text.endswith(words[-1])
        assert [hit.id for hit in search(archive, "lighthouse")] == [saved.id]


def test_an_article_s_vector_is_kept_in_its_row(pg_url: str) -> None:
    """A search reads the vector of each match it ranks: the vector of an article of a few
    thousand characters stays in the row, where its body is moved out of line."""
    words = " ".join(f"harbour{number}" for number in range(400))  # a 5 KB vector
    fetched, article = _page(0, STORIES[0])
    with Archive(pg_url) as archive:
        archive.save(fetched, replace(article, text=words))
        (toast,) = archive.conn.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'articles'"
        ).fetchone()
        (vector_size,) = archive.conn.execute(
            "SELECT pg_column_size(search) FROM articles"
        ).fetchone()
        (values_out_of_line,) = archive.conn.execute(
            f"SELECT count(DISTINCT chunk_id) FROM {toast}"
        ).fetchone()
    assert vector_size > 4000 and values_out_of_line == 1  # the body only


def test_an_archive_made_before_the_vector_steps_is_migrated_and_still_searched(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive at p003 gets its vectors kept in the row and its ASCII words past unaccent
    when opened; what it held is found as before, accents folded."""
    import newsarchive.engines.postgres
    from newsarchive.engines.pgschema import STEPS

    monkeypatch.setattr(newsarchive.engines.postgres, "STEPS", STEPS[:3])
    with Archive(pg_url) as archive:
        saved = archive.save(*_page(0, STORIES[0])).id
        archive.save(*_page(1, replace(STORIES[0], body=["A café by the harbour bridge."])))
    monkeypatch.undo()
    with Archive(pg_url) as archive:
        assert archive.schema_version == STEPS[-1][0]
        (storage, options) = archive.conn.execute(
            "SELECT attstorage, reloptions::text FROM pg_attribute JOIN pg_class c"
            " ON c.oid = attrelid WHERE relname = 'articles' AND attname = 'search'"
        ).fetchone()
        (dictionaries,) = archive.conn.execute(
            "SELECT dictionaries::text FROM ts_debug('newsarchive_english', 'harbour')"
        ).fetchone()
        assert storage == "m" and "toast_tuple_target=8160" in options
        assert "unaccent" not in dictionaries
        assert saved in {hit.id for hit in search(archive, "reopened")}
        assert len(search(archive, "cafe harbour")) == 1


def _harbour_log(number: int, text: str) -> tuple[FetchResult, Article]:
    url = f"https://log.example/{number}"
    page = FetchResult(url=url, final_url=url, text="", raw=url.encode())
    return page, Article(headline=f"Harbour log {number}", text=text, language="en", site="Log")


# How much reading a vector is taken to cost: never worth gathering, always worth it.
WALKED, GATHERED = 0, 10**12


@pytest.mark.parametrize("vector_read_cost", [WALKED, GATHERED])
def test_a_window_smaller_than_the_matches_misses_the_oldest_best_and_exact_finds_it(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, vector_read_cost: int
) -> None:
    """Past RANK_WINDOW matches, only the newest are ranked, for words and phrases alike, as
    the README says, whether the window is found walking the articles newest first or
    gathering every match; --exact ranks every match."""
    import newsarchive.pgsearch

    monkeypatch.setattr(newsarchive.pgsearch, "RANK_WINDOW", 3)
    monkeypatch.setattr(newsarchive.pgsearch, "VECTOR_READ_COST", vector_read_cost)
    oldest = _harbour_log(0, "Ferry queue. The ferry queue. A ferry queue again, ferry queue.")
    newer = [_harbour_log(n, f"Item {n}: the ferry queue grew at the quay.") for n in range(1, 41)]
    with Archive(pg_url) as archive:
        first = archive.save(*oldest).id
        archive.save_many(newer)
        for query in ("ferry", '"ferry queue"'):
            assert first not in [hit.id for hit in search(archive, query, limit=2)], query
            assert search(archive, query, limit=2, exact=True)[0].id == first, query


def test_an_empty_archive_finds_nothing(pg_url: str) -> None:
    with Archive(pg_url) as archive:
        assert search(archive, "harbour") == []
        assert search(archive, '"harbour wall"') == []


@pytest.mark.parametrize("query", ["harbour lang:x\x00y", '"harbour wall" x\ud800'])
def test_text_postgresql_cannot_take_is_an_error_naming_the_query(pg_url: str, query: str) -> None:
    """A NUL (which PostgreSQL's text cannot hold) or a lone surrogate (which no encoding
    can write) in the query is a QueryError naming it, from any of the statements sent."""
    with Archive(pg_url) as archive:
        fill(archive)
        with pytest.raises(QueryError) as raised:
            search(archive, query)
    assert repr(query) in str(raised.value)
