"""analysis/near.py: near repeats. The vectorised code is checked against the plain
definitions beside it (tokens_of, is_near) and against reference sketches written here."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqtrack.analysis import near
from pqtrack.analysis.near import (
    DEFAULT_THRESHOLD,
    MIN_TOKENS,
    is_near,
    token_similarity,
    tokens_of,
)
from pqtrack.analysis.text import normalise, word_count
from tests.samples import require_samples


def masked_tokens(text: str) -> list[str]:
    """The masked tokens of a text, a name run shown as <N>."""
    return ["<N>" if t == near._NAME_MARK else t for t in tokens_of(text).masked]


def similarity(a: str, b: str) -> float:
    return token_similarity(tokens_of(a).masked, tokens_of(b).masked)


def is_near_duplicate(a: str, b: str, threshold: float = DEFAULT_THRESHOLD) -> bool:
    return is_near(tokens_of(a), tokens_of(b), threshold)


def near_groups(
    items: Iterable[tuple[int, str]], threshold: float = DEFAULT_THRESHOLD
) -> list[list[int]]:
    """Groups of ids whose texts are near repeats, as `repeats --near` finds them over the
    stored facts (near.near_repeats): texts reduced to distinct normalised ones in order of
    their smallest id, their near facts, then near_components. Each group has at least two
    different normalised texts."""
    by_norm: dict[str, list[int]] = {}
    first: dict[str, tuple[int, str]] = {}  # normalised -> (smallest id, its text)
    for qid, text in items:
        norm = normalise(text) if text else ""
        if not norm:
            continue
        by_norm.setdefault(norm, []).append(qid)
        if norm not in first or qid < first[norm][0]:
            first[norm] = (qid, text)
    order = sorted(by_norm, key=lambda norm: first[norm][0])
    texts = [first[norm][1] for norm in order]
    facts = near.near_facts(texts, [word_count(norm) for norm in order])
    tokens, keys, sketches = zip(*facts, strict=True) if texts else ((), (), ())
    components = near.near_components(
        tokens, keys, sketches, lambda idx: [texts[i] for i in idx], threshold
    )
    return [sorted(qid for i in group for qid in by_norm[order[i]]) for group in components]


# --------------------------------------------------------------------------- similarity


def test_masked_tokens_collapse_name_runs() -> None:
    assert masked_tokens(
        "Officials met the Minister for Security, Jane Smith, at a meeting in "
        "Stratford-upon-Avon on 3 March 2025."
    ) == ["<N>", "met", "the", "<N>", "at", "a", "meeting", "in", "<N>", "on", "3", "<N>", "2025"]
    assert masked_tokens("I refer the hon. Member") == masked_tokens("I refer the noble Lord")
    assert masked_tokens("The Department of Health and Social Care has indicated") == [
        "<N>",
        "has",
        "indicated",
    ]


def test_masking_goes_word_by_word() -> None:
    # A lower-case word ends a run, punctuation does not; joiners count only between names.
    assert masked_tokens("by Jane Smith. The Minister said") == ["by", "<N>", "said"]
    assert masked_tokens("met the Minister of the day") == ["met", "the", "<N>", "of", "the", "day"]
    # "right" is an honorific only before "hon"; capitals beyond ASCII count (À-Þ, not ×).
    assert masked_tokens("the right to ask the right hon. Member") == [
        "the", "right", "to", "ask", "the", "<N>",
    ]  # fmt: skip
    assert masked_tokens("in Écija or ×2 or ßig") == ["in", "<N>", "or", "×2", "or", "ssig"]


def test_token_similarity_is_an_lcs_ratio() -> None:
    assert token_similarity([], []) == 1.0
    assert token_similarity(["a"], []) == 0.0
    assert token_similarity(list("abcd"), list("abxd")) == 0.75
    assert token_similarity(list("abcd"), list("dcba")) == 0.25


def _lcs_reference(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev_diag = 0
        for j, y in enumerate(b, start=1):
            prev_diag, row[j] = row[j], prev_diag + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


_tokens = st.lists(st.sampled_from("abcde"), max_size=70)


@given(_tokens, _tokens, _tokens)
def test_token_similarity_matches_dynamic_programming(
    head: list[str], a: list[str], b: list[str]
) -> None:
    # Shared heads and tails exercise the prefix/suffix shortcut; long lists the big-int path.
    left, right = head + a + head, head + b
    expected = 2 * _lcs_reference(left, right) / (len(left) + len(right) or 1)
    assert token_similarity(left, right) == (expected if left or right else 1.0)


LONG = (
    "The Government is committed to supporting veterans across the country and the Minister "
    "for Veterans, {name}, met representatives of the armed forces charities on {date} to "
    "discuss housing, employment and mental health provision. The Office for Veterans' Affairs "
    "continues to work with local authorities, the NHS and service charities to make sure that "
    "every veteran can find the support they need, and further details of the programme will be "
    "set out in the forthcoming strategy refresh."
)

OTHER_LONG = (
    "Schools will receive an additional £1 billion for children with special educational needs "
    "next year. The funding formula takes account of local pupil numbers and deprivation, and "
    "the Department will publish allocations for each local authority in the spring, alongside "
    "guidance on how the money can be used to support inclusion in mainstream settings and to "
    "expand specialist places."
)


def test_long_variants_differing_by_name_or_date_are_near_duplicates() -> None:
    a = LONG.format(name="Jane Smith", date="14 December 2024")
    b = LONG.format(name="John Brown", date="14 December 2024")
    c = LONG.format(name="Jane Smith", date="3 March 2025")
    assert similarity(a, b) == 1.0
    assert is_near_duplicate(a, b)
    assert is_near_duplicate(a, c)
    assert is_near_duplicate(b, c)


def test_threshold_is_respected() -> None:
    a = LONG.format(name="Jane Smith", date="14 December 2024")
    words = a.split()
    for i in (10, 30, 50, 70):
        words[i] = "different"
    b = " ".join(words)
    assert is_near_duplicate(a, b, threshold=0.9)
    assert not is_near_duplicate(a, b, threshold=0.98)
    assert near_groups([(1, a), (2, b)]) == [[1, 2]]
    assert near_groups([(1, a), (2, b)], threshold=0.98) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # very short: never near repeats, whatever the similarity
        ("Yes, on 3 March.", "Yes, on 4 March."),
        ("The information is not held.", "The information is not held centrally."),
        # short: a different word, number or date is the content of the answer
        (
            "The Government has no plans to ban fireworks in public parks at this time.",
            "The Government has no plans to ban barbecues in public parks at this time.",
        ),
        (
            "I refer the hon. Member to the answer I gave on 14 January 2025 to Question 1234.",
            "I refer the hon. Member to the answer I gave on 3 February 2025 to Question 5678.",
        ),
        (
            "The Department spent £4.2 million on consultancy in 2023-24 and £3.1 million in "
            "2022-23, as set out in its annual report and accounts.",
            "The Department spent £1.7 million on consultancy in 2023-24 and £2.9 million in "
            "2022-23, as set out in its annual report and accounts.",
        ),
        # long but unrelated
        (LONG.format(name="Jane Smith", date="14 December 2024"), OTHER_LONG),
    ],
)
def test_unrelated_or_too_short_are_not_near_duplicates(a: str, b: str) -> None:
    assert not is_near_duplicate(a, b)
    assert near_groups([(1, a), (2, b)]) == []


def test_short_answers_may_differ_only_by_names() -> None:
    a = "I refer the hon. Member for Sometown to the answer of 2 May 2024 to Question 12345."
    b = "I refer the hon. Member for Other Place and District to the answer of 2 May 2024 to Question 12345."  # noqa: E501
    assert len(normalise(a).split()) >= MIN_TOKENS
    assert is_near_duplicate(a, b)


# --------------------------------------------------------------------------- near_groups


def test_exact_duplicates_alone_are_not_a_near_group() -> None:
    a = LONG.format(name="Jane Smith", date="14 December 2024")
    assert near_groups([(1, a), (2, a.upper()), (3, f"<p>{a}</p>")]) == []


def test_exact_duplicates_travel_with_their_near_group() -> None:
    a = LONG.format(name="Jane Smith", date="14 December 2024")
    b = LONG.format(name="John Brown", date="3 March 2025")
    other = OTHER_LONG
    assert near_groups([(5, a), (2, b), (9, a), (7, "Yes."), (4, other)]) == [[2, 5, 9]]


def test_groups_are_sorted_and_ordered() -> None:
    a = LONG.format(name="Jane Smith", date="14 December 2024")
    b = LONG.format(name="John Brown", date="14 December 2024")
    x = (
        "The {} will write to the hon. Member shortly, once the figures requested have been "
        "collated and checked; we apologise for the delay in giving a full reply today."
    )
    items = [
        (30, a),
        (10, x.format("Home Office")),
        (20, b),
        (40, x.format("Department for Education")),
        (50, "Unrelated."),
    ]
    assert near_groups(items) == [[10, 40], [20, 30]]


def _real_full_answers() -> dict[int, str]:
    """Full (not list-truncated) answer texts from the shared samples, by question id."""
    texts: dict[int, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            text = node.get("answerText")
            if isinstance(text, str) and text and not text.endswith("..."):
                texts[int(node["id"])] = text
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for path in sorted(require_samples().rglob("*.json")):
        if not path.name.startswith("swagger"):
            walk(json.loads(path.read_text()))
    return texts


DEPARTMENTS = [
    "Home Office",
    "Ministry of Defence",
    "Department for Education",
    "Department for Environment, Food and Rural Affairs",
    "Ministry of Housing, Communities and Local Government",
    "Foreign, Commonwealth and Development Office",
    "Department for Science, Innovation and Technology",
    "HM Treasury",
    "Cabinet Office",
    "Department for Work and Pensions",
]


@pytest.mark.samples  # a check on the real answers; ours are checked above
def test_real_holding_answer_joins_other_departments_variants() -> None:
    answers = _real_full_answers()
    dhsc = "Department of Health and Social Care"
    holding_ids = [qid for qid, t in answers.items() if t.startswith(f"The {dhsc} has indicated")]
    assert holding_ids, "the DHSC holding answer is in the samples"
    holding = answers[holding_ids[0]]
    variants = [(-(i + 1), holding.replace(dhsc, name)) for i, name in enumerate(DEPARTMENTS)]
    groups = near_groups([*answers.items(), *variants])
    holding_group = next(g for g in groups if holding_ids[0] in g)
    assert sorted(holding_group) == sorted([*holding_ids, *(qid for qid, _ in variants)])
    # Nothing else in the samples is pulled in, and no other group mixes in a variant.
    for group in groups:
        if group is not holding_group:
            assert all(qid > 0 for qid in group)


@pytest.mark.samples  # a check on the real answers; ours are checked above
def test_real_answers_form_few_near_groups() -> None:
    answers = _real_full_answers()
    groups = near_groups(answers.items())
    grouped = [qid for g in groups for qid in g]
    assert len(grouped) == len(set(grouped))
    # The samples hold a handful of genuine near repeats at most, never a giant blob.
    assert len(grouped) <= 10
    for group in groups:
        # Single linkage: every member has a partner it is a near (or exact) repeat of.
        for qid in group:
            assert any(
                normalise(answers[qid]) == normalise(answers[other])
                or is_near_duplicate(answers[qid], answers[other])
                for other in group
                if other != qid
            )


@pytest.mark.samples  # a check on the real answers; ours are checked above
def test_real_prorogation_formula_variants_join() -> None:
    folder = require_samples() / "timelines" / "q1676644_answered_at_prorogation"
    text = json.loads(next(folder.glob("*.json")).read_text())["value"]["answerText"]
    variant = text.replace("the hon. Member", "the noble Lord")
    assert variant != text
    assert near_groups([(1, text), (2, variant)]) == [[1, 2]]


# --------------------------------------------------------------------------- properties

_BASE = LONG.format(name="Jane Smith", date="14 December 2024").split()
_SWAPS = ["alpha", "beta", "gamma", "Delta Force", "17 May 2021", "fourteen"]

_texts = st.one_of(
    # variants of one template: most of them are near repeats of each other
    st.lists(st.tuples(st.integers(0, len(_BASE) - 1), st.sampled_from(_SWAPS)), max_size=8).map(
        lambda edits: _edit(edits)
    ),
    # short or unrelated texts
    st.sampled_from(["Yes.", "No.", "The information is not held.", LONG.replace("veterans", "x")]),
    st.text(max_size=60),
)


def _edit(edits: list[tuple[int, str]]) -> str:
    words = list(_BASE)
    for pos, word in edits:
        words[pos] = word
    return " ".join(words)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 10_000), _texts), max_size=25, unique_by=lambda t: t[0]),
    st.randoms(use_true_random=False),
)
def test_near_groups_properties(items: list[tuple[int, str]], rnd: random.Random) -> None:
    groups = near_groups(items)
    ids = [qid for g in groups for qid in g]
    assert len(ids) == len(set(ids)), "groups are disjoint"
    assert set(ids) <= {qid for qid, _ in items}, "only input ids"
    text_of = dict(items)
    for group in groups:
        assert len(group) >= 2
        assert group == sorted(group)
        assert len({normalise(text_of[qid]) for qid in group}) >= 2
    assert [g[0] for g in groups] == sorted(g[0] for g in groups)
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert near_groups(shuffled) == groups, "independent of input order"


# --------------------------------------------------------------------------- near facts


_U64 = (1 << 64) - 1


def _scramble(x: int) -> int:
    """MurmurHash3's 64-bit finaliser, on Python ints."""
    x ^= x >> 33
    x = x * 0xFF51AFD7ED558CCD & _U64
    x ^= x >> 33
    x = x * 0xC4CEB9FE1A85EC53 & _U64
    return x ^ (x >> 33)


