"""Answers that point to another answer, end to end: `show` (plain lines and JSON), `show
--follow`, `stats --by department` (`referrals`), and `show` on the shared samples.

The databases are built with `pqtrack import` from API-shaped values written in this file; every
expectation (which question a referral names, how many referring answers each department has)
is written down here from that data, not asked of pqtrack. The rule the expectations follow is
the one `referrals.resolve_referrals` documents: a referral names a question by UIN, and UINs
restart each session, so a referral that gives a date names the question with that UIN answered
that day; one without a date names the most recent question with that UIN tabled no later than
the referring question.

Referrals are stored as derived facts that `stats` and `repeats` compute; each database is
checked in two states: "derived" (after `stats`) and "fresh" (straight after `import`, as a user
has it after `import` or `sync`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli import query, run, run_json
from tests.samples import detail_files, list_files, require_samples

Value = dict[str, Any]

# -- running the CLI ------------------------------------------------------------------------------


def copy_db(src: Path, dst: Path) -> Path:
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return dst


def derive(db: Path) -> None:
    """Compute the derived facts the way a user does: any `stats` run."""
    result = run(db, "stats", "--by", "month", "--format", "json")
    assert result.exit_code == 0, result.stderr


REFERS_LINE = re.compile(
    r"^(?P<uin>\(no question number given\)|\S+)(?: of (?P<date>\d{4}-\d{2}-\d{2}))?: "
    r"(?:question id (?P<id>\d+)|(?P<none>not in this database))$"
)


def refers_to(stdout: str) -> list[tuple[str, str | None, int | None]]:
    """(uin, date, resolved id or None) for each line of the plain output's "Refers to"."""
    lines = stdout.splitlines()
    assert lines.count("Refers to") == 1, stdout
    out: list[tuple[str, str | None, int | None]] = []
    for line in lines[lines.index("Refers to") + 1 :]:
        if not line.strip():
            break
        m = REFERS_LINE.match(line.strip())
        assert m, f"unexpected Refers to line: {line!r}"
        out.append((m["uin"], m["date"], int(m["id"]) if m["id"] else None))
    return out


# -- hand-written questions -----------------------------------------------------------------------

HEALTH = (17, "Department of Health and Social Care")
CABINET = (53, "Cabinet Office")
TREASURY = (14, "HM Treasury")


def question(
    qid: int,
    uin: str,
    *,
    tabled: str,
    answered: str | None,
    answer: str | None,
    body: tuple[int, str] = HEALTH,
    house: str = "Commons",
) -> Value:
    """One API-shaped question value (the shape of the questions endpoint's `value`)."""
    minister = {
        "id": 5001,
        "listAs": "Minister, A",
        "name": "A Minister",
        "party": "Labour",
        "partyColour": "d50000",
        "partyAbbreviation": "Lab",
        "memberFrom": "Somewhere",
        "thumbnailUrl": "https://members-api.parliament.uk/api/Members/5001/Thumbnail",
    }
    return {
        "id": qid,
        "askingMemberId": 4001,
        "askingMember": None,
        "house": house,
        "memberHasInterest": False,
        "dateTabled": f"{tabled}T00:00:00",
        "dateForAnswer": f"{tabled}T00:00:00",
        "uin": uin,
        "questionText": f"To ask the Minister about matter number {qid % 1000}.",
        "answeringBodyId": body[0],
        "answeringBodyName": body[1],
        "isWithdrawn": False,
        "isNamedDay": False,
        "groupedQuestions": [],
        "answerIsHolding": False if answered else None,
        "answerIsCorrection": False if answered else None,
        "answeringMemberId": minister["id"] if answered else None,
        "answeringMember": minister if answered else None,
        "correctingMemberId": None,
        "correctingMember": None,
        "dateAnswered": f"{answered}T00:00:00" if answered else None,
        "answerText": answer,
        "originalAnswerText": None,
        "comparableAnswerText": None,
        "dateAnswerCorrected": None,
        "dateHoldingAnswer": None,
        "attachmentCount": 0,
        "heading": f"Matter {qid % 1000}",
        "attachments": [],
        "groupedQuestionsDates": [],
    }


# Commons, UIN 5635 in two sessions: A answered on 14 December 2024, C on 5 September 2025.
A, C = 2_100_001, 2_100_003
A_TEXT = "Night-shift staff have parked free of charge at every hospital since the spring."
C_TEXT = "Community pharmacies will receive a larger grant from next April."
B = 2_100_002  # refers to A by date, and was tabled after C (so "latest tabled" would be C)
D = 2_100_004  # refers to C by date
E = 2_100_005  # refers to PQ 5635 without a date, tabled before C: A
F = 2_100_006  # refers to PQ 5635 without a date, tabled after C: C
U = 2_100_007  # refers to a question that is not in the database
# Lords: HL11520, and a Commons question 11520 answered the same day as a decoy.
L, DECOY, M = 2_200_001, 2_200_002, 2_200_003
L_TEXT = "The review of peerage claims will report to the House before the summer."
DECOY_TEXT = "The departmental canteen now serves a vegetarian option every weekday."

