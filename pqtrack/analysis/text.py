"""The words of an answer, as exact and near repeats both see them: HTML tags dropped,
entities decoded, NFKC, case-folded, every Unicode punctuation character a space.

Pure functions, no SQL and no I/O.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]{0,500}>")

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@functools.lru_cache(maxsize=4096)
def _separates(char: str) -> bool:
    return unicodedata.category(char)[0] == "P" or char.isspace()


# Unicode punctuation (category P*) becomes a space. bytes.translate does the ASCII part fast;
# the few distinct non-ASCII characters of a text are looked at one by one before that (and
# non-ASCII spaces become plain ones, so that splitting the UTF-8 bytes on ASCII whitespace,
# SPACES, gives the words str.split() gives).
_ASCII_PUNCT = bytes(
    32 if unicodedata.category(chr(i))[0] == "P" else i for i in range(128)
) + bytes(range(128, 256))
SPACES = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "  # what str.split() splits on, of ASCII


def word_bytes(folded: str) -> bytes:
    """Casefolded text as UTF-8 with every punctuation character a space: its words are the
    runs of bytes outside SPACES."""
    if not folded.isascii():
        for char in set(_NON_ASCII.findall(folded)):
            if _separates(char):
                folded = folded.replace(char, " ")
    return folded.encode("utf-8").translate(_ASCII_PUNCT)


def split_words(folded: str) -> list[str]:
    """Split casefolded text into words; every punctuation character separates words."""
    return word_bytes(folded).decode("utf-8").split()


def clean(text: str) -> str:
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def normalise(text: str) -> str:
    """Lower-case, punctuation-free, single-spaced text (HTML tags dropped, entities decoded)."""
    return " ".join(split_words(clean(text).casefold()))


def word_count(normalised: str) -> int:
    """How many word tokens a ``normalise``d text has."""
    return normalised.count(" ") + 1 if normalised else 0
