"""Versions and captures: a changed article gets a new version, the same bytes are kept once,
re-extraction rewrites the latest version, and older archives are carried forward."""

from __future__ import annotations

import zlib
from pathlib import Path

from sqlite_utils import Database, Migrations

from newsarchive.deletion import delete_articles
from newsarchive.history import article_history, version_article
from newsarchive.maintenance import check
from newsarchive.migrations import _STEPS, MIGRATION_SET
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.pipeline import reextract
from newsarchive.records import content_hash
from newsarchive.store import Archive

URL = "https://news.example/2024/05/01/story"


def page(raw: bytes, at: str = "") -> FetchResult:
    return FetchResult(url=URL, final_url=URL, text="", raw=raw, status=200, fetched_at=at)


def story(headline: str = "Bridge reopens", text: str = "One.\nTwo.", **fields) -> Article:
    return Article(headline=headline, text=text, **fields)


def test_a_changed_article_is_a_new_version_and_the_old_one_is_kept(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        archive.save(page(b"v1", "2024-05-01T08:00:00+00:00"), story())
        quoted = story("Bridge reopens at last", quotes=[Quote("We are open", "Mina Okafor")])
        second = archive.save(page(b"v2", "2024-05-02T08:00:00+00:00"), quoted)
        assert (second.version, second.changed) == (2, ["headline", "quotes"])
        assert archive.get(1).article.headline == "Bridge reopens at last"
        first = version_article(archive, 1, 1).article
        assert (first.headline, first.text, first.quotes) == ("Bridge reopens", "One.\nTwo.", [])
        assert version_article(archive, 1, 2).article.quotes == [
            Quote("We are open", "Mina Okafor")
        ]
        history = article_history(archive, 1)
    assert [(v.version, v.capture_id, v.changed) for v in history.versions] == [
        (1, 1, []),
        (2, 2, ["headline", "quotes"]),
    ]


def test_the_same_bytes_again_record_only_the_time(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        archive.save(page(b"same", "2024-05-01T08:00:00+00:00"), story())
        size = archive.conn.execute("SELECT sum(length(raw_zlib)) FROM captures").fetchone()
        again = archive.save(page(b"same", "2024-05-03T08:00:00+00:00"), story())
        assert (again.version, again.changed, again.new_bytes) == (1, [], False)
        assert archive.conn.execute("SELECT sum(length(raw_zlib)) FROM captures").fetchone() == size
        history = article_history(archive, 1)
    assert [capture.seen_again for capture in history.captures] == [["2024-05-03T08:00:00+00:00"]]
    assert [(f.fetched_at[:10], f.new_bytes, f.version) for f in history.fetches] == [
        ("2024-05-01", True, 1),
        ("2024-05-03", False, None),
    ]
    assert history.captures[0].sha256 == content_hash(b"same")


def test_the_latest_bytes_extracted_differently_are_no_new_version(archive_path: Path) -> None:
    """The same page read by another extractor (or with other site boilerplate learned) is
    not a change of the article; the bytes of an earlier version again are one (a reverted
    edit)."""
    with Archive(archive_path) as archive:
        archive.save(page(b"v1"), story())
        again = archive.save(page(b"v1"), story("Bridge reopens, read anew"))
        assert (again.version, again.changed, again.rewritten) == (1, [], True)
        assert archive.get(1).article.headline == "Bridge reopens, read anew"
        archive.save(page(b"v2"), story("Bridge closes"))
        reverted = archive.save(page(b"v1"), story())
        assert (reverted.version, reverted.changed) == (3, ["headline"])
        history = article_history(archive, 1)
    assert [(v.version, v.capture_id) for v in history.versions] == [(1, 1), (2, 2), (3, 1)]


def test_new_bytes_with_the_same_article_are_a_capture_not_a_version(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        archive.save(page(b"<p>One</p><!-- ad 1 -->"), story())
        again = archive.save(page(b"<p>One</p><!-- ad 2 -->"), story())
        assert (again.version, again.changed, again.new_bytes) == (1, [], True)
        assert len(archive.captures(1)) == 2


def test_a_stub_then_the_whole_article_rewrites_the_version(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        archive.save(page(b"stub"), story(text="One.", status="partial"))
        whole = archive.save(page(b"whole"), story(text="One.\nTwo.\nThree."))
        assert (whole.version, whole.rewritten) == (1, True)
        later_stub = archive.save(page(b"stub"), story(text="One.", status="partial"))
        assert later_stub.kept_earlier
        assert [v.capture_id for v in article_history(archive, 1).versions] == [2]


def test_reextract_rewrites_the_latest_version_from_its_capture(archive_path: Path) -> None:
    html = b"<html><head><title>Bridge</title></head><body><article><h1>Bridge reopens</h1>"
    html += b"<p>" + b"The harbour bridge reopened on Tuesday after repairs. " * 8 + b"</p>"
    with Archive(archive_path) as archive:
        archive.save(page(html + b"</article></body></html>"), story(headline="Old extractor"))
        [outcome] = reextract(archive, [1])
        assert "headline" in outcome.changed
        assert [v.version for v in article_history(archive, 1).versions] == [1]
        assert archive.get(1).article.headline == "Bridge reopens"


def test_delete_removes_versions_and_capture_times(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        archive.save(page(b"v1"), story())
        archive.save(page(b"v1"), story())
        archive.save(page(b"v2"), story("Changed", text="Other words"))
        report = delete_articles(archive, ["1"])
        assert report.articles[0].rows["article_versions"] == 2
        assert report.articles[0].rows["capture_times"] == 1
        for table in ("article_versions", "capture_times", "captures", "article_versions_fts"):
            assert archive.conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        assert check(archive).ok


def test_an_archive_at_the_previous_schema_is_carried_forward(archive_path: Path) -> None:
    db = Database(archive_path)
    earlier = Migrations(MIGRATION_SET)
    for step in [step for step in _STEPS if step.__name__ < "m017"]:
        earlier()(step)
    earlier.apply(db)
    for article_id, raws in [(1, [b"a", b"a", b"b"]), (2, [b"c"])]:
        db["articles"].insert(
            {
                "id": article_id,
                "url": f"{URL}/{article_id}",
                "url_key": f"k{article_id}",
                "headline": f"Story {article_id}",
                "text": "Words.",
                "saved_at": "2024-01-01",
            }
        )
        for day, raw in enumerate(raws, start=1):
            db["captures"].insert(
                {
                    "article_id": article_id,
                    "raw_zlib": zlib.compress(raw),
                    "raw_size": len(raw),
                    "fetched_at": f"2024-01-0{day}",
                    "status": "ok",
                    "kind": "html",
                }
            )
    db.close()
    with Archive(archive_path) as archive:
        histories = [article_history(archive, article_id) for article_id in (1, 2)]
        assert check(archive).ok
    assert [[(v.version, v.capture_id) for v in h.versions] for h in histories] == [
        [(1, 3)],
        [(1, 4)],
    ]
    assert [[(c.id, c.seen_again) for c in h.captures] for h in histories] == [
        [(1, ["2024-01-02"]), (3, [])],
        [(4, [])],
    ]


def test_reextract_also_rewrites_earlier_versions_and_what_each_changed(
    archive_path: Path,
) -> None:
    from conftest import BRIDGE_STORY, article_page

    first = article_page("Bridge reopens", BRIDGE_STORY).encode()
    second = article_page("Bridge reopens at last", BRIDGE_STORY).encode()
    with Archive(archive_path) as archive:
        archive.save(page(first), story("Garbled by an old extractor", text="x"))
        archive.save(page(second), story("Also garbled", text="y"))
        list(reextract(archive, [1]))
        versions = [version_article(archive, 1, n).article for n in (1, 2)]
        history = article_history(archive, 1)
    assert [v.headline for v in versions] == ["Bridge reopens", "Bridge reopens at last"]
    assert versions[0].text == versions[1].text
    assert [v.changed for v in history.versions] == [[], ["headline"]]
