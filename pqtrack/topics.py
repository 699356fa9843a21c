"""Topic definitions: the ones shipped in data/topics.toml and the user's own in the config dir."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pqtrack import search
from pqtrack.errors import QueryError, UsageError
from pqtrack.paths import config_dir
from pqtrack.record import MAX_INT


@dataclass(frozen=True)
class Topic:
    name: str
    description: str
    queries: tuple[str, ...]
    departments: tuple[int, ...] = ()
    api_terms: tuple[str, ...] = ()  # plain terms for the API's searchTerm when syncing a topic
    source: str = "shipped"  # 'shipped' or the path of the user's file
    exclude: tuple[str, ...] = ()  # queries a question must match none of

    def match_expression(self) -> str:
        """One FTS5 expression: any of the topic's queries and none of its excludes."""
        wanted = self._any(self.queries)
        if not self.exclude:
            return wanted
        return f"({wanted}) NOT ({self._any(self.exclude)})"

    def _any(self, queries: tuple[str, ...]) -> str:
        parts = []
        for query in queries:
            try:
                parts.append(f"({search.to_match(query)})")
            except QueryError as exc:
                raise UsageError(f"topic {self.name!r}: bad query {query!r}: {exc}") from None
        return " OR ".join(parts)


@dataclass
class Topics:
    by_name: dict[str, Topic] = field(default_factory=dict)

    def get(self, name: str) -> Topic:
        topic = self.by_name.get(name.strip().lower())
        if topic is None:
            known = ", ".join(sorted(self.by_name)) or "none"
            raise UsageError(f"--topic: unknown topic {name!r} (known: {known})")
        return topic


def shipped_file() -> Path:
    packaged = resources.files("pqtrack").joinpath("data", "topics.toml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / "data" / "topics.toml"


def user_file() -> Path:
    return config_dir() / "topics.toml"


def load_topics(user_path: Path | None = None) -> Topics:
    """Shipped topics, then the user's, which replace shipped ones of the same name."""
    topics = Topics()
    for path, source in ((shipped_file(), "shipped"), (user_path or user_file(), None)):
        if not path.exists():
            continue
        for topic in parse_topics(path, source or str(path)):
            topics.by_name[topic.name] = topic
    return topics


def parse_topics(path: Path, source: str) -> list[Topic]:
    """The topics in one file, checked against the schema: a [topics.NAME] table per topic with
    `queries` (a list of search queries) and optional `exclude` (a list of search queries a
    question must match none of), `description` (a string), `departments` (a list of ids) and
    `api_terms` (a list of words). Anything else -> a one-line UsageError
    naming the file, the topic and the key."""
    try:
        # the bytes as written: reading as text would turn a bare CR, which TOML refuses, into
        # a newline
        document = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read topics: {_one_line(str(exc))}") from None
    unknown = sorted(set(document) - {"topics"})
    if unknown:
        raise UsageError(f"{path}: unknown key {unknown[0]!r} (topics are [topics.NAME] tables)")
    table = document.get("topics", {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [topics] must be a table, not {_kind(table)}")
    topics: dict[str, Topic] = {}
    for name, spec in table.items():
        topic = _topic(name, spec, path, source)
        if topic.name in topics:
            raise UsageError(f"{path}: topic {name!r}: another topic has the same name")
        topics[topic.name] = topic
    return list(topics.values())


TOPIC_KEYS = ("description", "queries", "exclude", "departments", "api_terms")


def _topic(name: str, spec: Any, path: Path, source: str) -> Topic:
    where = f"{path}: topic {name!r}"
    if not name.strip() or name != name.strip() or not name.isprintable():
        raise UsageError(f"{where}: a topic name must be printable, without spaces at its ends")
    if not isinstance(spec, dict):
        raise UsageError(f"{where} must be a table, not {_kind(spec)}")
    unknown = sorted(set(spec) - set(TOPIC_KEYS))
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(TOPIC_KEYS)})")
    description = spec.get("description", "")
    if not isinstance(description, str):
        raise UsageError(f"{where}: 'description' must be a string, not {_kind(description)}")
    if "queries" not in spec:
        raise UsageError(f"{where} needs a list of query strings in 'queries'")
    queries = _strings(spec["queries"], where, "queries", "query strings")
    if not queries:
        raise UsageError(f"{where} needs a list of query strings in 'queries'; it is empty")
    exclude = _strings(spec.get("exclude", []), where, "exclude", "query strings")
    for key, listed in (("queries", queries), ("exclude", exclude)):
        for number, query in enumerate(listed, 1):
            try:
                search.to_match(query)
            except QueryError as exc:
                raise UsageError(f"{where}: {key!r} item {number}: {exc}") from None
    departments = spec.get("departments", [])
    if not isinstance(departments, list):
        raise UsageError(f"{where}: 'departments' must be a list of ids, not {_kind(departments)}")
    for number, department in enumerate(departments, 1):
        if isinstance(department, bool) or not isinstance(department, int):
            raise UsageError(
                f"{where}: 'departments' must be a list of ids; item {number} is "
                f"{_kind(department)}"
            )
        if not 1 <= department <= MAX_INT:
            raise UsageError(
                f"{where}: 'departments' item {number}: {department} is not a department id"
            )
    api_terms = _strings(spec.get("api_terms", []), where, "api_terms", "strings")
    return Topic(
        name=name.lower(),
        api_terms=api_terms,
        description=description,
        queries=queries,
        exclude=exclude,
        departments=tuple(departments),
        source=source,
    )


def _strings(value: Any, where: str, key: str, what: str) -> tuple[str, ...]:
    """A list of non-blank strings; a lone string is refused, never split into letters."""
    if not isinstance(value, list):
        hint = f" (write {key} = [{value!r}])" if isinstance(value, str) else ""
        raise UsageError(f"{where}: {key!r} must be a list of {what}, not {_kind(value)}{hint}")
    for number, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise UsageError(
                f"{where}: {key!r} must be a list of {what}; item {number} is {_kind(item)}"
            )
        if not item.strip():
            raise UsageError(f"{where}: {key!r} item {number} is blank")
    return tuple(value)


def _kind(value: Any) -> str:
    """What a TOML value is, for messages: 'a string', 'a table'..."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _one_line(text: str) -> str:
    return " ".join(text.split())
