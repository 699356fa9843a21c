"""search.py against a real FTS5 table shaped like questions_fts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqtrack.errors import QueryError, UsageError
from pqtrack.search import (
    MAX_DEPTH,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    expressions,
    literal,
    parse,
    to_match,
)

# rowid: (heading, question_text, answer_text), written for these tests.
ROWS: dict[int, tuple[str, str, str]] = {
    1: (
        "Police: Facial Recognition",
        "To ask the Secretary of State for the Home Department, how many arrests have followed "
        "the use of live facial recognition cameras in 2024.",
        "Live facial recognition was deployed on 12 occasions. Faces are compared against a "
        "watchlist.",
    ),
    2: (
        "Police: Biometrics",
        "To ask the Secretary of State for the Home Department, what safeguards apply to the "
        "retention of facial images by police forces.",
        "Retention of biometric data follows a statutory framework; recognition software is "
        "not used.",
    ),
    3: (
        "Coronavirus: Vaccination",
        "To ask the Secretary of State for Health and Social Care, how many people have "
        "received a covid-19 vaccine booster.",
        "Over 20 million COVID-19 vaccinations were given this autumn.",
    ),
    4: (
        "Covid 19 Inquiry",
        "To ask the Chancellor of the Duchy of Lancaster, when the covid 19 inquiry will report "
        "or publish its findings.",
        "The inquiry sets its own timetable.",
    ),
    5: (
        "Covid19 App",
        "To ask the Secretary of State for Health, how many times the COVID19 app was downloaded.",
        "The app was retired.",
    ),
    6: (
        "Rural Crime",
        "To ask the Secretary of State for the Home Department, what steps she is taking to "
        "reduce rural crime.",
        "Funding for the National Rural Crime Unit continues; fly-tipping is a priority.",
    ),
    7: (
        "Crime: Rural Areas",
        "To ask the Secretary of State for the Home Department, what estimate she has made of "
        "crime in rural areas.",
        "Police forces record theft of quad bikes and tractors.",
    ),
    8: (
        "Departmental Budgets",
        "To ask the Secretary of State for Transport, what the department's budget was for "
        "2020/21.",
        "The budget for 2020-21 was £5m, an increase of 10% on 2019/20.",
    ),
    9: (
        "Budgets: 2021",
        "To ask the Secretary of State for Transport, what the budget is for 2021/22.",
        "Spending plans will be set out in due course.",
    ),
    10: (
        "Freedom of Information",
        "To ask the Minister for the Cabinet Office, why Ministers don't publish their diaries.",
        "We do not comment on leaks.",
    ),
    11: (
        "Civil Service: Email",
        "To ask the Minister for the Cabinet Office, what guidance covers personal e-mail "
        "accounts.",
        "Officials must use official systems for government business.",
    ),
    12: (
        "Cafés: Licensing",
        "To ask the Secretary of State for Business, how many pavement licences were issued to "
        "cafés.",
        "A naïve reading of the rules would suggest otherwise.",
    ),
    13: (
        "Armed Forces: Housing",
        "To ask the Secretary of State for Defence, how many service family homes are near "
        "military bases.",
        "Neither the department nor its contractors hold those figures.",
    ),
    14: (
        "Asylum: Small Boats",
        "To ask the Secretary of State for the Home Department, how many people arrived on "
        "small boats.",
        "Arrivals by small boat fell; we do not hold data on boats by size.",
    ),
}


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE questions_fts USING fts5 (heading, question_text, answer_text, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    conn.executemany(
        "INSERT INTO questions_fts (rowid, heading, question_text, answer_text) "
        "VALUES (?, ?, ?, ?)",
        [(rowid, *texts) for rowid, texts in ROWS.items()],
    )
    yield conn
    conn.close()


def run(db: sqlite3.Connection, expression: str) -> set[int]:
    rows = db.execute(
        "SELECT rowid FROM questions_fts WHERE questions_fts MATCH ?", (expression,)
    ).fetchall()
    return {rowid for (rowid,) in rows}


def search(db: sqlite3.Connection, query: str) -> set[int]:
    """What the store does: the translated query, then the literal fallback."""
    try:
        return run(db, to_match(query))
    except sqlite3.OperationalError:
        return run(db, literal(query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # plain words: all must match, any column, any case
        ("facial recognition", {1, 2}),
        ("FACIAL Recognition", {1, 2}),
        ("police rural", {7}),
        ("watchlist", {1}),
        # phrases
        ('"facial recognition"', {1}),
        ('"live facial recognition"', {1}),
        ('"rural crime"', {6}),
        ('"do not"', {10, 14}),
        ("\u201csmall boats\u201d", {14}),
        # OR, NOT, AND, precedence, parentheses
        ("rural OR boats", {6, 7, 14}),
        ("rural AND crime", {6, 7}),
        ("crime NOT fly-tipping", {7}),
        ("police NOT biometrics", {1, 7}),
        ("police AND NOT biometrics", {1, 7}),
        ("police NOT facial NOT rural", set()),
        ("watchlist OR app covid19", {1, 5}),
        ("boats OR crime NOT rural", {14}),
        ("(rural OR boats) AND police", {7}),
        ("police (rural OR facial)", {1, 2, 7}),
        ("(rural OR boats) (police OR size)", {7, 14}),
        ("police NOT (facial OR tractors)", set()),
        ("crime NOT (fly-tipping NOT police)", {7}),
        # NOT binds tighter than AND: (police NOT facial) AND recognition
        ("police NOT facial recognition", set()),
        # prefixes
        ("covid*", {3, 4, 5}),
        ("vaccin*", {3}),
        ("boat*", {14}),
        ('"small boat"*', {14}),
        ("retir* OR watch*", {1, 5}),
        # everyday input with punctuation: searched as the tokenizer split the text
        ("covid-19", {3, 4}),
        ("COVID-19 vaccine", {3}),
        ("covid19", {5}),
        ("2020/21", {8}),
        ("2020-21", {8}),
        ("2021/22", {9}),
        ("budget 2020/21", {8}),
        ("don't", {10}),
        ("don\u2019t publish", {10}),
        ("e-mail", {11}),
        ("£5m", {8}),
        ("10%", {8}),
        ("fly-tipping", {6}),
        ("department's", {8}),
        ("cafes", {12}),
        ("CAFÉS", {12}),
        ("café", set()),  # the text says "cafés"
        ("naive", {12}),
        ('"live facial recognition', {1}),
        ("NEAR(", {13}),
        ("NEAR(military bases)", {13}),
        ("heading:police", {1, 2}),  # a column filter: "police" in the heading
        ("^live facial", {1}),
        ("{facial recognition}", {1, 2}),
        ("watchlist)", {1}),
        ("(watchlist", {1}),
        # lowercase operators are words; operators without two sides are words
        ("report or publish", {4}),
        ("covid OR", {4}),
        ("tractors AND", {7}),
        ("not hold", {14}),
    ],
)
def test_search_finds(db: sqlite3.Connection, query: str, expected: set[int]) -> None:
    assert search(db, query) == expected
    run(db, to_match(query))  # the first attempt never needed the fallback


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rural crime", '"rural" AND "crime"'),
        ("covid-19", '"covid-19"'),
        ('"live facial recognition', '"live facial recognition"'),
        ("  a   b  ", '"a" AND "b"'),
        ('"  spaced   out  "', '"spaced out"'),
        ("vaccin* covid-*", '"vaccin"* AND "covid-"*'),
        ('"small boat"**', '"small boat"*'),
        ("a OR b c", '"a" OR "b" AND "c"'),
        ("(a OR b) c", '("a" OR "b") AND "c"'),
        ("a AND NOT b", '"a" NOT "b"'),
        ("a NOT b NOT c", '"a" NOT "b" NOT "c"'),
        ("a NOT (b NOT c)", '"a" NOT ("b" NOT "c")'),
        ("a NOT b c", '"a" NOT "b" AND "c"'),
        ("((a OR b) OR c)", '"a" OR "b" OR "c"'),
        ("((((a))))", '"a"'),
        ("a ( ) b", '"a" AND "b"'),
        ("a OR OR b", '"a" OR "or" AND "b"'),
        ("AND", '"and"'),
        ("heading:police", 'heading : "police"'),
        ("NEAR(a b, 5)", '"NEAR" AND "a" AND "b," AND "5"'),
        ("'; DROP TABLE questions;--", '"DROP" AND "TABLE" AND "questions;--"'),
        ('" OR 1=1', '"OR 1=1"'),
        ("a\x00b", '"a" AND "b"'),
        ("😀 boats", '"boats"'),
        ("- * £ boats", '"boats"'),
    ],
)
def test_to_match_text(query: str, expected: str) -> None:
    assert to_match(query) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   \t\n", "empty"),
        ("\x00\x00", "empty"),
        ("*", "no letters or digits"),
        ("-", "no letters or digits"),
        ("()", "no letters or digits"),
        ('""', "no letters or digits"),
        ("😀🔥", "no letters or digits"),
        ("NOT covid", "NOT needs a term before it"),
        ("covid OR NOT vaccine", "NOT needs a term before it"),
        ("a (NOT b)", "NOT needs a term before it"),
        ("x" * (MAX_QUERY_CHARS + 1), "too long"),
        (" ".join(["word"] * (MAX_TERMS + 1)), f"the limit is {MAX_TERMS}"),
        ("(" * (MAX_DEPTH + 1) + "a", "nests parentheses"),
    ],
)
def test_query_errors(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message) as info:
        to_match(query)
    assert isinstance(info.value, UsageError)  # exit code 2
    assert "\n" not in str(info.value)


def test_limits_are_inclusive(db: sqlite3.Connection) -> None:
    run(db, to_match(" ".join(["word"] * MAX_TERMS)))
    run(db, to_match("x" * MAX_QUERY_CHARS))
    deepest = "a OR b"
    for level in range(MAX_DEPTH):
        deepest = f"w{level} {'OR' if level % 2 else 'NOT'} ({deepest})"
    run(db, to_match(deepest))


HOSTILE = [
    "'; DROP TABLE questions;--",
    '" OR 1=1',
    "' OR '1'='1",
    '" OR ""="',
    "1; SELECT * FROM sqlite_master",
    "questions_fts MATCH 'x'",
    "UNION SELECT rowid FROM questions_fts",
    '"',
    '"""',
    '"a""b"',
    "(",
    ")",
    ")(",
    "(()",
    "a (b",
    "a) b",
    "NEAR(",
    "NEAR(a b, 2)",
    "NEAR/3",
    "**",
    "*a",
    "a**b",
    "AND",
    "OR",
    "NOT",
    "AND OR NOT",
    "NOT NOT",
    "a NOT",
    "--",
    "-covid",
    "+",
    "a + b",
    "^",
    "^start",
    "{a b}",
    "{heading}: police",
    "heading : foo",
    "- heading : foo",
    "question_text:covid",
    "rank:1",
    "x" * 10_000,
    "a " * 5_000,
    "covid " * 300,
    "\x00",
    "covid\x00-19",
    "\x01\x02\x1f\x7f",
    "emoji 😀🔥 boats",
    "👨\u200d👩\u200d👧",
    "مرحبا بالعالم",
    "שלום OR עולם",
    "\u202eevil\u202c",
    "\ud800 surrogate \udfff",
    "tab\tnew\nline\rreturn",
    "ﬁnance İstanbul straße",
    "zero\u200bwidth",
    "((((((((((a))))))))))",
    "(" * 50 + "a",
    ")" * 50 + "a",
    "2019-13-45",
    "31/02/2020",
    "since:2020-01-01",
    "%",
    "_",
    "\\",
    'a\\"b',
    "NULL",
    "1e309",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "\ue000 private use",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_run_or_fail_cleanly(db: sqlite3.Connection, query: str) -> None:
    try:
        expression = to_match(query)
    except QueryError as error:
        assert "\n" not in str(error)
        return
    run(db, expression)  # no fallback needed
    run(db, literal(query))  # nor would the fallback have failed