REFERRING: dict[int, str] = {
    B: "I refer the hon. Member to the answer I gave on 14 December 2024 to Question 5635.",
    D: "I refer the hon. Member to the answer I gave on 5 September 2025 to Question 5635.",
    E: "I refer the hon. Member to the answer given to PQ 5635.",
    F: "I refer the hon. Member to the answer given to PQ 5635.",
    U: "I refer the hon. Member to the answer I gave on 3 March 2025 to Question 77123.",
    M: "I refer the noble Baroness to the answer given to HL11520.",
}


def hand_values() -> list[Value]:
    def p(text: str) -> str:
        return f"<p>{text}</p>"

    refers = {k: p(v) for k, v in REFERRING.items()}
    return [
        question(A, "5635", tabled="2024-12-09", answered="2024-12-14", answer=p(A_TEXT)),
        question(C, "5635", tabled="2025-09-01", answered="2025-09-05", answer=p(C_TEXT)),
        question(B, "9101", tabled="2025-10-06", answered="2025-10-09", answer=refers[B]),
        question(D, "9102", tabled="2025-10-06", answered="2025-10-09", answer=refers[D]),
        question(E, "9103", tabled="2025-01-06", answered="2025-01-09", answer=refers[E]),
        question(F, "9104", tabled="2025-10-06", answered="2025-10-09", answer=refers[F]),
        question(U, "9105", tabled="2025-10-06", answered="2025-10-09", answer=refers[U]),
        question(
            L,
            "HL11520",
            tabled="2024-10-01",
            answered="2024-10-08",
            answer=p(L_TEXT),
            body=CABINET,
            house="Lords",
        ),
        question(
            DECOY,
            "11520",
            tabled="2024-10-01",
            answered="2024-10-08",
            answer=p(DECOY_TEXT),
            body=CABINET,
        ),
        question(
            M,
            "HL12100",
            tabled="2024-11-04",
            answered="2024-11-12",
            answer=refers[M],
            body=CABINET,
            house="Lords",
        ),
        question(
            2_200_004,
            "HL12101",
            tabled="2024-11-04",
            answered=None,
            answer=None,
            body=CABINET,
            house="Lords",
        ),
        question(
            2_300_001,
            "9201",
            tabled="2025-02-03",
            answered="2025-02-06",
            answer=p("The annual spending review timetable is unchanged."),
            body=TREASURY,
        ),
    ]


def import_values(db: Path, values: list[Value]) -> Path:
    path = db.with_suffix(".json")
    path.write_text(json.dumps(values), encoding="utf-8")
    result = run(db, "import", "--quiet", str(path))
    assert result.exit_code == 0, result.stderr
    return db


@pytest.fixture(scope="module")
def imported_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return import_values(tmp_path_factory.mktemp("hand") / "fresh.db", hand_values())


