"""Import spread over worker processes: the queue in PostgreSQL, real workers (``python -m
newsarchive worker``) and loopback HTTP servers that log when each request starts and ends.

Each server is a host (a loopback address of its own). No test asserts how long anything took:
the waits below only keep a broken run from hanging the suite.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result
from conftest import LOOPBACK_HOSTS, LocalServer
from psycopg_pool import ConnectionPool
from test_importer import story

from newsarchive import store
from newsarchive.cli import cli
from newsarchive.distributed import queue_counts
from newsarchive.distributed.hosts import host_turn
from newsarchive.distributed.schema import ensure_queue_schema, procrastinate_schema_version
from newsarchive.engines.postgres import connection_pool

SRC = Path(__file__).resolve().parent.parent / "src"
HANG_GUARD = 120  # seconds: a run that takes longer is broken, not slow


@dataclass
class LoggedHost:
    """A loopback host whose pages log (start, end) of every request, and one page that
    holds its request open until the test lets it go."""

    server: LocalServer = field(default_factory=LocalServer)
    spans: list[tuple[str, float, float]] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def page(self, path: str, body: str, status: int = 200) -> str:
        def respond(handler: BaseHTTPRequestHandler) -> None:
            started = time.monotonic()
            if path == "/hold" and not self.released.is_set():
                self.held.set()
                self.released.wait(HANG_GUARD)
            time.sleep(0.02)
            data = body.encode()
            handler.send_response(status)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            with contextlib.suppress(OSError):  # the worker holding this request was killed
                handler.wfile.write(data)
            self.spans.append((path, started, time.monotonic()))

        return self.server.handler(path, respond)

    def overlaps(self) -> int:
        return overlaps(self.spans)


def overlaps(spans: list[tuple[str, float, float]]) -> int:
    """How many requests started before the one before them ended."""
    ordered = sorted(spans, key=lambda span: span[1])
    return sum(1 for before, after in itertools.pairwise(ordered) if after[1] < before[2])


@pytest.fixture
def logged_hosts() -> Iterator[list[LoggedHost]]:
    hosts = [LoggedHost(LocalServer(address)) for address in LOOPBACK_HOSTS]
    for host in hosts:
        host.server.start()
    yield hosts
    for host in hosts:
        host.released.set()
        host.server.stop()


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write_list(tmp_path: Path, urls: list[str]) -> str:
    path = tmp_path / "links.txt"
    path.write_text("\n".join(urls) + "\n")
    return str(path)


@pytest.fixture
def start_worker(pg_url: str, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Starts ``newsarchive worker`` processes on the test's archive, its stderr in
    ``tmp_path/NAME.log``; any still running when the test ends (it failed) are killed. A
    short fetch timeout keeps short the lease of a host a killed worker was fetching from."""
    started: list[subprocess.Popen] = []
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", "newsarchive", "--db", pg_url, "worker"]
    options = ["--concurrency", "4", "--stalled-after", "6", "--timeout", "2"]

    def start(name: str, *changed: str) -> subprocess.Popen:
        """``changed``: options that replace the defaults above (click keeps the last)."""
        with (tmp_path / f"{name}.log").open("w") as stderr:
            process = subprocess.Popen([*command, *options, *changed], env=env, stderr=stderr)
            started.append(process)
        return started[-1]

    yield start
    for worker in started:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def wait_until_done(url: str, links: int) -> None:
    """Until every queued link is done or failed (a broken run fails the test instead)."""
    give_up = time.monotonic() + HANG_GUARD
    while time.monotonic() < give_up:
        hosts = queue_counts(url)
        if sum(host.done + host.failed for host in hosts) == links:
            return
        time.sleep(0.2)
    pytest.fail(f"the workers did not finish: {hosts}")


def stop(workers: list[subprocess.Popen]) -> list[int]:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    return [worker.wait(HANG_GUARD) for worker in workers]


# ---- the queue ---------------------------------------------------------------------------


def test_queue_on_a_sqlite_archive_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run("import", write_list(tmp_path, ["https://example.test/a"]), "--queue")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "the job queue needs a PostgreSQL archive" in result.stderr
    for command in (["worker"], ["queue"]):
        refused = run(*command)
        assert refused.exit_code == 2
        assert "the job queue needs a PostgreSQL archive" in refused.stderr


