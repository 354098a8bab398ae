"""Citations: CSL-JSON, BibTeX and RIS of archived articles, parsed back, safe for any headline;
and the capture facts ``show --format json`` carries."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

import bibtexparser
import pytest
from conftest import BRIDGE_STORY, LocalServer, article_page, cli_json, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.citations import bibtex_text, split_name
from newsarchive.models import Article, FetchResult
from newsarchive.pipeline import add
from newsarchive.store import Archive

HOSTILE = 'Budget {cut} 50% of $ & #1 ~ ^_^ \\end{document}\n@misc{x, title={pwned}}\r\n"q"'
RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - .*$")


def save(archive_path: Path, headline: str, authors: list[str], url: str) -> int:
    page = FetchResult(
        url=url,
        final_url=url,
        text="",
        raw=headline.encode(),
        status=200,
        fetched_at="2025-01-02T03:04:05+00:00",
    )
    article = Article(
        headline=headline,
        authors=authors,
        site="Harbour Times",
        published="2024-03-05T09:00:00+00:00",
        text="Story.",
        language="en",
    )
    with Archive(archive_path) as archive:
        return archive.save(page, article).id


@pytest.fixture
def hostile(archive_path: Path) -> int:
    authors = ["Jane van der Berg", "Harbour Times Staff", "Doe, John", "Martin Luther King Jr."]
    return save(archive_path, HOSTILE, authors, "https://harbour.example/a?b=1&c=%20{x}")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jane Doe", {"family": "Doe", "given": "Jane"}),
        ("Jane Q. Doe", {"family": "Doe", "given": "Jane Q."}),
        ("Jane van der Berg", {"family": "van der Berg", "given": "Jane"}),
        ("Doe, Jane", {"family": "Doe", "given": "Jane"}),
        ("Martin Luther King Jr.", {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
        ("Reuters", {"literal": "Reuters"}),
        ("the editorial board", {"literal": "the editorial board"}),
        ("Associated Press staff in London", {"literal": "Associated Press staff in London"}),
    ],
)
def test_names_split_into_family_and_given_where_they_can(name: str, expected: dict) -> None:
    assert split_name(name) == expected


def test_csl_json_parses_and_names_the_capture(hostile: int) -> None:
    [item] = cli_json("cite", str(hostile))
    assert item["type"] == "article-newspaper"
    assert item["title"] == " ".join(HOSTILE.split())  # one line, every character kept
    assert item["author"][0] == {"family": "van der Berg", "given": "Jane"}
    assert item["author"][2] == {"family": "Doe", "given": "John"}
    assert item["container-title"] == "Harbour Times"
    assert item["issued"] == {"date-parts": [[2024, 3, 5]]}
    assert item["accessed"] == {"date-parts": [[2025, 1, 2]]}
    assert item["URL"] == "https://harbour.example/a?b=1&c=%20{x}"


def test_bibtex_survives_a_hostile_headline(hostile: int) -> None:
    result = run_cli("cite", str(hostile), "--format", "bibtex")
    assert result.exit_code == 0, result.output
    library = bibtexparser.parse_string(result.stdout)
    assert library.failed_blocks == []
    [entry] = library.entries
    assert entry.entry_type == "article"
    assert set(entry.fields_dict) >= {"title", "author", "journal", "year", "url", "urldate"}
    title = entry["title"]
    assert "\n" not in title and title.count("{") == title.count("}")
    assert "pwned" in title and r"\%" in title and r"\textbraceleft{}cut" in title
    assert entry["urldate"] == "2025-01-02" and entry["year"] == "2024"
    assert entry["author"].split(" and ")[:2] == ["van der Berg, Jane", "{Harbour Times Staff}"]
    assert "{" not in entry["url"].replace("%7B", "")


def test_every_bibtex_special_is_a_command_with_balanced_braces() -> None:
    escaped = bibtex_text("}{\\%&#$_^~")
    assert escaped.count("{") == escaped.count("}")
    assert not re.search(r"(?<!\\)[%&#$_]", escaped.replace("{}", ""))


@settings(max_examples=200)
@given(st.text())
def test_any_headline_parses_back_as_one_bibtex_field(headline: str) -> None:
    escaped = bibtex_text(headline)
    assert "\n" not in escaped and "\r" not in escaped
    assert escaped.count("{") == escaped.count("}")
    entry = f"@article{{key,\n  title = {{{escaped}}},\n  year = {{2024}},\n}}\n"
    library = bibtexparser.parse_string(entry)
    assert library.failed_blocks == [] and library.entries[0]["title"] == escaped


def test_ris_is_one_field_a_line(hostile: int) -> None:
    result = run_cli("cite", str(hostile), "--format", "ris")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "TY  - NEWS" and lines[-1].rstrip() == "ER  -"
    assert all(RIS_LINE.match(line) for line in lines)
    fields = [tuple(line.split("  - ", 1)) for line in lines[:-1]]
    assert ("TI", " ".join(HOSTILE.split())) in fields
    assert ("AU", "van der Berg, Jane") in fields and ("AU", "King, Martin Luther, Jr.") in fields
    assert ("T2", "Harbour Times") in fields and ("DA", "2024/03/05/") in fields
    assert ("Y2", "2025/01/02/") in fields


def test_cite_many_and_export_csl_json(archive_path: Path, tmp_path: Path) -> None:
    first = save(archive_path, "Bridge reopens", ["Mina Okafor"], "https://harbour.example/1")
    second = save(archive_path, "Ferry returns", [], "https://harbour.example/2")
    cited = cli_json("cite", str(first), "https://harbour.example/2")
    assert [item["id"] for item in cited] == [f"newsarchive-{first}", f"newsarchive-{second}"]
    assert "author" not in cited[1]
    exported = run_cli("export", "--format", "csl-json")
    assert [item["title"] for item in json.loads(exported.stdout)] == [
        "Bridge reopens",
        "Ferry returns",
    ]
    target = tmp_path / "refs.json"
    assert run_cli("export", str(target), "--format", "csl-json", "ferry").exit_code == 0
    assert [item["title"] for item in json.loads(target.read_text())] == ["Ferry returns"]


def test_cite_an_unknown_article(archive_path: Path) -> None:
    Archive(archive_path).close()  # an archive, without that article
    result = run_cli("cite", "99")
    assert result.exit_code != 0 and "no such article" in result.stderr


def test_show_json_carries_the_capture_facts(server: LocalServer, archive_path: Path) -> None:
    body = article_page("Bridge reopens", BRIDGE_STORY).encode()
    server.route("/moved", b"", status=302, headers={"Location": server.url("/story")})
    server.route("/story", body)
    with Archive(archive_path) as archive:
        article_id = add(server.url("/moved"), archive).id
    capture = cli_json("show", str(article_id), "--format", "json")["capture"]
    assert capture["final_url"] == server.url("/story")
    assert capture["sha256"] == hashlib.sha256(body).hexdigest()
    assert capture["http_status"] == 200 and capture["source"] == "http"
    assert datetime.fromisoformat(capture["captured_at"]).utcoffset().total_seconds() == 0
    from newsarchive import __version__

    assert capture["extractor_version"] == __version__
