"""ParliamentClient against the local fake API over real HTTP (and MockTransport where simpler)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

from pqtrack.client import (
    DEFAULT_API_URL,
    USER_AGENT,
    ParliamentClient,
    encode_params,
    make_http_client,
    parse_api_url,
)
from pqtrack.errors import ApiError, UsageError
from tests.build import question
from tests.fakeapi import (
    FAULT_KINDS,
    LIST_PATH,
    FakeApi,
    FaultPlan,
    load_samples,
    to_list_item,
)
from tests.samples import SOURCES, own_detail_files, own_list_files, require_samples


class FakeTime:
    """An injected clock and sleep: sleeping only moves the clock on (or not, if frozen)."""

    def __init__(self, *, frozen: bool = False) -> None:
        self.now = 1000.0
        self.frozen = frozen
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            if not self.frozen:
                self.now += seconds


@pytest.fixture
def fake() -> Iterator[FakeApi]:
    with FakeApi(fault_delay=1.0) as api:
        yield api


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with make_http_client(timeout=0.3) as client:
        yield client


def client_for(fake: FakeApi, http: httpx.Client, clock: FakeTime, **kw: Any) -> ParliamentClient:
    kw.setdefault("rate", 0)
    return ParliamentClient(http, base_url=fake.url, sleep=clock.sleep, clock=clock.clock, **kw)


def mock_client(
    handler: Callable[[httpx.Request], httpx.Response], clock: FakeTime, **kw: Any
) -> ParliamentClient:
    kw.setdefault("rate", 0)
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return ParliamentClient(
        http, base_url="https://api.test", sleep=clock.sleep, clock=clock.clock, **kw
    )


def answered(n: int, start: int = 1) -> list[dict[str, Any]]:
    """n answered questions, id i answered on day i of March (so higher id = newer)."""
    return [question(i, answered=f"2025-03-{i:02d}") for i in range(start, start + n)]


# -- paging -------------------------------------------------------------------------------


@pytest.mark.parametrize("take", [1, 3, 7, 100])
def test_pages_walk_skip_until_total(
    fake: FakeApi, http: httpx.Client, clock: FakeTime, take: int
) -> None:
    fake.set_questions(answered(7))
    client = client_for(fake, http, clock)
    pages = list(client.iter_question_pages({"answered": "Answered"}, take=take))
    assert [p.skip for p in pages] == list(range(0, 7, take))
    assert {p.total for p in pages} == {7}
    assert [v["id"] for p in pages for v in p.values] == [7, 6, 5, 4, 3, 2, 1]
    skips = [r.param("skip") for r in fake.requests]
    assert skips == [str(s) for s in range(0, 7, take)]
    assert {r.param("take") for r in fake.requests} == {str(take)}
    assert client.requests == len(pages) and client.retries == 0


def test_empty_window_is_one_request(fake: FakeApi, http: httpx.Client, clock: FakeTime) -> None:
    pages = list(client_for(fake, http, clock).iter_question_pages({}))
    assert [(p.skip, p.total, p.values) for p in pages] == [(0, 0, [])]
    assert fake.count("list") == 1


def list_body(ids: list[int], total: int) -> dict[str, Any]:
    return {
        "totalResults": total,
        "results": [{"value": question(i), "links": []} for i in ids],
    }


def test_stops_on_an_empty_page_even_below_total(clock: FakeTime) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params["skip"])
        ids = [1, 2] if request.url.params["skip"] == "0" else []
        return httpx.Response(200, json=list_body(ids, total=10))

    pages = list(mock_client(handler, clock).iter_question_pages({}, take=2))
    assert seen == ["0", "2"]
    assert [len(p.values) for p in pages] == [2, 0]
    assert pages[-1].total == 10


def test_skip_advances_by_what_was_returned_not_take(clock: FakeTime) -> None:
    """A server that caps the page size below `take` must not make the client skip items."""
    ids = list(range(1, 8))

    def handler(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params["skip"])
        return httpx.Response(200, json=list_body(ids[skip : skip + 3], total=len(ids)))

    pages = list(mock_client(handler, clock).iter_question_pages({}, take=100))
    assert [p.skip for p in pages] == [0, 3, 6]
    assert [v["id"] for p in pages for v in p.values] == ids


def test_list_params_are_encoded_for_aspnet(
    fake: FakeApi, http: httpx.Client, clock: FakeTime
) -> None:
    params: dict[str, Any] = {
        "answeringBodies": [1, 17],
        "expandMember": True,
        "includeWithdrawn": False,
        "house": "Commons",
        "answeredWhenFrom": "2025-03-07",
        "askingMemberId": 4001,
    }
    list(client_for(fake, http, clock).iter_question_pages(params, take=50))
    (request,) = fake.requests
    assert request.path == LIST_PATH
    assert request.query == {
        "answeringBodies": ["1", "17"],
        "expandMember": ["true"],
        "includeWithdrawn": ["false"],
        "house": ["Commons"],
        "answeredWhenFrom": ["2025-03-07"],
        "askingMemberId": ["4001"],
        "take": ["50"],
        "skip": ["0"],
    }


def test_encode_params_order_and_types() -> None:
    assert encode_params({"a": True, "b": 0, "c": (3, 4), "d": "x"}) == [
        ("a", "true"),
        ("b", "0"),
        ("c", "3"),
        ("c", "4"),
        ("d", "x"),
    ]


def test_page_values_are_unwrapped_and_shape_is_checked(clock: FakeTime) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"totalResults": 1, "items": []})

    client = mock_client(handler, clock)
    with pytest.raises(ApiError, match=r"no 'results'"):
        list(client.iter_question_pages({}))
    assert client.requests == 1  # a wrong shape is not a transient fault


# -- single questions ---------------------------------------------------------------------


def test_fetch_question_returns_full_value_with_members(
    fake: FakeApi, http: httpx.Client, clock: FakeTime
) -> None:
    value = question(
        42, answered="2025-03-07", groupedQuestions=["43"], answerText="<p>" + "x" * 400 + "</p>"
    )
    fake.set_questions([value])
    got = ParliamentClient(http, base_url=fake.url + "/", rate=0).fetch_question(42)
    assert got is not None
    assert got["answerText"] == value["answerText"]
    assert got["askingMember"]["id"] == value["askingMemberId"]
    assert got["groupedQuestions"] == []  # the single endpoint's quirk (API.md Q4)
    assert fake.requests[0].path == LIST_PATH + "/42"
    assert fake.requests[0].query == {"expandMember": ["true"]}


def test_fetch_question_unknown_is_none(fake: FakeApi, http: httpx.Client, clock: FakeTime) -> None:
    client = client_for(fake, http, clock)
    assert client.fetch_question(404404) is None
    assert client.requests == 1 and client.retries == 0


def test_fetch_question_without_value_is_an_api_error(clock: FakeTime) -> None:
    client = mock_client(lambda r: httpx.Response(200, json={"links": []}), clock)
    with pytest.raises(ApiError, match="no question 'value'"):
        client.fetch_question(1)


# -- retries ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_every_fault_kind_is_retried(
    fake: FakeApi, http: httpx.Client, clock: FakeTime, kind: str
) -> None:
    fake.set_questions(answered(3))
    fake.faults = FaultPlan(schedule=[kind, None, kind])
    client = client_for(fake, http, clock)
    assert client.fetch_question(2) is not None
    pages = list(client.iter_question_pages({}, take=2))
    assert [v["id"] for p in pages for v in p.values] == [3, 2, 1]
    assert client.requests == 5 and client.retries == 2
    assert [r.fault for r in fake.requests] == [kind, None, kind, None, None]
    assert len(clock.sleeps) == 2


def test_seeded_random_faults_all_recovered(
    fake: FakeApi, http: httpx.Client, clock: FakeTime
) -> None:
    fake.set_questions(answered(20))
    kinds = [k for k in FAULT_KINDS if k != "timeout"]  # keep the test fast
    fake.faults = FaultPlan(rate=0.3, seed=1, kinds=kinds)
    client = client_for(fake, http, clock, max_attempts=10)
    ids = [v["id"] for p in client.iter_question_pages({}, take=4) for v in p.values]
    details = [client.fetch_question(i) for i in ids]
    assert ids == list(range(20, 0, -1)) and all(details)
    served = sum(1 for r in fake.requests if r.fault)
    assert served > 0
    assert client.retries == served
    assert client.requests == len(fake.requests) == 5 + 20 + served


def test_retry_after_seconds_is_honoured(
    fake: FakeApi, http: httpx.Client, clock: FakeTime
) -> None:
    fake.set_questions(answered(1))
    fake.faults = FaultPlan(schedule=["429"], retry_after="7")
    client = client_for(fake, http, clock, backoff=0.01)
    assert client.fetch_question(1) is not None
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_and_cap(clock: FakeTime) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    answers = iter(
        [
            httpx.Response(503, headers={"Retry-After": when}),
            httpx.Response(429, headers={"Retry-After": "3600"}),
            httpx.Response(200, json={"value": question(1)}),
        ]
    )
    client = mock_client(lambda r: next(answers), clock, max_backoff=30.0)
    assert client.fetch_question(1) is not None
    assert 15 < clock.sleeps[0] <= 20
    assert clock.sleeps[1] == 30.0  # capped at max_backoff


def test_backoff_grows_with_jitter_and_is_capped(clock: FakeTime) -> None:
    client = mock_client(
        lambda r: httpx.Response(500), clock, max_attempts=8, backoff=0.5, max_backoff=4.0
    )
    with pytest.raises(ApiError):
        client.fetch_question(1)
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    assert len(clock.sleeps) == len(ceilings)
    for wait, ceiling in zip(clock.sleeps, ceilings, strict=True):
        assert ceiling / 2 <= wait <= ceiling


def test_exhaustion_raises_one_line_api_error(
    fake: FakeApi, http: httpx.Client, clock: FakeTime
) -> None:
    fake.set_questions(answered(1))
    fake.faults = FaultPlan(schedule=["503", "200-problem", "html-502"])
    client = client_for(fake, http, clock, max_attempts=3)
    with pytest.raises(ApiError) as info:
        client.fetch_question(1)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"GET {LIST_PATH}/1 failed after 3 attempts")
    assert "HTTP 502" in message
    assert client.requests == 3 and client.retries == 2 and len(clock.sleeps) == 2


def test_client_error_is_not_retried(fake: FakeApi, http: httpx.Client, clock: FakeTime) -> None:
    client = client_for(fake, http, clock)
    with pytest.raises(ApiError) as info:
        list(client.iter_question_pages({"house": "Nowhere"}))
    assert str(info.value) == (
        f"HTTP 400 from GET {LIST_PATH}: One or more validation errors occurred."
    )
    assert client.requests == 1 and client.retries == 0 and clock.sleeps == []


def test_problem_details_on_200_below_500_is_not_retried(clock: FakeTime) -> None:
    body = {"type": "about:blank", "title": "Bad Request", "status": 400}
    client = mock_client(lambda r: httpx.Response(200, json=body), clock)
    with pytest.raises(ApiError, match=r"problem report \(status 400\): Bad Request"):
        list(client.iter_question_pages({}))
    assert client.requests == 1


def test_connection_refused_is_retried_then_fails(http: httpx.Client, clock: FakeTime) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ParliamentClient(
        http,
        base_url=f"http://127.0.0.1:{port}",
        rate=0,
        max_attempts=3,
        sleep=clock.sleep,
        clock=clock.clock,
    )
    with pytest.raises(ApiError, match="failed after 3 attempts .*ConnectError"):
        client.fetch_question(1)
    assert client.requests == 3


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("ftp://127.0.0.1", "https://questions-statements-api.parliament.uk"),
        ("127.0.0.1:8099", "http://127.0.0.1:8099"),
        ("localhost:8099", "http://localhost:8099"),
        ("http://", "https://questions-statements-api.parliament.uk"),
        ("https://host:99999", "https://questions-statements-api.parliament.uk"),
        ("http://[::1", "https://questions-statements-api.parliament.uk"),
        ("http://host/api?x=1", "https://questions-statements-api.parliament.uk"),
        ("http://a host", "https://questions-statements-api.parliament.uk"),
        ("", "https://questions-statements-api.parliament.uk"),
    ],
)
def test_an_unusable_base_url_is_refused_before_any_request(url: str, hint: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request may be made, got {request.url}")

    http = httpx.Client(transport=httpx.MockTransport(handler))
    message = f"{url!r} is not an http(s) URL with a host (like {hint})"
    with pytest.raises(UsageError) as caught:
        ParliamentClient(http, base_url=url, rate=0)
    assert str(caught.value) == message
    with pytest.raises(UsageError):
        parse_api_url(url)


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("http://127.0.0.1:8099/", "http://127.0.0.1:8099"),
        (" https://questions-statements-api.parliament.uk ", DEFAULT_API_URL),
        ("HTTP://[::1]:8099/prefix", "HTTP://[::1]:8099/prefix"),
    ],
)
def test_a_usable_base_url_is_kept_without_its_trailing_slash(url: str, base: str) -> None:
    assert parse_api_url(url) == base


# -- politeness ---------------------------------------------------------------------------


def test_rate_limiter_spaces_request_starts(clock: FakeTime) -> None:
    starts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(clock.now)
        return httpx.Response(200, json={"value": question(1)})

    client = mock_client(handler, clock, rate=4.0)
    for _ in range(4):
        client.fetch_question(1)
    assert clock.sleeps == [0.25, 0.25, 0.25]
    assert [b - a for a, b in pairwise(starts)] == [0.25, 0.25, 0.25]
    clock.now += 10  # after a pause, no wait is owed
    client.fetch_question(1)
    assert len(clock.sleeps) == 3


def test_rate_limiter_gives_threads_distinct_slots() -> None:
    clock = FakeTime(frozen=True)  # nobody's sleep moves time: each thread must queue
    client = mock_client(
        lambda r: httpx.Response(200, json={"value": question(1)}), clock, rate=2.0
    )
    threads = [threading.Thread(target=client.fetch_question, args=(1,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(clock.sleeps) == [0.5, 1.0, 1.5, 2.0, 2.5]
    assert client.requests == 6


def test_rate_zero_means_unlimited(clock: FakeTime) -> None:
    client = mock_client(lambda r: httpx.Response(200, json={"value": {}}), clock, rate=0)
    for _ in range(5):
        client.fetch_question(1)
    assert clock.sleeps == []


def test_user_agent_and_timeouts(fake: FakeApi) -> None:
    assert USER_AGENT.startswith("pqtrack/") and DEFAULT_API_URL.startswith("https://")
    with make_http_client() as http:
        assert http.timeout.connect == 10.0 and http.timeout.read == 30.0
        assert http.follow_redirects
        ParliamentClient(http, base_url=fake.url, rate=0).fetch_question(1)
    assert fake.requests[0].headers["user-agent"] == USER_AGENT


# -- the fake itself ----------------------------------------------------------------------


def list_ids(fake: FakeApi, **params: Any) -> list[int]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    body = httpx.get(f"{fake.url}{LIST_PATH}?{query}").json()
    return [r["value"]["id"] for r in body["results"]]


def test_fake_orders_by_latest_answer_or_correction_unanswered_last(fake: FakeApi) -> None:
    fake.set_questions(
        [
            question(1, answered="2025-03-01", corrected="2025-03-09"),
            question(2, answered="2025-03-05"),
            question(3),
            question(4, answered="2025-03-05"),
            question(5),
            question(6, answered="2025-03-08"),
        ]
    )
    assert list_ids(fake, take=10) == [1, 6, 4, 2, 5, 3]
    assert list_ids(fake) == list_ids(fake, take=20)  # default take
    assert list_ids(fake, take=2, skip=1) == [6, 4]


def test_fake_date_windows_are_inclusive_on_the_day(fake: FakeApi) -> None:
    fake.set_questions(
        [
            question(1, dateTabled="2025-03-06T00:00:00", answered="2025-03-07"),
            question(2, dateTabled="2025-03-07T00:00:00", answered="2025-03-08"),
            question(3, dateTabled="2025-03-08T00:00:00", answered="2025-03-09"),
            question(4, dateTabled="2025-03-07T00:00:00"),
            question(5, answered="2025-03-01", corrected="2025-03-08"),
        ]
    )
    assert list_ids(fake, tabledWhenFrom="2025-03-07", tabledWhenTo="2025-03-07") == [2, 4]
    assert list_ids(fake, answeredWhenFrom="2025-03-07", answeredWhenTo="2025-03-08") == [2, 1]
    assert list_ids(fake, answeredWhenFrom="2025-03-08") == [3, 2]
    assert list_ids(fake, correctedWhenFrom="2025-03-08", correctedWhenTo="2025-03-08") == [5]
    assert list_ids(fake, tabledWhenTo="2025-03-06") == [5, 1]


def test_fake_filters_and_withdrawal(fake: FakeApi) -> None:
    fake.set_questions(
        [
            question(1, house="Lords", uin="HL1", answered="2025-03-02"),
            question(2, answeringBodyId=11, questionText="Defence of the realm"),
            question(3, askingMemberId=77, answered="2025-03-01"),
        ]
    )
    assert list_ids(fake, house="Lords") == [1]
    assert list_ids(fake, house="Bicameral") == [1, 3, 2]
    assert list_ids(fake, answeringBodies=11) == [2]
    assert list_ids(fake, askingMemberId=77) == [3]
    assert list_ids(fake, answered="Unanswered") == [2]
    assert list_ids(fake, questionStatus="AnsweredOnly") == [1, 3]
    assert list_ids(fake, searchTerm="REALM") == [2]
    fake.withdraw(2)
    assert list_ids(fake) == [1, 3]
    assert list_ids(fake, includeWithdrawn="true") == [1, 3, 2]
    single = httpx.get(f"{fake.url}{LIST_PATH}/2").json()["value"]
    assert single["isWithdrawn"] is True
    fake.remove(2)
    assert httpx.get(f"{fake.url}{LIST_PATH}/2").status_code == 404
    by_uin = httpx.get(f"{fake.url}{LIST_PATH}/2025-03-03/HL1").json()["value"]
    assert by_uin["id"] == 1


def test_fake_expands_members_only_when_asked(fake: FakeApi) -> None:
    fake.set_questions([question(1, answered="2025-03-01")])
    fake.members[5000] = {"id": 5000, "name": "A Minister"}
    plain = httpx.get(f"{fake.url}{LIST_PATH}").json()["results"][0]["value"]
    assert plain["askingMember"] is None and plain["answeringMember"] is None
    expanded = httpx.get(f"{fake.url}{LIST_PATH}?expandMember=true").json()["results"][0]["value"]
    assert expanded["answeringMember"] == {"id": 5000, "name": "A Minister"}
    assert expanded["askingMember"]["id"] == plain["askingMemberId"]
    assert expanded["correctingMember"] is None


def test_fake_list_truncates_like_the_real_api() -> None:
    value = question(
        1,
        answered="2025-03-01",
        corrected="2025-03-02",
        questionText="q" * 300,
        answerText="<p>a &amp; " + "b" * 300 + "</p>",
    )
    item = to_list_item(value)
    assert item["questionText"] == "q" * 255
    assert item["answerText"] == ("a &amp; " + "b" * 300)[:255] + "..."
    assert item["originalAnswerText"] == item["comparableAnswerText"] == ""
    assert to_list_item(question(2))["answerText"] is None


def test_fake_page_reshuffle_when_a_question_is_answered_mid_listing(
    fake: FakeApi, http: httpx.Client, clock: FakeTime
) -> None:
    """API.md Q10: an answer published between pages moves items across page boundaries."""
    fake.set_questions([*answered(5), question(6)])

    def answer_before_page_two(request: Any) -> None:
        if request.is_list and request.param("skip") == "3":
            fake.update(6, dateAnswered="2025-03-31T00:00:00", answerText="<p>Now.</p>")

    fake.on_request = answer_before_page_two
    pages = list(client_for(fake, http, clock).iter_question_pages({}, take=3))
    ids = [v["id"] for p in pages for v in p.values]
    assert ids == [5, 4, 3, 3, 2, 1]  # 3 seen twice, 6 never: the caller must re-list
    assert fake.count("list") == 2


def test_fake_runs_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "q.jsonl"
    data.write_text("\n".join(json.dumps(q) for q in answered(3)) + "\n", encoding="utf-8")
    script = Path(__file__).with_name("fakeapi.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), "--port", "0", "--data", str(data)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        url = banner.split(" at ")[1].split()[0]
        with make_http_client(timeout=5) as http:
            client = ParliamentClient(http, base_url=url, rate=0)
            assert [v["id"] for p in client.iter_question_pages({}) for v in p.values] == [3, 2, 1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- the fake against real responses ------------------------------------------------------


def list_pairs(source: str) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """Single responses that a list file also shows, and those list items by id."""
    if source == "own":
        details = load_samples(own_detail_files())
        listed = {v["id"]: v for v in load_samples(own_list_files())}
    else:
        samples = require_samples()
        details = load_samples(sorted((samples / "detail_2025-03").glob("question_*.json")))
        details += load_samples(sorted(samples.glob("question_*_detail.json")))
        listed = {v["id"]: v for v in load_samples(sorted(samples.glob("list_*.json")))}
    return [d for d in details if d["id"] in listed], listed


# The fake renders lists from single responses: our own list files were rendered by
# tests/data/make_api.py on its own, the shared ones by the real API.
@pytest.mark.parametrize("source", SOURCES)
def test_fake_list_rendering_matches_real_list_items(
    http: httpx.Client, clock: FakeTime, source: str
) -> None:
    pairs, real = list_pairs(source)
    assert len(pairs) >= {"own": 60, "shared": 100}[source]
    with FakeApi(pairs) as fake:
        client = client_for(fake, http, clock)
        served = {v["id"]: v for p in client.iter_question_pages({}) for v in p.values}
    assert served.keys() == {d["id"] for d in pairs}
    for qid, item in served.items():
        assert item["questionText"] == real[qid]["questionText"], qid
        assert item["answerText"] == real[qid]["answerText"], qid
        ignored = {"groupedQuestions", "groupedQuestionsDates"}  # the single endpoint's quirk
        assert {k: v for k, v in item.items() if k not in ignored} == {
            k: v for k, v in real[qid].items() if k not in ignored
        }, qid


# What the real list does to correction texts is a fact only the real samples can show.
@pytest.mark.samples
def test_fake_list_blanks_correction_texts_like_the_real_list() -> None:
    samples = require_samples()
    (detail,) = load_samples([samples / "question_1781191_corrected_detail.json"])
    assert detail["originalAnswerText"] and detail["comparableAnswerText"]
    real = load_samples([samples / "list_tabled_2021-02-01_bicameral_expandMember_take1000.json"])
    corrected = [v for v in real if v["answerIsCorrection"]]
    assert corrected and all(
        v["originalAnswerText"] == v["comparableAnswerText"] == "" for v in corrected
    )
    item = to_list_item(detail)
    assert item["originalAnswerText"] == item["comparableAnswerText"] == ""
