"""Never silently cut: every listing command writes every match in machine formats, a table says
how many it left out, counts are true, and the five commands take the same filters."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pqtrack.topics import load_topics
from tests.cli import query, run, run_json

DATA = Path(__file__).parents[1] / "data"
FOOTER = " — use --limit N or --all"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data (3,000 questions, then the same a month later: some changed)."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    for name in ("demo.jsonl.gz", "demo-later.jsonl.gz"):
        result = run(db, "import", "--quiet", str(DATA / name))
        assert result.exit_code == 0, result.stderr
    return db


def ids_of(rows: list[dict[str, Any]]) -> list[int]:
    return [int(r["id"]) for r in rows]


# -- machine formats carry every match --------------------------------------------------------


def test_list_writes_every_question_as_csv_json_jsonl_and_plain(demo: Path) -> None:
    every = [qid for (qid,) in query(demo, "SELECT id FROM questions ORDER BY id DESC")]
    assert len(every) == 3000
    result = run(demo, "list", "--format", "csv")
    assert result.exit_code == 0 and result.stderr == ""
    assert ids_of(list(csv.DictReader(io.StringIO(result.stdout)))) == every
    assert ids_of(run_json(demo, "list")) == every
    jsonl = run(demo, "list", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in jsonl] == every
    header, *lines = run(demo, "list").stdout.splitlines()  # plain lines in a pipe
    assert header == "id\tuin\tdate_tabled\tstatus\tanswering_body\theading"
    assert [int(line.split("\t")[0]) for line in lines] == every


def test_search_writes_every_hit(demo: Path) -> None:
    (count,) = query(demo, "SELECT count(*) FROM questions_fts WHERE questions_fts MATCH 'ask'")[0]
    assert count > 1000
    lines = run(demo, "search", "ask", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == len({json.loads(line)["id"] for line in lines}) == count


def test_changes_as_json_carries_every_event(demo: Path) -> None:
    (count,) = query(demo, "SELECT count(*) FROM events")[0]
    assert count > 1000  # more than the feed used to cut at
    result = run(demo, "changes", "--since", "2000-01-01", "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    assert len(json.loads(result.stdout)) == count


def test_no_header_gives_the_old_plain_lines_and_csv_without_its_header(demo: Path) -> None:
    with_header = run(demo, "list", "--limit", "3").stdout
    assert run(demo, "list", "--limit", "3", "--no-header").stdout == with_header.split("\n", 1)[1]
    rows = run(demo, "list", "--limit", "3", "--format", "csv", "--no-header").stdout
    assert next(csv.reader(io.StringIO(rows)))[0] == with_header.splitlines()[1].split("\t")[0]
    for args in (["history", "1050004"], ["stats", "--by", "month"]):
        plain = run(demo, *args).stdout.splitlines()
        bare = run(demo, *args, "--no-header").stdout.splitlines()
        assert bare and plain[1:] == bare and plain[0] != bare[0]


# -- a table shows the first 50 and says how many there are --------------------------------------


def table_rows(stdout: str) -> list[str]:
    """The data lines of a rich table (under its rule), first cells only."""
    lines = stdout.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.strip().startswith("─"))
    return [line.split()[0] for line in lines[rule + 1 :] if line.strip() and line[1] != " "]


def test_a_table_shows_50_and_says_of_how_many(demo: Path) -> None:
    result = run(demo, "list", "--format", "table")
    assert result.exit_code == 0
    assert len(table_rows(result.stdout)) == 50
    assert result.stderr == f"50 of 3,000{FOOTER}\n"
    paged = run(demo, "list", "--format", "table", "--limit", "10", "--offset", "50")
    assert paged.stderr == f"51-60 of 3,000{FOOTER}\n"
    (lords,) = query(demo, "SELECT count(*) FROM questions WHERE house = 'Lords'")[0]
    lords_table = run(demo, "list", "--house", "lords", "--format", "table")
    assert lords_table.stderr == f"50 of {lords:,}{FOOTER}\n"


@pytest.mark.parametrize("every", [["--all"], ["--limit", "0"]])
def test_all_and_limit_0_mean_no_limit_in_a_table(demo: Path, every: list[str]) -> None:
    result = run(demo, "list", "--house", "lords", "--format", "table", *every)
    (lords,) = query(demo, "SELECT count(*) FROM questions WHERE house = 'Lords'")[0]
    assert result.exit_code == 0 and result.stderr == ""
    assert len(table_rows(result.stdout)) == lords


def test_a_search_table_counts_its_hits_under_the_filters(demo: Path) -> None:
    (count,) = query(
        demo,
        "SELECT count(*) FROM questions_fts JOIN questions q ON q.id = questions_fts.rowid"
        " WHERE questions_fts MATCH 'ask' AND q.house = 'Commons'",
    )[0]
    result = run(demo, "search", "ask", "--house", "commons", "--format", "table")
    assert result.exit_code == 0
    assert result.stderr == f"50 of {count:,}{FOOTER}\n"
    assert run(demo, "search", "ask", "--format", "table", "--all").stderr == ""


def test_a_table_that_fits_says_nothing(demo: Path) -> None:
    result = run(demo, "list", "--format", "table", "--limit", "5000")
    assert result.exit_code == 0 and result.stderr == ""
    # every month (--quiet: no line about questions beyond the recess dates)
    assert run(demo, "stats", "--by", "month", "--format", "table", "--quiet").stderr == ""


def test_repeats_and_stats_tables_say_they_were_cut(demo: Path) -> None:
    groups = run_json(demo, "repeats")
    assert len(groups) > 50
    result = run(demo, "repeats", "--format", "table")
    assert result.stderr == f"50 shown, more not counted{FOOTER}\n"
    members = run_json(demo, "stats", "--by", "member")
    assert len(members) > 50
    table = run(demo, "stats", "--by", "member", "--format", "table", "--no-chart", "--quiet")
    assert table.stderr == f"50 of {len(members):,}{FOOTER}\n"


# -- honest counts in the digest -------------------------------------------------------------


def test_a_cut_digest_names_the_true_total(demo: Path) -> None:
    (count,) = query(demo, "SELECT count(*) FROM events")[0]
    result = run(demo, "changes", "--since", "2000-01-01", "--format", "markdown", "--limit", "2")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[2] == f"{count:,} changes since 2000-01-01; showing 2."
    assert sum(line.startswith("- **") for line in lines) == 2
    assert result.stderr == f"2 of {count:,}{FOOTER}\n"
    whole = run(demo, "changes", "--since", "last-sync", "--format", "markdown")
    (latest,) = query(
        demo, "SELECT count(*) FROM events WHERE run_id = (SELECT max(id) FROM runs)"
    )[0]
    assert whole.stdout.splitlines()[2] == f"{latest} changes in the latest sync."
    assert whole.stderr == ""


def test_changes_says_its_total_when_cut_in_any_format(demo: Path) -> None:
    (count,) = query(demo, "SELECT count(*) FROM events")[0]
    result = run(demo, "changes", "--since", "2000-01-01", "--limit", "5", "--format", "jsonl")
    assert len(result.stdout.splitlines()) == 5
    assert result.stderr == f"5 of {count:,}{FOOTER}\n"


# -- bad paging is a usage error -------------------------------------------------------------

LISTING = [["list"], ["search", "ask"], ["changes"], ["repeats"], ["stats", "--by", "month"]]


@pytest.mark.parametrize("command", LISTING)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all", "--limit", "5"], "pqtrack: --all and --limit cannot be used together\n"),
        (["--limit", "-1"], "pqtrack: --limit must be between 0 and 9223372036854775807, not -1\n"),
        (
            ["--offset", "-1"],
            "pqtrack: --offset must be between 0 and 9223372036854775807, not -1\n",
        ),
    ],
)
def test_bad_paging_is_exit_2_in_one_line(
    demo: Path, command: list[str], args: list[str], message: str
) -> None:
    result = run(demo, *command, *args)
    assert result.exit_code == 2
    assert result.stderr == message and result.stdout == ""


# -- one filter set everywhere ---------------------------------------------------------------


def _busiest(demo: Path, column: str) -> str:
    ((value,),) = query(
        demo,
        f"SELECT {column} FROM questions WHERE {column} IS NOT NULL"
        f" GROUP BY {column} ORDER BY count(*) DESC LIMIT 1",
    )
    return str(value)


def _topic_sql() -> str:
    topic = load_topics().get("immigration")
    match = topic.match_expression().replace("'", "''")
    sql = f"id IN (SELECT rowid FROM questions_fts WHERE questions_fts MATCH '{match}')"
    if topic.departments:
        sql += f" AND answering_body_id IN ({','.join(map(str, topic.departments))})"
    return sql


# (options, the SQL condition over questions they stand for); {} is filled from the data
FILTERS: list[tuple[list[str], str]] = [
    (["--tabled-since", "2025-01"], "date_tabled >= '2025-01-01'"),
    (["--tabled-until", "2020-06"], "date_tabled <= '2020-06-30'"),
    (["--answered-since", "2024-07-01"], "date_answered >= '2024-07-01'"),
    (["--answered-until", "2021-12-31"], "date_answered <= '2021-12-31'"),
    (["--corrected-since", "2022-01-01"], "date_answer_corrected >= '2022-01-01'"),
    (["--corrected-until", "2023-12-31"], "date_answer_corrected <= '2023-12-31'"),
    (["--house", "lords"], "house = 'Lords'"),
    (["--department", "{answering_body_id}"], "answering_body_id = {answering_body_id}"),
    (["--member", "{asking_member_id}"], "asking_member_id = {asking_member_id}"),
    (["--answered-by", "{answering_member_id}"], "answering_member_id = {answering_member_id}"),
    (["--status", "holding"], "status = 'holding'"),
    (["--named-day"], "is_named_day = 1"),
    (["--no-named-day"], "is_named_day = 0"),
    (["--topic", "immigration"], "{topic}"),
    (
        ["--query", '"asylum"'],
        "id IN (SELECT rowid FROM questions_fts WHERE questions_fts MATCH '\"asylum\"')",
    ),
]


def _expected(demo: Path, options: list[str], condition: str) -> tuple[list[str], set[int]]:
    values = {c: _busiest(demo, c) for c in ("answering_body_id", "asking_member_id",
                                              "answering_member_id")}  # fmt: skip
    values["topic"] = _topic_sql() if "{topic}" in condition else ""
    options = [o.format(**values) for o in options]
    where = condition.format(**values)
    return options, {qid for (qid,) in query(demo, f"SELECT id FROM questions WHERE {where}")}


def _questions(demo: Path, command: str, options: list[str]) -> set[int]:
    """The questions a listing command's JSON output covers."""
    if command == "list":
        return set(ids_of(run_json(demo, "list", *options)))
    if command == "search":  # its query is its argument, so --query joins it there
        words = ["ask", *options[1:]] if options[0] == "--query" else ["ask"]
        rest = [] if options[0] == "--query" else options
        return set(ids_of(run_json(demo, "search", " ".join(words), *rest)))
    if command == "changes":
        rows = run_json(demo, "changes", "--since", "2000-01-01", *options)
        return {r["question_id"] for r in rows}
    groups = run_json(demo, "repeats", *options)
    return {qid for g in groups for qid in g["ids"]}


