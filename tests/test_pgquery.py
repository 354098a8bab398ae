"""The query language compiled to tsquery (pgquery.py), read by a real PostgreSQL with the
archive's text search configurations (pgtextsearch.py)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pg import fresh_database

from newsarchive.errors import QueryError
from newsarchive.pgquery import loose_tsquery_text, tsquery_text
from newsarchive.pgtextsearch import (
    ASCII_WORDS_UNFOLDED_STEP,
    CONFIGURATIONS_SQL,
    UNSTEMMED_CONFIG,
    config_name,
)
from newsarchive.query import parse_query
from newsarchive.speakers import speaker_tsquery

ENGLISH = config_name("english")


@pytest.fixture(scope="module")
def pg() -> Iterator[psycopg.Connection]:
    """A connection to a fresh database holding the archive's configurations."""
    with fresh_database() as url, psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        conn.execute(CONFIGURATIONS_SQL)
        conn.execute(ASCII_WORDS_UNFOLDED_STEP[1])
        yield conn


def matches(pg: psycopg.Connection, query: str, document: str, config: str = ENGLISH) -> bool:
    sql = "SELECT to_tsvector(%s::regconfig, %s) @@ to_tsquery(%s::regconfig, %s)"
    return pg.execute(sql, [config, document, config, tsquery_text(parse_query(query))]).fetchone()[
        0
    ]


def weighted(pg: psycopg.Connection, query: str, headline: str, body: str) -> bool:
    """Whether ``query`` matches an article of this headline (weight A) and body (D)."""
    sql = (
        "SELECT setweight(to_tsvector(%s::regconfig, %s), 'A')"
        " || setweight(to_tsvector(%s::regconfig, %s), 'D') @@ to_tsquery(%s::regconfig, %s)"
    )
    text = tsquery_text(parse_query(query))
    return pg.execute(sql, [ENGLISH, headline, ENGLISH, body, ENGLISH, text]).fetchone()[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bridge", "'bridge'"),
        ('"harbour bridge"', "'harbour bridge'"),
        ("bridg*", "'bridg':*"),
        ('"harbour brid"*', "('harbour' <-> 'brid':*)"),
        ("ferry OR bridge storm", "('ferry' | 'bridge') & 'storm'"),
        ("storm -ferry", "'storm' & !('ferry')"),
        ("storm NOT ferry", "'storm' & !('ferry')"),
        ("headline:bridge", "'bridge':A"),
        ("author:calloway", "'calloway':C"),
        ("headline:brid*", "'brid':*A"),
        ("it's", "'it''s'"),
        ("a\\b", "'a\\\\b'"),
        ("storm storm", "'storm'"),
    ],
)
def test_tsquery_text(query: str, expected: str) -> None:
    assert tsquery_text(parse_query(query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bridge storm", None),  # the index answers it as it is
        ('"harbour bridge" storm', "('harbour' & 'bridge') & 'storm'"),
        ('"harbour brid"* -ferry', "('harbour' & 'brid':*)"),
        ("headline:bridge OR ferry", "('bridge' | 'ferry')"),
    ],
)
def test_loose_tsquery_needs_no_positions_or_weights(query: str, expected: str | None) -> None:
    assert loose_tsquery_text(parse_query(query)) == expected


def test_filters_only_have_no_tsquery() -> None:
    assert tsquery_text(parse_query("site:bbc after:2024")) is None