def _word_hash(token: str) -> int:
    data = token.encode("utf-8")
    poly = sum(byte * pow(near._P, j, 1 << 64) for j, byte in enumerate(data)) & _U64
    return _scramble(poly ^ (len(data) * near._LENGTH & _U64))


def _reference_key(masked: list[str]) -> int:
    total = sum(
        _scramble(_word_hash(t) + (j + 1) * near._POSITION & _U64) for j, t in enumerate(masked)
    )
    key = _scramble(total & _U64 ^ len(masked))
    return key - (1 << 64) if key >> 63 else key


def _reference_sketch(masked: list[str]) -> bytes:
    """The sketch as the module docstring describes it, one text at a time, plainly."""
    content = [t for t in masked if t not in near._STOP]
    if len(content) < 5:
        content = masked

    def halves(token: str) -> tuple[int, int]:
        word = _word_hash(token)
        return _scramble(word ^ near._FIRST), _scramble(word ^ near._SECOND)

    bins: dict[int, int] = {}
    for a, b in zip(content, content[1:], strict=False):
        value = halves(a)[0] ^ halves(b)[1]
        slot = value % near.SKETCH_BINS
        bins[slot] = min(bins.get(slot, 1 << 8), value >> 56)
    minhash = []
    for i in range(near.SKETCH_BINS):
        if i not in bins and bins:
            order = [j for j in range(near.SKETCH_BINS) if j != i]
            random.Random(i).shuffle(order)
            i = next(j for j in order if j in bins)
        minhash.append(bins.get(i, 0))
    hist = [0] * near.HIST_BINS
    for token in masked:
        hist[halves(token)[1] >> (64 - (near.HIST_BINS.bit_length() - 1))] += 1
    return bytes(minhash) + b"".join(v.to_bytes(2, "little") for v in hist)


