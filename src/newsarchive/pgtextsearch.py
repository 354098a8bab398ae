"""How a PostgreSQL archive indexes its text for search: a text search configuration per
language, and the weighted vectors the database keeps on articles and quotes.

An article is stemmed as its language is (``language`` "de-AT" is German), when PostgreSQL has
a Snowball stemmer for it (STEMMED_LANGUAGES); any other language, or none, is indexed word for
word (``simple``). Every configuration folds accents first (``cafe`` finds ``café``) when the
``unaccent`` extension is installed, and none drops stop words: FTS5 drops none either, so
"the" and "to be or not to be" find what they find on SQLite.

The article's vector weighs its columns as FTS5's bm25 weights do on SQLite (ranking.py): the
headline A, the standfirst and the quotations B, the authors C, the body D. A field filter
names one weight (COLUMN_WEIGHTS); ``standfirst:`` shares B with the quotations.

Each row stores the configuration it was indexed with (``search_config``): a query is compiled
once per configuration in use (``search_configs``, a small table kept by a trigger) and each row
is matched with its own (pgquery.py).
"""

from __future__ import annotations

# ISO 639-1 code -> PostgreSQL's Snowball language, for those every supported PostgreSQL has.
STEMMED_LANGUAGES = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nb": "norwegian",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}
CONFIG_PREFIX = "newsarchive_"
UNSTEMMED_CONFIG = f"{CONFIG_PREFIX}simple"
# The article's columns in its vector, by weight (ranking weights are in pgsearch.py).
VECTOR_WEIGHTS = {
    "A": ("headline",),
    "B": ("standfirst", "quote_text"),
    "C": ("authors",),
    "D": ("text",),
}
# The characters of each weight's columns the vector reads. PostgreSQL refuses a tsvector over
# 1 MB, which a page of 1.3 MB of distinct words reached: the save failed, and the page with
# it, where SQLite kept both. A quarter of a million characters (about 40,000 words, a long
# book chapter) of each part keeps every vector under the limit; past it, words are in the
# archive but found by search only on SQLite. Word positions stop at 16,383 anyway.
VECTOR_CHARACTERS = 250_000
# The weight a field filter's column is indexed under (query.COLUMN_FIELDS' columns).
COLUMN_WEIGHTS = {
    column: weight for weight, columns in VECTOR_WEIGHTS.items() for column in columns
}
# The parser's token types that are words; numbers, URLs and the rest are kept as they are.
# Words of ASCII letters alone have no accent to fold.
_ASCII_WORD_TOKENS = "asciiword, asciihword, hword_asciipart"
_WORD_TOKENS = f"{_ASCII_WORD_TOKENS}, word, hword, hword_part"


def config_name(language: str) -> str:
    """The configuration of a Snowball language ("english" -> "newsarchive_english")."""
    return f"{CONFIG_PREFIX}{language}"


def _configurations_sql() -> str:
    """A DO block creating the unstemmed configuration and one per stemmed language, each a
    copy of ``simple`` whose words pass through unaccent (when installed), then the stemmer."""
    return f"""
DO $$
DECLARE
    language text;
    folding text := CASE WHEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent')
        THEN 'unaccent, ' ELSE '' END;
BEGIN
    CREATE TEXT SEARCH CONFIGURATION {UNSTEMMED_CONFIG} (COPY = simple);
    EXECUTE format('ALTER TEXT SEARCH CONFIGURATION {UNSTEMMED_CONFIG}'
        ' ALTER MAPPING FOR {_WORD_TOKENS} WITH %s simple', folding);
    FOREACH language IN ARRAY ARRAY[{_stemmed_languages()}] LOOP
        EXECUTE format('CREATE TEXT SEARCH DICTIONARY {CONFIG_PREFIX}%1$s_stem'
            ' (TEMPLATE = snowball, LANGUAGE = %1$s)', language);
        EXECUTE format('CREATE TEXT SEARCH CONFIGURATION {CONFIG_PREFIX}%s (COPY = simple)',
            language);
        EXECUTE format('ALTER TEXT SEARCH CONFIGURATION {CONFIG_PREFIX}%1$s ALTER MAPPING FOR'
            ' {_WORD_TOKENS} WITH %2$s {CONFIG_PREFIX}%1$s_stem', language, folding);
    END LOOP;
END $$;
"""


def _stemmed_languages() -> str:
    """The Snowball languages, as SQL string literals separated by commas."""
    return ", ".join(f"'{name}'" for name in sorted(set(STEMMED_LANGUAGES.values())))