@pytest.mark.parametrize(
    ("query", "document", "expected"),
    [
        ("bridges", "The bridge reopened", True),  # stemmed as English
        ("archive", "papers were archived", True),
        ("cafe", "a café by the harbour", True),  # accents folded
        ("café", "a cafe by the harbour", True),
        ('"harbour bridge"', "the harbour bridge reopened", True),
        ('"harbour bridge"', "the bridge by the harbour", False),  # a phrase is in order
        ('"the bridge"', "the bridge reopened", True),  # no stop words dropped
        ("the", "the bridge", True),
        ("reop*", "the bridge reopened", True),
        ('"bridge reop"*', "the bridge reopened", True),
        ('"bri reopened"*', "the bridge reopened", False),  # only the last word is a prefix
        ("ferry OR bridge", "the bridge", True),
        ("ferry OR bridge storm", "the bridge", False),
        ("bridge -ferry", "the bridge and the ferry", False),
        ("bridge -ferry", "the bridge", True),
        ('bridge -"ferry company"', "the bridge and the ferry", True),
        ("o'brien", "said O'Brien today", True),
        ("e-mail", "send an e-mail", True),
        ("it's", "it is", False),
        ("100%", "rose 100% in a year", True),
        ("bridge&|!():<->", "the bridge", True),  # operators are plain text
        ("b:*&!(ridge)", "the b ridge", True),
    ],
)
def test_compiled_queries_match_as_on_sqlite(pg, query: str, document: str, expected: bool) -> None:
    assert matches(pg, query, document) is expected


@pytest.mark.parametrize("config", [ENGLISH, config_name("german"), UNSTEMMED_CONFIG])
def test_ascii_words_skip_unaccent_and_get_the_vector_it_would_give(pg, config: str) -> None:
    """unaccent leaves a word of ASCII letters as it is: such words go straight to the
    stemmer, and every other word still has its accents folded first."""
    text = "The harbour-side Café reopened; Zoë's sea-view naïve-looking terrace, déjà vu"
    dictionaries = dict(
        pg.execute(
            "SELECT alias, dictionaries::text[] FROM ts_debug(%s::regconfig, %s)", [config, text]
        ).fetchall()
    )
    assert "unaccent" not in dictionaries["asciiword"] + dictionaries["asciihword"]
    assert dictionaries["word"][0] == "unaccent"
    folding_all = f"folding_all_{config}"
    pg.execute(f"CREATE TEXT SEARCH CONFIGURATION {folding_all} (COPY = {config})")
    pg.execute(
        f"ALTER TEXT SEARCH CONFIGURATION {folding_all} ALTER MAPPING FOR asciiword, asciihword,"
        f" hword_asciipart WITH unaccent, {dictionaries['asciiword'][0]}"
    )
    vectors = "SELECT to_tsvector(%s::regconfig, %s) = to_tsvector(%s::regconfig, %s)"
    assert pg.execute(vectors, [config, text, folding_all, text]).fetchone()[0]


def test_a_field_filter_keeps_to_its_column(pg) -> None:
    assert weighted(pg, "headline:bridge", "Bridge reopens", "Ferries stop")
    assert not weighted(pg, "headline:ferry", "Bridge reopens", "Ferries stop")
    assert weighted(pg, "ferry -headline:ferry", "Bridge reopens", "Ferries stop")


def test_unstemmed_configuration_matches_words_as_they_are(pg) -> None:
    simple = config_name("simple")
    assert matches(pg, "bridge", "the bridge", simple)
    assert not matches(pg, "bridges", "the bridge", simple)
    assert matches(pg, "zurich", "Zürich", simple)


def test_speaker_words_are_folded_and_all_needed(pg) -> None:
    simple = config_name("simple")
    sql = "SELECT to_tsvector(%s::regconfig, %s) @@ to_tsquery(%s::regconfig, %s)"
    for name, query, expected in [
        ("Donald J. Trump", "trump", True),
        ("Donald J. Trump", "donald trump", True),
        ("Joanna Ruiz", "ann", False),
        ("Vitali Klitschko", "KLİTSCHKO vitali", True),
        ("Zoë Ångström", "zoe angstrom", True),
    ]:
        found = pg.execute(sql, [simple, name, simple, speaker_tsquery(query)]).fetchone()[0]
        assert found is expected, (name, query)
    with pytest.raises(QueryError, match="give a word of the speaker's name"):
        speaker_tsquery("--")


@settings(max_examples=150)
@given(st.text(max_size=60))
def test_no_query_text_is_a_tsquery_error(pg, text: str) -> None:
    """Whatever the user types, PostgreSQL reads the compiled query (as plain words)."""
    try:
        compiled = tsquery_text(parse_query(text))
    except QueryError:
        return
    if compiled is not None:
        pg.execute("SELECT to_tsquery(%s::regconfig, %s)", [ENGLISH, compiled])
