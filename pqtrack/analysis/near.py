"""Near repeats: answers that are nearly the same (a name, a date or a few words changed).

The numpy code that finds them (``near_facts``, ``near_components``) stands beside the plain
definitions it vectorises (``_masked_clean``, ``tokens_of``, ``is_near``), which the tests
compare it with. ``near_repeats`` runs it over the stored facts (SQL over ``answer_facts`` and
``near_facts``, computed beforehand by pqtrack.facts).

How
    Texts are first reduced to distinct normalised texts (exact duplicates travel together).
    Then, without comparing all pairs:

    1. *Name masking*, word by word: a run of capitalised words ("Department of Health and
       Social Care", "Jane Smith", "Stratford-upon-Avon", "December"), with "of", "and",
       "for", "the"... between them, becomes one ``<N>`` token. Honorifics ("hon", "noble",
       "rt", "right hon") count as capitalised: "the hon. Member" and "the noble Lord" both
       give "the <N>". Punctuation does not end a run, a lower-case word does; a sentence's
       first word is capitalised too, which costs nothing, as both texts of a pair are
       masked alike. The rest is case-folded word tokens.
    2. *Facts.* ``near_facts`` computes, once per text, what matching needs: its token
       count, a key of its masked tokens and, for texts of ``SHORT_TOKENS`` (40) tokens or
       more, a sketch: bigrams of their masked content words (stopwords left out) hashed
       into a one-permutation MinHash of ``SKETCH_BINS`` (64) bins with optimal
       densification, then a histogram of all their masked tokens over ``HIST_BINS`` (32)
       hash classes. The database keeps them per question (the count with the answer
       facts, the rest in ``near_facts``), so a later ``repeats --near`` reads no answer text
       but those of its candidates.
    3. *Candidates.* LSH banding, ``BANDS`` (16) bands of ``ROWS`` (4) values: long texts
       sharing a band are candidates, each with at most ``WINDOW`` (16) texts before it in the
       bucket, so thousands of variants of one template cost linear, not quadratic, time.
       Shorter texts can only match a text identical to them once names are masked (rule
       below), so they are paired by their masked key. Long candidates are filtered, all at
       once with numpy: the sketches must agree on ``SKETCH_FLOOR`` of their bins, the
       lengths must allow the threshold, and so must the histograms: the sum over classes of
       the smaller count is at least the number of common tokens, so
       2 * that sum / total length bounds the masked similarity from above and this filter
       never drops a pair the exact check would accept.
    4. *Verification* with a real similarity: ``token_similarity``, 2 * LCS / total length
       over word tokens (the Indel ratio; what difflib's ratio approximates):
       - *masked similarity* (names collapsed) must be >= ``threshold`` (default 0.9), and
       - *plain similarity* (names kept) must be >= ``threshold - PLAIN_SLACK`` (0.8 by
         default), so that answers which differ in long lists of names are not joined;
       - **short texts**: when either text has fewer than ``SHORT_TOKENS`` tokens the pair
         must be identical once names are masked: a short answer may differ from another
         only in names, because in a short answer a different number, date or word *is* the
         content ("... on 14 January to Question 1234" vs "... on 3 February to Question
         5678");
       - **very short texts** (fewer than ``MIN_TOKENS`` = 10 tokens) are never near-grouped:
         "Yes." or "The information is not held." carry too little to tell a variant from a
         different answer. Exact repeats still find them.
    5. Union-find over verified pairs; groups of ids with at least two *different* normalised
       texts are returned (pure exact repeats are the fingerprint's job). Groups are
       single-linkage: A~B and B~C put A, B and C together.

    Recall: a pair that differs only in names, or by a date or a few words in one or two
    places, shares almost every bigram and is found with near certainty. Scattered one-word
    edits cost more bigrams: measured on 80-word texts, 4 scattered substitutions were found
    95% of the time, 6 about 85%. The result is deterministic all the same (fixed hashes,
    canonical order by smallest id), whatever the input order.

    Speed, at 1,000,000 generated questions (826,000 distinct answers): 6-8 s once the facts
    are stored; computing them costs about 25 µs of CPU an answer (14-17 s on two workers).
    Words are hashed by numpy over a chunk of texts at once (``_token_hashes``), never as a
    Python string each, and names are masked over those hashes (``_masked_hashes``): two
    regular expressions a text did it in 12 µs.
    Of the 6 million pairs that share a band, the length and histogram filters and the sketch
    agreement leave a few hundred to verify.
"""