def test_a_link_is_queued_once_however_often_it_is_imported(
    pg_url: str, server: LocalServer, tmp_path: Path
) -> None:
    urls = [server.route(f"/story/{n}", story(n)) for n in range(3)]
    links = write_list(tmp_path, [*urls, urls[0] + "?utm_source=feed", "not a link"])
    first = run("--db", pg_url, "import", links, "--queue", "--json")
    again = run("--db", pg_url, "import", links, "--queue", "--json")

    assert first.exit_code == again.exit_code == 1, "an invalid line makes the exit code 1"
    counts = json.loads(first.stdout)
    assert (counts["queued"], counts["skipped"], counts["invalid"]) == (3, 1, 1)
    assert json.loads(again.stdout)["queued"] == 0
    assert "in the queue already" in again.stderr
    (host,) = json.loads(run("--db", pg_url, "queue", "--json").stdout)
    assert (host["pending"], host["running"], host["done"], host["failed"]) == (3, 0, 0, 0)
    table = run("--db", pg_url, "queue").stdout.splitlines()
    assert table[1].split() == [host["host"], "3", "0", "0", "0"]
    assert table[2].split() == ["total", "3", "0", "0", "0"]


def database_clock(pool: ConnectionPool) -> float:
    with pool.connection() as conn:
        return float(conn.execute("SELECT extract(epoch FROM clock_timestamp())").fetchone()[0])


@pytest.fixture
def pool(pg_url: str) -> Iterator[ConnectionPool]:
    ensure_queue_schema(pg_url)
    with connection_pool(pg_url) as opened:
        yield opened


def test_a_host_turn_waits_for_the_one_before_and_for_its_pause(pool: ConnectionPool) -> None:
    """Two workers ask for one host at once: the second request starts only after the
    first ended and the host's pause passed, on the database's clock."""
    spans: list[tuple[float, float]] = []

    def request() -> None:
        with host_turn(pool, "news.test", 0.3, 60, lease=60):
            started = database_clock(pool)
            time.sleep(0.1)
            spans.append((started, database_clock(pool)))

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = sorted(spans)
    assert second[0] >= first[1] + 0.3


def test_a_host_that_said_slow_down_waits_longer(pool: ConnectionPool) -> None:
    """After a 429 or 503 the host's pause doubles (importer.hosts.pause_after): 0.1 s asked,
    1 s kept; an ordinary answer brings the asked pause back."""
    host = "busy.test"
    with host_turn(pool, host, 0.1, 60, lease=60) as turn:
        turn.slowed_down = True
        answered = database_clock(pool)
    with host_turn(pool, host, 0.1, 60, lease=60) as turn:
        assert turn.strikes == 1
        assert database_clock(pool) >= answered + 1.0
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT strikes, extract(epoch FROM next_allowed_at - clock_timestamp())"
            " FROM newsarchive_hosts WHERE host = %s",
            (host,),
        ).fetchone()
    assert row[0] == 0 and float(row[1]) <= 0.1


def test_a_lease_run_out_is_taken_over_and_its_old_holder_frees_nothing(
    pool: ConnectionPool,
) -> None:
    """A worker that froze mid-request holds its host only for its lease; when it wakes, its
    release leaves alone the lease another worker took since."""
    frozen = host_turn(pool, "stuck.test", 0, 60, lease=0.5)
    frozen.__enter__()
    with host_turn(pool, "stuck.test", 0, 60, lease=60):
        frozen.__exit__(None, None, None)
        with pool.connection() as conn:
            (busy,) = conn.execute(
                "SELECT busy_until > clock_timestamp() FROM newsarchive_hosts WHERE host = %s",
                ["stuck.test"],
            ).fetchone()
        assert busy


# ---- workers -----------------------------------------------------------------------------


