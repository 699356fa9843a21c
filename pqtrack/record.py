"""What every kind of record shares: JSON in and canonical JSON out, content hashes, dates,
and answer HTML turned into readable plain text.

Pure functions; the record kinds (`question.py`) build on them.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from datetime import date
from typing import Any, TypeGuard

import orjson

Value = dict[str, Any]  # an API value as parsed from JSON: camelCase keys

HASH_ALGORITHM = "sha256"
MAX_INT = 2**63 - 1  # SQLite's largest INTEGER

_TAG = re.compile(r"<[^>]*>")
_HAS_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*|/[a-zA-Z][a-zA-Z0-9]*)(?:\s[^>]*)?/?>")
# A tag (closing?, name), text, or something dropped: a comment, <!DOCTYPE ...>, <?xml ...?>.
_TOKEN = re.compile(r"<!--.*?-->|<[!?][^>]*>|<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?>|([^<]+|<)", re.S)
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_STRUCTURE = re.compile(r"<(?:table|tr|td|th|li|ul|ol)\b", re.IGNORECASE)
_BREAK = re.compile(r"</?(?:p|div|br|h[1-6]|blockquote|pre|hr)\b[^>]*>", re.IGNORECASE)
_BLOCK = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 blockquote ul ol li table thead tbody tfoot tr pre hr".split()
)


def parse_date(text: str | None) -> str | None:
    """'2025-03-06T00:00:00' -> '2025-03-06'; None and '' stay None."""
    if not text:
        return None
    return str(text)[:10]


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_int(v: Any) -> TypeGuard[int]:
    return type(v) is int and -MAX_INT <= v <= MAX_INT


@functools.lru_cache(maxsize=8192)
def _is_day(text: str) -> bool:
    if not _DAY.match(text):
        return False
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def keyed(value: Any, what: str) -> tuple[Value, int]:
    """An API value that must be an object with a positive integer id (`what` names the kind:
    "question", "statement"), and that id; raise ValueError if it is not."""
    if type(value) is not dict:
        raise ValueError(f"expected a {what} object, got {type(value).__name__}")
    found = value.get("id")
    if not is_int(found) or found <= 0:
        raise ValueError(f"{what} without a valid integer id: {str(found)[:40]!r}")
    return value, found


def check_attachments(items: Any, what: str) -> None:
    """Raise ValueError unless each attachment is `{url, title, fileType, fileSizeBytes}` with
    an http(s) URL, texts and a size in whole bytes, each of them or null (as the API's
    OpenAPI document allows)."""
    for item in items or ():
        if type(item) is not dict:
            raise ValueError(f"{what}: an attachment is not an object")
        url = item.get("url")  # nullable, as the API documents it
        if url is not None and (
            type(url) is not str or not url.startswith(("https://", "http://"))
        ):
            raise ValueError(f"{what}: an attachment's url is not a web address: {str(url)[:40]!r}")
        for key in ("title", "fileType"):
            if item.get(key) is not None and type(item[key]) is not str:
                raise ValueError(f"{what}: an attachment's {key} is not text")
        size = item.get("fileSizeBytes")
        if size is not None and not (is_int(size) and size >= 0):
            raise ValueError(
                f"{what}: an attachment's fileSizeBytes is not a size: {str(size)[:40]!r}"
            )


def is_day(text: str) -> bool:
    """An ISO date, or a timestamp starting with one ('2025-03-06T00:00:00')."""
    return _is_day(text[:19])


def has_tag(text: str) -> bool:
    """True when a text holds an HTML tag (a single record's answer; a list's has none)."""
    return bool(_HAS_TAG.search(text))


def strip_tags(text: str) -> str:
    """The text with every tag removed, as the list endpoint shows an answer."""
    return _TAG.sub("", text)


def html_to_text(markup: str | None) -> str:
    """Readable plain text from an answer's HTML.

    Paragraphs become blank-line breaks, table rows become `cell | cell` lines, list items get a
    dash, entities are decoded and links keep their text. Empty spacer paragraphs disappear.
    """
    if not markup:
        return ""
    if not _STRUCTURE.search(markup):  # most answers: paragraphs and inline tags only, fast path
        text = _TAG.sub("", _BREAK.sub("\x00", markup))
        if "&" in text:
            text = html.unescape(text)
        return "\n\n".join(p for p in (" ".join(part.split()) for part in text.split("\x00")) if p)
    blocks: list[str] = []
    line: list[str] = []
    rows: list[str] = []  # rows of the table being read, printed as one block
    row: list[str] | None = None
    cell: list[str] = []
    in_cell = False

    def flush_line() -> None:
        text = _SPACE.sub(" ", "".join(line)).strip()
        line.clear()
        if text:
            blocks.append(text)

    for match in _TOKEN.finditer(markup):
        closing, tag, text = match.groups()
        if text is not None:
            (cell if in_cell else line).append(html.unescape(text))
            continue
        if tag is None:  # a comment or declaration
            continue
        tag = tag.lower()
        if tag == "tr":
            if not closing:
                flush_line()
                row = []
            elif row is not None:
                if any(row):
                    rows.append(" | ".join(row))
                row = None
        elif tag == "table" and closing:
            if rows:
                blocks.append("\n".join(rows))
            rows = []
        elif tag in ("td", "th"):
            if not closing:
                in_cell, cell = True, []
            else:
                if row is not None:
                    row.append(_SPACE.sub(" ", "".join(cell)).strip())
                in_cell = False
        elif in_cell:
            if tag in _BLOCK:  # a paragraph or break inside a cell; inline tags join words
                cell.append(" ")
        elif tag == "li" and not closing:
            flush_line()
            line.append("- ")
        elif tag in _BLOCK:
            flush_line()
    flush_line()
    if rows:
        blocks.append("\n".join(rows))
    return "\n\n".join(b for b in blocks if b.strip("- "))


_LINK = re.compile(
    r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>""",
    re.IGNORECASE | re.DOTALL,
)