from __future__ import annotations

import functools
import random
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from pqtrack.analysis.text import SPACES, clean, split_words, word_bytes

FINGERPRINT_ALGORITHM = "blake2b64:nfkc-casefold-nopunct-v1"

# The recipe of the stored near facts (pqtrack.facts): change it whenever near_facts computes
# differently, and the stored ones are computed again.
RECIPE = "near-v3: masked word by word, numpy-hashed bigram sketch and histogram"

DEFAULT_THRESHOLD = 0.9
PLAIN_SLACK = 0.1
MIN_TOKENS = 10
SHORT_TOKENS = 40

SKETCH_BINS = 64
ROWS = 4
BANDS = SKETCH_BINS // ROWS
HIST_BINS = 32
SKETCH_BYTES = SKETCH_BINS + 2 * HIST_BINS  # a byte a bin, two bytes a class
WINDOW = 16  # in a bucket, each text is checked against at most this many before it
# A candidate pair must agree on this share of sketch bins before the exact similarity is
# computed. Real near repeats were seen down to about 0.35, unrelated texts mostly below 0.1.
SKETCH_FLOOR = 0.3

_BIN_MASK = SKETCH_BINS - 1
_HIST_BITS = HIST_BINS.bit_length() - 1
_CHUNK = 4096  # texts sketched at once (bounds the densification's temporary arrays)
_CHUNK_BYTES = 3 << 19  # and about this many bytes of them (bounds the hashes' arrays)
_POWERS = 1 << 21  # powers of _P kept for hashing (16 MB); a longer chunk makes its own
_PAIR_CHUNK = 1 << 18  # candidate pairs filtered at once

# fmt: off
_STOP = frozenset({
    "the", "a", "an", "of", "to", "and", "in", "is", "for", "on", "that", "be", "it", "as",
    "with", "by", "this", "are", "was", "has", "have", "will", "we", "our", "at", "from",
    "not", "or", "which", "its", "their", "been", "there", "these", "those", "any", "all",
    "no", "also", "would", "can", "may", "i", "he", "she", "they", "you", "his", "her", "were",
    "had", "but", "than", "into", "such",
    "\x01",  # _NAME_MARK: a name alone does not make a bigram distinctive
})
# fmt: on


# --------------------------------------------------------------------------- tokens

# A word is capitalised when its first letter is one of these (as the original text has it).
_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ")
# Joined between capitalised words, these stay inside the name ("Secretary of State for...").
_JOINERS = frozenset({"of", "and", "for", "the", "on", "upon", "in", "de", "la", "du"})
# Honorifics count as capitalised, so that the name they come before takes them in: "the hon.
# Member" and "the noble Lord" both give "the <N>" ("Mr", "Dr", "St"... are capitalised).
_HON = frozenset({"hon", "honourable"})
_HONORIFICS = _HON | {"noble", "rt"}
_RIGHT = frozenset({"right"})  # an honorific only before "hon" or "honourable"
# An ASCII control character: neither punctuation nor space, and ASCII keeps _words fast.
_NAME_MARK = "\x01"


def _masked_clean(cleaned: str) -> list[str]:
    """The word tokens of a ``clean``ed text with each run of names masked: a run is
    capitalised words (honorifics included) and the joiners between them, and becomes one
    _NAME_MARK. The plain definition, which ``_masked_hashes`` vectorises."""
    shape = split_words(cleaned)  # as written: case-folding each word gives split_words(folded)
    capital = [word[0] in _CAPITALS for word in shape]
    words = [word.casefold() for word in shape]
    for at, word in enumerate(words):
        if word in _HONORIFICS or (
            word in _RIGHT and at + 1 < len(words) and words[at + 1] in _HON
        ):
            capital[at] = True
    joiner = [word in _JOINERS and not cap for word, cap in zip(words, capital, strict=True)]
    # A joiner is named when the nearest non-joiners on both sides are capitalised.
    before, last = [False] * len(words), False
    for at in range(len(words)):
        before[at] = last
        if not joiner[at]:
            last = capital[at]
    named, last = list(capital), False
    for at in reversed(range(len(words))):
        if joiner[at]:
            named[at] = before[at] and last
        else:
            last = capital[at]
    return [
        _NAME_MARK if name else word
        for at, (word, name) in enumerate(zip(words, named, strict=True))
        if not (name and at and named[at - 1])
    ]


