"""Listing views and `show` where questions and written statements meet: CSV columns keep
their places, a statement's id is printed as `show` takes it (S1290004), a statement's address
is printed whole under its box, and the stats charts and history fit narrow terminals."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from pqtrack import output, views
from pqtrack.render_statement import STATEMENT_HISTORY
from tests.build import question, statement, write_json
from tests.cli import run, run_json
from tests.test_layout import WIDTHS, terminal, whole

STATEMENT_ID = 1290004
TITLE = "Live Facial Recognition Vans: Deployment to Further Police Forces"
STATEMENT_URL = (
    "https://questions-statements.parliament.uk/written-statements/detail/2025-03-04/HCWS104"
)
CHANGES_HEADER = [
    "seen_at", "event", "question_id", "uin", "house", "heading", "department", "gist", "old",
    "new", "url", "version", "run_id",
]  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("views")
    path = folder / "views.db"
    records: list[dict[str, Any]] = [
        question(1900001, answered="2025-03-12", heading="Police: Facial Recognition"),
        statement(STATEMENT_ID, uin="HCWS104", title=TITLE),
    ]
    result = run(path, "import", "--quiet", str(write_json(folder / "r.json", records)))
    assert result.exit_code == 0, result.stderr
    return path


# -- 1. CSV columns keep their places ------------------------------------------------------------


def test_changes_csv_keeps_its_columns_in_place_and_appends_new_ones(db: Path) -> None:
    result = run(db, "changes", "--since", "2000-01-01", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0].split(",")
    assert header[: len(CHANGES_HEADER)] == CHANGES_HEADER
    assert header[len(CHANGES_HEADER) :] == ["kind", "statement_id"]
    feed = run_json(db, "changes", "--since", "2000-01-01")
    made = next(c for c in feed if c["kind"] == "statement")
    assert made["statement_id"] == STATEMENT_ID and made["question_id"] is None


# -- 2. a statement's id as `show` takes it ------------------------------------------------------


def test_plain_lines_print_a_statements_id_as_its_ref(db: Path) -> None:
    listed = run(db, "list", "--kind", "all").stdout.splitlines()
    ids = [line.split("\t")[0] for line in listed[1:]]
    assert sorted(ids) == ["1900001", f"S{STATEMENT_ID}"]
    found = run(db, "search", "facial", "--kind", "statement").stdout.splitlines()
    assert [line.split("\t")[0] for line in found[1:]] == [f"S{STATEMENT_ID}"]
    assert run(db, "show", ids[ids.index(f"S{STATEMENT_ID}")]).exit_code == 0  # as printed
    # machine formats keep the number and say what kind of record it is
    rows = run_json(db, "list", "--kind", "statement")
    assert [(r["id"], r["kind"]) for r in rows] == [(STATEMENT_ID, "statement")]
    csv_lines = run(db, "list", "--kind", "statement", "--format", "csv").stdout.splitlines()
    assert csv_lines[1].startswith(f"{STATEMENT_ID},")


@pytest.mark.parametrize("width", WIDTHS)
def test_tables_print_a_statements_id_as_its_ref(db: Path, width: int) -> None:
    screen = terminal(db, "list", "--kind", "all", width=width, colour=False)
    assert screen.exit_code == 0, screen.stderr
    assert whole(f"S{STATEMENT_ID}", screen.text) and whole("1900001", screen.text)
    assert not whole(str(STATEMENT_ID), screen.text)


@pytest.mark.parametrize("command", ["show", "history", "diff"])
def test_a_statements_bare_id_is_named_as_a_statement(db: Path, command: str) -> None:
    before = run_json(db, "list", "--kind", "all")
    result = run(db, command, str(STATEMENT_ID))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"pqtrack: no question {STATEMENT_ID}; statement S{STATEMENT_ID} has that id\n"
    )
    missing = run(db, command, "1234567")
    assert missing.exit_code == 2
    assert missing.stderr == "pqtrack: no question '1234567' in the database\n"
    assert run_json(db, "list", "--kind", "all") == before


# -- 3. a statement's address whole under its box ------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_show_prints_a_statements_url_whole_and_its_title_uncut(db: Path, width: int) -> None:
    screen = terminal(db, "show", "HCWS104", width=width, colour=False)
    assert screen.exit_code == 0, screen.stderr
    assert STATEMENT_URL in screen.lines  # on a line of its own, whole
    assert screen.lines.index(STATEMENT_URL) > max(
        i for i, line in enumerate(screen.lines) if line.startswith("╰")
    )  # under the box
    assert all(whole(word, screen.text) for word in TITLE.split())
    assert all(len(line) <= width for line in screen.lines if line != STATEMENT_URL)


def test_show_of_a_statement_in_a_pipe_keeps_the_url_among_its_facts(db: Path) -> None:
    result = run(db, "show", "HCWS104")
    assert result.exit_code == 0, result.stderr
    assert f"URL         {STATEMENT_URL}" in result.stdout.splitlines()


# -- 4. the stats charts fit the terminal --------------------------------------------------------

LONG_NAME = "Department for Environment, Food and Rural Affairs"


def _drawn(view: output.View, rows: list[dict[str, Any]], width: int) -> list[str]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False)
    output.write(view, rows, output.Format.table, console)
    return buffer.getvalue().splitlines()


def _stats_row(key: str, value: str, rate: float) -> dict[str, Any]:
    counts = dict.fromkeys(
        ("tabled", "answered", "unanswered", "holding", "corrected", "overdue", "referrals"), 3
    )
    return {key: value, **counts, "median_days": 5, "on_time_rate": rate, "holding_rate": 0.1}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_department_chart_fits_the_terminal(width: int) -> None:
    rows = [_stats_row("department", LONG_NAME, 0.5), _stats_row("department", "Treasury", 1)]
    lines = _drawn(views.stats_view("department", chart=True), rows, width)
    bars = [line for line in lines if re.search(r"[█░] \d+%$", line.rstrip())]
    assert [line.split()[0] for line in bars] == ["Department", "Treasury"]  # none wrapped
    assert all(len(line) <= width for line in lines), lines
    assert bars[1].rstrip().endswith("█ 100%")
    if width == 200:  # room enough: the longest bar and the name as before
        assert bars[1].count("█") == views.CHART_WIDTH


@pytest.mark.parametrize("width", WIDTHS)
def test_stats_by_month_never_cuts_a_month(width: int) -> None:
    rows = [_stats_row("month", "2025-01", 0.5), _stats_row("month", "2025-02", 0.7)]
    rows[0].update(tabled=1234, answered=1000)
    rows[1].update(tabled=1000, answered=900)
    lines = _drawn(views.stats_view("month", chart=True), rows, width)
    table = [line.split()[0] for line in lines if re.match(r" 20\d\d", line)]
    assert table == ["2025-01", "2025-02"]  # the table's key: columns are left out instead
    assert "on" in lines[1].split() and "tab-" in lines[1].split()  # never left out
    bars = [line for line in lines if re.match(r"\S+ [█▒░]", line)]
    assert [line.split()[0] for line in bars] == ["2025-01", "2025-02"]  # the chart's
    assert all(len(line) <= width for line in bars), bars
    assert bars[0].rstrip().endswith(" 1,234")


# -- 5. history wraps between field names --------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", [views.HISTORY, STATEMENT_HISTORY], ids=["question", "statement"])
def test_history_never_splits_a_field_name(width: int, view: output.View) -> None:
    changed = ["answer_is_holding", "answer_text", "date_answered"]
    rows = [
        {"version": 1, "seen_at": "2025-03-03T10:00:00+00:00", "status": "holding",
         "date_answered": "2025-03-10", "date_made": "2025-03-03", "changed": [],
         "events": [{"event": "tabled"}, {"event": "holding"}]},
        {"version": 2, "seen_at": "2025-03-04T10:00:00+00:00", "status": "answered",
         "date_answered": "2025-03-12", "date_made": "2025-03-03", "changed": changed,
         "events": [{"event": "substantive"}]},
    ]  # fmt: skip
    lines = _drawn(view, rows, width)
    text = "\n".join(lines)
    assert all(whole(name, text) or whole(name + ",", text) for name in changed), text
    assert all(len(line.rstrip()) <= width for line in lines), text


@pytest.mark.parametrize("width", WIDTHS)
def test_stats_at_a_terminal_keeps_the_month_and_fits_the_chart(db: Path, width: int) -> None:
    screen = terminal(db, "stats", "--by", "month", width=width, colour=False)
    assert screen.exit_code == 0, screen.stderr
    assert [line.split()[0] for line in screen.lines if line.startswith(" 2025")] == ["2025-03"]
    bars = [line for line in screen.lines if re.match(r"2025-03 [█▒░]+ 1$", line)]
    assert len(bars) == 1 and len(bars[0]) <= width
    assert all(len(line) <= width for line in screen.lines)
