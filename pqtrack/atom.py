"""Writing an Atom 1.0 feed (RFC 4287) with the standard library's XML writer.

Every text comes from the API or the user and is untrusted: it goes into the tree as text
(ElementTree escapes it; nothing is concatenated into markup), with the characters XML 1.0
cannot carry removed first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

NS = "http://www.w3.org/2005/Atom"
# what XML 1.0 cannot hold at all: C0 controls but tab, newline and return; surrogates; U+FFFE/F
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# tag URIs (RFC 4151) are ours to mint under a name we hold and a date we held it on
TAG = "tag:pqtrack.github.io,2026:"


def xml_text(text: str | None) -> str:
    """`text` without the characters XML 1.0 forbids (escaping is the writer's job)."""
    return _ILLEGAL.sub("", text or "")


def entry_id(kind: str, record_id: int, version: int, first_event: int) -> str:
    """An entry's id: the record, its version and the first of the events the entry tells, so
    a report written again gives the same ids, and an event that comes to a version later (a
    correction by written statement, which makes no new version) gets an entry of its own."""
    return f"{TAG}{kind}/{record_id}/v{version}/e{first_event}"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: str  # RFC 3339, UTC
    link: str | None
    summary: str


def feed(
    *, feed_id: str, title: str, updated: str, entries: Sequence[Entry], generator: str
) -> str:
    """The feed as an XML document."""
    root = ET.Element("feed", {"xmlns": NS})
    _text(root, "id", feed_id)
    _text(root, "title", title)
    _text(root, "updated", updated)
    author = ET.SubElement(root, "author")
    _text(author, "name", "pqtrack")
    _text(root, "generator", generator)
    for item in entries:
        entry = ET.SubElement(root, "entry")
        _text(entry, "id", item.id)
        _text(entry, "title", item.title)
        _text(entry, "updated", item.updated)
        if item.link:
            ET.SubElement(entry, "link", {"rel": "alternate", "href": xml_text(item.link)})
        _text(entry, "summary", item.summary).set("type", "text")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_text(text)
    return element
