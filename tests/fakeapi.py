"""A local fake of the Written Questions API over real HTTP on 127.0.0.1, with switchable faults.

In tests::

    with FakeApi(values) as fake:
        client = ParliamentClient(make_http_client(), base_url=fake.url)

From a shell, to try a crontab line against it (serves until killed)::

    python tests/fakeapi.py --port 8765 --data questions.jsonl [--fault-rate 0.2 --seed 1]

It holds full question values (as the single-question endpoint returns them) and renders lists
the way the real API does: texts truncated, HTML stripped, newest answer first (API.md §3-§8).
Written statements likewise (`statements=`): listed by `dateMade` windows, newest first, the
text de-HTMLed and cut to 255 characters plus "...", `linkedStatements` `[]` when there are
links and null when not, attachments only on the single-statement endpoint.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

Value = dict[str, Any]
LIST_PATH = "/api/writtenquestions/questions"
STATEMENTS_PATH = "/api/writtenstatements/statements"
FAULT_KINDS = ("500", "503", "200-problem", "429", "timeout", "truncated", "html-502", "html-200")
_TAG = re.compile(r"<[^>]*>")
_DATE_FILTERS = {
    "tabledWhen": "dateTabled",
    "answeredWhen": "dateAnswered",
    "correctedWhen": "dateAnswerCorrected",
    "dateForAnswerWhen": "dateForAnswer",
}
_MEMBER_FIELDS = ("askingMember", "answeringMember", "correctingMember")


@dataclass(frozen=True)
class Request:
    """One request as the fake saw it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    fault: str | None = None

    @property
    def is_list(self) -> bool:
        return self.path.rstrip("/") == LIST_PATH

    @property
    def is_detail(self) -> bool:
        return self.path.startswith(LIST_PATH + "/")

    @property
    def is_statement_list(self) -> bool:
        return self.path.rstrip("/") == STATEMENTS_PATH

    @property
    def is_statement_detail(self) -> bool:
        return self.path.startswith(STATEMENTS_PATH + "/")

    def param(self, name: str) -> str | None:
        return self.query.get(name, [None])[0]


@dataclass
class FaultPlan:
    """Which requests fail, and how.

    `schedule` is consumed one entry per matching request (None = serve normally); once it
    runs out, each request fails with probability `rate`, the kind drawn from `kinds` by a
    generator seeded with `seed`. `only` limits faults to "list" or "detail" requests.
    """

    schedule: Sequence[str | None] = ()
    rate: float = 0.0
    seed: int = 0
    kinds: Sequence[str] = FAULT_KINDS
    only: str | None = None
    retry_after: str = "1"
    _rng: random.Random = field(init=False, repr=False)
    _position: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = {k for k in [*self.schedule, *self.kinds] if k is not None} - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self._rng = random.Random(self.seed)

    def pick(self, request: Request) -> str | None:
        if self.only == "list" and not request.is_list:
            return None
        if self.only == "detail" and not request.is_detail:
            return None
        if self._position < len(self.schedule):
            self._position += 1
            return self.schedule[self._position - 1]
        if self.rate > 0 and self._rng.random() < self.rate:
            return self._rng.choice(list(self.kinds))
        return None


def to_list_item(value: Value) -> Value:
    """A full value as the list endpoint shows it: texts cut, answer de-HTMLed (API.md §6)."""
    item = dict(value)
    item["questionText"] = (value.get("questionText") or "")[:255]
    answer = value.get("answerText")
    if answer is not None:
        answer = _TAG.sub("", answer)
        item["answerText"] = answer[:255] + "..." if len(answer) > 255 else answer
    item["originalAnswerText"] = ""
    item["comparableAnswerText"] = ""
    item["attachmentCount"] = 0
    item["attachments"] = []
    return item


def to_statement_item(value: Value) -> Value:
    """A full statement as the list endpoint shows it (API.md §5.3)."""
    item = dict(value)
    text = _TAG.sub("", value.get("text") or "")
    item["text"] = text[:255] + "..." if len(text) > 255 else text
    item["linkedStatements"] = [] if value.get("linkedStatements") else None
    item["hasLinkedStatements"] = bool(value.get("linkedStatements"))
    item["hasAttachments"] = bool(value.get("attachments"))
    item["attachments"] = []
    return item


def sort_key(value: Value) -> tuple[str, int]:
    """Newest first by the later of answered/corrected, unanswered last, ties by id (desc)."""
    latest = max(value.get("dateAnswered") or "", value.get("dateAnswerCorrected") or "")
    return latest, int(value["id"])