def test_workers_archive_every_link_once_politely_and_take_over_a_killed_worker(
    pg_url: str,
    logged_hosts: list[LoggedHost],
    start_worker: Callable[..., subprocess.Popen],
    tmp_path: Path,
) -> None:
    held = logged_hosts[0].page("/hold", story(999))
    urls = [held] + [
        host.page(f"/story/{n}", story(index * 100 + n))
        for index, host in enumerate(logged_hosts)
        for n in range(6)
    ]
    missing = logged_hosts[1].page("/missing", "gone", status=404)
    listing = write_list(tmp_path, [*urls, missing])
    queued = run("--db", pg_url, "import", listing, "--queue", "--delay", "0.05")
    assert queued.exit_code == 0, queued.output

    doomed = start_worker("doomed")
    assert logged_hosts[0].held.wait(HANG_GUARD), "no worker took the first link"
    others = [start_worker(f"worker-{n}") for n in range(3)]
    doomed.send_signal(signal.SIGKILL)  # in the middle of fetching the held page
    doomed.wait(HANG_GUARD)
    logged_hosts[0].released.set()
    wait_until_done(pg_url, len(urls) + 1)
    assert stop(others) == [0, 0, 0], "SIGTERM stops a worker cleanly"

    with store.open_archive(pg_url) as archive:
        saved = [summary.url for summary in archive.list_articles()]
        failed = [failure.url for failure in archive.failures()]
    assert sorted(saved) == sorted(urls), "every page saved once, the killed worker's too"
    assert failed == [missing]
    assert sum(1 for path, *_ in logged_hosts[0].spans if path == "/hold") == 2
    assert [host.overlaps() for host in logged_hosts] == [0, 0, 0]
    totals = {
        key: sum(host[key] for host in json.loads(run("--db", pg_url, "queue", "--json").stdout))
        for key in ("pending", "running", "done", "failed")
    }
    assert totals == {"pending": 0, "running": 0, "done": len(urls), "failed": 1}


def drop_archive_connections(url: str) -> int:
    """Ends every server process of the test's database but procrastinate's (its last query
    names procrastinate) and our own: as a database restart or a network cut does."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND query NOT ILIKE '%procrastinate%'"
        ).fetchall()
    return len(rows)


def test_a_worker_carries_on_after_its_database_connections_were_dropped(
    pg_url: str,
    server: LocalServer,
    start_worker: Callable[..., subprocess.Popen],
    tmp_path: Path,
) -> None:
    urls = [server.route(f"/story/{n}", story(n)) for n in range(3)]
    assert run("--db", pg_url, "import", write_list(tmp_path, urls[:1]), "--queue").exit_code == 0
    worker = start_worker("worker")
    wait_until_done(pg_url, 1)
    assert drop_archive_connections(pg_url) > 0
    assert run("--db", pg_url, "import", write_list(tmp_path, urls[1:]), "--queue").exit_code == 0
    wait_until_done(pg_url, 3)
    assert stop([worker]) == [0]

    with store.open_archive(pg_url) as archive:
        assert sorted(summary.url for summary in archive.list_articles()) == sorted(urls)
        assert list(archive.failures()) == []


def test_a_worker_refuses_a_database_that_holds_no_archive_before_taking_a_job(
    pg_url: str,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", "newsarchive", "--db", pg_url, "worker"]
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
    assert refused.returncode != 0
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert "no archive there" in refused.stderr
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone() == (None,)


def test_a_frozen_worker_holds_its_host_only_until_its_lease_runs_out(
    pg_url: str,
    logged_hosts: list[LoggedHost],
    start_worker: Callable[..., subprocess.Popen],
    tmp_path: Path,
) -> None:
    """A worker stopped (SIGSTOP) in the middle of a request: its job goes back in the queue
    and another worker fetches the page once the frozen worker's lease has run out."""
    held = logged_hosts[0].page("/hold", story(999))
    assert run("--db", pg_url, "import", write_list(tmp_path, [held]), "--queue").exit_code == 0
    frozen = start_worker("frozen")
    assert logged_hosts[0].held.wait(HANG_GUARD), "no worker took the link"
    frozen.send_signal(signal.SIGSTOP)
    logged_hosts[0].released.set()
    other = start_worker("other")
    wait_until_done(pg_url, 1)
    assert stop([other]) == [0]
    frozen.kill()

    with store.open_archive(pg_url) as archive:
        assert [summary.url for summary in archive.list_articles()] == [held]
        assert list(archive.failures()) == []
    assert sum(1 for path, *_ in logged_hosts[0].spans if path == "/hold") == 2