@pytest.mark.parametrize(("options", "condition"), FILTERS, ids=lambda v: str(v))
@pytest.mark.parametrize("command", ["list", "search", "changes", "repeats", "stats"])
def test_every_listing_command_takes_every_filter(
    demo: Path, command: str, options: list[str], condition: str
) -> None:
    options, expected = _expected(demo, options, condition)
    assert expected, f"the demo data has no question for {options}"
    everything: Callable[[str], set[int]] = lambda c: set(  # noqa: E731
        qid for (qid,) in query(demo, f"SELECT id FROM questions WHERE {c}")
    )
    if command == "stats":
        rows = run_json(demo, "stats", "--by", "month", *options)
        tabled = everything(f"date_tabled IS NOT NULL AND id IN ({','.join(map(str, expected))})")
        assert sum(r["tabled"] for r in rows) == len(tabled)
        return
    found = _questions(demo, command, options)
    if command == "repeats":  # only answers given more than once: some of the questions
        assert found <= expected
        return
    if command == "search":
        expected &= everything(
            "id IN (SELECT rowid FROM questions_fts WHERE questions_fts MATCH 'ask')"
        )
    if command == "changes":
        expected &= everything("id IN (SELECT question_id FROM events)")
    assert found == expected


@pytest.mark.parametrize("command", LISTING)
def test_every_listing_command_pages_with_limit_and_offset(demo: Path, command: list[str]) -> None:
    extra = ["--since", "2000-01-01"] if command == ["changes"] else []
    whole = run_json(demo, *command, *extra, "--all")
    page = run_json(demo, *command, *extra, "--limit", "3", "--offset", "2")
    assert len(whole) > 5
    assert page == whole[2:5]
