"""Finding answers that point to another answer ("I refer the hon. Member to the answer ...").

``find_referrals`` is pure text analysis: it works on answer text (HTML or the list
endpoint's de-HTMLed text) and on question text too ("pursuant to the Answer of ... to
Question ...").

How a referral is recognised, sentence by sentence:

* a *trigger*: "I refer <someone> to the answer/reply/response/statement ...", "pursuant to /
  further to the answer ...", or an answer word ("answer", "reply", "response") followed by a
  question reference, or "answered" / "as stated in" / "see" next to a question reference;
* *question references* (UINs): ``PQ 12345``, ``PQ12345``, ``PQHL123``, ``Question 5635``,
  ``Questions 1234, 1235 and 1236``, ``Question UIN 33960``, ``UIN: 115822``, ``HL11520``
  anywhere, ``HCWS/HLWS`` numbers for written statements. Inside an "I refer ... to the answer"
  sentence also a bare number after "to" ("... on 2 May 2024 to 12345") or in brackets
  ("(4321)"). Plain numbers elsewhere (money, counts, years) are never UINs, and "Question N"
  needs two digits and must not be followed by "of the" ("question 3 of the survey");
* a *date* tied to each reference ("the answer I gave on 14 December 2024 to Question 5635",
  "PQ 1234 on 10 June 2024"): "14 December 2024", "14th December", "December 14, 2024",
  "14/12/2024", "2024-12-14". A date without a year ("on 3 May") is resolved only when
  ``answered_on`` is given: the latest such day not after it.

A sentence with references but no trigger ("GROUPED WITH PQ 1234", "the information
requested in question 5678") is not a referral.

``resolve_referrals`` at the end reads the store: the referrals found (stored with the answer
facts by pqtrack.facts, or found now) and the stored questions they name.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # types only: a worker process importing this module stays light
    import sqlite3

# The recipe of the referrals stored with the answer facts (pqtrack.facts): change it whenever
# find_referrals finds differently, and the stored ones are computed again.
RECIPE = "referrals-v1"

House = Literal["Commons", "Lords"]
Kind = Literal["answer", "statement"]


@dataclass(frozen=True, slots=True)
class Referral:
    """One pointer to earlier answers (or statements) given on one date."""

    phrase: str
    """The referring words, from the start of their sentence to the last reference/date."""
    uins: tuple[str, ...]
    """Normalised UINs: "5635", "HL11520", "HCWS123"; empty when the text names none."""
    date: str | None
    """ISO date of the referenced answer, when the text gives one (and a year)."""
    house: House | None
    """Hint from the UIN shape: HL/HLWS -> Lords, digits/HCWS -> Commons, else None."""
    kind: Kind = "answer"


# --------------------------------------------------------------------------- text prep

_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:p|br|div|li|ul|ol|tr|table|h\d|blockquote)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]{0,500}>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def clean_text(text: str) -> str:
    """HTML to plain text: block tags become line breaks, entities decoded, spaces collapsed."""
    text = _BLOCK_TAG.sub("\n", text)
    text = _ANY_TAG.sub(" ", text)
    text = html.unescape(text)
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


# fmt: off
_ABBREVIATIONS = frozenset({
    "hon", "rt", "mr", "mrs", "ms", "dr", "no", "nos", "st", "prof", "sir", "gen", "col", "lt",
    "capt", "cllr", "rev", "revd", "co", "ltd", "inc", "vs", "cf", "e.g", "i.e", "etc", "para",
    "paras", "vol", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "gov",
})
# fmt: on
# A sentence ends at . ! ? followed by space + capital/quote/bracket, or glued to a capitalised
# word: list texts glue paragraphs together ("...in 2020.The scheme ...").
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\"“‘'(])|(?<=[a-z0-9)%])[.!?](?=[A-Z][a-z]|[AI]\s)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        start = 0
        for m in _SENTENCE_END.finditer(line):
            before = _WORD_BEFORE.search(line, max(0, m.start() - 12), m.start())
            word = before.group(1).lower() if before else ""
            if word in _ABBREVIATIONS or len(word) == 1:
                continue
            spans.append((offset + start, offset + m.end()))
            start = m.end()
            while start < len(line) and line[start] == " ":
                start += 1
        if start < len(line):
            spans.append((offset + start, offset + len(line)))
        offset += len(line) + 1
    return spans


# --------------------------------------------------------------------------- patterns

# fmt: off
_MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
# fmt: on
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3]: i for name, i in _MONTHS.items() if name != "May"})
_MONTHS["Sept"] = 9
_MONTH = (
    "(?:"
    + "|".join(_MONTH_NAMES)
    + "|(?:"
    + "|".join(sorted((k for k in _MONTHS if k not in _MONTH_NAMES), key=len, reverse=True))
    + r")(?![a-z])\.?)(?![a-z])"
)
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_DATE_RE = re.compile(
    rf"(?<![\d/])(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?"
    rf"|\b(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}){_ORD}(?!\d)(?:,?\s+(?P<y2>{_YEAR}))?"
    r"|(?<![\d/])(?P<d3>\d{1,2})/(?P<m3>\d{1,2})/(?P<y3>(?:19|20)\d{2}|\d{2})(?![\d/])"
    r"|(?<![\d-])(?P<y4>(?:19|20)\d{2})-(?P<m4>\d{2})-(?P<d4>\d{2})(?![\d-])"
)

# One UIN inside a reference; never the start of a decimal, a thousands group, a range or a date.
_ITEM = r"(?:HL\s?)?\d{1,6}(?![\d/])(?![.,]\d)(?!-\d)"
_ITEM2 = r"(?:HL\s?\d{1,6}|\d{2,6})(?![\d/])(?![.,]\d)(?!-\d)"
_NOT_QUANTITY = (
    r"(?!\s*(?:%|per\s?cent|percent|million|billion|bn\b|m\b|k\b|people|persons|pupils|"
    r"children|adults|years?|months?|weeks?|days?|hours?|minutes?|times|staff|cases|schools|"
    r"beds|pounds|households|of\s+(?:the|this|that|a|an|our|its|their)\b))"
)
_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*)"
_CONT = rf"(?:{_SEP}(?:(?:PQ|UIN|Question)\s*)?{_ITEM}{_NOT_QUANTITY})*"
_UIN_WORD = r"(?:UIN|uin)s?"
_STRONG_RE = re.compile(
    rf"\b(?:PQ|pq)s?\s*(?:{_UIN_WORD}\s*)?:?\s*(?:[Nn]o\.?\s*)?(?P<a>{_ITEM}{_NOT_QUANTITY}{_CONT})"
    rf"|\b{_UIN_WORD}\s*(?:[Nn]o\.?\s*)?:?\s*(?P<b>{_ITEM}{_NOT_QUANTITY}{_CONT})"
    rf"|\b[Qq]uestions?\s*(?:(?:{_UIN_WORD}|[Nn]os?\.?|[Nn]umbers?)\s*)?:?\s*"
    rf"(?P<c>{_ITEM2}{_NOT_QUANTITY}{_CONT})"
    r"|(?<![A-Za-z])(?P<d>HL\s?\d{3,6})(?!\d)"
    r"|\b(?P<ws>H[CL]WS)\s?(?P<wsn>\d{1,5})(?!\d)"
)
_UIN_IN_LIST = re.compile(r"(HL)?\s?(\d{1,6})")

# Bare numbers count only inside an "I refer ... to the answer" / "further to the answer" sentence.
_WEAK_TO_RE = re.compile(r"\bto\s+(?P<n>\d{3,6})(?=\s*(?:[.,;:)]|$)|\s+(?:and|on|of|in)\b)")
# Three digits at least, so that list markers "(1)", "(2)" are not taken for UINs.
_WEAK_PAREN_RE = re.compile(r"\((?:(?:UIN|PQ)\s*:?\s*)?(?P<n>(?:HL\s?)?\d{3,6})\)")
_WEAK_REACH = 120

_NOUN = r"(?:answers?|repl(?:y|ies)|responses?)"
_REFER_RE = re.compile(
    r"(?:\b(?:I|We|we)\s+(?:(?:would|must|can|also|therefore|again)\s+)*)?"
    r"\brefer(?:s|red|ring)?\b[^\n]{0,200}?\bto\s+(?:the|my|his|her|their|our|its|an?)\s+"
    r"(?:[\w’'.,-]+\s+){0,6}?(?P<noun>answers?|repl(?:y|ies)|responses?|statements?)\b",
    re.I,
)
_FURTHER_RE = re.compile(
    rf"\b(?:pursuant|further)\s+to\s+(?:the|my|his|her|an?)\s+(?:[\w’'.-]+\s+){{0,3}}?{_NOUN}\b",
    re.I,
)
_NOUN_RE = re.compile(rf"\b{_NOUN}\b", re.I)
_STATEMENT_RE = re.compile(r"\bstatements?\b", re.I)
_ANSWERED_RE = re.compile(r"\banswered\b", re.I)
_STATED_RE = re.compile(
    r"\b(?:as\s+(?:stated|set\s+out|outlined|explained|noted|mentioned|confirmed|detailed|"
    r"described|indicated|given)\s+in|see(?:\s+also)?)\b",
    re.I,
)
_NOUN_TO_TARGET_MAX = 200
_STATED_TO_TARGET_MAX = 60

_AFTER_GAP = re.compile(
    r"[\s,(]*(?:(?:which|that)\s+)?(?:(?:was|were)\s+)?"
    r"(?:(?:answered|given|published|made)\s+)?(?:on|of|dated)?\s*"
)
_BEFORE_GAP = re.compile(r"[\s,:]*(?:to\s+)?(?:the\s+)?[\s,:(]*")
_GAP_MAX = 40
# "the Answer of <date>", "the answer I gave on <date>", "the Written Answer provided by Lord X on"
_NOUN_DATE_GAP = re.compile(
    r"(?:\s+(?:that\s+)?(?:I|he|she|we|they|you|it)?\s*(?:was|were|have|has|had)?\s*(?:been\s+)?"
    r"(?:gave|given|provided|made|published|laid|issued)?)?"
    r"(?:\s+(?:by|to)\s+[^,.;()]{1,60}?)?\s*,?\s*(?:on|of|dated)\s+"
)
_NOUN_DATE_MAX = 80
_AND_GAP = re.compile(r"[^.;]{0,40}?(?:,\s*|\s)(?:and|&)\s+")
_LEAD_IN_MAX_WORDS = 6
_DIGIT_RE = re.compile(r"\d")


# --------------------------------------------------------------------------- parsing helpers


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Target(_Span):
    uins: tuple[str, ...]
    kind: Kind


@dataclass(frozen=True, slots=True)
class _Date(_Span):
    iso: str | None


def normalise_uin(raw: str) -> str:
    """ "HL 1234" -> "HL1234", "PQHL12" -> "HL12", "05635" -> "5635", "hcws 7" -> "HCWS7"."""
    s = re.sub(r"\s+", "", raw).upper()
    if s.startswith("PQ"):
        s = s[2:]
    m = re.fullmatch(r"(HL|HCWS|HLWS)?0*(\d+)", s)
    if not m:
        return s
    return (m.group(1) or "") + m.group(2)


def _resolve(day: int, month: int, year: int | None, answered_on: date | None) -> str | None:
    try:
        if year is not None:
            return date(year, month, day).isoformat()
        if answered_on is None:
            return None
        guess = date(answered_on.year, month, day)
        if guess > answered_on:
            guess = date(answered_on.year - 1, month, day)
        return guess.isoformat()
    except ValueError:  # 31 February and the like
        return None


def _parse_dates(sentence: str, answered_on: date | None) -> list[_Date]:
    found: list[_Date] = []
    for m in _DATE_RE.finditer(sentence):
        g = m.groupdict()
        if g["d"]:
            day, month, yr = int(g["d"]), _MONTHS[g["m"].rstrip(".")], g["y"]
        elif g["d2"]:
            day, month, yr = int(g["d2"]), _MONTHS[g["m2"].rstrip(".")], g["y2"]
        elif g["d3"]:
            day, month, yr = int(g["d3"]), int(g["m3"]), g["y3"]
            if yr and len(yr) == 2:
                yr = "20" + yr
        else:
            day, month, yr = int(g["d4"]), int(g["m4"]), g["y4"]
        if not 1 <= month <= 12:
            continue
        found.append(
            _Date(m.start(), m.end(), _resolve(day, month, int(yr) if yr else None, answered_on))
        )
    return found


def _overlaps(span: _Span, others: Iterable[_Span]) -> bool:
    return any(span.start < o.end and o.start < span.end for o in others)


def _strong_targets(sentence: str, dates: list[_Date]) -> list[_Target]:
    targets: list[_Target] = []
    for m in _STRONG_RE.finditer(sentence):
        if m.group("ws"):
            uins: tuple[str, ...] = (m.group("ws").upper() + str(int(m.group("wsn"))),)
            kind: Kind = "statement"
        else:
            listed = next(g for g in (m.group(k) for k in "abcd") if g)
            uins = tuple(
                normalise_uin((hl or "") + num) for hl, num in _UIN_IN_LIST.findall(listed)
            )
            kind = "answer"
        t = _Target(m.start(), m.end(), uins, kind)
        if uins and not _overlaps(t, dates):
            targets.append(t)
    return targets


def _plausible_year(n: str) -> bool:
    return len(n) == 4 and 1900 <= int(n) <= 2099


def _weak_targets(
    sentence: str, after: int, taken: list[_Target], dates: list[_Date]
) -> list[_Target]:
    found: list[_Target] = []
    for rx in (_WEAK_TO_RE, _WEAK_PAREN_RE):
        for m in rx.finditer(sentence, after, after + _WEAK_REACH):
            n = m.group("n")
            if rx is _WEAK_PAREN_RE and _plausible_year(n):
                continue
            t = _Target(m.start("n"), m.end("n"), (normalise_uin(n),), "answer")
            if not _overlaps(t, [*taken, *found, *dates]):
                found.append(t)
    return found


def _date_for(
    sentence: str, i: int, targets: list[_Target], dates: list[_Date], used: set[int]
) -> tuple[_Date | None, bool]:
    """The date tied to ``targets[i]`` and whether it came before the reference."""
    t = targets[i]
    next_start = targets[i + 1].start if i + 1 < len(targets) else len(sentence)
    prev_end = targets[i - 1].end if i > 0 else 0
    for j, d in enumerate(dates):  # "PQ 1234 on 10 June 2024"
        gap = sentence[t.end : d.start]
        if t.end <= d.start < next_start and len(gap) <= _GAP_MAX and _AFTER_GAP.fullmatch(gap):
            used.add(j)
            return d, False
    for j in range(len(dates) - 1, -1, -1):  # "the answer I gave on 3 May 2024 to Question"
        d = dates[j]
        gap = sentence[d.end : t.start]
        if (
            j not in used
            and prev_end <= d.start
            and d.end <= t.start
            and len(gap) <= _GAP_MAX
            and _BEFORE_GAP.fullmatch(gap)
        ):
            used.add(j)
            return d, True
    return None, False


def _noun_date(
    sentence: str, triggers: list[_Span], dates: list[_Date], used: set[int]
) -> _Date | None:
    """A date right after the trigger's noun ("the Answer of 3 May 2024"), if unused."""
    for trig in triggers:
        for j, d in enumerate(dates):
            gap = sentence[trig.end : d.start]
            if (
                j not in used
                and d.start >= trig.end
                and len(gap) <= _NOUN_DATE_MAX
                and _NOUN_DATE_GAP.fullmatch(gap)
            ):
                return d
    return None


