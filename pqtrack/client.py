"""ParliamentClient: the one place pqtrack speaks HTTP (paging, retries, politeness)."""

from __future__ import annotations

import email.utils
import json
import math
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import tenacity

from pqtrack import PROJECT_URL, __version__
from pqtrack.errors import ApiError, ApiUnreachable, UsageError

DEFAULT_API_URL = "https://questions-statements-api.parliament.uk"
USER_AGENT = f"pqtrack/{__version__} (+{PROJECT_URL})"
QUESTIONS_PATH = "/api/writtenquestions/questions"
STATEMENTS_PATH = "/api/writtenstatements/statements"

Params = Mapping[str, str | int | bool | Sequence[int]]

# Transport failures worth another try: the network or the server hiccuped. Anything else
# (a bad URL scheme, a proxy misconfiguration) will fail the same way every time.
_TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.DecodingError,
)


@dataclass(frozen=True)
class Page:
    """One page of a listing: where it starts, the API's total for the query, the values."""

    skip: int
    total: int
    values: list[dict[str, Any]]


def make_http_client(timeout: float = 30.0) -> httpx.Client:
    """An httpx.Client set up the way the Parliament API should be called."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=True,
    )


def parse_api_url(text: str) -> str:
    """The API's base URL as a user gave it: http or https, with a host, and no query or
    fragment (paths are appended to it). Anything else -> UsageError, before any request."""
    url = text.strip()
    try:
        parts = urlsplit(url)
        usable = (
            parts.scheme.lower() in ("http", "https")
            and bool(parts.hostname)
            and (parts.port is None or parts.port > 0)  # .port raises on a port out of range
            and not (parts.query or parts.fragment)
            and url.isprintable()
            and not any(c.isspace() for c in url)
        )
    except ValueError:  # an unbalanced [IPv6] host, a port that is not a number
        usable = False
    if not usable:
        bare = url and "://" not in url and url.isprintable()  # a host:port without its scheme
        hint = f"http://{url}" if bare else DEFAULT_API_URL
        raise UsageError(f"{text!r} is not an http(s) URL with a host (like {hint})")
    return url.rstrip("/")


class _Retry(Exception):
    """A transient fault: try again, after `wait` seconds if the server said so."""

    def __init__(self, fault: str, wait: float | None = None, *, unconnected: bool = False) -> None:
        super().__init__(fault)
        self.fault = fault
        self.wait = wait
        self.unconnected = unconnected  # no connection could be made at all


class ParliamentClient:
    """Written Questions API over an injected httpx.Client.

    Retries use tenacity with the injected sleep, so tests check the waits (Retry-After,
    backoff) without really sleeping. (stamina, the other candidate, cannot take a sleep
    function and switches test mode process-wide.)

    Thread-safe: sync calls `fetch_question` from a small pool of threads, so the rate
    limiter and the counters are guarded by one lock.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        base_url: str = DEFAULT_API_URL,
        rate: float = 4.0,
        max_attempts: int = 6,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._http = http
        self.base_url = parse_api_url(base_url)
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._next_start = -math.inf
        self._random = random.Random()
        self.requests = 0
        """HTTP requests sent, retries included."""
        self.retries = 0
        """Requests that were repeated because the previous try hit a transient fault."""
        """One line per transient fault seen, oldest first."""

    # -- public API -----------------------------------------------------------------------

    def iter_question_pages(
        self, params: Params, *, take: int = 100, path: str = QUESTIONS_PATH
    ) -> Iterator[Page]:
        """Page through GET /api/writtenquestions/questions (or another listing `path`, such as
        STATEMENTS_PATH) with `params`.

        Every page received is yielded (an empty one too, so a caller still learns the total);
        paging stops at an empty page or once `skip` reaches `totalResults`. `skip` advances by
        the number of results actually returned, not by `take`.
        """
        if take < 1:
            raise ValueError("take must be at least 1")
        query = encode_params(params)
        skip = 0
        while True:
            paging = [("take", str(take)), ("skip", str(skip))]
            body = self._get_json(path, [*query, *paging])
            page = _parse_list(body, skip, path)
            yield page
            if not page.values:
                return
            skip += len(page.values)
            if skip >= page.total:
                return

    def fetch_question(self, question_id: int) -> dict[str, Any] | None:
        """The full record of one question (expanded members), or None if the API has none."""
        return self._fetch_value(f"{QUESTIONS_PATH}/{int(question_id)}", "question")

    def fetch_statement(self, statement_id: int) -> dict[str, Any] | None:
        """The full record of one written statement (its member expanded, its attachments), or
        None if the API has none."""
        return self._fetch_value(f"{STATEMENTS_PATH}/{int(statement_id)}", "statement")

    def _fetch_value(self, path: str, what: str) -> dict[str, Any] | None:
        body = self._get_json(path, [("expandMember", "true")], missing_ok=True)
        if body is None:
            return None
        value = body.get("value") if isinstance(body, dict) else None
        if not isinstance(value, dict):
            raise ApiError(f"unexpected response from {path}: no {what} 'value' in the JSON")
        return value

    # -- machinery --------------------------------------------------------------------------

    def _get_json(
        self, path: str, query: list[tuple[str, str]], *, missing_ok: bool = False
    ) -> Any:
        """GET base_url + path and return the parsed JSON, retrying transient faults.

        Returns None for a 404 when `missing_ok`.
        """
        url = self.base_url + path
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_attempts),
            wait=lambda state: self._wait(state.attempt_number, _retry_wait(state)),
            retry=tenacity.retry_if_exception_type(_Retry),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    self._throttle()
                    with self._lock:
                        self.requests += 1
                        if attempt.retry_state.attempt_number > 1:
                            self.retries += 1
                    return self._attempt(url, path, query, missing_ok)
        except _Retry as exc:
            error = ApiUnreachable if exc.unconnected else ApiError
            raise error(
                f"GET {path} failed after {self.max_attempts} attempts (last: {exc.fault})"
            ) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _attempt(self, url: str, path: str, query: list[tuple[str, str]], missing_ok: bool) -> Any:
        try:
            response = self._http.get(url, params=tuple(query))
        except _TRANSIENT_ERRORS as exc:
            raise _Retry(
                _one_line(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__),
                unconnected=isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout),
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise ApiError(_one_line(f"GET {url} failed: {type(exc).__name__}: {exc}")) from exc
        status = response.status_code
        if status == 404 and missing_ok:
            return None
        if status == 429 or status >= 500:
            wait = _retry_after(response) if status in (429, 503) else None
            raise _Retry(f"HTTP {status}{_problem_title(response)}", wait)
        if status >= 300:
            raise ApiError(f"HTTP {status} from GET {path}{_problem_title(response)}")
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise _Retry(f"HTTP {status} with a body that is not JSON") from None
        problem = _problem_status(body)
        if problem is not None:
            # The API sometimes reports server faults as ProblemDetails JSON with HTTP 200.
            title = _one_line(str(body.get("title") or ""))
            if problem == 429 or problem >= 500:
                raise _Retry(f"HTTP {status} carrying a problem report (status {problem}): {title}")
            if problem == 404 and missing_ok:
                return None
            raise ApiError(f"GET {path} answered with a problem report (status {problem}): {title}")
        return body

    def _throttle(self) -> None:
        """Space request starts at least 1/rate apart, across threads.

        Each caller reserves the next free start time under the lock, then sleeps outside it,
        so threads queue up in order without holding the lock while they wait.
        """
        if self._interval <= 0:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start)
            self._next_start = start + self._interval
        if start > now:
            self._sleep(start - now)

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_backoff)
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        # "Equal jitter": at least half the exponential step, so waits still grow, and a
        # random rest so parallel workers don't retry in lockstep.
        return ceiling / 2 + self._random.uniform(0, ceiling / 2)


