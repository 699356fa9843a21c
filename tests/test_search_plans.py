"""Newest-first search has other ways in when following the matches is slow (an old --until,
a filter that selects few questions). They must return exactly what the first way does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pqtrack import search
from pqtrack.filters import Filters
from pqtrack.store import Store
from tests.bench.generate import generate
from tests.build import memory_store


@pytest.fixture(scope="module")
def corpus() -> Iterator[Store]:
    store = memory_store()
    store.save(((v, None) for v in generate(3000, seed=11)), run_id=None)
    yield store
    store.close()


def some(store: Store, sql: str) -> Any:
    return store.db.conn.execute(sql).fetchone()[0]


def cases(store: Store) -> list[tuple[str, Filters]]:
    old = some(store, "SELECT date_tabled FROM questions ORDER BY date_tabled LIMIT 1 OFFSET 300")
    body = some(store, "SELECT answering_body_id FROM questions GROUP BY 1 ORDER BY count(*)")
    asker = some(store, "SELECT asking_member_id FROM questions GROUP BY 1 ORDER BY count(*) DESC")
    return [
        ("government", Filters(until=old)),
        ("support OR department", Filters(until=old, house="Commons")),
        ("government", Filters(status="withdrawn")),
        ("the", Filters(status="holding", until=old)),
        ("department", Filters(department_ids=[body])),
        ("government", Filters(member_ids=[asker], since=old)),
        ("police*", Filters(topic_match="police OR crime")),
        ('"the government"', Filters(status="answered")),
    ]


def run(store: Store, query: str, filters: Filters, **paging: int) -> list[tuple[int, str]]:
    result = search.search_records(
        store.db.conn,
        [query],
        filters,
        limit=paging.get("limit", 20),
        offset=paging.get("offset", 0),
    )
    return [(r["id"], r["snippet"]) for r in result.records]


def out_of_time(monkeypatch: pytest.MonkeyPatch, *tries: str) -> None:
    """Make the named tries run out of time at once."""
    monkeypatch.setattr(search, "GUARD_STEPS", 1)
    for name in tries:
        monkeypatch.setattr(search, name, -1.0)


def filters_never_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "COMMON_MATCHES", 10**9)


def filters_always_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "COMMON_MATCHES", 0)
    monkeypatch.setattr(search, "FEW_SELECTED", 10**9)


@pytest.mark.parametrize("offset", [0, 7])
@pytest.mark.parametrize(
    "tries",
    [
        ("FIRST_TRY_SECONDS",),
        ("FIRST_TRY_SECONDS", "NEXT_TRY_SECONDS", "FILTER_TRY_SECONDS"),
        ("filters first",),
    ],
)
def test_every_way_in_gives_the_same_hits(
    corpus: Store, monkeypatch: pytest.MonkeyPatch, offset: int, tries: tuple[str, ...]
) -> None:
    checked = 0
    for query, filters in cases(corpus):
        with monkeypatch.context() as plain:
            filters_never_first(plain)  # the matches, newest first, in time
            first_way = run(corpus, query, filters, offset=offset)
        with monkeypatch.context() as forced:
            if tries == ("filters first",):
                filters_always_first(forced)
            else:
                filters_never_first(forced)
                out_of_time(forced, *tries)
            other_way = run(corpus, query, filters, offset=offset)
        assert other_way == first_way, (query, filters)
        checked += bool(first_way)
    assert checked >= 6  # the cases do find something


def test_the_filters_go_first_only_for_a_common_match_and_few_questions(
    corpus: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = corpus.db.conn
    (few,) = conn.execute("SELECT count(*) FROM questions WHERE status = 'withdrawn'").fetchone()
    (many,) = conn.execute("SELECT count(*) FROM questions WHERE status = 'answered'").fetchone()
    (common,) = conn.execute(
        "SELECT count(*) FROM questions_fts WHERE questions_fts MATCH 'government'"
    ).fetchone()
    assert 0 < few < many and common > 1
    monkeypatch.setattr(search, "FEW_SELECTED", few)  # the corpus is small: scale the bounds
    monkeypatch.setattr(search, "COMMON_MATCHES", common)
    assert search._filter_first(conn, Filters(status="withdrawn"), "government")
    assert not search._filter_first(conn, Filters(status="answered"), "government")  # many
    monkeypatch.setattr(search, "COMMON_MATCHES", common + 1)
    assert not search._filter_first(conn, Filters(status="withdrawn"), "government")  # rare
    assert search._indexed_part(Filters(since="2025-01-01", house="Commons")) is None


def test_list_from_the_id_ceiling_gives_the_same_questions(
    corpus: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = some(corpus, "SELECT date_tabled FROM questions ORDER BY date_tabled LIMIT 1 OFFSET 300")
    answered = some(corpus, "SELECT date_answered FROM questions WHERE date_answered IS NOT NULL"
                    " ORDER BY date_answered LIMIT 1 OFFSET 200")  # fmt: skip
    for filters in (
        Filters(until=old),
        Filters(answered_until=answered),
        Filters(until=old, answered_until=answered, status="answered"),
    ):
        first_way = [
            r["id"] for r in search.list_records(corpus.db.conn, filters, limit=30, offset=5)
        ]
        with monkeypatch.context() as forced:
            forced.setattr(search, "GUARD_STEPS", 1)
            forced.setattr(search, "LIST_TRY_SECONDS", -1.0)
            other_way = [
                r["id"] for r in search.list_records(corpus.db.conn, filters, limit=30, offset=5)
            ]
        assert other_way == first_way != []


def test_a_topic_narrows_a_search_like_the_same_query_written_out(corpus: Store) -> None:
    with_topic = run(corpus, "government", Filters(topic_match="police OR crime"), limit=500)
    written_out = run(corpus, "(government) AND (police OR crime)", Filters(), limit=500)
    assert [i for i, _ in with_topic] == [i for i, _ in written_out] != []