def _house(uins: tuple[str, ...]) -> House | None:
    if not uins:
        return None
    lords = [u.startswith(("HL", "HLWS")) for u in uins]
    if all(lords):
        return "Lords"
    return "Commons" if not any(lords) else None


def _phrase_start(sentence: str, first: int) -> int:
    """Start the phrase at the sentence start when only a short lead-in precedes it."""
    lead = sentence[:first]
    if len(lead.split()) <= _LEAD_IN_MAX_WORDS:
        return 0
    cut = max(lead.rfind(","), lead.rfind(";"), lead.rfind(":"))
    return cut + 1 if cut >= 0 else first


def _sentence_referrals(sentence: str, answered_on: date | None) -> list[Referral]:
    lower = sentence.lower()
    refer = _REFER_RE.search(sentence) if "refer" in lower else None
    further = _FURTHER_RE.search(sentence) if "further" in lower or "pursuant" in lower else None
    if not (refer or further) and not (
        _DIGIT_RE.search(sentence) and any(mark in lower for mark in _TARGET_MARKS)
    ):
        return []  # every other trigger needs a UIN: digits after one of the marks
    dates = _parse_dates(sentence, answered_on)
    strong = _strong_targets(sentence, dates)
    trigger_spans: list[_Span] = [_Span(m.start(), m.end()) for m in (refer, further) if m]

    if not trigger_spans:
        if not strong:
            return []
        rules = (
            (_NOUN_RE, _NOUN_TO_TARGET_MAX, ("answer",)),
            (_STATEMENT_RE, _NOUN_TO_TARGET_MAX, ("statement",)),
            (_STATED_RE, _STATED_TO_TARGET_MAX, ("answer", "statement")),
        )
        for rx, reach, kinds in rules:
            for m in rx.finditer(sentence):
                if any(0 <= t.start - m.end() <= reach and t.kind in kinds for t in strong):
                    trigger_spans.append(_Span(m.start(), m.end()))
                    break
        for m in _ANSWERED_RE.finditer(sentence):
            trigger_spans.append(_Span(m.start(), m.end()))
            break
        if not trigger_spans:
            return []

    targets = strong
    if refer or further:
        after = min(s.end for s in trigger_spans)
        targets = sorted(
            [*strong, *_weak_targets(sentence, after, strong, dates)], key=lambda t: t.start
        )

    first = min([*(s.start for s in trigger_spans), *(t.start for t in targets)])
    last = max([*(s.end for s in trigger_spans), *(t.end for t in targets)])
    groups: list[tuple[tuple[str, ...], _Date | None, Kind]] = []
    used: set[int] = set()
    picked: list[_Date | None] = []
    before = False
    for i, t in enumerate(targets):
        d, was_before = _date_for(sentence, i, targets, dates, used)
        if d is None and before and _AND_GAP.fullmatch(sentence[targets[i - 1].end : t.start]):
            d = picked[-1]  # "the Answers of <date> to Question 12 on <topic> and Question 13"
        else:
            before = was_before
        picked.append(d)
    if None in picked or not targets:
        noun_date = _noun_date(sentence, trigger_spans, dates, used)
        picked = [d or noun_date for d in picked]
    for t, d in zip(targets, picked, strict=True):
        if groups and groups[-1][1] == d and groups[-1][2] == t.kind:
            prev_uins, _, _ = groups[-1]
            groups[-1] = (prev_uins + tuple(u for u in t.uins if u not in prev_uins), d, t.kind)
        else:
            groups.append((t.uins, d, t.kind))
    if not groups:
        # "I refer ... to the answer I gave on 5 March 2024." / "Further to the Written Answer
        # by Lord X on 3 May": no UIN, perhaps a date.
        kind: Kind = (
            "statement"
            if refer and refer.group("noun").lower().startswith("statement")
            else "answer"
        )
        groups.append(((), _noun_date(sentence, trigger_spans, dates, used), kind))
    ends = [last, *(d.end for _, d, _ in groups if d is not None)]
    starts = [first, *(d.start for _, d, _ in groups if d is not None)]
    end = max(ends)
    lead = _phrase_start(sentence, min(starts))
    if end < len(sentence) and sentence[end] == ")" and "(" in sentence[lead:end]:
        end += 1
    phrase = sentence[lead:end].strip(" ,;:")
    return [
        Referral(phrase=phrase, uins=uins, date=d.iso if d else None, house=_house(uins), kind=k)
        for uins, d, k in groups
    ]


