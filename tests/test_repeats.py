"""analysis/repeats.py and text.py: normalised texts and exact fingerprints."""

from __future__ import annotations

import hashlib

import pytest

from pqtrack.analysis import text
from pqtrack.analysis.repeats import digest, normalise

# --------------------------------------------------------------------------- exact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  The  Department's\tANSWER.\n", "the department s answer"),
        ("<p>Costs: £2,500&nbsp;(5%)</p><p>in 2024&ndash;25.</p>", "costs £2 500 5 in 2024 25"),
        ("£5 million — “roughly” … so", "£5 million roughly so"),
        ("ÉCOLE ﬁnance", "école finance"),  # casefold + NFKC ligature
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
        ("", ""),
        ("!!!", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def fingerprint(text: str) -> str:
    """The fingerprint pqtrack.facts stores for a whole answer."""
    return digest(normalise(text))


def test_fingerprint_is_a_short_stable_hash_of_the_normalised_text() -> None:
    fp = fingerprint("Hello,   World!")
    assert fp == hashlib.blake2b(b"hello world", digest_size=8).hexdigest()
    assert len(fp) == 16
    assert fp == fingerprint("<p>hello world</p>")
    assert fp != fingerprint("hello worlds")


def test_case_folding_keeps_the_words() -> None:
    """Masking takes each word's capital from the text as written and its token from the
    case-folded word: that needs case-folding to map no separator (punctuation or space) to
    anything else and no other character to a separator, for every character."""
    separates = text._separates
    for code in range(0x110000):
        char = chr(code)
        if 0xD800 <= code < 0xE000:
            continue
        folded = char.casefold()
        if separates(char):
            assert folded == char, hex(code)
        else:
            assert not any(map(separates, folded)), hex(code)
