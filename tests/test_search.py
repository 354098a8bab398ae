"""Ranked search and quote search through the library, on a real archive file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database

from newsarchive import filters as filters_module
from newsarchive import ranking
from newsarchive.errors import QueryError
from newsarchive.fingerprint import simhash
from newsarchive.migrations import DATE_TERM_MARK
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.query import Filter, build_match, parse_query
from newsarchive.searching import search, search_quotes
from newsarchive.snippets import split_highlights
from newsarchive.store import Archive
from newsarchive.urls import normalize_url

STORIES = [
    (
        "https://harbour.example/2024/03/02/ferry",
        Article(
            headline="Ferry service resumes across the harbour",
            authors=["Tomas Reyes"],
            site="Harbour Post",
            published="2024-03-02",
            text="Boats archived in winter returned.\nThe café by the pier reopened.",
            quotes=[Quote("We missed the water", "Lena Duarte")],
        ),
    ),
    (
        "https://valley.example/2023/11/20/ferry-fares",
        Article(
            headline="Council debates bus fares",
            authors=["Ada Brennan"],
            site="Valley Times",
            published="2023-11-20",
            text="A ferry was mentioned once in passing.\nFares rise in spring.",
            quotes=[Quote("Fares must stay fair", "Councillor Priya Shah")],
        ),
    ),
    (
        "https://valley.example/2023/10/01/orchard",
        Article(headline="Orchard harvest breaks record", site="Valley Times", text="Apples."),
    ),
    (
        "https://valley.example/2023/10/02/library",
        Article(headline="Library extends hours", site="Valley Times", text="Books."),
    ),
]


@pytest.fixture
def archive(archive_path: Path) -> Archive:
    with Archive(archive_path) as opened:
        for url, story in STORIES:
            page = FetchResult(url=url, final_url=url, text="", raw=url.encode())
            opened.save(page, story)
        yield opened


def test_headline_matches_rank_above_body_matches(archive: Archive) -> None:
    hits = search(archive, "ferry")
    assert [hit.site for hit in hits] == ["Harbour Post", "Valley Times"]
    assert hits[0].score > hits[1].score > 0


def test_snippet_marks_the_matched_words(archive: Archive) -> None:
    [hit] = search(archive, "pier")
    marked = [hit.snippet[start:end] for start, end in hit.highlights]
    assert marked == ["pier"]
    assert "café by the pier reopened" in hit.snippet


def test_stemming_and_diacritic_folding(archive: Archive) -> None:
    assert [hit.site for hit in search(archive, "archive")] == ["Harbour Post"]
    assert [hit.site for hit in search(archive, "cafe")] == ["Harbour Post"]


@pytest.mark.parametrize(
    ("query", "sites"),
    [
        ('"bus fares"', ["Valley Times"]),
        ("ferry -council", ["Harbour Post"]),
        ("ferry NOT council", ["Harbour Post"]),
        ("harb*", ["Harbour Post"]),
        ("pier OR spring", ["Harbour Post", "Valley Times"]),
    ],
)
def test_query_operators(archive: Archive, query: str, sites: list[str]) -> None:
    assert sorted(hit.site for hit in search(archive, query)) == sites


@pytest.mark.parametrize(
    "query",
    ["don't \"panic", "ferry)", "NEAR(", "ferry AND OR", "col:ferry", 'a"b"c', "^ferry"],
)
def test_punctuation_and_unbalanced_quotes_never_crash(archive: Archive, query: str) -> None:
    search(archive, query)


@pytest.mark.parametrize("query", ["", "   ", "!!!", "*", "-ferry", "OR"])
def test_a_query_with_nothing_to_find_is_explained(archive: Archive, query: str) -> None:
    with pytest.raises(QueryError, match="give at least one word"):
        search(archive, query)


def test_raw_mode_passes_fts5_syntax_and_reports_its_errors(archive: Archive) -> None:
    assert [hit.site for hit in search(archive, "headline:ferry", raw=True)] == ["Harbour Post"]
    with pytest.raises(QueryError, match="not a valid search"):
        search(archive, "ferry AND (", raw=True)


def test_filters_by_site_author_and_dates(archive: Archive) -> None:
    assert [h.site for h in search(archive, "ferry", site="valley")] == ["Valley Times"]
    assert [h.site for h in search(archive, "ferry", author="reyes")] == ["Harbour Post"]
    assert [h.site for h in search(archive, "ferry", since="2024")] == ["Harbour Post"]
    assert [h.site for h in search(archive, "ferry", until="2023-12")] == ["Valley Times"]
    assert len(search(archive, "ferry", limit=1)) == 1


def test_invalid_date_filter_is_a_query_error(archive: Archive) -> None:
    with pytest.raises(QueryError, match="--since 'last week'"):
        search(archive, "ferry", since="last week")


def test_quotes_by_text_and_by_partial_speaker_name(archive: Archive) -> None:
    [hit] = search_quotes(archive, "water")
    assert (hit.speaker, hit.headline) == (
        "Lena Duarte",
        "Ferry service resumes across the harbour",
    )
    by_speaker = search_quotes(archive, speaker="SHAH")
    assert [q.text for q in by_speaker] == ["Fares must stay fair"]
    assert search_quotes(archive, "water", speaker="shah") == []
    assert len(search_quotes(archive)) == 2


def test_the_best_quotes_come_first_and_the_limit_holds_with_or_without_a_speaker(
    archive_path: Path,
) -> None:
    quotes = [
        Quote("The tide was late and the boats waited for hours at the pier", "Ana Lopes"),
        Quote("Tide, tide, tide", "Ana Lopes"),
        Quote("A tide table helps", "Ana Lopes"),
    ]
    url = "https://harbour.example/tides"
    with Archive(archive_path) as archive:
        page = FetchResult(url=url, final_url=url, text="", raw=b"tides")
        archive.save(page, Article(headline="Tides", text="Tides.", quotes=quotes))
        best = [hit.text for hit in search_quotes(archive, "tide")]
        by_ana = [hit.text for hit in search_quotes(archive, "tide", speaker="lopes")]
        top = [hit.text for hit in search_quotes(archive, "tide", limit=1)]
    assert best == by_ana == [quotes[1].text, quotes[2].text, quotes[0].text]
    assert top == [quotes[1].text]


def test_build_match_quotes_every_term() -> None:
    assert build_match("ferry fares") == '"ferry" AND "fares"'
    assert build_match("a OR b c -d") == '(("a" OR "b") AND "c") NOT "d"'
    assert build_match('"exact phrase"*') == '"exact phrase"*'


def test_phrases_also_read_loosely_as_their_words() -> None:
    parsed = parse_query('"ferry service" fares -"bus fares" "don\'t — stop"*')
    assert parsed.match == '("ferry service" AND "fares" AND "don\'t — stop"*) NOT "bus fares"'
    assert parsed.loose == (
        '(("ferry" AND "service") AND "fares" AND ("don\'t" AND "stop"*)) NOT "bus fares"'
    )
    assert parsed.terms == ['"ferry service"', '"fares"', '"don\'t — stop"*']
    assert parse_query("ferry fares").loose is None
    assert parse_query('headline:"ferry service"').loose is None


def _add(archive: Archive, url: str, published: str, text: str) -> None:
    page = FetchResult(url=url, final_url=url, text="", raw=url.encode())
    archive.save(page, Article(headline="Notes", site="Notes", published=published, text=text))


@pytest.mark.parametrize("exact_matches", [0, 20_000])
def test_a_phrase_matches_only_where_its_words_are_together(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, exact_matches: int
) -> None:
    monkeypatch.setattr(ranking, "EXACT_MATCHES", exact_matches)  # 0: ranked over windows
    _add(archive, "https://notes.example/1", "2025-01-01", "The service on the ferry was slow.")
    _add(archive, "https://notes.example/2", "2022-01-01", "A ferry service ran in 1990.")
    hits = search(archive, '"ferry service"')
    assert [hit.headline for hit in hits] == ["Ferry service resumes across the harbour", "Notes"]
    assert hits[0].score > hits[1].score > 0
    assert hits[1].url == "https://notes.example/2"
    assert [hit.url for hit in search(archive, '"the ferry" slow')] == ["https://notes.example/1"]
    in_notes = search(archive, '"ferry service" site:notes before:2023')
    assert [hit.url for hit in in_notes] == ["https://notes.example/2"]


def test_split_highlights_returns_plain_text_and_spans() -> None:
    assert split_highlights("a \x02b\x03 c \x02d\x03") == ("a b c d", [(2, 3), (6, 7)])


@pytest.mark.parametrize(
    ("query", "sites"),
    [
        ("headline:ferry", ["Harbour Post"]),
        ("author:brennan", ["Valley Times"]),
        ("ferry site:valley", ["Valley Times"]),
        ("ferry -site:valley", ["Harbour Post"]),
        ("ferry speaker:duarte", ["Harbour Post"]),
        ('ferry quote:"stay fair"', ["Valley Times"]),
        ("ferry after:2024", ["Harbour Post"]),
        ("ferry before:2024-03-02", ["Valley Times"]),
        ("ferry saved-after:2000", ["Harbour Post", "Valley Times"]),
        ('speaker:"Lena Duarte"', ["Harbour Post"]),
        ("lang:en ferry", []),
    ],
)
def test_field_filters_inside_the_query(archive: Archive, query: str, sites: list[str]) -> None:
    assert sorted(hit.site for hit in search(archive, query)) == sites


def test_a_filter_only_query_lists_matching_articles_newest_first(archive: Archive) -> None:
    hits = search(archive, "site:valley")
    assert [hit.headline for hit in hits] == [
        "Council debates bus fares",
        "Library extends hours",
        "Orchard harvest breaks record",
    ]


def test_quotes_rank_with_the_article(archive: Archive) -> None:
    assert [hit.site for hit in search(archive, "water")] == ["Harbour Post"]


def test_sort_by_published_date(archive: Archive) -> None:
    hits = search(archive, "ferry", sort="published")
    assert [hit.published for hit in hits] == ["2024-03-02", "2023-11-20"]


def test_invalid_date_inside_the_query(archive: Archive) -> None:
    with pytest.raises(QueryError, match="before: 'soon'"):
        search(archive, "ferry before:soon")


WIRE_STORY = (
    "The regional rail strike entered its third day on Wednesday as talks between the unions"
    " and the operators stalled again over pay and rest periods. Commuters queued for buses"
    " outside the central station from six in the morning, and several schools told pupils to"
    " stay at home. The transport minister urged both sides to return to the table and said an"
    " independent mediator was ready to help. Union leaders said members had voted by a large"
    " majority to continue the action until a written offer was made. The operators said the"
    " offer already on the table was the most generous in a decade and warned that the dispute"
    " was costing the region millions each day. Freight services were also hit, with"
    " supermarkets reporting gaps on shelves in the north of the region."
)


def test_wire_copies_collapse_into_one_result_that_lists_the_others(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        for number, site in enumerate(["Wire North", "Wire South", "Wire East"]):
            url = f"https://wire{number}.example/rail"
            body = WIRE_STORY + (" Local buses ran extra services." if number else "")
            page = FetchResult(url=url, final_url=url, text="", raw=url.encode())
            archive.save(page, Article(headline="Rail strike talks stall", site=site, text=body))
        [hit] = search(archive, "rail strike")
        every = search(archive, "rail strike", all_copies=True)
    assert len(hit.also_on) == 2
    assert {hit.site, *hit.also_on} == {"Wire North", "Wire South", "Wire East"}
    assert len(every) == 3 and all(copy.also_on == [] for copy in every)


def test_simhash_values_stay_the_same_so_stored_fingerprints_keep_matching() -> None:
    assert simhash(WIRE_STORY) == -877769097952720468
    assert simhash(WIRE_STORY + " Local buses ran extra services.") == -874461766944388178
    assert simhash("too short to fingerprint") is None


# How a filter is read: (SET_IDS_PER_MATCH, MOST_DATE_TERMS)
ROW_BY_ROW, ID_SETS, DATE_TERMS = (0, 0), (1_000_000, 0), (0, 40)


@pytest.mark.parametrize("reading", [ROW_BY_ROW, ID_SETS, DATE_TERMS])
@pytest.mark.parametrize(
    ("query", "sites"),
    [
        ("ferry after:2023-11-20", ["Harbour Post", "Valley Times"]),
        ("ferry after:2023-11-21", ["Harbour Post"]),
        ("ferry -after:2024", ["Valley Times"]),
        ("ferry -before:2024", ["Harbour Post"]),
        ("ferry before:2024-03-02", ["Valley Times"]),
        ("ferry after:2023-11 before:2024-03-03", ["Harbour Post", "Valley Times"]),
        ("ferry site:valley", ["Valley Times"]),
        ("ferry site:harbour.example", ["Harbour Post"]),
        ("ferry -site:valley", ["Harbour Post"]),
        ("ferry site:nowhere", []),
    ],
)
def test_date_and_site_filters_give_the_same_results_however_they_are_read(
    archive: Archive,
    monkeypatch: pytest.MonkeyPatch,
    reading: tuple[int, int],
    query: str,
    sites: list[str],
) -> None:
    monkeypatch.setattr(filters_module, "SET_IDS_PER_MATCH", reading[0])
    monkeypatch.setattr(filters_module, "MOST_DATE_TERMS", reading[1])
    assert sorted(hit.site for hit in search(archive, query)) == sites


DAYS = ["2023-12-31", "2024-01-01", "2024-02-29T23:30:00+01:00", "2024-03-01", "2025-06-15"]


@pytest.fixture
def dated(archive_path: Path) -> Archive:
    """One article about ferries on each of DAYS, and one with no date."""
    with Archive(archive_path) as opened:
        for number, day in enumerate([*DAYS, None]):
            url = f"https://dates.example/{number}"
            page = FetchResult(url=url, final_url=url, text="", raw=url.encode())
            opened.save(page, Article(headline=f"Ferry {number}", published=day, text="Ferry."))
        yield opened


@pytest.mark.parametrize(
    "filters",
    [
        "after:2024",
        "before:2024-03",
        "after:2024-02-29 before:2024-03-02",
        "-after:2024-03",
        "-before:2024-03-01 before:2025",
        "after:2023-12-31 -after:2025",
        "after:2024-03-02 before:2025-06-15",
        "after:2026",
    ],
)
@pytest.mark.parametrize("until", [None, "2024-02", "2024-02-29", "2024"])
def test_date_terms_keep_exactly_the_articles_date_conditions_keep(
    dated: Archive, monkeypatch: pytest.MonkeyPatch, filters: str, until: str | None
) -> None:
    query = f"ferry {filters}"
    parsed = parse_query(query)
    filters_ = [*parsed.filters, *([Filter("until", until)] if until else [])]
    terms = filters_module.conditions(dated, filters_, "articles_fts.rowid", parsed.match).terms
    by_terms = sorted(hit.url for hit in search(dated, query, until=until, all_copies=True))
    monkeypatch.setattr(filters_module, "MOST_DATE_TERMS", 0)
    by_dates = sorted(hit.url for hit in search(dated, query, until=until, all_copies=True))
    assert by_terms == by_dates
    assert terms is not None or by_dates == []  # only an empty range takes no terms


@pytest.mark.parametrize("reading", [ID_SETS, DATE_TERMS])
def test_a_range_ending_in_the_year_9999_is_read_like_any_other(
    dated: Archive, monkeypatch: pytest.MonkeyPatch, reading: tuple[int, int]
) -> None:
    monkeypatch.setattr(filters_module, "SET_IDS_PER_MATCH", reading[0])
    monkeypatch.setattr(filters_module, "MOST_DATE_TERMS", reading[1])
    assert len(search(dated, "ferry", until="9999", all_copies=True)) == len(DAYS)
    assert len(search(dated, "ferry -before:9999-12", all_copies=True)) == 0


def test_a_range_is_matched_as_the_fewest_whole_years_then_months_then_days() -> None:
    terms = filters_module._period_terms(date(2023, 11, 29), date(2025, 3, 2))
    assert terms == [
        "d20231129",
        "d20231130",
        "m202312",
        "y2024",
        "m202501",
        "m202502",
        "d20250301",
    ]


def test_open_ends_stop_at_the_years_of_the_archive_s_first_and_last_dates(dated: Archive) -> None:
    found = filters_module.conditions(dated, [Filter("after", "2024-02")], "rowid", "ferry")
    months = [f"m2024{month:02}" for month in range(2, 13)]
    assert (
        found.terms
        == "(" + " OR ".join(f'"{DATE_TERM_MARK}{term}"' for term in [*months, "y2025"]) + ")"
    )
    found = filters_module.conditions(dated, [Filter("before", "2024")], "rowid", "ferry")
    assert found.terms == f'("{DATE_TERM_MARK}y2023")'


def test_the_index_holds_date_terms_that_no_query_can_match(dated: Archive) -> None:
    sql = "SELECT published_terms FROM articles WHERE published LIKE '2024-02-29%'"
    [(terms,)] = dated.db.execute(sql).fetchall()
    assert terms == f"{DATE_TERM_MARK}y2024 {DATE_TERM_MARK}m202402 {DATE_TERM_MARK}d20240229"
    for query in ["2024", "y2024", "y2024*", "m202402", "d20240229"]:
        assert search(dated, query) == []


def test_a_date_range_changes_which_articles_match_and_not_their_scores(archive: Archive) -> None:
    everything = {hit.id: hit.score for hit in search(archive, "ferry OR fares OR apples")}
    recent = {hit.id: hit.score for hit in search(archive, "ferry OR fares OR apples after:2024")}
    assert len(recent) == 1 and len(everything) == 3
    assert all(everything[article_id] == score for article_id, score in recent.items())


@pytest.mark.parametrize(
    ("until", "sites"),
    [("2023-11", ["Valley Times"]), ("2023-11-19", []), ("2024-03-02", ["Harbour", "Valley"])],
)
def test_until_includes_the_whole_day_or_month_it_names(
    archive: Archive, until: str, sites: list[str]
) -> None:
    found = sorted(hit.site for hit in search(archive, "ferry", until=until))
    assert [site.split()[0] for site in found] == [site.split()[0] for site in sites]


@pytest.mark.parametrize(
    ("ids_per_match", "query", "reads_rows"),
    [
        (1000, "ferry after:2023-11 site:harbour", False),
        (0, "ferry after:2023-11", True),
        (1000, "ferry after:2023-11 author:smith", True),
    ],
)
def test_the_articles_are_joined_only_for_filters_that_read_their_rows(
    archive: Archive,
    monkeypatch: pytest.MonkeyPatch,
    ids_per_match: int,
    query: str,
    reads_rows: bool,
) -> None:
    monkeypatch.setattr(filters_module, "SET_IDS_PER_MATCH", ids_per_match)
    monkeypatch.setattr(filters_module, "MOST_DATE_TERMS", 0)
    parsed = parse_query(query)
    found = filters_module.conditions(archive, parsed.filters, "articles_fts.rowid", parsed.match)
    assert found.reads_rows is reads_rows


def test_undated_articles_never_pass_a_date_filter(archive: Archive) -> None:
    assert [hit.headline for hit in search(archive, "books")] == ["Library extends hours"]
    assert search(archive, "books -after:2024") == []
    assert search(archive, "books before:2030") == []


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows of a few articles, so that a dozen matches are more than any window."""
    monkeypatch.setattr(ranking, "EXACT_MATCHES", 5)
    monkeypatch.setattr(ranking, "RANK_WINDOW", 3)


