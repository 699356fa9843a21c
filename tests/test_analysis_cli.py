"""The analysis commands end to end: `repeats` (exact and --near), `stats`, `list --overdue`.

Every expectation is computed in this file, independently of pqtrack: exact repeats from the
raw sample JSON, stats counts with plain SQL over the questions table, deadlines with the
`holidays` calendar and the rule the README states. Databases are built once per module.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import statistics
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import holidays
import pytest

from pqtrack.store import Store
from tests.bench.generate import generate
from tests.build import question, write_json
from tests.cli import query, run, run_json
from tests.samples import detail_files, list_files, require_samples

Value = dict[str, Any]
DATA = Path(__file__).parents[1] / "data"


# -- running the CLI ------------------------------------------------------------------------------


def id_sets(groups: list[dict[str, Any]]) -> set[frozenset[int]]:
    return {frozenset(g["ids"]) for g in groups}


# -- the shared samples, read independently of pqtrack ---------------------------------------------


def sample_files() -> list[list[Path]]:
    """Every question sample, in the order they are imported: details, lists, the two
    snapshots (older first), then each timeline's files in date order."""
    root = require_samples()
    snapshots = sorted((root / "snapshots").glob("*.json"))
    timelines = sorted(root.glob("timelines/*/*.json"))
    return [detail_files(), list_files(), snapshots, timelines]


def values_in(path: Path) -> Iterator[tuple[Value, bool]]:
    """(value, is a single-question response) for each question in a sample file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "value" in data:
        yield data["value"], True
        return
    items = data["results"] if isinstance(data, dict) else data
    for item in items:
        yield item.get("value", item), False


def normalised(text: str) -> str:
    """Tags out, entities decoded, NFKC, casefold, Unicode punctuation (P*) to spaces, single
    spaces: the rule of pqtrack.repeats.normalise's docstring, written out again here."""
    text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(c).startswith("P") else c for c in text)
    return " ".join(text.split())


@cache
def sample_answers() -> dict[int, str | None]:
    """id -> the question's latest answer text as the samples know it in full, or None when
    unanswered or known only as a list's cut copy ("..." at the end). A detail response is
    complete; list states come later in the import order and are all older or the same."""
    answers: dict[int, str | None] = {}
    from_detail: set[int] = set()
    for files in sample_files():
        for path in files:
            for value, single in values_in(path):
                qid, text = value["id"], value.get("answerText")
                if single:
                    answers[qid] = text
                    from_detail.add(qid)
                elif qid not in from_detail:
                    answers[qid] = None if text and text.endswith("...") else text
    return answers


@cache
def sample_cut_ids() -> frozenset[int]:
    """Questions whose latest answer the samples know only as a list's cut copy."""
    cut: set[int] = set()
    seen_detail: set[int] = set()
    for files in sample_files():
        for path in files:
            for value, single in values_in(path):
                qid, text = value["id"], value.get("answerText") or ""
                if single:
                    seen_detail.add(qid)
                    cut.discard(qid)
                elif qid not in seen_detail:
                    (cut.add if text.endswith("...") else cut.discard)(qid)
    return frozenset(cut)


def expected_exact_groups() -> set[frozenset[int]]:
    by_text: dict[str, set[int]] = defaultdict(set)
    for qid, text in sample_answers().items():
        if text and normalised(text):
            by_text[normalised(text)].add(qid)
    return {frozenset(ids) for ids in by_text.values() if len(ids) >= 2}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("samples") / "samples.db"
    for files in sample_files():
        result = run(db, "import", "--quiet", *map(str, files))
        assert result.exit_code == 0, result.stderr
    return db


@pytest.fixture(scope="module")
def sample_repeats(sample_db: Path) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = run_json(sample_db, "repeats", "--limit", "1000")
    return groups


@pytest.mark.samples
def test_sample_repeats_of_full_answers_are_the_independent_exact_groups(
    sample_repeats: list[dict[str, Any]],
) -> None:
    expected = expected_exact_groups()
    assert len(expected) >= 20  # the samples do hold boilerplate answers
    cut = sample_cut_ids()
    full_groups = [g for g in sample_repeats if not cut & set(g["ids"])]
    for group in sample_repeats:  # a cut copy never joins a full text
        assert set(group["ids"]) <= cut or not set(group["ids"]) & cut
    assert id_sets(full_groups) == expected
    texts = sample_answers()
    for group in full_groups:
        ids = group["ids"]
        assert group["size"] == len(ids) == len(set(ids))
        assert ids == sorted(ids)
        assert group["kind"] in ("exact", "grouped")
        assert 1 <= group["occasions"] <= group["size"]
        assert (group["kind"] == "grouped") == (group["occasions"] == 1)
        answer = texts[ids[0]]
        assert answer is not None
        assert normalised(group["answer_text"]) == normalised(answer)


