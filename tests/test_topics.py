"""topics.toml is checked against its schema: a bad file is one line and exit 2, never a traceback,
and never a string taken for a list of its letters."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pqtrack import search
from pqtrack.errors import QueryError
from pqtrack.store import Store
from pqtrack.topics import TOPIC_KEYS, load_topics
from tests.cli import Cli
from tests.fakeapi import FakeApi

KNOWN = ", ".join(TOPIC_KEYS)
MAX_ID = 2**63 - 1


def user_file(tmp_path: Path) -> Path:
    """The topics.toml the isolated environment's config dir holds."""
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    return config / "topics.toml"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "[topics.x]\nqueries = 'facial'\n",
            "topic 'x': 'queries' must be a list of query strings, not a string "
            "(write queries = ['facial'])",
        ),
        (
            "[topics.x]\nqueries = ['police']\napi_terms = 'police'\n",
            "topic 'x': 'api_terms' must be a list of strings, not a string "
            "(write api_terms = ['police'])",
        ),
        (
            "[topics.x]\nqueries = 5\n",
            "topic 'x': 'queries' must be a list of query strings, not a number",
        ),
        (
            "[topics.x]\nqueries = ['police', 5]\n",
            "topic 'x': 'queries' must be a list of query strings; item 2 is a number",
        ),
        (
            "[topics.x]\nqueries = []\n",
            "topic 'x' needs a list of query strings in 'queries'; it is empty",
        ),
        (
            "[topics.x]\nqueries = ['(((']\n",
            "topic 'x': 'queries' item 1: search query '(((' has no letters or digits to "
            "search for",
        ),
        (
            "[topics.x]\nqueries = ['police']\nexclude = 'crime'\n",
            "topic 'x': 'exclude' must be a list of query strings, not a string "
            "(write exclude = ['crime'])",
        ),
        (
            "[topics.x]\nqueries = ['police']\nexclude = ['crime', '(((']\n",
            "topic 'x': 'exclude' item 2: search query '(((' has no letters or digits to "
            "search for",
        ),
        (
            "[topics.x]\nqueries = ['police']\ndepartments = 1\n",
            "topic 'x': 'departments' must be a list of ids, not a number",
        ),
        (
            "[topics.x]\nqueries = ['police']\ndepartments = [true]\n",
            "topic 'x': 'departments' must be a list of ids; item 1 is true or false",
        ),
        (
            "[topics.x]\nqueries = ['police']\ndepartments = [17, 0]\n",
            "topic 'x': 'departments' item 2: 0 is not a department id",
        ),
        (
            "[topics.x]\nqueries = ['police']\ndepartments = [[17]]\n",
            "topic 'x': 'departments' must be a list of ids; item 1 is a list",
        ),
        (
            "[topics.x]\nqueries = ['police']\napi_terms = ['police', ' ']\n",
            "topic 'x': 'api_terms' item 2 is blank",
        ),
        (
            "[topics.x]\nqueries = ['police']\ndescription = 3\n",
            "topic 'x': 'description' must be a string, not a number",
        ),
        (
            "[topics.x]\nqueries = ['police']\ndescription = 1979-05-27\n",
            "topic 'x': 'description' must be a string, not a date or time",
        ),
        (
            "[topics.x]\nquery = ['police']\n",
            f"topic 'x': unknown key 'query' (known: {KNOWN})",
        ),
        (
            "[topics.x]\nqueries = ['police']\n[topics.x.more]\nqueries = ['crime']\n",
            f"topic 'x': unknown key 'more' (known: {KNOWN})",
        ),
        (
            "[topic.x]\nqueries = ['police']\n",
            "unknown key 'topic' (topics are [topics.NAME] tables)",
        ),
        ("[topics]\nx = 5\n", "topic 'x' must be a table, not a number"),
        ("topics = ['x']\n", "[topics] must be a table, not a list"),
        (
            "[topics.Police]\nqueries = ['police']\n[topics.police]\nqueries = ['crime']\n",
            "topic 'police': another topic has the same name",
        ),
        (
            "[topics.' x']\nqueries = ['police']\n",
            "topic ' x': a topic name must be printable, without spaces at its ends",
        ),
        (
            "[topics.\"a\\nb\"]\nqueries = ['police']\n",
            "topic 'a\\nb': a topic name must be printable, without spaces at its ends",
        ),
        (
            "[topics.x]\nqueries = ['police'\n",
            "cannot read topics: Unclosed array (at end of document)",
        ),
    ],
)
def test_each_schema_fault_is_one_line_naming_file_topic_and_key(
    tmp_path: Path, cli: Cli, db_path: Path, content: str, message: str
) -> None:
    path = user_file(tmp_path)
    path.write_text(content, encoding="utf-8")
    for args in (["topics"], ["sync", "--topic", "x", "--api-url", "http://127.0.0.1:1"]):
        result = cli(*args)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == f"pqtrack: {path}: {message}\n"
    assert not db_path.exists()  # sync refused it before opening the database
    Store.open(db_path).close()
    result = cli("list", "--topic", "x")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"pqtrack: {path}: {message}\n"


def test_a_topic_whose_terms_are_a_string_sends_nothing(tmp_path: Path, cli: Cli) -> None:
    user_file(tmp_path).write_text(
        "[topics.x]\nqueries = ['police']\napi_terms = 'police'\n", encoding="utf-8"
    )
    with FakeApi([]) as fake:
        result = cli("sync", "--topic", "x", "--api-url", fake.url, "--rate", "0")
        assert fake.requests == []
    assert result.exit_code == 2


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path, cli: Cli) -> None:
    path = user_file(tmp_path)
    path.write_bytes(b"[topics.x]\nqueries = ['caf\xe9']\n")
    result = cli("topics")
    assert (result.exit_code, result.stdout) == (2, "")
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"pqtrack: {path}: cannot read topics: 'utf-8' codec can't decode")