def _oldest_of_many(archive_path: Path, oldest: Article) -> None:
    """``oldest`` saved first, then 12 newer articles that each mention a ferry once."""
    with Archive(archive_path) as archive:
        url = "https://old.example/1"
        archive.save(FetchResult(url=url, final_url=url, text="", raw=b"old"), oldest)
        for number in range(12):
            text = f"Item {number}. A ferry ran late again today, and the queue at the quay grew."
            _add(archive, f"https://new.example/{number}", "2025-01-01", text)


@pytest.mark.usefixtures("small_windows")
@pytest.mark.parametrize(
    ("oldest", "ranked_by_default"),
    [
        (Article(headline="Ferry ferry ferry", text="Ferry."), True),
        (Article(headline="Harbour log", text="Ferry ferry ferry."), False),
    ],
)
def test_the_oldest_best_match_of_more_matches_than_any_window(
    archive_path: Path, oldest: Article, ranked_by_default: bool
) -> None:
    _oldest_of_many(archive_path, oldest)
    with Archive(archive_path) as archive:
        found = [hit.headline for hit in search(archive, "ferry", limit=3, all_copies=True)]
        exact = search(archive, "ferry", limit=3, all_copies=True, exact=True)
        every = search(archive, "ferry", limit=100, all_copies=True)
    assert exact[0].headline == oldest.headline
    # With the words in its headline it is a candidate however old, and comes first; with them
    # only in its body, past the windows, only --exact ranks it (the stated approximation).
    assert (found[0] == oldest.headline) is ranked_by_default
    assert (oldest.headline in found) is ranked_by_default
    assert len(every) == 13  # a limit above the windows is honoured