def _common_prefix(a: list[str], b: list[str]) -> int:
    """Length of the common prefix, by binary search over C-level slice comparisons."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two token lists.

    Common prefix and suffix are matched first (near repeats share most of both); the middle
    goes through the bit-parallel algorithm (Allison-Dix / Hyyrö), one big-int step per token.
    """
    head = _common_prefix(a, b)
    if head == len(a) or head == len(b):
        return head
    a, b = a[head:], b[head:]
    tail = _common_prefix(a[::-1], b[::-1])
    if tail:
        a, b = a[:-tail], b[:-tail]
    return head + tail + _lcs_bits(a, b)


def _lcs_bits(a: list[str], b: list[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    masks: dict[str, int] = {}
    for i, tok in enumerate(a):
        masks[tok] = masks.get(tok, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    get = masks.get
    for tok in b:
        m = get(tok)
        if m:
            u = v & m
            # Carries only move upwards, so bits above len(a) never disturb the count below
            # and masking can wait until the end.
            v = (v + u) | (v - u)
    return len(a) - (v & full).bit_count()


def token_similarity(a: list[str], b: list[str]) -> float:
    """2 * LCS / (len(a) + len(b)) over tokens: 1.0 for equal lists, 0.0 for disjoint ones."""
    if not a and not b:
        return 1.0
    return 2 * _lcs_length(a, b) / (len(a) + len(b))


class Tokens(NamedTuple):
    """A text's word tokens, case-folded: as written, and with its names masked."""

    plain: list[str]
    masked: list[str]


def tokens_of(text: str) -> Tokens:
    """The plain definition of a text's tokens: ``near_facts`` hashes the same masked words
    (vectorised), and the tests compare its keys and sketches with these."""
    cleaned = clean(text)
    return Tokens(split_words(cleaned.casefold()), _masked_clean(cleaned))


def is_near(a: Tokens, b: Tokens, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """The rule a candidate pair must pass to be near repeats (module docstring, step 4)."""
    (plain_a, masked_a), (plain_b, masked_b) = a, b
    shorter, longer = sorted((len(plain_a), len(plain_b)))
    if shorter < MIN_TOKENS:
        return False
    floor = threshold - PLAIN_SLACK
    if 2 * shorter / (shorter + longer) < floor:
        return False
    if shorter < SHORT_TOKENS:
        return masked_a == masked_b and token_similarity(plain_a, plain_b) >= floor
    return (
        token_similarity(masked_a, masked_b) >= threshold
        and token_similarity(plain_a, plain_b) >= floor
    )


# --------------------------------------------------------------------------- near facts


class NearFacts(NamedTuple):
    """What near matching needs of one text (see ``near_facts``)."""

    tokens: int  # word tokens of the plain text
    name_key: int | None  # 64-bit hash of the masked tokens; None below MIN_TOKENS
    sketch: bytes | None  # SKETCH_BYTES: MinHash bins, then the masked-token histogram


def near_facts(texts: Sequence[str | None], tokens: Sequence[int] | None = None) -> list[NearFacts]:
    """The facts of each text: its length, the key of its masked tokens and, for a text of
    SHORT_TOKENS or more, its sketch. `tokens`, when given, are the texts' lengths already
    known (``word_count`` of their normalised form). Pure; the database keeps them."""
    import numpy as np

    if tokens is None:
        tokens = [len(split_words(clean(text).casefold())) if text else 0 for text in texts]
    keys: list[int | None] = [None] * len(texts)
    sketches: list[bytes | None] = [None] * len(texts)

    def compute(chunk: list[int], folded: list[bytes], shapes: list[bytes]) -> None:
        long = np.fromiter((tokens[at] >= SHORT_TOKENS for at in chunk), bool, len(chunk))
        chunk_keys, chunk_sketches = _hashed(folded, shapes, long)
        long_at = iter(chunk_sketches)
        for at, key, is_long in zip(chunk, chunk_keys, long.tolist(), strict=True):
            keys[at] = key
            if is_long:
                sketches[at] = next(long_at)

    chunk: list[int] = []
    folded: list[bytes] = []
    shapes: list[bytes] = []
    size = 0
    for at, plain in enumerate(tokens):
        text = texts[at]
        if plain >= MIN_TOKENS and text:
            chunk.append(at)
            shape = word_bytes(clean(text))
            # Case-folding maps no separator to a letter, nor a letter to a separator
            # (tested), so it keeps the words; of ASCII, it is lower-casing.
            folded.append(shape.lower() if shape.isascii() else _casefold(shape))
            shapes.append(shape)
            size += len(shape) + 1
            if len(chunk) == _CHUNK or size >= _CHUNK_BYTES:
                compute(chunk, folded, shapes)
                chunk, folded, shapes, size = [], [], [], 0
    if chunk:
        compute(chunk, folded, shapes)
    return list(map(NearFacts, tokens, keys, sketches))


def _casefold(data: bytes) -> bytes:
    return data.decode("utf-8").casefold().encode("utf-8")


# Token hashes, computed with numpy over many texts at once, without a string per word: a
# word's bytes b[0..k) give the polynomial sum(b[j] * _P**j) modulo 2**64, which _mix
# scrambles together with k. (Prefix sums over a whole buffer of n bytes give each word's
# sum times _P**start; times _P**(n - start) and the inverse of _P**n modulo 2**64, which
# exists because _P is odd, that is the word's own sum.)
_P = 0x100000001B3
_LENGTH = 0x9E3779B97F4A7C15
_POSITION = 0xC2B2AE3D27D4EB4F
_FIRST, _SECOND = 0x5851F42D4C957F2D, 0x14057B7EF767814F  # the two hashes of a bigram's words
_IN_WORD = bytes(0 if i in SPACES else 1 for i in range(256))


def _mix(x: Any) -> Any:
    """A bijective scramble of uint64 values (the 64-bit finaliser of MurmurHash3)."""
    import numpy as np

    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


def _powers(size: int) -> Any:
    """_P**i modulo 2**64 for i < size (or more): kept for sizes up to _POWERS."""
    return _kept_powers() if size <= _POWERS else _make_powers(size)


@functools.cache
def _kept_powers() -> Any:
    return _make_powers(_POWERS)


def _make_powers(size: int) -> Any:
    import numpy as np

    up = np.full(size, _P, dtype=np.uint64)
    up[0] = 1
    return np.cumprod(up)


def _token_hashes(data: bytes) -> tuple[Any, Any]:
    """Where each word of ``data`` starts, and its hash (see _P)."""
    import numpy as np

    raw = np.frombuffer(data, dtype=np.uint8)
    starts, ends = _word_edges(raw)
    n = len(raw)
    up = _powers(n + 1)
    sums = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(raw * up[:n], out=sums[1:])
    poly = (sums[ends] - sums[starts]) * up[n - starts] * np.uint64(pow(_P, -n, 1 << 64))
    return starts, _mix(poly ^ ((ends - starts).astype(np.uint64) * np.uint64(_LENGTH)))


def _word_edges(raw: Any) -> tuple[Any, Any]:
    """Where each word of these bytes starts, and where it ends (exclusive)."""
    import numpy as np

    word = np.frombuffer(_IN_WORD, dtype=np.int8)[raw]
    edges = np.diff(word, prepend=np.int8(0), append=np.int8(0))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


@functools.cache
def _word_hashes(words: frozenset[str]) -> Any:
    """The hashes of these words, sorted."""
    import numpy as np

    return np.sort(_token_hashes(" ".join(sorted(words)).encode("utf-8"))[1])


def _is_in(hashes: Any, words: frozenset[str]) -> Any:
    import numpy as np

    return np.isin(hashes, _word_hashes(words))


def _hashed(folded: list[bytes], shapes: list[bytes], long: Any) -> tuple[list[int], list[bytes]]:
    """The name key of each text and the sketches of the long ones, from the ``word_bytes``
    of the case-folded texts and of the texts as written (the same words, cased).

    The key is order-sensitive: the scrambled sum, over the masked text's words, of each
    word's hash scrambled with its position; with the word count."""
    import numpy as np

    n = len(folded)
    offsets = np.cumsum([0] + [len(m) + 1 for m in folded[:-1]])
    starts, words = _token_hashes(b" ".join(folded))  # the space keeps texts apart
    owner = np.searchsorted(offsets, starts, side="right") - 1
    hashes, owner = _masked_hashes(words, owner, _capitalised(b" ".join(shapes)))
    counts = np.bincount(owner, minlength=n)
    first = np.cumsum(counts) - counts
    position = (np.arange(len(hashes)) - first[owner] + 1).astype(np.uint64)
    terms = _mix(hashes + position * np.uint64(_POSITION))
    totals = np.zeros(len(hashes) + 1, dtype=np.uint64)
    np.cumsum(terms, out=totals[1:])
    sums = totals[first + counts] - totals[first]
    keys = _mix(sums ^ counts.astype(np.uint64)).view(np.int64).tolist()
    in_long = long[owner]
    renumber = np.cumsum(long) - 1
    return keys, _sketches(hashes[in_long], renumber[owner[in_long]], int(long.sum()))


def _capitalised(data: bytes) -> Any:
    """Whether each word of ``data`` (``word_bytes`` of text as written) starts with one of
    _CAPITALS: A-Z, or the two UTF-8 bytes of À-Ö or Ø-Þ (C3 80-96, C3 98-9E)."""
    import numpy as np

    raw = np.frombuffer(data + b" ", dtype=np.uint8)  # a byte after every word's first
    starts, _ = _word_edges(raw)
    lead, next_byte = raw[starts], raw[starts + 1]
    latin = (lead == 0xC3) & (next_byte >= 0x80) & (next_byte <= 0x9E) & (next_byte != 0x97)
    return ((lead >= 0x41) & (lead <= 0x5A)) | latin


def _masked_hashes(hashes: Any, owner: Any, capital: Any) -> tuple[Any, Any]:
    """``_masked_clean`` over the word hashes of many texts at once (owner: each word's text,
    ascending): the masked words' hashes, and their texts."""
    import numpy as np

    n = len(hashes)
    same = owner[1:] == owner[:-1]  # a word and the next are of the same text
    hon = _is_in(hashes, _HON)
    capital = capital | _is_in(hashes, _HONORIFICS)
    capital[:-1] |= _is_in(hashes[:-1], _RIGHT) & hon[1:] & same
    joiner = _is_in(hashes, _JOINERS) & ~capital
    # A joiner is named when the nearest non-joiners before and after it, in its own text,
    # are capitalised.
    position = np.arange(n)
    before = np.maximum.accumulate(np.where(joiner, -1, position))
    after = np.minimum.accumulate(np.where(joiner, n, position)[::-1])[::-1]
    bridged = joiner & (before >= 0) & (after < n)
    before, after = before.clip(0), after.clip(max=n - 1)
    bridged &= (owner[before] == owner) & (owner[after] == owner)
    named = capital | (bridged & capital[before] & capital[after])
    keep = np.ones(n, dtype=bool)
    keep[1:] = ~(named[1:] & named[:-1] & same)
    masked = np.where(named, _word_hashes(frozenset({_NAME_MARK}))[0], hashes)
    return masked[keep], owner[keep]


@functools.cache
def _donors() -> Any:
    """For each bin, a fixed pseudo-random order of the other bins to borrow from when it is
    empty: a SKETCH_BINS x (SKETCH_BINS - 1) array."""
    import numpy as np

    orders = []
    for i in range(SKETCH_BINS):
        others = [j for j in range(SKETCH_BINS) if j != i]
        random.Random(i).shuffle(others)
        orders.append(others)
    return np.array(orders, dtype=np.intp)


def _sketches(hashes: Any, owner: Any, n: int) -> list[bytes]:
    """Sketches of n masked texts, from the hashes of their words in order and the text each
    word belongs to (0 to n - 1, ascending), vectorised over the lot.

    MinHash part: one-permutation MinHash of content-word bigrams (stopwords and names left
    out, unless fewer than 5 words remain), SKETCH_BINS bytes: a bigram (a, b) hashes to
    _mix(a ^ _FIRST) ^ _mix(b ^ _SECOND), whose low bits pick its bin and top 8 bits are its
    value; a bin keeps its smallest value. Optimal densification: an empty bin copies the
    first non-empty bin in its own fixed pseudo-random donor order, so similar texts borrow
    alike. Histogram part: how many masked tokens (all of them) fall in each of HIST_BINS
    classes (the top bits of _mix(word ^ _SECOND)), HIST_BINS little-endian uint16.
    """
    import numpy as np

    if not n:
        return []
    content = ~_is_in(hashes, _STOP)
    content |= np.bincount(owner[content], minlength=n)[owner] < 5  # too few: every word
    second_all = _mix(hashes ^ np.uint64(_SECOND))
    words, owner_c = hashes[content], owner[content]
    same = owner_c[:-1] == owner_c[1:]  # a bigram is a word and the next word of the same text
    values = (_mix(words[:-1] ^ np.uint64(_FIRST)) ^ second_all[content][1:])[same]
    slot = owner_c[:-1][same] * SKETCH_BINS + (values & np.uint64(_BIN_MASK)).astype(np.int64)
    # Each bin keeps its smallest value: 256 marks an empty one.
    smallest = np.full(n * SKETCH_BINS, 256, dtype=np.uint16)
    np.minimum.at(smallest, slot, (values >> np.uint64(56)).astype(np.uint16))
    filled = smallest < 256
    bins = smallest.astype(np.uint8)
    # Densify: each empty bin of a text with any bigram walks its donor order to the first
    # filled bin (most are found within a few steps); a text with no bigram keeps zeros.
    per_text = filled.reshape(n, SKETCH_BINS)
    text, empty = np.nonzero(~per_text & per_text.any(axis=1, keepdims=True))
    base, target = text * SKETCH_BINS, text * SKETCH_BINS + empty
    order = _donors().ravel()
    at = empty * (SKETCH_BINS - 1)  # where this bin's donor order starts in `order`
    for step in range(SKETCH_BINS - 1):
        if not len(target):
            break
        donor = base + order[at + step]
        found = filled[donor]
        bins[target[found]] = bins[donor[found]]
        base, at, target = base[~found], at[~found], target[~found]

    classes = (second_all >> np.uint64(64 - _HIST_BITS)).astype(np.int64)
    hist = np.bincount(owner * HIST_BINS + classes, minlength=n * HIST_BINS)
    hist = np.minimum(hist, 0xFFFF).astype("<u2").reshape(n, HIST_BINS)
    table = np.concatenate([bins.reshape(n, SKETCH_BINS), hist.view(np.uint8)], axis=1)
    return [row.tobytes() for row in table]


# --------------------------------------------------------------------------- grouping


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller index is the root: results do not depend on the order of unions.
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def near_components(
    tokens: Sequence[int],
    keys: Sequence[int | None],
    sketches: Sequence[bytes | None],
    texts: Callable[[list[int]], Sequence[str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[list[int]]:
    """Near repeats among distinct texts, as groups of their indexes.

    The texts' NearFacts come as three columns, one text per distinct normalised text, in
    canonical order (by smallest id); ``texts(indexes)`` returns those texts, and is called
    once, for the candidates that survive the filters. Each group is sorted and has at least
    two indexes; groups come in order of their first index.
    """
    pairs = sorted(_key_pairs(tokens, keys) | _band_pairs(tokens, sketches, threshold))
    needed = sorted({i for pair in pairs for i in pair})
    words = {i: tokens_of(text) for i, text in zip(needed, texts(needed), strict=True)}
    uf = _UnionFind(len(tokens))
    for x, y in pairs:
        if uf.find(x) != uf.find(y) and is_near(words[x], words[y], threshold):
            uf.union(x, y)
    components: dict[int, list[int]] = {}
    for i in needed:
        components.setdefault(uf.find(i), []).append(i)
    return sorted((members for members in components.values() if len(members) >= 2), key=min)


def _key_pairs(tokens: Sequence[int], keys: Sequence[int | None]) -> set[tuple[int, int]]:
    """Candidates among texts with the same masked tokens, where one of them is short."""
    import numpy as np

    where = [i for i, key in enumerate(keys) if key is not None]
    keyed = np.fromiter(map(keys.__getitem__, where), dtype=np.int64, count=len(where))
    lengths = np.fromiter(map(tokens.__getitem__, where), dtype=np.int64, count=len(where))
    a, b, run, runs_short = _bucket_pairs(keyed, lengths < SHORT_TOKENS)
    keep = runs_short[run]
    index = np.array(where, dtype=np.int64)
    return set(zip(index[a[keep]].tolist(), index[b[keep]].tolist(), strict=True))


def _band_pairs(
    tokens: Sequence[int], sketches: Sequence[bytes | None], threshold: float
) -> set[tuple[int, int]]:
    """Candidates among long texts: sharing a band of their sketch, then passing the filters
    (lengths, the histogram bound, sketch agreement), vectorised."""
    import numpy as np

    where = [i for i, sketch in enumerate(sketches) if sketch is not None]
    if len(where) < 2:
        return set()
    table = np.frombuffer(b"".join(sketches[i] or b"" for i in where), dtype=np.uint8)
    table = table.reshape(len(where), SKETCH_BYTES)
    bins = table[:, :SKETCH_BINS]
    hist = np.ascontiguousarray(table[:, SKETCH_BINS:]).view("<u2")
    plain = np.fromiter(map(tokens.__getitem__, where), dtype=np.int64, count=len(where))
    masked = hist.sum(axis=1, dtype=np.int64)
    # The histogram bound over 8 coarser classes (4 classes each) is weaker but half the work,
    # and never lower than the fine one: checked first, it spares most pairs the fine one.
    coarse = hist.reshape(len(where), 8, HIST_BINS // 8).sum(axis=2, dtype=np.int32)

    def band_pairs(band: int) -> Any:
        keys = np.ascontiguousarray(bins[:, band * ROWS : (band + 1) * ROWS]).view("<u4")
        a, b, _, _ = _bucket_pairs(keys.ravel())
        found = [np.zeros(0, dtype=np.int64)]
        for lo in range(0, len(a), _PAIR_CHUNK):
            # Cheapest first, each on the survivors of the one before.
            x, y = a[lo : lo + _PAIR_CHUNK], b[lo : lo + _PAIR_CHUNK]
            short, long = np.minimum(plain[x], plain[y]), np.maximum(plain[x], plain[y])
            keep = 2 * short / (short + long) >= threshold - PLAIN_SLACK
            x, y = x[keep], y[keep]
            for classes in (coarse, hist):
                common = np.minimum(classes[x], classes[y]).sum(axis=1, dtype=np.int64)
                keep = 2 * common / (masked[x] + masked[y]) >= threshold
                x, y = x[keep], y[keep]
            keep = (bins[x] == bins[y]).sum(axis=1) / SKETCH_BINS >= SKETCH_FLOOR
            found.append(x[keep] * len(where) + y[keep])
        return np.concatenate(found)

    # numpy lets go of the GIL while it sorts and gathers: two threads share the bands.
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = list(pool.map(band_pairs, range(BANDS)))
    codes = np.unique(np.concatenate(found))
    index = np.array(where, dtype=np.int64)
    a, b = np.divmod(codes, len(where))
    return set(zip(index[a].tolist(), index[b].tolist(), strict=True))


def _stable_order(keys: Any) -> Any:
    """The argsort of keys, equal keys in index order. Unsigned keys of 32 bits or less are
    sorted with their index packed below them: a plain sort of those beats a stable argsort."""
    import numpy as np

    if keys.dtype.kind != "u" or keys.dtype.itemsize > 4 or len(keys) >= 1 << 32:
        return np.argsort(keys, kind="stable")
    packed = keys.astype(np.uint64) << np.uint64(32) | np.arange(len(keys), dtype=np.uint64)
    return (np.sort(packed) & np.uint64(0xFFFFFFFF)).astype(np.intp)


def _bucket_pairs(keys: Any, flags: Any = None) -> tuple[Any, Any, Any, Any]:
    """Pairs (x, y), x < y, of rows with the same key: each row with the (at most WINDOW)
    rows before it among those with its key. Also each pair's bucket, and which buckets have
    a row whose flag is set."""
    import numpy as np

    order = _stable_order(keys)
    ordered = keys[order]
    position = np.arange(len(keys))
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    run_start = np.maximum.accumulate(np.where(starts, position, 0))
    run = np.cumsum(starts) - 1
    flagged = None if flags is None else np.bincount(run, weights=flags[order]) > 0
    firsts, seconds, runs = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [run[:0]]
    for back in range(1, WINDOW + 1):
        ok = position - back >= run_start
        if not ok.any():
            break
        firsts.append(order[position[ok] - back])
        seconds.append(order[ok])
        runs.append(run[ok])
    return np.concatenate(firsts), np.concatenate(seconds), np.concatenate(runs), flagged


# --------------------------------------------------------------------------- over the store


def near_repeats(
    conn: sqlite3.Connection, where: str, params: dict[str, Any], threshold: float
) -> tuple[list[tuple[int, list[str]]], list[tuple[str, int]]]:
    """Near repeats among the stored answers of the questions that pass ``where`` (over
    ``questions q``): each group's size and fingerprints (in canonical order, by smallest
    id), and the distinct answers in no group, each fingerprint with its size."""
    fps, firsts, sizes, tokens, keys, sketches = _distinct_answers(conn, where, params)

    def texts(indexes: list[int]) -> list[str]:
        sql = "SELECT id, answer_text FROM questions WHERE id IN ({})"
        found = dict(chunked(conn, sql, [firsts[i] for i in indexes]))
        return [found[firsts[i]] for i in indexes]

    components = near_components(tokens, keys, sketches, texts, threshold)
    groups = [(sum(sizes[i] for i in c), [fps[i] for i in c]) for c in components]
    joined = {i for c in components for i in c}
    alone = [(fp, n) for i, (fp, n) in enumerate(zip(fps, sizes, strict=True)) if i not in joined]
    return groups, alone


def _distinct_answers(
    conn: sqlite3.Connection, where: str, params: dict[str, Any]
) -> tuple[list[str], list[int], list[int], list[int], list[int | None], list[bytes | None]]:
    """Each distinct answer (fingerprint) in order of its smallest id: the fingerprint, that
    id, how many questions have it, and the near facts (word count, name key, sketch)."""
    found = conn.execute(
        "SELECT f.question_id, f.answer_fp, f.tokens, n.name_key, n.sketch FROM answer_facts f"
        " JOIN near_facts n ON n.question_id = f.question_id"
        + (" JOIN questions q ON q.id = f.question_id" if where != "1" else "")
        + f" WHERE f.answer_fp IS NOT NULL AND {where} ORDER BY f.question_id",
        params,
    )
    # Grouped here rather than by SQL's GROUP BY (then sorted by first id): in id order, the
    # first row of each fingerprint comes first, and one pass is twice as fast.
    fps: list[str] = []
    ids: list[int] = []
    sizes: list[int] = []
    tokens: list[int] = []  # the same for every question of a fingerprint
    keys: list[int | None] = []
    sketches: list[bytes | None] = []
    index: dict[str, int] = {}
    for qid, fp, n, key, sketch in found:
        at = index.setdefault(fp, len(fps))
        if at == len(fps):
            fps.append(fp)
            ids.append(qid)
            sizes.append(1)
            tokens.append(n)
            keys.append(key)
            sketches.append(sketch)
        else:
            sizes[at] += 1
    return fps, ids, sizes, tokens, keys, sketches


def chunked(
    conn: sqlite3.Connection, sql: str, values: list[Any], params: dict[str, Any] | None = None
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` for a list of any length, its ``{}`` filled with named parameters
    for 500 values at a time (SQLite caps the parameters of one statement); ordered per chunk."""
    for start in range(0, len(values), 500):
        chunk = {f"v{i}": value for i, value in enumerate(values[start : start + 500])}
        marks = ", ".join(":" + name for name in chunk)
        yield from conn.execute(sql.format(marks), {**(params or {}), **chunk})