@pytest.mark.samples
def test_sample_repeats_are_ranked_by_occasions_then_size(
    sample_repeats: list[dict[str, Any]],
) -> None:
    ranks = [(-g["occasions"], -g["size"], g["ids"][0]) for g in sample_repeats]
    assert ranks == sorted(ranks)
    assert sample_repeats[0]["occasions"] >= 10  # the largest boilerplate comes first


@pytest.mark.samples
def test_sample_repeats_limit_and_min_size(
    sample_db: Path, sample_repeats: list[dict[str, Any]]
) -> None:
    assert run_json(sample_db, "repeats", "--limit", "5") == sample_repeats[:5]
    big = run_json(sample_db, "repeats", "--limit", "1000", "--min-size", "4")
    assert big == [g for g in sample_repeats if g["size"] >= 4]


@pytest.mark.samples
def test_sample_repeats_never_group_cut_list_texts(
    sample_repeats: list[dict[str, Any]],
) -> None:
    assert id_sets(sample_repeats) == expected_exact_groups()


# -- near repeats on generated questions plus our own ------------------------------------------

TEMPLATE = (
    "<p>I refer to the letter which {minister} sent on behalf of the {dept} on {day}. "
    "The review of regional bus services considered the frequency of routes, the cost of "
    "fares for young people and older passengers, the reliability of timetables in rural "
    "areas and the accessibility of stops for disabled travellers.</p><p>Its findings will "
    "be published in full once officials have completed their analysis of the responses "
    "received from local authorities, operators and passenger groups, and a further "
    "statement will be made to the House in due course.</p>"
)
VARIANT_FIELDS = {  # id -> (minister, department, date, house)
    99_000_001: ("Jane Smith", "Department for Transport", "14 January 2025", "Commons"),
    99_000_002: ("Jane Smith", "Home Office", "14 January 2025", "Commons"),
    99_000_003: ("Robert Okonkwo", "Department for Transport", "14 January 2025", "Lords"),
    99_000_004: ("Jane Smith", "Department for Transport", "3 February 2025", "Lords"),
}
EXACT_COPY = 99_000_005  # word for word the answer of 99_000_001: travels with the near group
NEAR_IDS = frozenset([*VARIANT_FIELDS, EXACT_COPY])
UNRELATED = 99_000_006
UNRELATED_TEXT = (
    "<p>The Environment Agency monitors bathing water quality at designated beaches and inland "
    "sites between May and September each year. Samples are taken weekly and tested for "
    "bacteria that indicate pollution from sewage or livestock. Results are published online "
    "within days, and signs at each site warn swimmers when short-term pollution is expected "
    "after heavy rainfall. The agency is also investigating storm overflow discharges near "
    "several sites, and enforcement action will follow where permits have been breached.</p>"
)
PAIR = (99_000_007, 99_000_008)  # an exact repeat of our own, answered on two occasions
PAIR_TEXT = (
    "<p>Forty-two new defibrillators were installed in village halls last year, funded "
    "jointly by the department and local charities.</p>"
)


def own_question(qid: int, answer: str, house: str = "Commons", day: int = 0) -> Value:
    """A question of our own, shaped like a single-question response."""
    answered = date(2025, 3, 10) + timedelta(days=day)
    return {
        "id": qid,
        "askingMemberId": 9001,
        "house": house,
        "memberHasInterest": False,
        "dateTabled": (answered - timedelta(days=7)).isoformat() + "T00:00:00",
        "dateForAnswer": (answered - timedelta(days=5)).isoformat() + "T00:00:00",
        "uin": ("HL" if house == "Lords" else "") + str(qid)[-5:],
        "questionText": "To ask the Secretary of State for Transport, what progress has "
        "been made on the review of regional bus services.",
        "answeringBodyId": 27,
        "answeringBodyName": "Department for Transport",
        "isWithdrawn": False,
        "isNamedDay": False,
        "groupedQuestions": [],
        "answerIsHolding": False,
        "answerIsCorrection": False,
        "answeringMemberId": 9002,
        "correctingMemberId": None,
        "dateAnswered": answered.isoformat() + "T00:00:00",
        "answerText": answer,
        "originalAnswerText": "",
        "comparableAnswerText": "",
        "dateAnswerCorrected": None,
        "dateHoldingAnswer": None,
        "attachmentCount": 0,
        "heading": "Bus Services",
        "attachments": [],
    }