def test_a_valid_user_topic_keeps_its_lists_whole(tmp_path: Path, cli: Cli) -> None:
    user_file(tmp_path).write_text(
        "[topics.Buses]\ndescription = 'Bus services'\n"
        "queries = ['\"bus services\"', 'fare*']\ndepartments = [27]\n"
        "api_terms = ['bus services']\n",
        encoding="utf-8",
    )
    (buses,) = [t for t in cli.json("topics") if t["name"] == "buses"]
    assert buses["queries"] == ['"bus services"', "fare*"]
    assert buses["departments"] == [27]
    assert load_topics().get("BUSES").api_terms == ("bus services",)


# -- any file at all: exit 0 with sane topics, or exit 2 and one line --------------------------


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but DEL must be escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(document: dict[str, Any], headers: bool) -> str:
    """The document as TOML: as [topics."name"] sections, or all inline."""
    lines = []
    topics = document.get("topics")
    if headers and isinstance(topics, dict) and all(isinstance(v, dict) for v in topics.values()):
        for key, value in document.items():
            if key != "topics":
                lines.append(f"{toml_string(key)} = {toml_value(value)}")
        for name, spec in topics.items():
            lines.append(f"[topics.{toml_string(name)}]")
            lines += [f"{toml_string(k)} = {toml_value(v)}" for k, v in spec.items()]
    else:
        lines += [f"{toml_string(k)} = {toml_value(v)}" for k, v in document.items()]
    return "\n".join(lines) + "\n"


words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10)
queries = st.one_of(
    st.sampled_from(['"facial recognition"', "police", "asylum OR visa*", "NOT x", "(((", " "]),
    words,
)
names = st.one_of(st.sampled_from(["x", "X", "police", "Rural-Crime", " x", "a b", ""]), words)
scalars = st.one_of(
    words,
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
    max_leaves=6,
)
specs = st.builds(
    lambda fixed, extra: {**fixed, **extra},
    st.fixed_dictionaries(
        {},
        optional={
            "description": words | values,
            "queries": st.lists(queries, min_size=1, max_size=3) | values,
            "exclude": st.lists(queries, max_size=2) | values,
            "departments": st.lists(st.integers(min_value=-1, max_value=2**63), max_size=3)
            | values,
            "api_terms": st.lists(words, max_size=3) | values,
        },
    ),
    st.dictionaries(words, values, max_size=1) | st.just({}),
)
documents = st.builds(
    lambda topics, extra: {"topics": topics, **extra},
    st.dictionaries(names, specs | values, max_size=3) | values,
    st.dictionaries(words, values, max_size=1) | st.just({}) | st.just({}),
)
files = st.one_of(
    st.builds(toml_document, documents, st.booleans()),
    st.builds(
        lambda text, cut: text[:cut],
        st.builds(toml_document, documents, st.booleans()),
        st.integers(min_value=0, max_value=200),
    ),
    st.text(max_size=80),
)


def is_valid(document: dict[str, Any]) -> bool:
    """The schema, written out independently of pqtrack.topics."""
    topics = document.get("topics", {})
    if set(document) - {"topics"} or not isinstance(topics, dict):
        return False
    if len({name.lower() for name in topics}) < len(topics):
        return False
    for name, spec in topics.items():
        if not name.strip() or name != name.strip() or not name.isprintable():
            return False
        if not isinstance(spec, dict) or set(spec) - set(TOPIC_KEYS):
            return False
        if not isinstance(spec.get("description", ""), str):
            return False
        found = spec.get("queries")
        if not isinstance(found, list) or not found or not strings(found):
            return False
        excluded = spec.get("exclude", [])
        if not strings(excluded):
            return False
        try:
            for query in [*found, *excluded]:
                search.to_match(query)
        except QueryError:
            return False
        if not strings(spec.get("api_terms", [])):
            return False
        departments = spec.get("departments", [])
        if not isinstance(departments, list) or not all(
            type(d) is int and 1 <= d <= MAX_ID for d in departments
        ):
            return False
    return True


def strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=files)
def test_any_topics_file_gives_sane_topics_or_one_line(tmp_path: Path, cli: Cli, text: str) -> None:
    import tomllib

    path = user_file(tmp_path)
    path.write_text(text, encoding="utf-8")
    try:
        document: dict[str, Any] | None = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        document = None
    result = cli("topics", "--format", "json")  # an exception here fails the test
    event(f"exit {result.exit_code}, {'no toml' if document is None else 'toml'}")
    assert "Traceback" not in result.stderr
    if document is None or not is_valid(document):
        assert (result.exit_code, result.stdout) == (2, ""), result.stdout
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"pqtrack: {path}: ")
        return
    assert result.exit_code == 0, result.stderr
    listed = {t["name"]: t for t in json.loads(result.stdout)}
    mine = {name.lower(): spec for name, spec in document.get("topics", {}).items()}
    assert {n for n, t in listed.items() if t["source"] == str(path)} == set(mine)
    for name, spec in mine.items():
        assert listed[name]["queries"] == spec["queries"]
        assert listed[name]["exclude"] == spec.get("exclude", [])
        assert listed[name]["departments"] == spec.get("departments", [])
        assert listed[name]["description"] == spec.get("description", "")
    for topic in load_topics().by_name.values():
        assert re.search(r"\S", topic.match_expression())
        assert all(isinstance(t, str) and t.strip() for t in topic.api_terms)