@pytest.mark.parametrize("exact_matches", [5, 20])
def test_a_filtered_search_scores_what_an_unfiltered_one_does(
    archive_path: Path, monkeypatch: pytest.MonkeyPatch, exact_matches: int
) -> None:
    """A filter whose first window reaches far back has its matches read on rather than
    counted first (20 here), else counted: either way every match is scored when they are at
    most EXACT_MATCHES, else the windows are, as without a filter."""
    monkeypatch.setattr(ranking, "RANK_WINDOW", 3)
    monkeypatch.setattr(ranking, "EXACT_MATCHES", exact_matches)
    _oldest_of_many(
        archive_path, Article(headline="Harbour log", site="Notes", text="Ferry ferry.")
    )
    with Archive(archive_path) as archive:
        plain = search(archive, "ferry", limit=3, all_copies=True)
        filtered = search(archive, "ferry site:notes", limit=3, all_copies=True)
    assert [hit.id for hit in filtered] == [hit.id for hit in plain]
    assert (filtered[0].headline == "Harbour log") is (exact_matches == 20)


def test_short_prefixes_use_the_prefix_index(archive: Archive) -> None:
    assert sorted(hit.site for hit in search(archive, "fe*")) == ["Harbour Post", "Valley Times"]
    assert [hit.headline for hit in search(archive, "orc*")] == ["Orchard harvest breaks record"]
    [sql] = archive.db.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'")
    assert "prefix='2 3 4'" in sql[0]