def own_questions() -> list[Value]:
    out = []
    for n, (qid, (minister, dept, day, house)) in enumerate(VARIANT_FIELDS.items()):
        text = TEMPLATE.format(minister=minister, dept=dept, day=day)
        out.append(own_question(qid, text, house, day=n))
    first = TEMPLATE.format(
        minister="Jane Smith", dept="Department for Transport", day=("14 January 2025")
    )
    out.append(own_question(EXACT_COPY, first, day=10))
    out.append(own_question(UNRELATED, UNRELATED_TEXT, day=11))
    out += [own_question(qid, PAIR_TEXT, day=20 + n) for n, qid in enumerate(PAIR)]
    return out


def test_our_template_is_long_enough_for_near_matching() -> None:
    for value in own_questions():
        if value["id"] in NEAR_IDS or value["id"] == UNRELATED:
            assert len(normalised(value["answerText"]).split()) >= 60


def build(db: Path, n: int, seed: int) -> Path:
    store = Store.open(db)
    try:
        store.save(((v, None) for v in generate(n, seed=seed)), run_id=None)
        store.save(((v, "detail") for v in own_questions()), run_id=None)
    finally:
        store.close()
    return db


@pytest.fixture(scope="module")
def generated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("generated") / "gen.db", 2500, seed=11)


def group_with(groups: list[dict[str, Any]], qid: int) -> dict[str, Any] | None:
    found = [g for g in groups if qid in g["ids"]]
    assert len(found) <= 1, found  # a question is in one group at most
    return found[0] if found else None


def test_near_variants_form_one_near_group(generated_db: Path) -> None:
    groups = run_json(generated_db, "repeats", "--near", "0.9", "--limit", "1000")
    ours = group_with(groups, 99_000_001)
    assert ours is not None
    assert ours["kind"] == "near"
    assert set(ours["ids"]) == NEAR_IDS
    assert ours["size"] == len(NEAR_IDS) == ours["occasions"]
    assert ours["variants"] == len(VARIANT_FIELDS)
    assert ours["ids"] == sorted(ours["ids"])
    assert group_with(groups, UNRELATED) is None
    pair = group_with(groups, PAIR[0])
    assert pair is not None
    assert (pair["kind"], pair["ids"], pair["size"]) == ("exact", list(PAIR), 2)
    # the exact groups found without --near are all still reported, or absorbed whole into
    # a near group
    exact = run_json(generated_db, "repeats", "--limit", "1000")
    assert len(exact) >= 5
    for group in exact:
        there = group_with(groups, group["ids"][0])
        assert there is not None
        assert set(group["ids"]) <= set(there["ids"])
        if there["kind"] != "near":
            assert there == group
    ranks = [(-g["occasions"], -g["size"], g["ids"][0]) for g in groups]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("near", [[], ["--near", "0.9"]])
def test_limit_and_min_size_cut_the_whole_ranking(generated_db: Path, near: list[str]) -> None:
    # Members are read only for as many groups as the limit needs: the cut must still be
    # the head of the whole ranking, whatever the kind of the groups left out.
    whole = run_json(generated_db, "repeats", *near, "--limit", "100000")
    assert len(whole) > 10
    assert run_json(generated_db, "repeats", *near, "--limit", "3") == whole[:3]
    assert run_json(generated_db, "repeats", *near, "--limit", "10") == whole[:10]
    big = run_json(generated_db, "repeats", *near, "--limit", "100000", "--min-size", "3")
    assert big == [g for g in whole if g["size"] >= 3]


def test_without_near_the_variants_are_not_joined(generated_db: Path) -> None:
    groups = run_json(generated_db, "repeats", "--limit", "1000")
    copy = group_with(groups, EXACT_COPY)
    assert copy is not None and set(copy["ids"]) == {99_000_001, EXACT_COPY}
    for qid in (99_000_002, 99_000_003, 99_000_004, UNRELATED):
        assert group_with(groups, qid) is None