def test_enough_hostile_cases() -> None:
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("covid-19", '"covid-19"'),
        ("rural crime", '"rural" "crime"'),
        ('"unbalanced (NEAR OR', '"""unbalanced" "(NEAR" "OR"'),
        ("a\x00b \ud800 * -", '"a" "b"'),
        ("NOT covid", '"NOT" "covid"'),
    ],
)
def test_literal(query: str, expected: str) -> None:
    assert literal(query) == expected


@pytest.mark.parametrize("query", ["", "   ", "*", "- ( )", "\x00"])
def test_literal_needs_something_to_search(query: str) -> None:
    with pytest.raises(QueryError):
        literal(query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("covid", ['"covid"']),
        ('covid-19 "live facial" NOT vaccine', ['"covid-19" AND "live facial" NOT "vaccine"',
                                                '"covid-19" """live" "facial""" "NOT" "vaccine"']),
        ("boat*", ['"boat"*', '"boat*"']),
    ],
)  # fmt: skip
def test_expressions_are_the_query_then_its_literal_fallback(
    query: str, expected: list[str]
) -> None:
    assert expressions(query) == expected
    assert expressions(query)[-1] == literal(query)


def test_expressions_refuse_what_neither_can_search() -> None:
    with pytest.raises(QueryError, match="NOT needs a term before it"):
        expressions("NOT covid")
    with pytest.raises(QueryError, match="no letters or digits"):
        expressions("-- ***")


def test_parse_is_the_same_tree_to_match_renders() -> None:
    assert parse("a b") == parse("a AND b") == parse("(a) AND ((b))")


FRAGMENTS = st.sampled_from(
    [
        "AND", "OR", "NOT", "NEAR", "(", ")", '"', "\u201c", "*", "-", "+", ":", "^", "{", "}",
        ",", "'", " ", " ", " ", "covid", "19", "rural", "crime", "heading", "\x00", "😀", "é",
    ]
)  # fmt: skip
JOINED = st.lists(FRAGMENTS | st.text(max_size=3), max_size=25).map("".join)
QUERIES = st.text(max_size=80) | JOINED


@settings(max_examples=600, deadline=None)
@given(query=QUERIES)
def test_any_query_runs_or_raises_query_error(db: sqlite3.Connection, query: str) -> None:
    try:
        expression = to_match(query)
    except QueryError:
        return
    run(db, expression)


@settings(max_examples=300, deadline=None)
@given(query=QUERIES.filter(lambda q: any(ch.isalnum() for ch in q)))
def test_literal_is_valid_fts5_for_any_text_with_a_letter_or_digit(
    db: sqlite3.Connection, query: str
) -> None:
    run(db, literal(query))