# --------------------------------------------------------------------------- public API


# Every question reference (_STRONG_RE) holds one of these, lower-cased; every referral needs
# "refer", "further" or "pursuant", or a question reference.
_TARGET_MARKS = ("pq", "uin", "question", "hl", "hcws")
_REFERRAL_MARKS = ("refer", "further", "pursuant", *_TARGET_MARKS)


def may_refer(folded: str) -> bool:
    """A quick look before ``find_referrals``: False means it would find nothing. ``folded``
    is the text lower-cased (``repeats.normalise`` leaves it so)."""
    return any(mark in folded for mark in _REFERRAL_MARKS)


def find_referrals(answer_text: str, *, answered_on: date | None = None) -> list[Referral]:
    """Every referral to another answer or statement in ``answer_text``, in text order.

    ``answered_on`` (the answer's own date) lets "on 3 May" resolve to a full date.
    """
    text = clean_text(answer_text)
    found: list[Referral] = []
    for start, end in _sentence_spans(text):
        found.extend(_sentence_referrals(text[start:end], answered_on))
    return found


# --------------------------------------------------------------------------- over the store


def resolve_referrals(conn: sqlite3.Connection, question_id: int) -> list[dict[str, Any]]:
    """The answers a question's answer refers to, each resolved to a stored question if one fits.

    A UIN names a question only within a session, so a candidate must carry that UIN and, when
    the referral gives a date, have been answered (or corrected) that day; without a date, the
    most recent one tabled before the referring question wins.
    """
    row = conn.execute(
        "SELECT f.referrals, f.question_id IS NOT NULL, q.answer_text, q.date_answered,"
        " q.date_tabled FROM questions q LEFT JOIN answer_facts f ON f.question_id = q.id"
        " WHERE q.id = ?",
        [question_id],
    ).fetchone()
    if row is None:
        return []
    refs_json, derived, text, answered, tabled = row
    if not derived:
        day = date.fromisoformat(answered) if answered else None
        found = [asdict(r) for r in find_referrals(text or "", answered_on=day)]
    else:
        found = json.loads(refs_json or "[]")
    out = []
    for ref in found:
        for uin in ref.get("uins") or [None]:
            resolved = _resolve_uin(conn, uin, ref.get("date"), tabled) if uin else None
            out.append(
                {
                    "phrase": ref["phrase"],
                    "uin": uin,
                    "date": ref.get("date"),
                    "kind": ref.get("kind", "answer"),
                    "resolved_id": resolved,
                }
            )
    return out


def _resolve_uin(
    conn: sqlite3.Connection, uin: str, day: str | None, before: str | None
) -> int | None:
    if day:
        hit = conn.execute(
            "SELECT id FROM questions WHERE upper(uin) = ? AND (date_answered = ?"
            " OR date_answer_corrected = ? OR date_holding_answer = ?) ORDER BY id DESC",
            [uin.upper(), day, day, day],
        ).fetchone()
        return int(hit[0]) if hit else None  # that UIN on another day is another question
    hit = conn.execute(
        "SELECT id FROM questions WHERE upper(uin) = ? AND date_tabled <= coalesce(?, '9999')"
        " ORDER BY date_tabled DESC LIMIT 1",
        [uin.upper(), before],
    ).fetchone()
    return int(hit[0]) if hit else None


def followed_answers(conn: sqlite3.Connection, refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records the resolved referrals point at (for `show --follow`)."""
    from pqtrack.records import get_record

    seen: set[int] = set()
    out = []
    for ref in refs:
        rid = ref.get("resolved_id")
        if rid and rid not in seen:
            seen.add(rid)
            out.append(dict(get_record(conn, rid)))
    return out