@pytest.mark.parametrize(
    ("args", "sql"),
    [
        (["--house", "lords"], "house = 'Lords'"),
        (["--house", "commons"], "house = 'Commons'"),
        (["--department", "Department for Transport"], "answering_body_name = ?"),
        (["--since", "2025-01-01"], "date_tabled >= '2025-01-01'"),
    ],
)
def test_near_repeats_respect_filters(generated_db: Path, args: list[str], sql: str) -> None:
    params = ["Department for Transport"] if "?" in sql else []
    passing = {
        row[0] for row in query(generated_db, f"SELECT id FROM questions WHERE {sql}", params)
    }
    groups = run_json(generated_db, "repeats", "--near", "0.9", "--limit", "1000", *args)
    assert groups
    for group in groups:
        assert set(group["ids"]) <= passing, group["ids"]
        assert group["size"] == len(group["ids"]) >= 2
    ours = group_with(groups, 99_000_003) or group_with(groups, 99_000_001)
    expected = NEAR_IDS & passing
    assert ours is not None and set(ours["ids"]) == expected
    if args[:2] == ["--house", "lords"]:
        assert set(ours["ids"]) == {99_000_003, 99_000_004} and ours["kind"] == "near"


@pytest.fixture(scope="module")
def changing_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("changing") / "changing.db", 800, seed=12)


def test_near_repeats_are_stable_and_follow_a_changed_answer(changing_db: Path) -> None:
    assert query(changing_db, "SELECT count(*) FROM near_facts") == [(0,)]
    first = run_json(changing_db, "repeats", "--near", "0.9", "--limit", "1000")
    assert query(changing_db, "SELECT count(*) FROM near_facts") == query(
        changing_db, "SELECT count(*) FROM questions"
    )
    second = run_json(changing_db, "repeats", "--near", "0.9", "--limit", "1000")
    assert second == first
    ours = group_with(first, 99_000_002)
    assert ours is not None and set(ours["ids"]) == NEAR_IDS

    value = next(v for v in own_questions() if v["id"] == 99_000_002)
    changed = {**value, "answerText": UNRELATED_TEXT.replace("Environment Agency", "Agency")}
    store = Store.open(changing_db)
    try:
        store.save([(changed, "detail")], run_id=None)
    finally:
        store.close()
    third = run_json(changing_db, "repeats", "--near", "0.9", "--limit", "1000")
    ours = group_with(third, 99_000_001)
    assert ours is not None and ours["kind"] == "near"
    assert set(ours["ids"]) == NEAR_IDS - {99_000_002}
    # 99_000_002 now nearly repeats the unrelated answer (one word dropped of 70)
    moved = group_with(third, 99_000_002)
    assert moved is not None and set(moved["ids"]) == {99_000_002, UNRELATED}
    others = [g for g in third if not NEAR_IDS & set(g["ids"]) and UNRELATED not in g["ids"]]
    assert others == [g for g in first if not NEAR_IDS & set(g["ids"])]


# -- stats --------------------------------------------------------------------------------------


def test_stats_by_department_counts_match_sql(generated_db: Path) -> None:
    rows = run_json(generated_db, "stats", "--by", "department", "--limit", "1000")
    expected = {
        name: {
            "tabled": tabled,
            "answered": answered,
            "unanswered": unanswered,
            "holding": holding,
            "corrected": corrected,
            "withdrawn": withdrawn,
            "lapsed": lapsed,
        }
        for name, tabled, answered, unanswered, holding, corrected, withdrawn, lapsed in query(
            generated_db,
            "SELECT coalesce(answering_body_name, 'unknown'), count(*),"
            " sum(status IN ('answered', 'corrected') AND NOT is_prorogation_answer),"
            " sum(status = 'unanswered'), sum(status = 'holding'),"
            " sum(status = 'corrected' AND NOT is_prorogation_answer),"
            " sum(status = 'withdrawn'),"
            " sum(status IN ('answered', 'corrected') AND is_prorogation_answer)"
            " FROM questions WHERE date_tabled IS NOT NULL GROUP BY 1",
        )
    }
    assert len(expected) >= 10
    got = {
        row["department"]: {key: row[key] for key in expected[row["department"]]} for row in rows
    }
    assert got == expected
    assert (
        sum(r["tabled"] for r in rows)
        == query(generated_db, "SELECT count(*) FROM questions")[0][0]
    )
    tabled = [r["tabled"] for r in rows]
    assert tabled == sorted(tabled, reverse=True)
    assert sum(r["unanswered"] for r in rows) > 0  # the generator leaves some open


