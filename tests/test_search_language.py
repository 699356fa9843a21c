"""The search language people bring (-word, column filters), inflections and exact quotes, a
query on every command that takes filters, and what search says about what it did: end to end,
on questions written for these tests."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqtrack.errors import QueryError
from pqtrack.search import candidate_forms, inflections, prepare, read, to_match
from tests.build import question, write_json
from tests.cli import Cli

HOME, DEFRA = (1, "Home Office"), (13, "Department for Environment, Food and Rural Affairs")
NO_FIGURES = "The Department does not hold figures on this."

# id: (heading, question, answer, department), written for these tests
QUESTIONS: dict[int, tuple[str, str, str, tuple[int, str]]] = {
    9001: (
        "Police: Facial Recognition",
        "To ask the Secretary of State for the Home Department, how often police used live "
        "facial recognition vans in 2025.",
        "Live facial recognition vans were deployed 40 times.",
        HOME,
    ),
    9002: (
        "Schools: Facial Recognition",
        "To ask the Secretary of State for Education, whether schools may use facial "
        "recognition on children.",
        "Schools must not use it on children without consent.",
        HOME,
    ),
    9003: (
        "Asylum: Small Boats",
        "To ask the Secretary of State for the Home Department, how many asylum seekers "
        "arrived on small boats.",
        NO_FIGURES,
        HOME,
    ),
    9004: (
        "Asylum: Hotels",
        "To ask the Secretary of State for the Home Department, how many hotels house asylum "
        "seekers.",
        NO_FIGURES,
        HOME,
    ),
    9005: (
        "Rural Crime",
        "To ask the Secretary of State for Environment, Food and Rural Affairs, what support "
        "farmers get after a break-in.",
        "Equipment theft is a priority for every force.",
        DEFRA,
    ),
    9006: (
        "Agriculture: Crime",
        "To ask the Secretary of State for Environment, Food and Rural Affairs, how many quad "
        "bikes were stolen.",
        "Police recorded 120 thefts of quad bikes.",
        DEFRA,
    ),
    9007: (
        "Police: Manpower",
        "To ask the Secretary of State for the Home Department, what assessment she has made of "
        "neighbourhood policing in rural areas.",
        "Officer numbers have risen.",
        HOME,
    ),
    9008: (
        "Metals: Theft",
        "To ask the Secretary of State for the Home Department, how much metal theft was reported.",
        "Scrap dealers must keep records.",
        HOME,
    ),
    9009: (
        "Farms: Security",
        "To ask the Secretary of State for Environment, Food and Rural Affairs, what estimate "
        "he has made of equipment theft from farms.",
        NO_FIGURES,
        DEFRA,
    ),
    9010: (
        "Tractors",
        "To ask the Secretary of State for Environment, Food and Rural Affairs, what he is "
        "doing about stolen tractors.",
        "Tractor theft fell by a tenth.",
        DEFRA,
    ),
    9011: (
        "Tractors: Security",
        "To ask the Secretary of State for Environment, Food and Rural Affairs, how many "
        "tractor thefts were recorded.",
        NO_FIGURES,
        DEFRA,
    ),
}


@pytest.fixture
def corpus(tmp_path: Path, cli: Cli) -> Cli:
    values = []
    for qid, (heading, asked, answer, (body_id, body)) in QUESTIONS.items():
        day = f"2025-03-{qid - 8990:02d}"
        values.append(
            question(
                qid,
                heading=heading,
                questionText=asked,
                answeringBodyId=body_id,
                answeringBodyName=body,
                dateTabled=f"{day}T00:00:00",
                answered=day,
            )  # fmt: skip
        )
        values[-1]["answerText"] = f"<p>{answer}</p>"
    result = cli("import", "--quiet", str(write_json(tmp_path / "q.json", values)))
    assert result.exit_code == 0, result.stderr
    topics = tmp_path / "config" / "topics.toml"
    topics.parent.mkdir(parents=True, exist_ok=True)
    topics.write_text(
        '[topics.farm-theft]\nqueries = [\'"equipment theft"\', "quad"]\n', encoding="utf-8"
    )
    return cli


def found(cli: Cli, *args: str) -> list[int]:
    """The ids `search ARGS` finds; a query after "--" stays last (it may start with -)."""
    head, dashes, query = (args[:-2], args[-2:-1], args[-1:]) if "--" in args else (args, (), ())
    result = cli("search", "--db", str(cli.db), *head, "--format", "json", *dashes, *query)
    assert result.exit_code == 0, result.stderr
    return sorted(row["id"] for row in json.loads(result.stdout))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["facial -children"], [9001]),
        (["facial -children -vans"], []),
        (["--", "-children facial"], [9001]),  # a query starting with - comes after --
        (['asylum -"small boats"'], [9004]),
        (['asylum AND -"small boats"'], [9004]),
        (["heading:rural"], [9005]),
        (["rural"], [9005, 9006, 9007, 9009, 9010, 9011]),
        (['answer:"equipment theft"'], [9005]),
        (['"equipment theft"'], [9005, 9009]),
        (["question:tractor*"], [9010, 9011]),
        (["heading:tractors -question:thefts"], [9010]),
        (["thefts"], [9005, 9006, 9008, 9009, 9010, 9011]),
        (["theft"], [9005, 9006, 9008, 9009, 9010, 9011]),
        (['"thefts"'], [9006, 9011]),
        (["--exact", "thefts"], [9006, 9011]),
        (["policing"], [9001, 9006, 9007]),
        (["police"], [9001, 9006, 9007]),
        (["--exact", "policing"], [9007]),
        (['"policing"'], [9007]),
        (["tractor theft"], [9010, 9011]),
        (["--exact", "tractor theft"], [9010]),
    ],
)
def test_the_syntax_people_bring(corpus: Cli, args: list[str], expected: list[int]) -> None:
    assert found(corpus, *args) == expected


def test_an_exclusion_needs_something_to_exclude_from(corpus: Cli) -> None:
    result = corpus("search", "--db", str(corpus.db), "--", '-"small boats"')
    assert result.exit_code == 2
    assert result.stderr == (
        'pqtrack: -"small boats" excludes, but there is nothing to exclude it from '
        "(e.g. 'asylum -\"small boats\"')\n"
    )


def test_syntax_that_is_not_understood_is_searched_as_text_and_said(corpus: Cli) -> None:
    result = corpus("search", "farms:security", "--format", "json")
    assert result.exit_code == 0
    assert [row["id"] for row in json.loads(result.stdout)] == [9009]
    assert result.stderr == (
        "pqtrack: 'farms:security' was searched as words: the column filters are heading:, "
        "question: and answer:\n"
    )


def test_no_matches_is_said_on_stderr_and_exit_0(corpus: Cli) -> None:
    result = corpus("search", "submarine")
    assert (result.exit_code, result.stdout.count("\n")) == (0, 1)  # the header line alone
    assert result.stderr == "pqtrack: no matches for 'submarine'\n"
    assert corpus.json("search", "submarine") == []


def test_explain_shows_the_expression_the_way_in_and_the_time(corpus: Cli) -> None:
    result = corpus("search", "thefts -heading:tractors", "--explain", "--format", "json")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        'pqtrack: expression: ("thefts" OR "theft") NOT heading : ("tractors" OR "tractor")',
        "pqtrack: way in: the matches, newest first",
    ]
    assert lines[2].startswith("pqtrack: time: ") and lines[2].endswith(" ms, 4 result(s)")
    assert len(lines) == 3


def test_search_topic_alone_lists_the_topics_matches(corpus: Cli) -> None:
    assert found(corpus, "--topic", "farm-theft") == [9005, 9006, 9009]
    assert found(corpus, "--topic", "farm-theft", "--department", "13", "-n", "1") == [9009]
    result = corpus("search")
    assert result.exit_code == 2
    assert result.stderr == "pqtrack: give a search query, or a topic to list its matches\n"


def test_list_and_changes_take_a_query(corpus: Cli) -> None:
    listed = sorted(row["id"] for row in corpus.json("list", "--query", "heading:theft OR quad"))
    assert listed == [9006, 9008]
    changes = corpus.json("changes", "--query", '"thefts"', "--event", "answered")
    assert sorted(row["question_id"] for row in changes) == [9006, 9011]


def test_a_query_note_and_a_bad_query_name_the_flag(corpus: Cli) -> None:
    result = corpus("list", "--query", "tractors +security", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr.startswith("pqtrack: --query: '+security' was searched as text")
    bad = corpus("list", "--query", "NOT tractors")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("pqtrack: --query: NOT needs a term before it")


def test_stats_takes_a_query(corpus: Cli) -> None:
    rows = corpus.json("stats", "--by", "department", "--query", "theft", "--quiet")
    counts = {row["department"]: row["tabled"] for row in rows}
    assert counts == {DEFRA[1]: 5, HOME[1]: 1}


def test_repeats_takes_a_query(corpus: Cli) -> None:
    everywhere = corpus.json("repeats", "--quiet")
    assert [sorted(group["ids"]) for group in everywhere] == [[9003, 9004, 9009, 9011]]
    groups = corpus.json("repeats", "--query", "tractor*", "--quiet")
    assert [sorted(group["ids"]) for group in groups] == []
    groups = corpus.json("repeats", "--query", "theft OR asylum", "--quiet")
    assert [sorted(group["ids"]) for group in groups] == [[9003, 9004, 9009, 9011]]
    groups = corpus.json("repeats", "--query", "theft", "--quiet")
    assert [sorted(group["ids"]) for group in groups] == [[9009, 9011]]


# -- the pieces ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("asylum -hotels", '"asylum" NOT "hotels"'),
        ("-hotels asylum", '"asylum" NOT "hotels"'),
        ("a -b OR c", '"a" NOT "b" OR "c"'),
        ("a -b -c d", '"a" AND "d" NOT "b" NOT "c"'),
        ('a -"b c"', '"a" NOT "b c"'),
        ("covid-19 -x", '"covid-19" NOT "x"'),
        ("heading:rural", 'heading : "rural"'),
        ("HEADING:Rural", 'heading : "Rural"'),
        ('answer:"equipment theft"', 'answer_text : "equipment theft"'),
        ("question:vacc*", 'question_text : "vacc"*'),
        ("-answer:x y", '"y" NOT answer_text : "x"'),
        ("heading: x", '"x"'),
        ("since:2020", '"since:2020"'),
        ("- x", '"x"'),
    ],
)
def test_to_match_reads_the_syntax(query: str, expected: str) -> None:
    assert to_match(query) == expected


@pytest.mark.parametrize(
    ("query", "notes"),
    [
        ("plain words", ()),
        ("heading:x answer:\"y\"", ()),
        ("since:2020", ("'since:2020' was searched as words: the column filters are heading:, "
                        "question: and answer:",)),
        ("heading: x", ("'heading:': a column filter takes a word or a quoted phrase right "
                        "after the colon; it was ignored",)),
        ('"open', ("an unclosed quote was closed at the end of the query",)),
        ("NEAR(a b)", ("'NEAR' was searched as text (the syntax is words, \"phrases\", -word, "
                       "heading:/question:/answer:, AND/OR/NOT, ( ), prefix*)",)),
        ("10:30 https://x.org", ()),
    ],
)  # fmt: skip
def test_syntax_not_understood_is_noted(query: str, notes: tuple[str, ...]) -> None:
    assert read(query).notes == notes


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("theft", {"theft", "thefts"}),
        ("thefts", {"theft", "thefts"}),
        ("police", {"police", "polices", "policed", "policing"}),
        ("policing", {"police", "polices", "policed", "policing"}),
        ("tractor", {"tractor", "tractors"}),
    ],
)
def test_candidate_forms_are_the_inflections_sharing_the_stem(word: str, forms: set[str]) -> None:
    candidates = candidate_forms(word)
    assert candidates[0] == word
    assert forms <= set(candidates)
    assert "policy" not in candidates and "policies" not in candidates


@pytest.fixture(scope="module")
def fts() -> Any:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE questions_fts USING fts5 (heading, question_text, answer_text, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    conn.executemany(
        "INSERT INTO questions_fts (rowid, heading, question_text, answer_text) VALUES (?,?,?,?)",
        [(qid, h, q, a) for qid, (h, q, a, _) in QUESTIONS.items()],
    )
    conn.execute(  # written statements have an index of their own, asked too
        "CREATE VIRTUAL TABLE statements_fts USING fts5 (title, text, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute(
        "INSERT INTO statements_fts (rowid, title, text) VALUES (1, 'Facial Recognition Vans',"
        " 'Vans will be deployed.')"
    )
    yield conn
    conn.close()


def test_inflections_keep_only_forms_the_index_holds(fts: sqlite3.Connection) -> None:
    assert inflections(fts, "thefts") == ["thefts", "theft"]
    assert inflections(fts, "police") == ["police", "policing"]
    assert inflections(fts, "submarine") == ["submarine"]
    assert inflections(fts, "van") == ["van", "vans"]  # a form only a statement holds


FRAGMENTS = st.sampled_from(
    ["AND", "OR", "NOT", "(", ")", '"', "*", "-", ":", "heading:", "answer:", "-\"", " ", " ",
     "theft", "police", "rural", "x:", "+", "é", "\x00"]
)  # fmt: skip
QUERIES = st.text(max_size=60) | st.lists(FRAGMENTS | st.text(max_size=3), max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(query=QUERIES)
def test_any_query_with_inflections_runs_or_raises_query_error(
    fts: sqlite3.Connection, query: str
) -> None:
    try:
        prepared = prepare(query, fts)
    except QueryError:
        return
    fts.execute(
        "SELECT rowid FROM questions_fts WHERE questions_fts MATCH ?", [prepared.expressions[0]]
    ).fetchall()