_WORDS = (
    "alpha beta gamma delta the of to and Jane Smith Home Office 2024 cost scheme café £2m"
    " Minister’s hon. noble right Rt upon, In Écija ×2 İstanbul ǅemal Straße"
).split()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), min_size=40, max_size=120), max_size=6))
def test_vectorised_sketches_match_the_plain_definition(texts: list[list[str]]) -> None:
    joined = [" ".join(words) for words in texts]
    facts = near.near_facts(joined)
    for text, fact in zip(joined, facts, strict=True):
        assert fact.tokens == len(normalise(text).split())
        assert fact.sketch == _reference_sketch(near.tokens_of(text).masked)
        assert len(fact.sketch) == near.SKETCH_BYTES
        assert fact.name_key == _reference_key(near.tokens_of(text).masked)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_BASE) - 1), st.sampled_from(_SWAPS)), max_size=12))
def test_the_histogram_bound_never_rejects_a_similar_pair(edits: list[tuple[int, str]]) -> None:
    """The filter before the exact check is a bound, not an estimate: the histogram overlap is
    at least the masked similarity, so no pair the exact check accepts is filtered out."""
    a, b = " ".join(_BASE), _edit(edits)
    fa, fb = near.near_facts([a, b])
    assert fa.sketch is not None and fb.sketch is not None
    bins = near.SKETCH_BINS
    ha = [int.from_bytes(fa.sketch[i : i + 2], "little") for i in range(bins, len(fa.sketch), 2)]
    hb = [int.from_bytes(fb.sketch[i : i + 2], "little") for i in range(bins, len(fb.sketch), 2)]
    masked_a, masked_b = near.tokens_of(a).masked, near.tokens_of(b).masked
    assert (sum(ha), sum(hb)) == (len(masked_a), len(masked_b))
    bound = 2 * sum(map(min, ha, hb)) / (sum(ha) + sum(hb))
    assert bound >= token_similarity(masked_a, masked_b)


def test_short_and_tiny_texts_have_no_sketch() -> None:
    tiny, short = near.near_facts(["Yes.", " ".join(["word"] * (near.SHORT_TOKENS - 1))])
    assert tiny == near.NearFacts(1, None, None)
    assert short.tokens == near.SHORT_TOKENS - 1
    assert short.name_key is not None and short.sketch is None


def test_near_facts_do_not_depend_on_chunking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts are hashed in chunks bounded by count and bytes, with kept powers of the hash's
    base up to a size and fresh ones beyond: none of that may change a text's facts."""
    texts = [
        f"Line {i} of the Home Office answer on cost and scheme " * (i % 9 + 2) for i in range(40)
    ]
    whole = near.near_facts(texts)
    monkeypatch.setattr(near, "_CHUNK_BYTES", 300)
    monkeypatch.setattr(near, "_POWERS", 64)
    near._kept_powers.cache_clear()
    try:
        assert near.near_facts(texts) == whole
        assert near.near_facts(texts[::-1]) == whole[::-1]
    finally:
        near._kept_powers.cache_clear()