def test_stats_by_month_csv_has_every_month(generated_db: Path) -> None:
    result = run(generated_db, "stats", "--by", "month", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["month", "tabled", "answered"]
    months = {line.split(",")[0]: int(line.split(",")[1]) for line in lines[1:]}
    expected = dict(
        query(
            generated_db,
            "SELECT substr(date_tabled, 1, 7), count(*) FROM questions"
            " WHERE date_tabled IS NOT NULL GROUP BY 1",
        )
    )
    assert months == expected


# -- list --overdue -----------------------------------------------------------------------------

_CALENDAR = holidays.country_holidays("GB", subdiv="ENG")


@cache
def recess_days(house: str) -> frozenset[date]:
    """The README's recess days of a House, read from data/recess.toml here: the days strictly
    between rising and returning."""
    data = tomllib.loads((DATA / "recess.toml").read_text(encoding="utf-8"))[house.lower()]
    days: set[date] = set()
    for r in data["recesses"]:
        rises, returns = date.fromisoformat(r["rises"]), date.fromisoformat(r["returns"])
        days.update(rises + timedelta(days=i) for i in range(1, (returns - rises).days))
    return frozenset(days)


def working_day(day: date, house: str | None = None) -> bool:
    recess = recess_days(house) if house else frozenset()
    return day.weekday() < 5 and day not in _CALENDAR and day not in recess


def nth_working_day_after(day: date, n: int, house: str | None = None) -> date:
    while n:
        day += timedelta(days=1)
        n -= working_day(day, house)
    return day


def timed_question(qid: int, house: str, tabled: date, **changes: Any) -> Value:
    value = own_question(qid, "", house)
    value.update(
        dateTabled=tabled.isoformat() + "T00:00:00",
        dateForAnswer=(tabled + timedelta(days=2)).isoformat() + "T00:00:00",
        answerText=None,
        dateAnswered=None,
        answeringMemberId=None,
    )
    value.update(changes)
    return value


def overdue_cases(today: date) -> tuple[list[Value], set[int]]:
    """Questions tabled relative to today, and which of them are overdue by the README's rule."""
    values: list[Value] = []
    expected: set[int] = set()
    for offset in range(0, 31):  # ordinary unanswered questions, every day of a month back
        tabled = today - timedelta(days=offset)
        for house, days, base in (("Commons", 5, 98_100_000), ("Lords", 10, 98_200_000)):
            values.append(timed_question(base + offset, house, tabled))
            if today > nth_working_day_after(tabled, days, house):
                expected.add(base + offset)
    t = today - timedelta(days=30)
    values += [
        # named day still ahead: not overdue however long ago it was tabled
        timed_question(98_300_001, "Commons", t, isNamedDay=True, dateForAnswer=(
            (today + timedelta(days=3)).isoformat() + "T00:00:00"
        )),
        # named day passed yesterday, though 5 working days have not
        timed_question(98_300_002, "Commons", today - timedelta(days=2), isNamedDay=True,
                       dateForAnswer=(today - timedelta(days=1)).isoformat() + "T00:00:00"),
        # a holding answer does not stop the clock
        timed_question(98_300_003, "Commons", t, answerIsHolding=True,
                       dateAnswered=(t + timedelta(days=3)).isoformat() + "T00:00:00",
                       dateHoldingAnswer=(t + timedelta(days=3)).isoformat() + "T00:00:00",
                       answerText="<p>I will reply as soon as possible.</p>"),
        # answered late, and withdrawn: not overdue
        timed_question(98_300_004, "Commons", t, answerText="<p>Late but answered.</p>",
                       dateAnswered=(t + timedelta(days=20)).isoformat() + "T00:00:00"),
        timed_question(98_300_005, "Commons", t, isWithdrawn=True),
    ]  # fmt: skip
    expected |= {98_300_002, 98_300_003}
    return values, expected


def test_list_overdue_is_exactly_the_questions_past_their_deadline(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    values, expected = overdue_cases(today)
    db = tmp_path / "overdue.db"
    store = Store.open(db)
    try:
        store.save(((v, "detail") for v in values), run_id=None)
    finally:
        store.close()
    records = run_json(db, "list", "--overdue", "--limit", "1000")
    if datetime.now(UTC).date() != today:  # midnight passed while running
        pytest.skip("the day changed during the test")
    assert {r["id"] for r in records} == expected
    assert 10 < len(expected) < len(values) - 10  # both sides of the deadline are exercised
    for record in records:
        assert record["status"] in ("unanswered", "holding")
    statuses = {r["id"]: r["status"] for r in records}
    assert statuses[98_300_003] == "holding"
    ids = [r["id"] for r in records]
    assert ids == sorted(ids, reverse=True)  # newest (highest id) first
    lords = run_json(db, "list", "--overdue", "--limit", "1000", "--house", "lords")
    assert {r["id"] for r in lords} == {q for q in expected if 98_200_000 <= q < 98_300_000}


def due_day(house: str, tabled: date, for_answer: date | None, named_day: bool) -> date:
    """The README's deadline: Lords 10 working days, a named day its day, else 5 (working days
    of the House: its recesses excluded)."""
    if house == "Lords":
        return nth_working_day_after(tabled, 10, house)
    if named_day and for_answer is not None:
        return for_answer
    return nth_working_day_after(tabled, 5, house)


def test_stats_on_time_and_medians_follow_the_deadline_rule(generated_db: Path) -> None:
    rows = run_json(generated_db, "stats", "--by", "department", "--limit", "1000")
    on_time: dict[str, int] = defaultdict(int)
    days: dict[str, list[int]] = defaultdict(list)
    for name, house, tabled, for_answer, named, answered in query(
        generated_db,
        "SELECT coalesce(answering_body_name, 'unknown'), house, date_tabled, date_for_answer,"
        " is_named_day, date_answered FROM questions WHERE date_tabled IS NOT NULL"
        " AND status IN ('answered', 'corrected') AND NOT is_prorogation_answer",
    ):
        tabled_day, answered_day = date.fromisoformat(tabled), date.fromisoformat(answered)
        due = due_day(house, tabled_day, for_answer and date.fromisoformat(for_answer), named)
        on_time[name] += answered_day <= due
        days[name].append((answered_day - tabled_day).days)
    assert sum(on_time.values()) > 100
    assert 0 < sum(on_time.values()) < sum(map(len, days.values()))  # late ones too
    for row in rows:
        name = row["department"]
        assert row["on_time"] == on_time[name], name
        expected = float(statistics.median(days[name])) if days[name] else None
        assert row["median_days"] == expected, name


def test_list_overdue_on_generated_questions_are_open_and_late(generated_db: Path) -> None:
    records = run_json(generated_db, "list", "--overdue", "--limit", "100000")
    assert records
    open_ids = {
        row[0]
        for row in query(
            generated_db, "SELECT id FROM questions WHERE status IN ('unanswered', 'holding')"
        )
    }
    today = datetime.now(UTC).date()
    for record in records:
        assert record["id"] in open_ids
        assert record["status"] in ("unanswered", "holding")
        assert date.fromisoformat(record["date_tabled"][:10]) < today


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["repeats", "--near", "1.5"], "--near"),
        (["repeats", "--near", "0.4"], "--near"),
        (["repeats", "--min-size", "0"], "--min-size"),
        (["repeats", "--limit", "-1"], "--limit"),
        (["repeats", "--since", "2025-13-01"], "--since"),
        (["repeats", "--house", "moon"], "--house"),
        (["stats", "--by", "department", "--department", "zzzzqq"], "--department"),
        (["list", "--overdue", "--until", "soon"], "--until"),
    ],
)
def test_bad_input_is_exit_2_and_one_line(
    generated_db: Path, args: list[str], message: str
) -> None:
    result = run(generated_db, *args, "--format", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("pqtrack: ") and message in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["repeats", "--near", "abc"], "'--near'"),
        (["stats", "--by", "nonsense"], "'--by'"),
        (["stats", "--by", "department", "--format", "xml"], "'--format'"),
    ],
)
def test_option_type_errors_are_exit_2_without_traceback(
    generated_db: Path, args: list[str], message: str
) -> None:
    """Click reports these itself: a usage line, a hint, and one 'Error:' line naming the option."""
    result = run(generated_db, *args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0]