def _retry_wait(state: tenacity.RetryCallState) -> float | None:
    """The Retry-After wait carried by the failed attempt's _Retry, if any."""
    outcome = state.outcome
    exc = outcome.exception() if outcome is not None else None
    return exc.wait if isinstance(exc, _Retry) else None


def encode_params(params: Params) -> list[tuple[str, str]]:
    """Query pairs as the API's ASP.NET binder wants them: lowercase bools, repeated keys."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        elif isinstance(value, str | int):
            pairs.append((key, str(value)))
        else:
            pairs.extend((key, str(item)) for item in value)
    return pairs


def _parse_list(body: Any, skip: int, path: str) -> Page:
    results = body.get("results") if isinstance(body, dict) else None
    total = body.get("totalResults") if isinstance(body, dict) else None
    if not isinstance(results, list) or not isinstance(total, int) or isinstance(total, bool):
        raise ApiError(f"unexpected response from {path}: no 'results' list with 'totalResults'")
    values: list[dict[str, Any]] = []
    for item in results:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, dict):
            raise ApiError(f"unexpected response from {path}: a result without a 'value'")
        values.append(value)
    return Page(skip=skip, total=total, values=values)


def _problem_status(body: Any) -> int | None:
    """The `status` of a ProblemDetails body, or None if the body is not one."""
    if not isinstance(body, dict) or "value" in body or "results" in body:
        return None
    status = body.get("status")
    if isinstance(status, int) and not isinstance(status, bool) and "title" in body:
        return status
    return None


def _problem_title(response: httpx.Response) -> str:
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return ""
    if _problem_status(body) is None or not body.get("title"):
        return ""
    return ": " + _one_line(str(body["title"]))


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP-date)."""
    header = response.headers.get("Retry-After", "").strip()
    if not header:
        return None
    try:
        seconds = float(header)
    except ValueError:
        pass
    else:
        return None if math.isnan(seconds) else max(seconds, 0.0)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