def load_samples(paths: Iterable[str | Path]) -> list[Value]:
    """Question values from API-shaped files: single or list envelopes, or bare values."""
    values: list[Value] = []
    for path in paths:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            values.extend(r["value"] for r in data["results"])
        elif isinstance(data, dict) and isinstance(data.get("value"), dict):
            values.append(data["value"])
        else:
            values.append(data)
    return values


def load_jsonl(path: str | Path) -> list[Value]:
    """Values (or single envelopes) from a JSON Lines file."""
    values = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            values.append(data["value"] if isinstance(data.get("value"), dict) else data)
    return values


class _Bad(Exception):
    """A request the real API would refuse with a 400."""


class FakeApi:
    """The fake server. Start it with `with FakeApi(...) as fake:` or `.start()` / `.stop()`."""

    def __init__(
        self,
        values: Iterable[Value] = (),
        *,
        port: int = 0,
        fault_delay: float = 1.0,
        statements: Iterable[Value] = (),
    ) -> None:
        self._lock = threading.RLock()
        self._values: dict[int, Value] = {}
        self._statements: dict[int, Value] = {}
        self.members: dict[int, Value] = {}
        """Member objects served when expandMember=true (else a placeholder is made up)."""
        self.faults: FaultPlan | None = None
        self.on_request: Callable[[Request], None] | None = None
        """Called before each request is answered; may change the data (time travel)."""
        self.requests: list[Request] = []
        self.fault_delay = fault_delay
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        self.set_questions(values)
        self.set_statements(statements)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeApi:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- time travel ------------------------------------------------------------------------

    def set_questions(self, values: Iterable[Value]) -> None:
        with self._lock:
            self._values = {int(v["id"]): copy.deepcopy(v) for v in values}

    def upsert(self, value: Value) -> None:
        with self._lock:
            self._values[int(value["id"])] = copy.deepcopy(value)

    def update(self, question_id: int, **changes: Any) -> None:
        with self._lock:
            self._values[question_id].update(copy.deepcopy(changes))

    def withdraw(self, question_id: int) -> None:
        self.update(question_id, isWithdrawn=True)

    def remove(self, question_id: int) -> None:
        with self._lock:
            self._values.pop(question_id, None)

    def get(self, question_id: int) -> Value | None:
        with self._lock:
            value = self._values.get(question_id)
            return copy.deepcopy(value) if value is not None else None

    def set_statements(self, values: Iterable[Value]) -> None:
        with self._lock:
            self._statements = {int(v["id"]): copy.deepcopy(v) for v in values}

    def upsert_statement(self, value: Value) -> None:
        with self._lock:
            self._statements[int(value["id"])] = copy.deepcopy(value)

    def update_statement(self, statement_id: int, **changes: Any) -> None:
        with self._lock:
            self._statements[statement_id].update(copy.deepcopy(changes))

    def count(self, kind: str) -> int:
        """Requests seen of one kind: "list", "detail", "statement_list", "statement_detail"."""
        return sum(1 for r in self.requests if getattr(r, f"is_{kind}"))

    # -- the API ----------------------------------------------------------------------------

    def respond(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        """Status and JSON body for a GET, without faults."""
        path = path.rstrip("/")
        try:
            with self._lock:
                if path == STATEMENTS_PATH:
                    return 200, self._statement_list(query)
                if path.startswith(STATEMENTS_PATH + "/"):
                    return self._statement(path[len(STATEMENTS_PATH) + 1 :].split("/"), query)
                if path == LIST_PATH:
                    return 200, self._list(query)
                parts = path[len(LIST_PATH) + 1 :].split("/") if path.startswith(LIST_PATH) else []
                value = self._find(parts)
                if value is None:
                    return 404, problem(404, "Not Found")
                value = self._members(value, _flag(query, "expandMember", False))
                value["groupedQuestions"], value["groupedQuestionsDates"] = [], []
                return 200, {"value": value, "links": _links(value)}
        except _Bad as exc:
            return 400, problem(400, "One or more validation errors occurred.", str(exc))

    def _find(self, parts: list[str]) -> Value | None:
        if len(parts) == 1 and parts[0].isdigit():
            return copy.deepcopy(self._values.get(int(parts[0])))
        if len(parts) == 2:  # /{date}/{uin}
            for v in self._values.values():
                if (v.get("dateTabled") or "")[:10] == parts[0] and v.get("uin") == parts[1]:
                    return copy.deepcopy(v)
        return None

    def _list(self, query: dict[str, list[str]]) -> Value:
        take, skip = _int(query, "take", 20), _int(query, "skip", 0)
        if take < 0 or skip < 0:
            raise _Bad("take and skip must not be negative")
        _validate(query)
        matches = sorted(
            (v for v in self._values.values() if _matches(v, query)), key=sort_key, reverse=True
        )
        expand = _flag(query, "expandMember", False)
        page = [self._members(to_list_item(v), expand) for v in matches[skip : skip + take]]
        return {
            "totalResults": len(matches),
            "results": [{"value": v, "links": _links(v)} for v in page],
        }

    def _statement_list(self, query: dict[str, list[str]]) -> Value:
        take, skip = _int(query, "take", 20), _int(query, "skip", 0)
        if take < 0 or skip < 0:
            raise _Bad("take and skip must not be negative")
        _validate(query)
        matches = sorted(
            (v for v in self._statements.values() if _statement_matches(v, query)),
            key=lambda v: ((v.get("dateMade") or "")[:10], int(v["id"])),
            reverse=True,
        )
        expand = _flag(query, "expandMember", False)
        page = [
            self._statement_member(to_statement_item(v), expand)
            for v in matches[skip : skip + take]
        ]
        return {
            "totalResults": len(matches),
            "results": [{"value": v, "links": _links(v, "Statements")} for v in page],
        }

    def _statement(self, parts: list[str], query: dict[str, list[str]]) -> tuple[int, Any]:
        found = None
        if len(parts) == 1 and parts[0].isdigit():
            found = self._statements.get(int(parts[0]))
        elif len(parts) == 2:  # /{date}/{uin}
            found = next(
                (v for v in self._statements.values()
                 if (v.get("dateMade") or "")[:10] == parts[0] and v.get("uin") == parts[1]),
                None,
            )  # fmt: skip
        if found is None:
            return 404, problem(404, "Not Found")
        value = dict(copy.deepcopy(found))
        value["hasLinkedStatements"] = bool(value.get("linkedStatements"))
        value["hasAttachments"] = bool(value.get("attachments"))
        value.setdefault("attachments", [])
        value = self._statement_member(value, _flag(query, "expandMember", False))
        return 200, {"value": value, "links": _links(value, "Statements")}

    def _statement_member(self, value: Value, expand: bool) -> Value:
        member_id = value.get("memberId")
        if not expand or member_id is None:
            value["member"] = None
        elif not value.get("member"):
            value["member"] = copy.deepcopy(self.members.get(member_id)) or _placeholder(member_id)
        return value

    def _members(self, value: Value, expand: bool) -> Value:
        value = copy.deepcopy(value)
        for name in _MEMBER_FIELDS:
            member_id = value.get(name + "Id")
            if not expand or member_id is None:
                value[name] = None
            elif not value.get(name):
                value[name] = copy.deepcopy(self.members.get(member_id)) or _placeholder(member_id)
        return value


def problem(status: int, title: str, detail: str | None = None) -> Value:
    """An RFC 7807 ProblemDetails body, as ASP.NET writes them."""
    return {
        "type": f"https://tools.ietf.org/html/rfc9110#status.{status}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": None,
    }


def _matches(v: Value, query: dict[str, list[str]]) -> bool:
    if v.get("isWithdrawn") and not _flag(query, "includeWithdrawn", False):
        return False
    for prefix, fieldname in _DATE_FILTERS.items():
        day = (v.get(fieldname) or "")[:10]
        low, high = _one(query, prefix + "From"), _one(query, prefix + "To")
        if (low or high) and not day:
            return False
        if (low and day < low[:10]) or (high and day > high[:10]):
            return False
    house = (_one(query, "house") or "Bicameral").lower()
    if house != "bicameral" and (v.get("house") or "").lower() != house:
        return False
    bodies = {_to_int(b, "answeringBodies") for b in query.get("answeringBodies", [])}
    if bodies and v.get("answeringBodyId") not in bodies:
        return False
    for name in ("askingMemberId", "answeringMemberId"):
        wanted = _one(query, name)
        if wanted is not None and v.get(name) != _to_int(wanted, name):
            return False
    answered = v.get("dateAnswered") is not None
    state = (_one(query, "answered") or "Any").lower()
    status = (_one(query, "questionStatus") or "AllQuestions").lower()
    if (state == "answered" or status == "answeredonly") and not answered:
        return False
    if (state == "unanswered" or status == "notanswered") and answered:
        return False
    term = (_one(query, "searchTerm") or "").lower()
    text = f"{v.get('questionText') or ''} {v.get('answerText') or ''}".lower()
    return term in text


def _statement_matches(v: Value, query: dict[str, list[str]]) -> bool:
    day = (v.get("dateMade") or "")[:10]
    low, high = _one(query, "madeWhenFrom"), _one(query, "madeWhenTo")
    if (low and day < low[:10]) or (high and day > high[:10]):
        return False
    house = (_one(query, "house") or "Bicameral").lower()
    if house != "bicameral" and (v.get("house") or "").lower() != house:
        return False
    bodies = {_to_int(b, "answeringBodies") for b in query.get("answeringBodies", [])}
    if bodies and v.get("answeringBodyId") not in bodies:
        return False
    term = (_one(query, "searchTerm") or "").lower()
    return term in f"{v.get('title') or ''} {v.get('text') or ''}".lower()


def _validate(query: dict[str, list[str]]) -> None:
    if (_one(query, "house") or "Bicameral").lower() not in ("bicameral", "commons", "lords"):
        raise _Bad("house: not one of Bicameral, Commons, Lords")
    for text in query.get("answeringBodies", []):
        _to_int(text, "answeringBodies")
    for name in ("askingMemberId", "answeringMemberId"):
        _int(query, name, 0)
    for name in ("includeWithdrawn", "expandMember"):
        _flag(query, name, False)


def _one(query: dict[str, list[str]], name: str) -> str | None:
    for key, values in query.items():  # ASP.NET binds names case-insensitively
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def _to_int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _Bad(f"{name}: {text!r} is not a valid integer") from None


def _int(query: dict[str, list[str]], name: str, default: int) -> int:
    text = _one(query, name)
    return default if text is None else _to_int(text, name)


def _flag(query: dict[str, list[str]], name: str, default: bool) -> bool:
    text = _one(query, name)
    if text is None:
        return default
    if text.lower() not in ("true", "false"):
        raise _Bad(f"{name}: {text!r} is not a valid boolean")
    return text.lower() == "true"


def _links(value: Value, kind: str = "Questions") -> list[Value]:
    return [{"rel": "self", "href": f"/{kind}/{value['id']}", "method": "GET"}]


def _placeholder(member_id: int) -> Value:
    return {
        "id": member_id,
        "listAs": f"Member {member_id}",
        "name": f"Member {member_id}",
        "party": None,
        "partyColour": None,
        "partyAbbreviation": None,
        "memberFrom": None,
        "thumbnailUrl": f"https://members-api.parliament.uk/api/Members/{member_id}/Thumbnail",
    }


_HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>Bad gateway</title></head><body>"
    b"<h1>502 Bad gateway</h1><p>The origin did not answer.</p></body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeParliamentAPI/1"
    wbufsize = 1 << 16  # headers and body in one segment: no Nagle / delayed-ACK stalls

    def do_GET(self) -> None:  # noqa: N802 (the name http.server looks for)
        fake: FakeApi = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        request = Request(
            parts.path,
            parse_qs(parts.query, keep_blank_values=True),
            {k.lower(): v for k, v in self.headers.items()},
        )
        if fake.on_request is not None:
            fake.on_request(request)
        with fake._lock:
            fault = fake.faults.pick(request) if fake.faults is not None else None
            fake.requests.append(Request(request.path, request.query, request.headers, fault))
            retry_after = fake.faults.retry_after if fake.faults is not None else "1"
        if fault is None:
            status, body = fake.respond(request.path, request.query)
            self._send(status, json.dumps(body).encode())
        elif fault == "timeout":
            fake._stop.wait(fake.fault_delay)  # longer than the client's read timeout
            self.close_connection = True
        elif fault == "truncated":
            self._send(
                200, b'{"totalResults": 1, "results": [{"value": {"id"', length=4096, close=True
            )
        elif fault in ("html-502", "html-200"):
            self._send(int(fault[5:]), _HTML_ERROR, content_type="text/html")
        else:
            status = {"500": 500, "503": 503, "429": 429, "200-problem": 200}[fault]
            body = problem(500 if status == 200 else status, "An error occurred.")
            headers = {"Retry-After": retry_after} if status == 429 else {}
            self._send(
                status,
                json.dumps(body).encode(),
                headers=headers,
                content_type="application/problem+json",
            )

    def _send(
        self,
        status: int,
        body: bytes,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        length: int | None = None,
        close: bool = False,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(length if length is not None else len(body)))
            self.send_header("Cache-Control", "public, max-age=60")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if close:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass  # the client gave up (timeout test): nothing left to tell it
        if close:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Written Questions API locally.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data", type=Path, help="JSON Lines of question values or envelopes")
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="share of requests that fail transiently (0-1)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    values = load_jsonl(args.data) if args.data else []
    fake = FakeApi(
        [v for v in values if "dateMade" not in v],
        port=args.port,
        statements=[v for v in values if "dateMade" in v],
    )
    if args.fault_rate:
        fake.faults = FaultPlan(rate=args.fault_rate, seed=args.seed)
    fake._server.verbose = True  # type: ignore[attr-defined]
    print(
        f"serving {len(fake._values)} questions and {len(fake._statements)} statements at"
        f" {fake.url} (Ctrl-C to stop)",
        file=sys.stderr,
    )
    try:
        fake._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake._server.server_close()


if __name__ == "__main__":
    main()