def test_sqlite_utils_search_still_works_on_the_rebuilt_index(archive: Archive) -> None:
    table = Database(archive.db.conn)["articles"]
    assert table.detect_fts() == "articles_fts"
    assert [row["headline"] for row in table.search("harvest")] == ["Orchard harvest breaks record"]


def test_edits_reach_the_rebuilt_index_through_the_triggers(archive: Archive) -> None:
    url = STORIES[2][0]
    page = FetchResult(url=url, final_url=url, text="", raw=b"again")
    archive.save(page, Article(headline="Orchard closes for pruning", site="Valley Times"))
    assert search(archive, "harvest") == []
    assert [hit.headline for hit in search(archive, "pruning")] == ["Orchard closes for pruning"]


def test_snippets_and_scores_come_with_every_kept_hit(archive: Archive) -> None:
    hits = search(archive, "ferry OR fares OR apples")
    assert len(hits) == 3
    assert all(hit.snippet and hit.score > 0 for hit in hits)
    marked = {
        hit.headline: [hit.snippet[start:end] for start, end in hit.highlights] for hit in hits
    }
    # Found by its headline alone: the snippet is the body's first paragraph, with nothing marked.
    assert marked["Ferry service resumes across the harbour"] == []
    assert marked["Council debates bus fares"] == ["ferry"]
    assert marked["Orchard harvest breaks record"] == ["Apples"]
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def _save(archive: Archive, url: str, site: str | None, text: str = "Ferry news.") -> None:
    page = FetchResult(url=url, final_url=url, text="", raw=url.encode())
    archive.save(page, Article(headline="Ferry", site=site, text=text))