def in_state(db: Path, state: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = copy_db(db, tmp_path_factory.mktemp(state) / "pq.db")
    if state == "derived":
        derive(copy)
    return copy


@pytest.fixture(scope="module", params=["derived", "fresh"])
def hand_db(
    request: pytest.FixtureRequest, imported_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The hand-written database, for `show` on referring answers."""
    return in_state(imported_db, request.param, tmp_path_factory)


@pytest.fixture(scope="module", params=["derived", "fresh"])
def any_hand_db(
    request: pytest.FixtureRequest, imported_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The same, for `show` on answers that refer to nothing."""
    return in_state(imported_db, request.param, tmp_path_factory)


def show_json(db: Path, qid: int, *extra: str) -> Value:
    record: Value = run_json(db, "show", str(qid), *extra)
    assert record["id"] == qid
    return record


def resolved(record: Value) -> list[tuple[str | None, str | None, int | None]]:
    return [(r["uin"], r["date"], r["resolved_id"]) for r in record["referrals"]]


# -- 1. a referral by UIN and date resolves, --follow prints the referenced answer ----------------


def test_show_names_the_referenced_question(hand_db: Path) -> None:
    result = run(hand_db, "show", str(B))
    assert result.exit_code == 0, result.stderr
    assert refers_to(result.stdout) == [("5635", "2024-12-14", A)]
    assert A_TEXT not in result.stdout  # only with --follow

    record = show_json(hand_db, B)
    assert resolved(record) == [("5635", "2024-12-14", A)]
    assert "14 December 2024 to Question 5635" in record["referrals"][0]["phrase"]
    assert "followed" not in record


def test_show_follow_prints_the_referenced_answer(hand_db: Path) -> None:
    result = run(hand_db, "show", str(B), "--follow")
    assert result.exit_code == 0, result.stderr
    assert refers_to(result.stdout) == [("5635", "2024-12-14", A)]
    out = result.stdout
    # B's own answer first, then A's question with its answer
    assert out.index(REFERRING[B]) < out.index(A_TEXT)
    assert C_TEXT not in out

    record = show_json(hand_db, B, "--follow")
    assert [f["id"] for f in record["followed"]] == [A]
    assert record["followed"][0]["uin"] == "5635"
    assert record["followed"][0]["answer_text"] == A_TEXT


# -- 2. the same UIN in another session: resolution goes by the date ------------------------------


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        (B, ("5635", "2024-12-14", A)),  # by date, though C is the latest 5635 tabled before B
        (D, ("5635", "2025-09-05", C)),  # by date
        (E, ("5635", None, A)),  # no date: the latest 5635 tabled before E (C came later)
        (F, ("5635", None, C)),  # no date: the latest 5635 tabled before F
    ],
)
def test_same_uin_in_two_sessions(
    hand_db: Path, referrer: int, expected: tuple[str, str | None, int]
) -> None:
    result = run(hand_db, "show", str(referrer))
    assert result.exit_code == 0, result.stderr
    assert refers_to(result.stdout) == [expected]
    assert resolved(show_json(hand_db, referrer)) == [expected]
    followed = show_json(hand_db, referrer, "--follow")["followed"]
    assert [f["id"] for f in followed] == [expected[2]]
    assert followed[0]["answer_text"] == (A_TEXT if expected[2] == A else C_TEXT)


def test_the_shared_uin_is_ambiguous_as_a_ref(any_hand_db: Path) -> None:
    """`show 5635` is two questions: a usage error listing both (the contract's REF rule)."""
    result = run(any_hand_db, "show", "5635")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "2024-12-09" in result.stderr and "2025-09-01" in result.stderr


def test_dated_referral_is_not_resolved_to_another_session(tmp_path: Path) -> None:
    """Only C (5635 of September 2025) is stored; a referral to 5635 of 14 December 2024 names
    a question of another session, which is not in the database."""
    values = [
        question(C, "5635", tabled="2025-09-01", answered="2025-09-05", answer=f"<p>{C_TEXT}</p>"),
        question(B, "9101", tabled="2025-10-06", answered="2025-10-09", answer=REFERRING[B]),
    ]
    db = import_values(tmp_path / "other-session.db", values)
    derive(db)
    assert resolved(show_json(db, B)) == [("5635", "2024-12-14", None)]
    result = run(db, "show", str(B), "--follow")
    assert result.exit_code == 0
    assert refers_to(result.stdout) == [("5635", "2024-12-14", None)]
    assert C_TEXT not in result.stdout


# -- 3. a referral to a question that is not stored -----------------------------------------------


def test_unresolved_referral_says_so(hand_db: Path) -> None:
    for extra in ((), ("--follow",)):
        result = run(hand_db, "show", str(U), *extra)
        assert result.exit_code == 0, result.stderr
        assert refers_to(result.stdout) == [("77123", "2025-03-03", None)]
        assert "not in this database" in result.stdout
        for text in (A_TEXT, C_TEXT, L_TEXT, DECOY_TEXT):
            assert text not in result.stdout
        assert result.stdout.count("Answer\n") == 1  # nothing followed

    record = show_json(hand_db, U, "--follow")
    assert resolved(record) == [("77123", "2025-03-03", None)]
    assert record["followed"] == []


# -- 4. Lords UINs --------------------------------------------------------------------------------


def test_lords_referral_resolves_to_the_lords_question(hand_db: Path) -> None:
    result = run(hand_db, "show", str(M), "--follow")
    assert result.exit_code == 0, result.stderr
    assert refers_to(result.stdout) == [("HL11520", None, L)]
    assert L_TEXT in result.stdout
    assert DECOY_TEXT not in result.stdout  # Commons 11520, answered the same day

    record = show_json(hand_db, M, "--follow")
    assert resolved(record) == [("HL11520", None, L)]
    assert [(f["id"], f["uin"], f["house"]) for f in record["followed"]] == [
        (L, "HL11520", "Lords")
    ]


def test_answers_without_referrals_show_none(any_hand_db: Path) -> None:
    for qid in (A, C, L, DECOY, 2_200_004):
        result = run(any_hand_db, "show", str(qid))
        assert result.exit_code == 0, result.stderr
        assert "Refers to" not in result.stdout
        record = show_json(any_hand_db, qid, "--follow")
        assert record["referrals"] == [] and record["followed"] == []


# -- 5. stats counts referring answers per department ---------------------------------------------


