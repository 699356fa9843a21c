"""Names as people type them: members with case, accents and apostrophes folded, in the forms
people write ("Surname", "Firstname Surname", "Lord Hanson"); departments by short and former
names, said on stderr; and `pqtrack departments` in every format."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from pqtrack.filters import fold, member_forms, shipped_catalogue
from tests.build import question, write_json
from tests.cli import Cli

DATA = Path(__file__).resolve().parents[1] / "data" / "departments.toml"

# made-up members, written as the API writes them (name, listAs)
MEMBERS = {
    4901: ("Brendan O'Hara", "O'Hara, Brendan"),
    4902: ("Chloé Smith", "Smith, Chloé"),
    4903: ("Lord Hanson of Flint", "Hanson of Flint, L."),
    4904: ("Dr Julian Lewis", "Lewis, Dr Julian"),
    4905: ("Clive Lewis", "Lewis, Clive"),
    4906: ("Baroness Smith of Newnham", "Smith of Newnham, B."),
}
# (question id, asker, department id, department name as the API carries it)
QUESTIONS = [
    (900001, 4901, 17, "Department of Health and Social Care"),
    (900002, 4902, 201, "Department for Business, Energy and Industrial Strategy"),
    (900003, 4903, 208, "Foreign, Commonwealth and Development Office"),
    (900004, 4904, 54, "Ministry of Justice"),
    (900005, 4905, 13, "Department for Environment, Food and Rural Affairs"),
    (900006, 4906, 1, "Home Office"),
    (900007, 4901, 7, "Ministry of Housing, Communities and Local Government"),
]


def member(mid: int) -> dict[str, Any]:
    name, list_as = MEMBERS[mid]
    return {"id": mid, "name": name, "listAs": list_as, "party": "Independent"}


@pytest.fixture
def named(cli: Cli, tmp_path: Path) -> Cli:
    values = [
        question(
            qid,
            askingMemberId=asker,
            askingMember=member(asker),
            answeringBodyId=body,
            answeringBodyName=body_name,
        )
        for qid, asker, body, body_name in QUESTIONS
    ]
    path = write_json(tmp_path / "named.json", values)
    result = cli("import", "--quiet", str(path))
    assert result.exit_code == 0, result.stderr
    return cli


def ids(cli: Cli, *args: str) -> list[int]:
    return sorted(r["id"] for r in cli.json("list", *args))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Brendan O'Hara", [900001, 900007]),
        ("Brendan O\u2019Hara", [900001, 900007]),  # as copied from parliament.uk
        ("brendan o\u2018hara", [900001, 900007]),
        ("Brendan OHara", [900001, 900007]),
        ("O\u2019Hara", [900001, 900007]),
        ("O'Hara, Brendan", [900001, 900007]),
        ("Chloe Smith", [900002]),  # no accent typed
        ("CHLOÉ SMITH", [900002]),
        ("Lord Hanson", [900003]),
        ("Hanson", [900003]),
        ("Hanson of Flint", [900003]),
        ("Julian Lewis", [900004]),  # without the title
        ("Baroness Smith", [900006]),
        ("4905", [900005]),
    ],
)
def test_a_member_as_people_type_them(named: Cli, typed: str, expected: list[int]) -> None:
    result = named("list", "--member", typed, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert sorted(r["id"] for r in json.loads(result.stdout)) == expected
    assert result.stderr == ""  # a member is not a department: nothing to say


def test_a_surname_two_members_share_lists_them(named: Cli) -> None:
    result = named("list", "--member", "Lewis")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "pqtrack: --member: 'Lewis' matches 2 members: Clive Lewis; Dr Julian Lewis\n"
    )


def test_answered_by_takes_the_same_forms(named: Cli) -> None:
    # the asker fixture also answers nothing; the form is resolved, and nothing matches
    result = named("list", "--answered-by", "Lord Hanson", "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_member_forms() -> None:
    assert member_forms("Lord Hanson of Flint", "Hanson of Flint, L.") == [
        "hanson",
        "hanson of flint",
        "lord hanson",
        "lord hanson of flint",
    ]
    assert member_forms("Sir David Amess", "Amess, Sir David") == ["amess", "david amess"]
    assert fold("  Chloé  O\u2019Hara ") == fold("chloe ohara") == "chloe ohara"


@pytest.mark.parametrize(
    ("typed", "expected", "said"),
    [
        ("DHSC", [900001], "'DHSC' is Department of Health and Social Care (id 17)"),
        ("dhsc", [900001], "'dhsc' is Department of Health and Social Care (id 17)"),
        (
            "BEIS",
            [900002],
            "'BEIS' is Department for Business, Energy and Industrial Strategy (id 201)",
        ),
        (
            "DfID",
            [900003],
            "'DfID' is Foreign, Commonwealth and Development Office (id 208): Department for "
            "International Development was merged with the FCO into the FCDO in September 2020",
        ),
        ("MoJ", [900004], "'MoJ' is Ministry of Justice (id 54)"),
        (
            "Defra",
            [900005],
            "'Defra' is Department for Environment, Food and Rural Affairs (id 13)",
        ),
        ("HO", [900006], "'HO' is Home Office (id 1)"),
        (
            "DCLG",
            [900007],
            "'DCLG' is Ministry of Housing, Communities and Local Government (id 7): Department "
            "for Communities and Local Government was renamed Ministry of Housing, Communities "
            "and Local Government in January 2018",
        ),
        ("Home Office", [900006], None),  # the literal name: nothing to say
        ("ministry of justice", [900004], None),
        ("17", [900001], None),
    ],
)
def test_a_department_by_short_or_former_name_says_what_it_is(
    named: Cli, typed: str, expected: list[int], said: str | None
) -> None:
    result = named("list", "--department", typed, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert sorted(r["id"] for r in json.loads(result.stdout)) == expected
    assert result.stderr == (f"pqtrack: --department: {said}\n" if said else "")


def test_every_short_name_the_issue_names_is_shipped() -> None:
    catalogue = shipped_catalogue()
    forms = {fold(a) for i in catalogue.names for a in catalogue.aliases_of(i)}
    forms |= {fold(n) for n in catalogue.names.values()}
    for name in (
        "DHSC FCDO Defra DfE DWP DfT DESNZ DSIT DBT DCMS MHCLG MoD MoJ HMT HO CO NIO "
        "BEIS DCLG DExEU DfID FCO DIT DLUHC"
    ).split() + ["Scotland Office", "Wales Office"]:
        assert fold(name) in forms, name


def test_each_alias_names_one_shipped_department_and_the_file_names_its_sources() -> None:
    text = DATA.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    known = {int(k) for k in data["departments"]}
    assert {int(k) for k in data["aliases"]} <= known
    assert {f["id"] for f in data["former"]} <= known
    everything = [fold(a) for names in data["aliases"].values() for a in names]
    everything += [fold(n) for f in data["former"] for n in f["names"]]
    assert len(everything) == len(set(everything)), "an alias names two departments"
    assert "Sources of these facts" in text


def test_departments_in_every_format(named: Cli) -> None:
    rows = named.json("departments")
    by_id = {r["id"]: r for r in rows}
    assert set(by_id) >= {int(k) for k in tomllib.loads(DATA.read_text())["departments"]}
    assert by_id[201] == {
        "id": 201,
        "name": "Department for Business, Energy and Industrial Strategy",
        "aliases": [
            "BEIS",
            "BIS",
            "Department for Business, Innovation and Skills",
            "DECC",
            "Department of Energy and Climate Change",
        ],
        "questions": 1,
    }
    assert by_id[88]["questions"] == 0
    assert sum(r["questions"] for r in rows) == len(QUESTIONS)

    jsonl = named("departments", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in jsonl] == rows

    table = list(csv.DictReader(io.StringIO(named("departments", "--format", "csv").stdout)))
    assert [int(r["id"]) for r in table] == [r["id"] for r in rows]
    assert json.loads(table[0]["aliases"]) == rows[0]["aliases"]

    header, *plain = named("departments").stdout.splitlines()  # plain lines in a pipe
    assert header == "id\tname\taliases\tquestions"
    assert plain[[r["id"] for r in rows].index(201)] == (
        "201\tDepartment for Business, Energy and Industrial Strategy\tBEIS; BIS; Department "
        "for Business, Innovation and Skills; DECC; Department of Energy and Climate Change\t1"
    )

    drawn = named("departments", "--format", "table").stdout
    assert "Home Office" in drawn and "DHSC" in drawn


@pytest.mark.samples
def test_every_shipped_alias_resolves_on_the_shared_samples(tmp_path: Path) -> None:
    from pqtrack.importer import import_files
    from pqtrack.store import Store
    from tests.samples import detail_files, list_files

    db = tmp_path / "samples.db"
    store = Store.open(db)
    try:
        for files in (detail_files(), list_files()):
            assert import_files(store, files).failed == []
    finally:
        store.close()
    samples = Cli(db)
    catalogue = shipped_catalogue()
    for number in catalogue.names:
        by_id = ids(samples, "--department", str(number), "--limit", "5000")
        for alias in catalogue.aliases_of(number):
            result = samples("list", "--department", alias, "--limit", "5000", "--format", "json")
            assert result.exit_code == 0, (alias, result.stderr)
            assert sorted(r["id"] for r in json.loads(result.stdout)) == by_id, alias
            assert result.stderr.startswith(f"pqtrack: --department: {alias!r} is "), alias