GUARDIAN, GUARDIAN_NO_SITE = "https://theguardian.example/a", "https://www.THEGUARDIAN.example/c"
WIRE, WIRE_GUARDIAN_PATH = "https://wire.example/b", "https://wire.example/guardian"
NOTES = "https://notes.example/2024/e"


@pytest.mark.parametrize("ids_per_match", [0, 1_000_000])
@pytest.mark.parametrize(
    ("query", "urls"),
    [
        ("ferry site:guardian", [GUARDIAN, GUARDIAN_NO_SITE]),
        ("ferry site:THEGUARDIAN.EXAMPLE", [GUARDIAN, GUARDIAN_NO_SITE]),
        ("ferry site:wire", [WIRE, WIRE_GUARDIAN_PATH]),
        ("ferry site:2024", []),
        ("ferry -site:guardian", [NOTES, WIRE, WIRE_GUARDIAN_PATH]),
        ("ferry -site:wire", [NOTES, GUARDIAN, GUARDIAN_NO_SITE]),
    ],
)
def test_site_filters_match_a_site_name_or_url_host_but_not_a_path(
    archive_path: Path, monkeypatch: pytest.MonkeyPatch, ids_per_match: int, query: str, urls: list
) -> None:
    monkeypatch.setattr(filters_module, "SET_IDS_PER_MATCH", ids_per_match)
    sites = {GUARDIAN: "The Guardian", WIRE: "Wire", WIRE_GUARDIAN_PATH: "Wire", NOTES: "Notes"}
    with Archive(archive_path) as archive:
        for url in [GUARDIAN, WIRE, GUARDIAN_NO_SITE, WIRE_GUARDIAN_PATH, NOTES]:
            _save(archive, url, sites.get(url))
        found = [hit.url for hit in search(archive, query, all_copies=True)]
    assert sorted(found) == sorted(normalize_url(url) for url in urls)  # the host lowercased