# -- stats --by minister, and what a working day is -----------------------------------------------


@pytest.fixture
def answered_by(tmp_path: Path) -> Path:
    """Five questions tabled the Friday before the 2025 summer recess: three answered by a
    minister the members table knows, one by a member known only by id, one unanswered."""
    db = tmp_path / "ministers.db"
    minister = {"id": 5001, "name": "Jane Minister", "listAs": "Minister, Jane"}
    values = [
        question(9001, dateTabled="2025-07-18T00:00:00", answered="2025-09-03",
                 answeringMemberId=5001, answeringMember=minister),
        question(9002, dateTabled="2025-07-18T00:00:00", answered="2025-09-04",
                 answeringMemberId=5001, answeringMember=minister),
        question(9003, dateTabled="2025-07-18T00:00:00", answered="2025-09-01",
                 answeringMemberId=5001),
        question(9004, dateTabled="2025-07-18T00:00:00", answered="2025-09-02",
                 answeringMemberId=5002),
        question(9005, dateTabled="2025-07-18T00:00:00"),
    ]  # fmt: skip
    result = run(db, "import", "--quiet", str(write_json(tmp_path / "q.json", values)))
    assert result.exit_code == 0, result.stderr
    return db


MINISTERS = [
    # minister, tabled, answered, on time (5 Commons working days: by 3 September)
    ("Jane Minister", 3, 3, 2),
    ("member 5002", 1, 1, 1),
    ("no answer yet", 1, 0, 0),
]


