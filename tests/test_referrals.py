"""analysis/referrals.py: answers that point to other answers, on real and synthetic phrasings."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pqtrack.analysis.referrals import Referral, find_referrals, normalise_uin
from tests.samples import require_samples


def _values(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "answerText" in node:
            yield node
        for child in node.values():
            yield from _values(child)
    elif isinstance(node, list):
        for child in node:
            yield from _values(child)


@functools.cache
def real_answers() -> dict[str, str]:
    """Every distinct answer text in the shared samples, keyed by text, valued by question id.

    Read at test time: the sample texts are not part of this repository.
    """
    found: dict[str, str] = {}
    for path in sorted(require_samples().rglob("*.json")):
        if path.name.startswith("swagger"):
            continue
        for value in _values(json.loads(path.read_text())):
            for key in ("answerText", "originalAnswerText"):
                text = value.get(key)
                if text:
                    found.setdefault(text, str(value.get("id")))
    return found


@functools.cache
def real_answer_by_id() -> dict[str, str]:
    by_id: dict[str, str] = {}
    for text, qid in real_answers().items():
        # Prefer the longest copy (single-question responses are not truncated).
        if len(text) > len(by_id.get(qid, "")):
            by_id[qid] = text
    return by_id


def summary(refs: list[Referral]) -> list[tuple[tuple[str, ...], str | None]]:
    return [(r.uins, r.date) for r in refs]


# --------------------------------------------------------------------------- real phrasings

_REAL_PHRASES = re.compile(r"\brefer the\b|answer I gave|answer given|previous answer", re.I)


@pytest.mark.samples
def test_every_real_referral_phrasing_is_detected() -> None:
    candidates = {t: q for t, q in real_answers().items() if _REAL_PHRASES.search(t)}
    assert len(candidates) >= 25
    missed = [q for t, q in candidates.items() if not find_referrals(t)]
    assert missed == []
    # Those that name a question also yield its UIN.
    uin_like = re.compile(r"\b(?:PQ|UIN|Questions?)\s*(?:UIN)?\s*:?\s*(?:HL)?\d|\bHL\d|to \d{4,}")
    without_uin = [
        q
        for t, q in candidates.items()
        if uin_like.search(t) and not any(r.uins for r in find_referrals(t))
    ]
    assert without_uin == []


@pytest.mark.parametrize(
    ("qid", "answered_on", "expected"),
    [
        # two references, each with its own date
        ("1281124", None, [(("55066",), "2020-06-10"), (("96936",), "2020-10-07")]),
        # a list of UINs after a long "by my Hon. Friend ... to the Hon. Member for ..." clause
        ("1281082", None, [(("129026", "130123"), "2020-12-22")]),
        # "..., UIN: <n>" after the date
        ("1280024", None, [(("115822",), "2020-11-25")]),
        # a bare number after "to"
        ("1279654", None, [(("136013",), "2021-01-22")]),
        # "PQ UIN : <n>"
        ("1280750", None, [(("142918",), "2021-01-28")]),
        # "Question UIN <n> on <date>"
        ("1279592", None, [(("143147",), "2021-01-28")]),
        # "the previous answer to Question ... on ..."
        ("1282363", None, [(("124131",), "2020-12-11")]),
        # "my right hon. Friend, the Member for ..., to the answer I gave on ... to Question"
        ("1280052", None, [(("135997",), "2021-01-14")]),
        ("1779537", None, [(("24851",), "2025-01-23")]),
        ("1779544", None, [(("18517",), "2024-12-17")]),
        ("1726208", None, [(("4956",), "2024-09-17")]),
        # "PQHL<n>": a Lords UIN glued to PQ, and no date for it
        ("1282273", None, [(("HL12277",), None)]),
        ("1726333", None, [(("958",), None)]),  # "the reply ... to PQ <n>"
        ("1282414", None, [(("132929",), None)]),  # "PQ<n>"
        ("1725690", None, [(("3029",), None)]),  # "(<n>)", an answer still to come
        # Dates without a year resolve against the answer's own date.
        ("1780553", None, [(("25838",), None)]),
        ("1780553", date(2025, 3, 7), [(("25838",), "2025-01-28")]),
        ("1282412", date(2021, 2, 1), [(("143043",), "2021-01-28")]),
        ("1778949", date(2025, 3, 7), [(("31252",), "2025-02-27")]),  # "answered PQ ... on"
        # "Further to the Written Answer provided by Lord ... on 29 January": no UIN
        ("1282214", date(2021, 2, 1), [((), "2021-01-29")]),
        ("1779610", None, [(("21697",), "2025-01-13")]),  # "Pursuant to the Answer of"
        ("1738667", None, [(("11383",), "2024-10-31")]),  # "In the ... Minister's answer to"
        ("1778188", None, [(("27517",), None)]),  # "As stated in Question <n>"
    ],
)
@pytest.mark.samples
def test_real_referrals(
    qid: str, answered_on: date | None, expected: list[tuple[tuple[str, ...], str | None]]
) -> None:
    text = real_answer_by_id()[qid]
    assert summary(find_referrals(text, answered_on=answered_on)) == expected


@pytest.mark.samples
def test_real_lords_answer_pointing_at_a_commons_uin() -> None:
    (ref,) = find_referrals(real_answer_by_id()["1277415"])
    assert ref.uins == ("123616",)
    assert ref.house == "Commons"
    assert ref.phrase.startswith("I refer the noble Lord")


@pytest.mark.samples
def test_real_written_statement_referral_without_uin() -> None:
    (ref,) = find_referrals(real_answer_by_id()["1781019"])
    assert ref.kind == "statement"
    assert ref.uins == ()


@pytest.mark.samples  # a check on the real answers; ours are checked above
def test_real_non_referrals() -> None:
    # "GROUPED WITH PQ ...": a UIN without any answer/refer wording.
    grouped = next(t for t in real_answers() if t.startswith("GROUPED WITH PQ"))
    assert find_referrals(grouped) == []


# --------------------------------------------------------------------------- synthetic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I refer the hon. Member to the answer I gave on 14 December 2024 to Question 5635.",
            [(("5635",), "2024-12-14")],
        ),
        (
            "I refer the noble Lord to the answer given to HL11520 on 3 March 2025.",
            [(("HL11520",), "2025-03-03")],
        ),
        (
            "I refer the hon. Lady to the answer of 3 March 2025 to Question UIN 33960.",
            [(("33960",), "2025-03-03")],
        ),
        (
            "I refer my Rt Hon. Friend to the reply given to PQs 1234 and 1235 on 14/12/2024.",
            [(("1234", "1235"), "2024-12-14")],
        ),
        (
            "I refer the noble Baroness to the answers given on 2nd February 2023 to "
            "Questions HL 1234, HL1235 and HL1236.",
            [(("HL1234", "HL1235", "HL1236"), "2023-02-02")],
        ),
        (
            "Please see PQ 12345, answered on December 14, 2024, for the figures.",
            [(("12345",), "2024-12-14")],
        ),
        (
            "This question was answered on 5 May 2023 as Written Question 4321.",
            [(("4321",), "2023-05-05")],
        ),
        (
            "I refer the hon. Member to the answer I gave to Question 12 on 2023-09-05 and to "
            "the answer of 7 September 2023 to Question 88.",
            [(("12",), "2023-09-05"), (("88",), "2023-09-07")],
        ),
        (
            "I would refer the hon. Gentleman to my previous answer.",
            [((), None)],
        ),
        (
            "I refer the hon. Member to the written ministerial statement of 5 March 2025, "
            "HCWS501.",
            [(("HCWS501",), "2025-03-05")],
        ),
    ],
)
def test_synthetic_referrals(text: str, expected: list[tuple[tuple[str, ...], str | None]]) -> None:
    assert summary(find_referrals(text)) == expected


def test_house_hint_and_kind() -> None:
    (lords,) = find_referrals("I refer the noble Lord to the answer I gave to HL 1234.")
    assert lords.house == "Lords"
    assert lords.kind == "answer"
    (commons,) = find_referrals("I refer the hon. Member to the answer I gave to PQ 99.")
    assert commons.house == "Commons"
    (statement,) = find_referrals("I refer the noble Lord to the statement made as HLWS745.")
    assert statement.kind == "statement"
    assert statement.house == "Lords"
    (mixed,) = find_referrals("See the answers to PQ 12 and HL34.")
    assert mixed.house is None


def test_html_input() -> None:
    html = (
        "<p>I refer the hon. Member to the answer I gave on 14 December 2024 to "
        "Question&nbsp;5635.</p><p>The Department publishes these figures annually.</p>"
    )
    assert summary(find_referrals(html)) == [(("5635",), "2024-12-14")]


def test_phrase_is_the_referring_words() -> None:
    (ref,) = find_referrals(
        "Funding rose in 2024. I refer the hon. Member to the answer I gave on 3 March 2025 to "
        "Question 4242 and note that the review will report in the summer."
    )
    assert ref.phrase == (
        "I refer the hon. Member to the answer I gave on 3 March 2025 to Question 4242"
    )


@pytest.mark.parametrize(
    "text",
    [
        "I refer the hon. Member to the report published on 3 March 2024.",
        "Refer to page 12 of the annual report for the 2023-24 figures.",
        "The scheme costs £2,500 per pupil and 1,234 schools took part in 2024.",
        "In response to Question 3 of the consultation, 45% of respondents agreed.",
        "The Department answered 1,234 written questions in 2024, 95% of them on time.",
        "Funding of £5 million was announced on 14 December 2024.",
        "Pupil referral units will receive 12,000 places from 2025.",
        "GROUPED WITH PQ 1234.",
        "The information requested in question 5678 is not held.",
        "Job centres refer claimants to training; 1500 referrals were made.",
        "The response rate was 80% in 2023, up from 75% in 2022.",
        "It will not be possible to answer this question within the usual time period.",
        "",
    ],
)
def test_not_referrals(text: str) -> None:
    assert find_referrals(text) == []


def test_list_markers_and_money_are_not_uins() -> None:
    refs = find_referrals(
        "I refer the noble Lord to the answer given on 3 March 2025 on (1) funding of "
        "£1,500 and (2) staffing in 2024."
    )
    assert summary(refs) == [((), "2025-03-03")]


@pytest.mark.parametrize(
    ("raw", "uin"),
    [
        ("HL 1234", "HL1234"),
        ("hl1234", "HL1234"),
        ("PQHL12277", "HL12277"),
        ("05635", "5635"),
        ("hcws 7", "HCWS7"),
        ("HLWS745", "HLWS745"),
    ],
)
def test_normalise_uin(raw: str, uin: str) -> None:
    assert normalise_uin(raw) == uin


@given(st.text(max_size=400))
def test_arbitrary_text_never_breaks(text: str) -> None:
    for ref in find_referrals(text, answered_on=date(2025, 1, 1)):
        assert all(re.fullmatch(r"(?:HL|HCWS|HLWS)?\d+", u) for u in ref.uins)
        if ref.date is not None:
            date.fromisoformat(ref.date)


_SENTENCE = st.sampled_from(
    [
        "I refer the hon. Member to the answer I gave on 4 June 2024 to Question 1201.",
        "See PQ 77 and PQ 78.",
        "Funding rose by £2,000 in 2023.",
        "The review will report in 2025.",
        "<p>Further details are published online.</p>",
    ]
)


@given(st.lists(_SENTENCE, max_size=6))
def test_referrals_of_concatenated_sentences(sentences: list[str]) -> None:
    text = " ".join(sentences)
    expected = sum(
        {"I": 1, "S": 2}.get(s[0], 0) for s in sentences
    )  # "See PQ 77 and PQ 78" is one referral with two UINs
    refs = find_referrals(text)
    assert len(refs) == sum(1 for s in sentences if s[0] in "IS")
    assert sum(len(r.uins) for r in refs) == expected