def test_a_site_is_resolved_to_names_and_hosts_read_from_the_site_index(archive: Archive) -> None:
    _save(archive, "https://valley.example/3", "Valley Times Weekend")
    condition, params = filters_module._site_condition(archive, "valley")
    assert params == ["Valley Times", "Valley Times Weekend"]
    condition, params = filters_module._site_condition(archive, "harbour.example")
    assert params == ["Harbour Post", "%harbour.example%"]
    plan = archive.db.execute(
        f"EXPLAIN QUERY PLAN SELECT id FROM articles a WHERE {condition}", params
    )
    assert "INDEX idx_articles_site" in " ".join(str(row) for row in plan)


def test_sites_and_hosts_saved_or_changed_later_are_found(archive: Archive) -> None:
    _save(archive, "https://isle.example/1", None)
    assert [hit.url for hit in search(archive, "ferry site:isle")] == ["https://isle.example/1"]
    _save(archive, "https://isle.example/1", "Island Gazette")
    assert [hit.site for hit in search(archive, "ferry site:gazette")] == ["Island Gazette"]


def test_the_full_text_index_merges_segments_less_eagerly(archive: Archive) -> None:
    config = dict(archive.db.execute("SELECT k, v FROM articles_fts_config").fetchall())
    assert config["automerge"] == 16
    assert config["hashsize"] == 16 * 1024 * 1024