def test_stats_by_minister_groups_by_the_answering_member(answered_by: Path) -> None:
    rows = run_json(answered_by, "stats", "--by", "minister")
    got = [(r["minister"], r["tabled"], r["answered"], r["on_time"]) for r in rows]
    assert got == MINISTERS
    assert rows[0]["median_working_days"] == 5.0  # 2, 4 and 5 working days over the recess
    assert all(isinstance(r["past_recess_data"], int) for r in rows)  # numbers only in JSON


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "table"])
def test_stats_by_minister_in_every_format(answered_by: Path, fmt: str) -> None:
    result = run(answered_by, "stats", "--by", "minister", "--format", fmt, "--no-chart")
    assert result.exit_code == 0 and result.stderr == ""
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        got = [(r["minister"], int(r["tabled"]), int(r["answered"]), int(r["on_time"]))
               for r in rows]  # fmt: skip
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        got = [(r["minister"], r["tabled"], r["answered"], r["on_time"]) for r in rows]
    else:
        lines = result.stdout.splitlines()
        rule = next(i for i, line in enumerate(lines) if line.strip().startswith("─"))
        assert lines[rule - 1].split()[0] == "minister"
        got = []
        for (name, *_, on_time), line in zip(MINISTERS, lines[rule + 1 :], strict=False):
            assert line.strip().startswith(name), line
            tabled, answered = line.strip()[len(name) :].split()[:2]
            got.append((name, int(tabled), int(answered), on_time))
    assert got == MINISTERS


def test_stats_table_says_what_a_working_day_is(answered_by: Path) -> None:
    result = run(answered_by, "stats", "--by", "month", "--format", "table", "--no-chart")
    text = " ".join(result.stdout.split())
    assert (
        "working days exclude weekends, bank holidays and Commons/Lords recesses "
        "(data/recess.toml, through 2026-04-13)"
    ) in text
    assert result.stderr == ""


def test_stats_says_when_questions_run_past_the_recess_data(tmp_path: Path) -> None:
    db = tmp_path / "late.db"
    values = [
        question(9101, dateTabled="2026-04-08T00:00:00", answered="2026-04-20"),
        question(9102, dateTabled="2025-03-03T00:00:00", answered="2025-03-07"),
    ]
    assert run(db, "import", "--quiet", str(write_json(tmp_path / "q.json", values))).exit_code == 0
    result = run(db, "stats", "--by", "month", "--format", "csv")
    assert result.exit_code == 0
    rows = {
        r["month"]: int(r["past_recess_data"]) for r in csv.DictReader(io.StringIO(result.stdout))
    }
    assert rows == {"2026-04": 1, "2025-03": 0}
    assert result.stderr == (
        "pqtrack: 1 question(s) have working days outside the recess dates known "
        "(data/recess.toml: 2014-01-01 to 2026-04-13); no recess is excluded there\n"
    )
    assert run(db, "stats", "--by", "month", "--quiet").stderr == ""