def database_seconds_pass(url: str, seconds: float) -> None:
    """Waits until ``seconds`` passed on the database's clock (whose heartbeats workers judge)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_sleep(%s)", [seconds])


def test_a_strict_worker_does_not_take_for_dead_a_patient_one_that_is_alive(
    pg_url: str,
    logged_hosts: list[LoggedHost],
    start_worker: Callable[..., subprocess.Popen],
    tmp_path: Path,
) -> None:
    """Every worker sends heartbeats as often, whatever its --stalled-after: one that waits
    30 s before judging others is not judged silent by one that waits 6 s."""
    held = logged_hosts[0].page("/hold", story(999))
    assert run("--db", pg_url, "import", write_list(tmp_path, [held]), "--queue").exit_code == 0
    patient = start_worker("patient", "--stalled-after", "30", "--timeout", "60")
    assert logged_hosts[0].held.wait(HANG_GUARD), "no worker took the link"
    strict = start_worker("strict", "--stalled-after", "6", "--timeout", "60")
    database_seconds_pass(pg_url, 12)  # twice what the strict worker allows
    logged_hosts[0].released.set()
    wait_until_done(pg_url, 1)
    with psycopg.connect(pg_url) as conn:
        ended = "SELECT status::text, attempts FROM procrastinate_jobs"
        assert conn.execute(ended).fetchall() == [("succeeded", 1)], "never put back"
        assert conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone() == (2,)
    assert stop([patient, strict]) == [0, 0]
    assert sum(1 for path, *_ in logged_hosts[0].spans if path == "/hold") == 1


def test_a_worker_struck_off_by_another_stops_in_one_line(
    pg_url: str, server: LocalServer, start_worker: Callable[..., subprocess.Popen], tmp_path: Path
) -> None:
    """A worker whose row another worker deleted (it took it for dead) says so and exits."""
    store.open_archive(pg_url).close()
    worker = start_worker("struck-off")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        give_up = time.monotonic() + HANG_GUARD
        registered = "SELECT count(*) FROM pg_tables WHERE tablename = 'procrastinate_workers'"
        while (
            not conn.execute(registered).fetchone()[0]
            or not conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()[0]
        ):
            assert time.monotonic() < give_up, "the worker never registered"
            time.sleep(0.1)
        conn.execute("DELETE FROM procrastinate_workers")
    url = server.route("/story/1", story(1))
    assert run("--db", pg_url, "import", write_list(tmp_path, [url]), "--queue").exit_code == 0
    assert worker.wait(HANG_GUARD) == 1
    log = (tmp_path / "struck-off.log").read_text()
    assert "Traceback" not in log
    assert "presumed dead by another" in log.splitlines()[-1]


def test_a_stalled_after_shorter_than_three_heartbeats_is_refused(pg_url: str) -> None:
    refused = run("--db", pg_url, "worker", "--stalled-after", "1")
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1
    assert "at least 6 s" in refused.stderr


def test_two_ports_of_one_server_are_one_host(
    pg_url: str, start_worker: Callable[..., subprocess.Popen], tmp_path: Path
) -> None:
    """Two servers on one address (say http and https of one site): while a request to one
    runs, none goes to the other, though their jobs wait side by side."""
    first, second = LoggedHost(LocalServer()), LoggedHost(LocalServer())
    for host in (first, second):
        host.server.start()
    try:
        urls = [first.page("/hold", story(1)), second.page("/story", story(2))]
        assert run("--db", pg_url, "import", write_list(tmp_path, urls), "--queue").exit_code == 0
        worker = start_worker("worker", "--timeout", "60")
        assert first.held.wait(HANG_GUARD), "no worker took the held link"
        database_seconds_pass(pg_url, 3)  # time enough for the other link to be fetched
        first.released.set()
        wait_until_done(pg_url, 2)
        assert stop([worker]) == [0]
    finally:
        for host in (first, second):
            host.released.set()
            host.server.stop()
    assert overlaps(first.spans + second.spans) == 0
    (host,) = json.loads(run("--db", pg_url, "queue", "--json").stdout)
    assert host["host"] == "127.0.0.1" and host["done"] == 2


# ---- mistakes ----------------------------------------------------------------------------


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.mark.parametrize("command", [["queue"], ["queue", "--json"]])
def test_queue_on_a_database_that_is_missing_or_unreachable_says_so_in_one_line(
    pg_url: str, command: list[str]
) -> None:
    missing = pg_url.rsplit("/", 1)[0] + "/no_such_database_here"
    assert "no_such_database_here" in one_line_error(run("--db", missing, *command))
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        closed = f"postgresql://someone:secret@127.0.0.1:{probe.getsockname()[1]}/news"
        message = one_line_error(run("--db", closed, *command))
    assert "postgresql://someone@127.0.0.1:" in message and "secret" not in message


def test_queue_writes_nothing_into_a_database_that_is_not_an_archive(pg_url: str) -> None:
    assert "no archive there" in one_line_error(run("--db", pg_url, "queue"))
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone() == (None,)


def test_queue_of_an_archive_that_never_queued_is_empty_and_stays_untouched(pg_url: str) -> None:
    store.open_archive(pg_url).close()
    assert json.loads(run("--db", pg_url, "queue", "--json").stdout) == []
    assert "The queue is empty" in run("--db", pg_url, "queue").stderr
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone() == (None,)


def test_import_queue_leaves_no_connection_idle_in_a_transaction(
    pg_url: str, server: LocalServer, tmp_path: Path
) -> None:
    """The links are checked against the queue on an autocommit connection: nothing waits
    in an open transaction, holding locks, between two batches."""
    from newsarchive.distributed import enqueue_links
    from newsarchive.importer import ImportOptions
    from newsarchive.linklists import Link

    links = [Link(server.route(f"/story/{n}", story(n)), n) for n in range(2)]
    with store.open_archive(pg_url) as archive, psycopg.connect(pg_url) as watcher:
        outcomes = enqueue_links(pg_url, archive, iter(links), ImportOptions())
        next(outcomes)
        states = watcher.execute(
            "SELECT state FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
        list(outcomes)
    assert ("idle in transaction",) not in states


def test_a_queue_made_with_another_procrastinate_schema_is_refused_in_one_line(
    pg_url: str, server: LocalServer, tmp_path: Path
) -> None:
    store.open_archive(pg_url).close()
    ensure_queue_schema(pg_url)
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE newsarchive_queue_schema SET procrastinate_schema = '02.00.00_01_x'")
    links = write_list(tmp_path, [server.route("/story/1", story(1))])
    for command in (["import", links, "--queue"], ["worker"]):
        message = one_line_error(run("--db", pg_url, *command))
        assert "02.00.00_01_x" in message
        assert procrastinate_schema_version() in message


def test_every_job_state_of_procrastinate_has_a_name_in_the_queue(
    pg_url: str, server: LocalServer, tmp_path: Path
) -> None:
    links = write_list(tmp_path, [server.route(f"/story/{n}", story(n)) for n in range(2)])
    assert run("--db", pg_url, "import", links, "--queue").exit_code == 0
    with psycopg.connect(pg_url) as conn:  # a state procrastinate 3 no longer sets, but has
        conn.execute("UPDATE procrastinate_jobs SET status = 'aborting' WHERE id = 1")
    (host,) = json.loads(run("--db", pg_url, "queue", "--json").stdout)
    assert (host["pending"], host["running"]) == (1, 1)


def test_a_worker_treats_a_link_redirected_to_an_archived_page_as_import_does(
    pg_url: str, server: LocalServer, start_worker: Callable[..., subprocess.Popen], tmp_path: Path
) -> None:
    """Skipped as already archived, its export's tags and save time given to that article
    (importer.steps.already_archived, for both)."""
    page = server.route("/story", story(1))
    with store.open_archive(pg_url) as archive:
        assert run("--db", pg_url, "add", page).exit_code == 0
        (article,) = archive.list_articles()
    server.route("/old-address", b"", status=301, headers={"Location": page})
    pocket = tmp_path / "pocket.csv"
    pocket.write_text(
        "title,url,time_added,tags,status\n"
        f"Old,{server.url('/old-address')},1650000000,ferries,unread\n"
    )
    assert run("--db", pg_url, "import", str(pocket), "--queue").exit_code == 0
    worker = start_worker("worker")
    wait_until_done(pg_url, 1)
    assert stop([worker]) == [0]
    with store.open_archive(pg_url) as archive:
        assert [summary.id for summary in archive.list_articles()] == [article.id]
        assert archive.tags(article.id) == ["ferries"]
    assert f"already archived as {page}" in (tmp_path / "worker.log").read_text()


def test_import_queue_skips_what_import_skips_and_keeps_an_exports_tags(
    pg_url: str, server: LocalServer, tmp_path: Path
) -> None:
    """An archived link is skipped with its export's tags given to its article, a link that
    failed for good is skipped as failed before, as a plain import does."""
    archived, gone = server.route("/kept", story(1)), server.route("/gone", "", status=404)
    assert run("--db", pg_url, "add", archived).exit_code == 0
    assert run("--db", pg_url, "import", write_list(tmp_path, [gone])).exit_code != 0
    export = tmp_path / "pocket.csv"
    export.write_text(
        f"title,url,time_added,tags,status\nKept,{archived},1650000000,rivers,unread\n"
        f"Gone,{gone},1650000000,,unread\n"
    )

    queued = run("--db", pg_url, "import", str(export), "--queue", "--json")

    assert (json.loads(queued.stdout)["queued"], json.loads(queued.stdout)["skipped"]) == (0, 2)
    assert "already archived" in queued.stderr and "failed before" in queued.stderr
    with store.Archive(pg_url) as archive:
        assert archive.tags(archive.find_id(archived)) == ["rivers"]
