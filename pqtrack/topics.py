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


@dataclass(frozen=True)
class Topic:
    name: str
    description: str
    queries: tuple[str, ...]
    departments: tuple[int, ...] = ()
    api_terms: tuple[str, ...] = ()  # plain terms for the API's searchTerm when syncing a topic
    source: str = "shipped"  # 'shipped' or the path of the user's file

    def match_expression(self) -> str:
        """One FTS5 expression: any of the topic's queries."""
        parts = []
        for query in self.queries:
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
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read topics: {exc}") from None
    table = document.get("topics", {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [topics] must be a table")
    return [_topic(name, spec, path, source) for name, spec in table.items()]


def _topic(name: str, spec: Any, path: Path, source: str) -> Topic:
    if not isinstance(spec, dict):
        raise UsageError(f"{path}: topic {name!r} must be a table")
    queries = spec.get("queries", [])
    departments = spec.get("departments", [])
    if not queries or not all(isinstance(q, str) and q.strip() for q in queries):
        raise UsageError(f"{path}: topic {name!r} needs a list of query strings in 'queries'")
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in departments):
        raise UsageError(f"{path}: topic {name!r}: 'departments' must be a list of ids")
    api_terms = spec.get("api_terms", [])
    if not all(isinstance(t, str) and t.strip() for t in api_terms):
        raise UsageError(f"{path}: topic {name!r}: 'api_terms' must be a list of strings")
    return Topic(
        name=name.lower(),
        api_terms=tuple(api_terms),
        description=str(spec.get("description", "")),
        queries=tuple(queries),
        departments=tuple(departments),
        source=source,
    )
