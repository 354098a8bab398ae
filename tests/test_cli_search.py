"""`newsarchive search` end to end: --exact, --limit, what the help says about ranking, snippets."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SHARED

from newsarchive import ranking
from newsarchive.cli import cli
from newsarchive.models import Article, FetchResult
from newsarchive.store import Archive

README = Path(__file__).resolve().parent.parent / "README.md"
SEED = SHARED / "seed" / "000_462e5a56550a0a15.txt"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _fill(path: Path, newer: int) -> None:
    """The best match for "ferry" saved first, then ``newer`` weaker matches."""
    with Archive(path) as archive:
        pages = [("https://old.example/1", Article(headline="Ferry ferry ferry", text="Ferry."))]
        pages += [
            (f"https://new.example/{number}", Article(headline=f"Item {number}", text="A ferry."))
            for number in range(newer)
        ]
        archive.save_many(
            [(FetchResult(url=url, final_url=url, text="", raw=b""), item) for url, item in pages]
        )


def test_exact_through_the_installed_console_script(archive_path: Path) -> None:
    _fill(archive_path, 30)
    script = shutil.which("newsarchive", path=str(Path(sys.executable).parent))
    assert script, "the newsarchive console script is not installed"
    found = subprocess.run(
        [script, "--db", str(archive_path), "search", "ferry", "--exact", "--json", "--all-copies"],
        capture_output=True,
        text=True,
        check=True,
    )
    hits = json.loads(found.stdout)
    assert len(hits) == 20 and hits[0]["headline"] == "Ferry ferry ferry"


def test_a_limit_larger_than_every_window_is_honoured(
    archive_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranking, "EXACT_MATCHES", 5)
    monkeypatch.setattr(ranking, "RANK_WINDOW", 3)
    _fill(archive_path, 30)
    found = run("search", "ferry", "--limit", "100000", "--all-copies", "--json")
    hits = json.loads(found.stdout)
    assert len(hits) == 31 and hits[0]["headline"] == "Ferry ferry ferry"


@pytest.mark.parametrize("where", ["search --help", "README"])
def test_help_and_readme_state_what_stays_approximate_with_the_real_numbers(where: str) -> None:
    said = run("search", "--help").stdout if where == "search --help" else README.read_text()
    text = " ".join(said.split()).lower()
    assert f"more than {ranking.EXACT_MATCHES:,} articles has {ranking.EXACT_MATCHES:,}" in text
    assert f"the {ranking.RANK_WINDOW:,} most recently saved matches" in text
    assert "an older article holding the words only in its body is then left out" in text
    assert "--exact" in text


@pytest.mark.skipif(not SEED.exists(), reason="the seed article in ../shared is absent")
def test_the_seed_snippet_is_one_paragraph_not_quotes_run_together(archive_path: Path) -> None:
    assert run("add", str(SEED)).exit_code == 0
    [hit] = json.loads(run("search", "threatening for Kyiv", "--json").stdout)
    assert (
        hit["snippet"]
        == "“The situation now - without exaggeration - is threatening for Kyiv,” he said."
    )
    marked = [hit["snippet"][start:end] for start, end in hit["highlights"]]
    assert marked == ["threatening", "for", "Kyiv"]