def _ascii_words_unfolded_sql() -> str:
    """A DO block mapping each configuration's ASCII words straight to its stemmer (or to
    ``simple``), past unaccent, which leaves them as they are: the same vectors, made in
    about 8% less time (3,000 bench bodies, twice: 1.13 -> 1.05 and 1.09 -> 0.99 ms each)."""
    return f"""
DO $$
DECLARE
    language text;
BEGIN
    ALTER TEXT SEARCH CONFIGURATION {UNSTEMMED_CONFIG}
        ALTER MAPPING FOR {_ASCII_WORD_TOKENS} WITH simple;
    FOREACH language IN ARRAY ARRAY[{_stemmed_languages()}] LOOP
        EXECUTE format('ALTER TEXT SEARCH CONFIGURATION {CONFIG_PREFIX}%1$s ALTER MAPPING FOR'
            ' {_ASCII_WORD_TOKENS} WITH {CONFIG_PREFIX}%1$s_stem', language);
    END LOOP;
END $$;
"""


def _config_function_sql() -> str:
    """``newsarchive_search_config(language)``: the configuration an article is indexed with.
    Declared immutable (so a generated column may call it) because the mapping is fixed here."""
    cases = "\n".join(
        f"        WHEN '{code}' THEN '{config_name(language)}'::regconfig"
        for code, language in sorted(STEMMED_LANGUAGES.items())
    )
    return f"""
CREATE FUNCTION newsarchive_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(split_part(replace(coalesce(language, ''), '_', '-'), '-', 1))
{cases}
        ELSE '{UNSTEMMED_CONFIG}'::regconfig END
$$;
"""


CONFIGURATIONS_SQL = _configurations_sql() + _config_function_sql()


def weighted_vector(config: str, row: str = "") -> str:
    """SQL for the weighted vector of the article columns of ``row`` (a table alias and a
    dot, or nothing) read with the configuration ``config`` (SQL)."""
    parts = [
        f"setweight(to_tsvector({config}, left("
        + " || ' ' || ".join(f"coalesce({row}{column}, '')" for column in columns)
        + f", {VECTOR_CHARACTERS})), '{weight}')"
        for weight, columns in VECTOR_WEIGHTS.items()
    ]
    return "\n    || ".join(parts)


# The article's vector replaces the unstemmed one of the first PostgreSQL schema.
ARTICLE_VECTOR_SQL = f"""
DROP INDEX IF EXISTS articles_search;
ALTER TABLE articles DROP COLUMN IF EXISTS search;
ALTER TABLE articles
    ADD COLUMN search_config regconfig
        GENERATED ALWAYS AS (newsarchive_search_config(language)) STORED,
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
    {weighted_vector("newsarchive_search_config(language)")}
    ) STORED;
CREATE INDEX articles_search ON articles USING gin (search);

CREATE TABLE search_configs (config regconfig PRIMARY KEY);
INSERT INTO search_configs SELECT DISTINCT search_config FROM articles;
CREATE FUNCTION newsarchive_note_search_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_configs VALUES (NEW.search_config) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER search_configs_ai AFTER INSERT OR UPDATE OF language ON articles
    FOR EACH ROW EXECUTE FUNCTION newsarchive_note_search_config();
"""

# A quotation is indexed with its article's configuration (read when the quote is written:
# a save writes an article's quotes after the article).
QUOTE_VECTOR_SQL = """
ALTER TABLE quotes ADD COLUMN search_config regconfig, ADD COLUMN search tsvector;
CREATE FUNCTION newsarchive_quote_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_config := coalesce(
        (SELECT search_config FROM articles WHERE id = NEW.article_id),
        newsarchive_search_config(NULL));
    NEW.search := to_tsvector(NEW.search_config, coalesce(NEW.text, ''));
    RETURN NEW;
END $$;
CREATE TRIGGER quotes_search BEFORE INSERT OR UPDATE OF text, article_id ON quotes
    FOR EACH ROW EXECUTE FUNCTION newsarchive_quote_vector();
UPDATE quotes SET text = text;
CREATE INDEX quotes_search ON quotes USING gin (search);
"""

# The migration steps, appended to the PostgreSQL schema's steps (engines/pgschema.py).
SEARCH_LANGUAGES_STEP = (
    "p003_search_languages",
    CONFIGURATIONS_SQL + ARTICLE_VECTOR_SQL + QUOTE_VECTOR_SQL,
)
# An article's vector is read for each match a search ranks, up to thousands per search. By
# default PostgreSQL keeps a value over 2 KB out of line when it does not compress, as
# vectors seldom do (an article's is about 6 KB): each read was an index lookup and three
# chunks. Kept in the row, it is one page (20k bench, a common word: 49 -> 31 ms). The row
# is then made to fit its page rather than 2 KB, or every other column past a few bytes
# would be moved out of line to make room. Rows written before this step keep their layout
# until rewritten (VACUUM FULL).
INLINE_VECTORS_STEP = (
    "p004_inline_vectors",
    """
ALTER TABLE articles ALTER COLUMN search SET STORAGE MAIN;
ALTER TABLE articles SET (toast_tuple_target = 8160);
""",
)
ASCII_WORDS_UNFOLDED_STEP = ("p005_ascii_words_unfolded", _ascii_words_unfolded_sql())