def test_stats_counts_referrals_per_department(imported_db: Path, tmp_path: Path) -> None:
    db = copy_db(imported_db, tmp_path / "stats.db")
    values = hand_values()
    referring = {v["id"] for v in values if v["id"] in REFERRING}
    expected = Counter(v["answeringBodyName"] for v in values if v["id"] in referring)
    tabled = Counter(v["answeringBodyName"] for v in values)
    assert expected == {HEALTH[1]: 5, CABINET[1]: 1}  # the data as meant

    rows = run_json(db, "stats", "--by", "department", "--limit", "100")
    got = {r["department"]: r["referrals"] for r in rows}
    assert got == {name: expected[name] for name in tabled}  # Treasury: 0
    assert {r["department"]: r["tabled"] for r in rows} == dict(tabled)

    # the same counts through --department and --house filters
    health = run_json(db, "stats", "--by", "department", "--department", str(HEALTH[0]))
    assert [(r["department"], r["referrals"]) for r in health] == [(HEALTH[1], 5)]
    lords = run_json(db, "stats", "--by", "department", "--house", "lords")
    assert [(r["department"], r["referrals"]) for r in lords] == [(CABINET[1], 1)]


# -- 6. the shared samples ------------------------------------------------------------------------


def sample_files() -> Iterator[list[Path]]:
    """Every question sample, in tests/test_analysis_cli.py's import order: details, lists,
    the snapshots (older first), then each timeline's files in date order."""
    root = require_samples()
    yield detail_files()
    yield list_files()
    yield sorted((root / "snapshots").glob("*.json"))
    yield sorted(root.glob("timelines/*/*.json"))


@pytest.fixture(scope="module")
def samples_fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("samples") / "fresh.db"
    for files in sample_files():
        if files:
            result = run(db, "import", "--quiet", *map(str, files))
            assert result.exit_code == 0, result.stderr
    return db


@pytest.fixture(scope="module")
def samples_derived(samples_fresh: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = copy_db(samples_fresh, tmp_path_factory.mktemp("samples") / "derived.db")
    derive(db)
    return db


I_REFER = re.compile(r"\bI refer the\b", re.I)


def referring_samples(db: Path) -> list[tuple[int, str, str]]:
    """(id, answer text, date tabled) of every stored answer containing "refer the"."""
    rows = query(
        db,
        "SELECT id, answer_text, date_tabled FROM questions"
        " WHERE answer_text LIKE '%refer the%' ORDER BY id",
    )
    assert len(rows) >= 10, "the samples hold a few dozen such answers"
    return [(int(qid), str(text), str(tabled)) for qid, text, tabled in rows]


def check_samples_show(db: Path) -> None:
    seen_resolved = seen_unresolved = 0
    for qid, text, tabled in referring_samples(db):
        plain = run(db, "show", str(qid))
        assert plain.exit_code == 0, (qid, plain.stderr)
        record = show_json(db, qid, "--follow")
        refs = record["referrals"]
        if I_REFER.search(text):
            assert refs, f"{qid}: {text[:120]!r} refers to nothing"
        if refs:
            assert [(u or "(no question number given)", d, r) for u, d, r in resolved(record)] == (
                refers_to(plain.stdout)
            )
        for ref in refs:
            uin, day, target = ref["uin"], ref["date"], ref["resolved_id"]
            if target is None:
                seen_unresolved += 1
                if uin and day:  # nothing with that UIN was answered that day
                    assert not query(
                        db,
                        "SELECT id FROM questions WHERE upper(uin) = ? AND date_answered = ?",
                        [uin, day],
                    )
                continue
            seen_resolved += 1
            ((t_uin, t_answered, t_tabled),) = query(
                db, "SELECT uin, date_answered, date_tabled FROM questions WHERE id = ?", [target]
            )
            assert t_uin.upper() == uin.upper()
            if day:
                assert t_answered == day
            else:
                assert t_tabled <= tabled
        assert sorted(f["id"] for f in record["followed"]) == sorted(
            {r["resolved_id"] for r in refs if r["resolved_id"]}
        )
    assert seen_resolved >= 1 and seen_unresolved >= 1


@pytest.mark.samples
def test_samples_show_referring_answers(samples_derived: Path) -> None:
    check_samples_show(samples_derived)


@pytest.mark.samples
def test_samples_show_referring_answers_straight_after_import(samples_fresh: Path) -> None:
    check_samples_show(samples_fresh)


# -- 7. an unknown REF ----------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["999999999", "HL99999", "2024-12-14/5636"])
def test_show_unknown_ref(imported_db: Path, ref: str) -> None:
    for extra in ((), ("--follow",), ("--format", "json")):
        result = run(imported_db, "show", ref, *extra)
        assert result.exit_code == 2, result.stdout
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and ref in lines[0], result.stderr