def linked_text(markup: str | None) -> tuple[str, list[str]]:
    """An answer's HTML as `html_to_text` reads it, but with each link's text followed by a
    numbered reference ("GOV.UK [1]"), and the addresses those numbers stand for, in order (an
    address linked twice keeps its first number). Only http(s) and mailto links are numbered;
    others keep just their text. For showing an answer: stored texts never carry the numbers."""
    addresses: list[str] = []

    def number(match: re.Match[str]) -> str:
        quoted, single, bare, inner = match.groups()
        address = html.unescape(next(a for a in (quoted, single, bare) if a is not None)).strip()
        if not address.lower().startswith(("http://", "https://", "mailto:")):
            return inner
        if address not in addresses:
            addresses.append(address)
        return f"{inner} [{addresses.index(address) + 1}]"

    if not markup:
        return "", []
    return html_to_text(_LINK.sub(number, markup)), addresses


def plain_text(answer: str | None) -> str:
    """Plain text of a text in either form the API sends: HTML (a single record) or already
    de-HTMLed (a list result)."""
    if not answer:
        return ""
    if _HAS_TAG.search(answer):
        return html_to_text(answer)
    return _SPACE.sub(" ", html.unescape(answer)).strip()


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 as is: the text a version's hash is taken of."""
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # an integer beyond 64 bits in an unknown field: the same text, slower
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> Any:
    """Parse JSON quickly with orjson; what it refuses (lone surrogates, NaN) falls back to the
    standard library, so the same documents are accepted. (orjson reads an integer beyond 64
    bits as a float, which `validate` rejects wherever pqtrack reads a number.)"""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def hash_json(canonical: str) -> str:
    """Algorithm-tagged hash of canonical JSON text."""
    return f"{HASH_ALGORITHM}:{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
