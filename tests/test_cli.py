"""The command line: version, help, references, formats, search acceptance, hostile input, safety,
the change feed and topics.

The corpus is our own fixtures (tests/data/api) plus the shared real samples when present.
Search and filter expectations are computed in this file from the raw JSON: texts are
lower-cased and split into words the way FTS5's unicode61 tokenizer splits them, and matched
word by word; filters compare the raw fields.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import subprocess
import sys
import tomllib
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer

from pqtrack import __version__
from pqtrack.cli import app
from pqtrack.importer import import_files
from pqtrack.paths import shipped
from pqtrack.question import EVENTS
from pqtrack.record import html_to_text
from pqtrack.store import Store
from tests import build
from tests.build import write_json
from tests.cli import Cli, run
from tests.samples import all_detail_files, all_list_files, have_samples

Value = dict[str, Any]

RECORD_CONTRACT = (
    "id uin house date_tabled date_for_answer date_answered date_answer_corrected heading "
    "question_text answer_text status asking_member answering_member answering_body "
    "answering_body_id is_named_day grouped_uins url versions".split()
)
HISTORY_CONTRACT = (
    "version seen_at status date_answered question_text answer_text answering_body changed".split()
)
BOX_DRAWING = re.compile("[\u2500-\u257f]")

# -- the sample corpus, read independently of pqtrack --------------------------------------------


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def corpus() -> dict[int, Value]:
    """id -> the question as the samples know it best: the detail's texts, the lists' grouping."""
    out: dict[int, Value] = {}
    for path in all_list_files():
        for item in _read(path)["results"]:
            out[item["value"]["id"]] = item["value"]
    for path in all_detail_files():
        value = _read(path)["value"]
        listed = out.get(value["id"], {})
        out[value["id"]] = {**value, "groupedQuestions": listed.get("groupedQuestions", [])}
    return out


@cache
def member_names() -> dict[int, set[str]]:
    names: dict[int, set[str]] = {}
    listed = [item["value"] for path in all_list_files() for item in _read(path)["results"]]
    for value in [*listed, *corpus().values()]:
        for key in ("askingMember", "answeringMember", "correctingMember"):
            member = value.get(key)
            if member:
                names.setdefault(member["id"], set()).add(member["name"])
    return names


def _words(text: str | None) -> list[str]:
    folded = unicodedata.normalize("NFKD", (text or "").lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", folded)


@cache
def _columns() -> dict[int, tuple[list[str], ...]]:
    def plain(markup: str | None) -> str:
        return html.unescape(re.sub(r"<[^>]*>", " ", markup or ""))

    return {
        qid: (_words(v.get("heading")), _words(v["questionText"]), _words(plain(v["answerText"])))
        for qid, v in corpus().items()
    }


def has(qid: int, term: str) -> bool:
    """A word, "a phrase" or a prefix* in any one column of a question."""
    prefix = term.endswith("*")
    words = _words(term.rstrip("*"))
    n = len(words)
    for column in _columns()[qid]:
        for i in range(len(column) - n + 1):
            head, last = column[i : i + n - 1], column[i + n - 1]
            if head == words[:-1] and (last.startswith(words[-1]) if prefix else last == words[-1]):
                return True
    return False


def where(test: Callable[[Value], bool]) -> set[int]:
    return {qid for qid, value in corpus().items() if test(value)}


def matching(test: Callable[[int], bool]) -> set[int]:
    return {qid for qid in corpus() if test(qid)}


def day(text: str | None) -> str:
    return (text or "")[:10]


def status_of(value: Value) -> str:
    if value.get("isWithdrawn"):
        return "withdrawn"
    if value.get("answerText") is None and value.get("dateAnswered") is None:
        return "unanswered"
    if value.get("answerIsHolding"):
        return "holding"
    return "corrected" if value.get("answerIsCorrection") else "answered"


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every single response, then every list, imported once for this module."""
    path = tmp_path_factory.mktemp("samples") / "samples.db"
    store = Store.open(path)
    try:
        for files in (all_detail_files(), all_list_files()):
            report = import_files(store, files)
            assert report.failed == []
    finally:
        store.close()
    return path


@pytest.fixture
def samples(sample_db: Path) -> Cli:
    return Cli(sample_db)


def ids(cli: Cli, *args: str) -> list[int]:
    return [r["id"] for r in cli.json(*args, "--limit", "5000")]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean(result: Any, code: int) -> None:
    """The exit code, and for a usage error one `pqtrack: ` line (run() already failed the test
    on any exception or traceback)."""
    assert result.exit_code == code, result.stderr
    if code == 2:
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith("pqtrack: ")


def question(qid: int, **changes: Any) -> Value:
    """An answered Transport question of our own (not from the samples), as a single response."""
    crossing: Value = {
        "askingMemberId": 9001,
        "dateForAnswer": "2025-03-06T00:00:00",
        "uin": str(qid)[-5:],
        "questionText": "To ask the Secretary of State for Transport, how many level crossings "
        "were upgraded last year.",
        "answeringBodyId": 27,
        "answeringBodyName": "Department for Transport",
        "answeringMemberId": 9002,
        "answerText": "<p>Twelve level crossings were upgraded.</p><p>More are planned.</p>",
        "heading": "Level Crossings",
    }
    return build.question(qid, answered="2025-03-07", **{**crossing, **changes})


# -- version and help ----------------------------------------------------------------------------


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"pqtrack {__version__}\n", "")


def test_python_m_pqtrack_version(tmp_path: Path) -> None:
    commands = [[sys.executable, "-m", "pqtrack"]]
    script = Path(sys.executable).with_name("pqtrack")  # the console script, when installed
    if script.exists():
        commands.append([str(script)])
    for argv in commands:
        done = subprocess.run(
            [*argv, "--version"], capture_output=True, text=True, cwd=tmp_path, timeout=60
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, f"pqtrack {__version__}\n", "")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_a_full_disk_under_stdout_is_one_line_and_exit_1(tmp_path: Path, fmt: str) -> None:
    db = tmp_path / "full.db"
    assert run(db, "import", str(shipped("demo.jsonl.gz"))).exit_code == 0
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "pqtrack", "list", "--db", str(db), "--format", fmt],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    assert (done.returncode, done.stderr) == (1, "pqtrack: stopped: No space left on device\n")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["lst"], "pqtrack: No such command 'lst'. Did you mean 'list'? (see: pqtrack --help)"),
        (["list", "--format", "xx"], "'xx' is not one of"),
        (["list", "--nope"], "No such option '--nope'"),
        (["watch", "nope"], "pqtrack: No such command 'nope'. (see: pqtrack watch --help)"),
    ],
)
def test_a_usage_error_from_the_command_line_is_one_line(
    tmp_path: Path, args: list[str], said: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pqtrack", *args, "--db", str(tmp_path / "none.db")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    (line,) = done.stderr.splitlines()
    assert line.startswith("pqtrack: ") and said in line and line.endswith("--help)"), line


def test_pqtrack_alone_prints_its_help_on_stderr() -> None:
    done = subprocess.run([sys.executable, "-m", "pqtrack"], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("Usage: ") and "Commands:" in done.stderr


COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_the_contract_commands_are_all_there() -> None:
    contract = "sync import list search show history diff changes topics repeats stats".split()
    assert set(contract) <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(None, command, "--help")
    assert result.exit_code == 0
    examples = [line.strip() for line in result.stdout.splitlines() if "Example:" in line]
    assert len(examples) == 1
    assert examples[0].startswith(f"Example: pqtrack {command}")


# -- references ------------------------------------------------------------------------------


def test_show_and_history_by_id_uin_and_date_uin(samples: Cli) -> None:
    value = corpus()[3100070]
    uin, tabled = value["uin"], day(value["dateTabled"])
    assert where(lambda v: v["uin"] == uin) == {3100070}
    for ref in ("3100070", uin, f"{tabled}/{uin}"):
        shown = samples.json("show", ref)
        assert shown["id"] == 3100070, ref
        assert [v["version"] for v in samples.json("history", ref)] == [1], ref


def test_a_lords_uin_in_any_case(samples: Cli) -> None:
    lords = sorted(where(lambda v: v["house"] == "Lords" and v["uin"].startswith("HL")))
    qid = lords[0]
    uin = corpus()[qid]["uin"]
    assert where(lambda v: v["uin"] == uin) == {qid}
    assert samples.json("show", uin.lower())["id"] == qid


def test_an_ambiguous_uin_lists_the_candidates(tmp_path: Path, cli: Cli) -> None:
    older = question(1600001, uin="4321", dateTabled="2023-12-06T00:00:00")
    newer = question(1700001, uin="4321", dateTabled="2024-09-11T00:00:00")
    assert (
        cli("import", "--quiet", str(write_json(tmp_path / "q.json", [older, newer]))).exit_code
        == 0
    )
    for command in ("show", "history"):
        result = cli(command, "4321")
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == (
            "pqtrack: '4321' is ambiguous: 2024-09-11/4321 (id 1700001), 2023-12-06/4321 "
            "(id 1600001); use an id or DATE/UIN\n"
        )
    assert cli.json("show", "2023-12-06/4321")["id"] == 1600001
    assert cli.json("show", "2024-09-11/4321")["id"] == 1700001
    assert cli.json("show", "1600001")["id"] == 1600001


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("1999999", "no question '1999999' in the database"),
        ("HL99999", "no question 'HL99999' in the database"),
        ("2025-03-04/99999", "no question '2025-03-04/99999' in the database"),
        ("not a ref", "'not a ref' is not a question id, UIN or DATE/UIN"),
        ("2025-03-04/", "'2025-03-04/' is not a question id, UIN or DATE/UIN"),
        ("", "'' is not a question id, UIN or DATE/UIN"),
    ],
)
def test_an_unknown_ref_is_exit_2(samples: Cli, ref: str, message: str) -> None:
    for command in ("show", "history", "diff"):
        result = samples(command, ref)
        assert result.exit_code == 2, command
        assert result.stdout == ""
        assert result.stderr == f"pqtrack: {message}\n"


def test_show_before_any_import_is_a_clean_error(cli: Cli, db_path: Path) -> None:
    result = cli("show", "3100070")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pqtrack: no database at {db_path}")
    assert not db_path.exists()


# -- output formats ------------------------------------------------------------------------------


def test_history_json_carries_the_contract_fields(samples: Cli) -> None:
    (version,) = samples.json("history", "3100070")
    assert set(HISTORY_CONTRACT) <= set(version)
    value = corpus()[3100070]
    assert version["version"] == 1
    assert version["status"] == "corrected"
    assert version["date_answered"] == day(value["dateAnswered"])
    assert version["question_text"] == value["questionText"]
    assert version["answer_text"] == html_to_text(value["answerText"])
    assert version["answering_body"] == value["answeringBodyName"]
    assert version["changed"] == []
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", version["seen_at"])


def test_list_and_search_records_carry_every_contract_field(samples: Cli) -> None:
    listed = samples.json("list", "--department", "13", "--limit", "3")
    found = samples.json("search", "recycling", "--limit", "3")
    assert len(listed) == 3 and found
    for record in listed + found:
        assert set(RECORD_CONTRACT) <= set(record)
        value = corpus()[record["id"]]
        assert record["uin"] == value["uin"]
        assert record["house"] == value["house"]
        assert record["date_tabled"] == day(value["dateTabled"])
        assert record["answering_body_id"] == value["answeringBodyId"]
        assert record["is_named_day"] is value["isNamedDay"]
        assert record["grouped_uins"] == value["groupedQuestions"]
        assert record["url"].endswith(f"/{day(value['dateTabled'])}/{value['uin']}")
        assert record["versions"] == 1
    for record in found:
        assert isinstance(record["snippet"], str) and "recycl" in record["snippet"].lower()
        assert "\x02" not in record["snippet"] and "\x03" not in record["snippet"]


def test_csv_has_a_header_and_full_texts(samples: Cli) -> None:
    result = samples("list", "--department", "54", "--limit", "500", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    header = result.stdout.splitlines()[0].split(",")
    assert set(RECORD_CONTRACT) <= set(header)
    assert {int(r["id"]) for r in rows} == where(lambda v: v["answeringBodyId"] == 54)
    by_id = {int(r["id"]): r for r in rows}
    table = by_id[3100001]  # an answer with two tables: many lines, pipes, quotes
    assert table["answer_text"] == html_to_text(corpus()[3100001]["answerText"])
    assert table["question_text"] == corpus()[3100001]["questionText"]
    assert len(table["question_text"]) > 255


def test_jsonl_is_one_object_per_line(samples: Cli) -> None:
    result = samples("list", "--house", "lords", "--limit", "20", "--format", "jsonl")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 20
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == sorted(where(lambda v: v["house"] == "Lords"))[::-1][:20]
    assert all(r["house"] == "Lords" for r in records)


def test_in_a_pipe_without_format_lines_are_tab_separated(samples: Cli) -> None:
    listed = samples("list", "--department", "11", "--limit", "5")
    assert listed.exit_code == 0
    expected = sorted(where(lambda v: v["answeringBodyId"] == 11))[::-1][:5]
    header, *lines = listed.stdout.splitlines()
    assert header.split("\t") == ["id", "uin", "date_tabled", "status", "answering_body", "heading"]
    assert [int(line.split("\t")[0]) for line in lines] == expected
    for line in lines:
        cells = line.split("\t")
        value = corpus()[int(cells[0])]
        assert cells == [
            str(value["id"]),
            value["uin"],
            day(value["dateTabled"]),
            status_of(value),
            value["answeringBodyName"],
            " ".join((value["heading"] or "").split()),
        ]
    found = samples("search", "vaccin*", "--limit", "5")
    assert found.exit_code == 0
    header, *lines = found.stdout.splitlines()
    assert header.split("\t")[-1] == "snippet"
    assert len(lines) == 5 and all(len(line.split("\t")) == 7 for line in lines)
    bare = samples("list", "--department", "11", "--limit", "5", "--no-header")
    assert bare.stdout == listed.stdout.split("\n", 1)[1]  # the old output: lines only
    for output in (listed.stdout, found.stdout, samples("history", "3100070").stdout):
        assert not BOX_DRAWING.search(output)
        assert "\x1b" not in output


def test_show_in_a_pipe_draws_no_boxes(samples: Cli) -> None:
    result = samples("show", "3100070")
    assert result.exit_code == 0
    assert not BOX_DRAWING.search(result.stdout)


# -- search acceptance on the samples ------------------------------------------------------------

SEARCHES: list[tuple[str, Callable[[int], bool]]] = [
    ("fly-tipping", lambda q: has(q, "fly tipping")),
    ('"mental health"', lambda q: has(q, "mental health")),
    ('"live facial recognition', lambda q: has(q, "live facial recognition")),
    ("asylum OR refugees", lambda q: has(q, "asylum") or has(q, "refugees")),
    ('"mental health" OR dementia', lambda q: has(q, "mental health") or has(q, "dementia")),
    ("police NOT crime", lambda q: has(q, "police") and not has(q, "crime")),
    ("school NOT schools", lambda q: has(q, "school") and not has(q, "schools")),
    ("vaccin*", lambda q: has(q, "vaccin*")),
    ("flood*", lambda q: has(q, "flood*")),
    ("covid-19", lambda q: has(q, "covid 19")),
    ("2020/21", lambda q: has(q, "2020 21")),
    ("prison staff", lambda q: has(q, "prison") and has(q, "staff")),
    (
        "prison AND (staff OR officers)",
        lambda q: has(q, "prison") and (has(q, "staff") or has(q, "officers")),
    ),
]


@pytest.mark.parametrize(("query", "test"), SEARCHES, ids=[q for q, _ in SEARCHES])
def test_search_finds_exactly_the_expected_questions(
    samples: Cli, query: str, test: Callable[[int], bool]
) -> None:
    expected = matching(test)
    found = ids(samples, "search", "--exact", query)  # the oracle matches words as written
    assert set(found) == expected
    assert found == sorted(found, reverse=True)  # newest (highest id) first


def test_the_searches_are_not_trivial() -> None:
    sizes = {query: len(matching(test)) for query, test in SEARCHES}
    assert sizes["fly-tipping"] >= 1
    assert all(n >= 1 for q, n in sizes.items() if q != '"live facial recognition')
    if have_samples():
        assert sizes["covid-19"] > 100 and sizes["vaccin*"] > sizes["police NOT crime"]


def test_search_with_filters_intersects(samples: Cli) -> None:
    expected = matching(lambda q: has(q, "vaccin*")) & where(lambda v: v["house"] == "Lords")
    assert set(ids(samples, "search", "vaccin*", "--house", "lords")) == expected
    assert expected


def test_limit_and_offset_page_through_results(samples: Cli) -> None:
    everything = ids(samples, "search", "covid-19")
    page = [r["id"] for r in samples.json("search", "covid-19", "--limit", "7", "--offset", "7")]
    assert page == everything[7:14]


def _department_ids(name: str) -> set[int]:
    return where(lambda v: v["answeringBodyName"] == name)


FILTERS: list[tuple[list[str], Callable[[], set[int]]]] = [
    (
        ["--since", "2025-03-01", "--until", "2025-03-04"],
        lambda: where(lambda v: "2025-03-01" <= day(v["dateTabled"]) <= "2025-03-04"),
    ),
    (["--until", "2021-01-01"], lambda: where(lambda v: day(v["dateTabled"]) <= "2021-01-01")),
    (
        ["--answered-since", "2025-03-08"],
        lambda: where(lambda v: day(v["dateAnswered"]) >= "2025-03-08"),
    ),
    (
        ["--answered-since", "2021-02-01", "--answered-until", "2021-02-01"],
        lambda: where(lambda v: day(v["dateAnswered"]) == "2021-02-01"),
    ),
    (["--house", "lords"], lambda: where(lambda v: v["house"] == "Lords")),
    (["--house", "Commons"], lambda: where(lambda v: v["house"] == "Commons")),
    (["--department", "Ministry of Defence"], lambda: where(lambda v: v["answeringBodyId"] == 11)),
    (["--department", "ministry of def"], lambda: where(lambda v: v["answeringBodyId"] == 11)),
    (["--department", "11"], lambda: where(lambda v: v["answeringBodyId"] == 11)),
    (["--department", "TREASURY"], lambda: where(lambda v: v["answeringBodyId"] == 14)),
    (["--member", "7103"], lambda: where(lambda v: v["askingMemberId"] == 7103)),
    (["--answered-by", "7202"], lambda: where(lambda v: v["answeringMemberId"] == 7202)),
    (["--status", "unanswered"], lambda: where(lambda v: status_of(v) == "unanswered")),
    (["--status", "holding"], lambda: where(lambda v: status_of(v) == "holding")),
    (["--status", "answered"], lambda: where(lambda v: status_of(v) == "answered")),
    (["--status", "corrected"], lambda: where(lambda v: status_of(v) == "corrected")),
    (["--status", "withdrawn"], lambda: where(lambda v: status_of(v) == "withdrawn")),
    (
        ["--house", "commons", "--status", "holding", "--department", "17"],
        lambda: where(
            lambda v: (
                v["house"] == "Commons" and status_of(v) == "holding" and v["answeringBodyId"] == 17
            )
        ),
    ),
]

if have_samples():  # members asking and answering many of the shared samples
    FILTERS += [
        (["--member", "4651"], lambda: where(lambda v: v["askingMemberId"] == 4651)),
        (["--answered-by", "4485"], lambda: where(lambda v: v["answeringMemberId"] == 4485)),
    ]


@pytest.mark.parametrize(("args", "expected"), FILTERS, ids=[" ".join(a) for a, _ in FILTERS])
def test_list_filters_return_exactly_the_expected_questions(
    samples: Cli, args: list[str], expected: Callable[[], set[int]]
) -> None:
    found = ids(samples, "list", *args)
    assert set(found) == expected()
    assert found == sorted(found, reverse=True)


def test_the_filters_are_not_trivial() -> None:
    assert len(where(lambda v: v["answeringBodyId"] == 11)) > 10
    assert len(where(lambda v: status_of(v) == "holding")) > 5
    assert len(where(lambda v: v["askingMemberId"] == 7103)) > 5
    assert len(where(lambda v: v["answeringMemberId"] == 7202)) > 5
    if have_samples():
        assert len(where(lambda v: v["askingMemberId"] == 4651)) > 5
        assert len(where(lambda v: v["answeringMemberId"] == 4485)) > 5


def test_member_filters_by_name(samples: Cli) -> None:
    members = [("--member", "askingMemberId", 7103), ("--answered-by", "answeringMemberId", 7202)]
    if have_samples():
        members += [
            ("--member", "askingMemberId", 4651),
            ("--answered-by", "answeringMemberId", 4485),
        ]
    for option, field, member in members:
        (name,) = member_names()[member]
        expected = where(lambda v, f=field, m=member: v[f] == m)
        assert set(ids(samples, "list", option, name)) == expected
        assert set(ids(samples, "list", option, name.upper())) == expected


def test_an_ambiguous_department_lists_the_candidates(samples: Cli) -> None:
    result = samples("list", "--department", "department for")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    shipped = tomllib.loads(
        (Path(__file__).parents[1] / "data" / "departments.toml").read_text(encoding="utf-8")
    )["departments"].values()
    names = sorted(
        {v["answeringBodyName"] for v in corpus().values()} | set(shipped),
    )
    candidates = [n for n in names if "department for" in n.lower()]
    assert line == (
        f"pqtrack: --department: 'department for' matches {len(candidates)} departments: "
        + "; ".join(candidates[:10])
        + ("; ..." if len(candidates) > 10 else "")
    )


def test_an_unknown_department_member_or_topic_is_exit_2(samples: Cli) -> None:
    for args, message in (
        (["--department", "Ministry of Silly Walks"], "--department: no department matches"),
        (["--member", "Nobody Atall"], "--member: no member matches"),
        (["--answered-by", "Nobody Atall"], "--answered-by: no member matches"),
    ):
        result = samples("list", *args)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"pqtrack: {message}")
    result = samples("search", "police", "--topic", "astrology")
    assert result.exit_code == 2
    assert result.stderr == (
        "pqtrack: --topic: unknown topic 'astrology' (known: facial-recognition, immigration, "
        "policing, rural-crime)\n"
    )


def _topic_queries(cli: Cli, name: str) -> tuple[list[str], list[str]]:
    """The topic's queries and its excludes."""
    (topic,) = [t for t in cli.json("topics") if t["name"] == name]
    assert topic["departments"] == []
    return topic["queries"], topic["exclude"]


def _all_of(query: str) -> Callable[[int], bool]:
    """A topic query made of `_any_of` groups, each bare or in parentheses, joined by AND (each
    group may match in a different column, as FTS5's AND does)."""
    groups = [g[1:-1] if g.startswith("(") else g for g in query.split(" AND ")]
    tests = [_any_of(g) for g in groups]
    return lambda qid: all(t(qid) for t in tests)


def _any_of(query: str) -> Callable[[int], bool]:
    """A topic query made only of words, "phrases" and prefix* joined by OR."""
    parts = query.split(" OR ")
    assert all(re.fullmatch(r'"[^"]+"|[\w-]+\*?', p) for p in parts), query
    return lambda qid: any(has(qid, p) for p in parts)


@pytest.mark.parametrize("topic", ["facial-recognition", "immigration"])
def test_topic_filters_return_exactly_the_expected_questions(samples: Cli, topic: str) -> None:
    queries, excluded = _topic_queries(samples, topic)
    tests, outs = [_all_of(q) for q in queries], [_all_of(q) for q in excluded]
    expected = matching(lambda qid: any(t(qid) for t in tests) and not any(o(qid) for o in outs))
    assert set(ids(samples, "list", "--topic", topic)) == expected
    assert set(ids(samples, "search", "government", "--topic", topic)) == expected & matching(
        lambda qid: has(qid, "government")
    )
    if topic == "immigration":
        assert len(expected) > 10


# -- hostile and odd input ---------------------------------------------------------------------

HOSTILE: list[tuple[list[str], int]] = [
    (["search", "covid-19"], 0),
    (["search", "2020/21"], 0),
    (["search", "don't"], 0),
    (["search", '"live facial recognition'], 0),
    (["search", "NEAR("], 0),
    (["search", "NEAR(police crime, 2)"], 0),
    (["search", "*"], 2),
    (["search", "***"], 2),
    (["search", ""], 2),
    (["search", "   "], 2),
    (["search", "NOT police"], 2),
    (["search", "police AND"], 0),
    (["search", "police NOT"], 0),
    (["search", "OR"], 0),
    (["search", "AND AND"], 0),
    (["search", "((("], 2),
    (["search", ")))"], 2),
    (["search", "(" * 12 + "police" + ")" * 12], 2),
    (["search", "heading:police"], 0),
    (["search", "'; DROP TABLE questions; --"], 0),
    (["search", '" OR 1=1 --'], 0),
    (["search", "1); DELETE FROM questions; --"], 0),
    (["search", "police' OR '1'='1"], 0),
    (["search", 'a"b'], 0),
    (["search", "^police {a b} +crime"], 0),
    (["search", "police*crime"], 0),
    (["search", "£"], 2),
    (["search", "🙂"], 2),
    (["search", '"'], 2),
    (["search", "rank bm25 questions_fts"], 0),
    (["search", "x" * 10_000], 2),
    (["search", "police " * 70], 2),
    (["search", "po\x00lice"], 0),
    (["search", "\x00\x00"], 2),
    (["search", "\u202eecilop"], 0),
    (["search", "caf\u00e9 Stra\u00dfe"], 0),
    (["search", "police", "--since", "2025-13-45"], 2),
    (["search", "police", "--until", "2025-02-30"], 2),
    (["search", "police", "--answered-since", "tomorrow"], 2),
    (["search", "police", "--answered-since", "yesterday"], 0),
    (["search", "police", "--since", "7x"], 2),
    (["search", "police", "--since", "2025-13"], 2),
    (["search", "police", "--since", "9" * 40 + "d"], 2),
    (["search", "police", "--since", "999999m"], 2),
    (["search", "police", "--since", "2025-03", "--until", "2025-02"], 2),
    (["list", "--since", "2025-03", "--until", "2025-03"], 0),
    (["search", "police", "--since", ""], 2),
    (["search", "police", "--limit", "0"], 0),  # no limit, as --all
    (["search", "police", "--limit", "-5"], 2),
    (["list", "--limit", "0"], 0),
    (["list", "--limit", "-1"], 2),
    (["list", "--all", "--limit", "5"], 2),
    (["changes", "--all", "--limit", "0"], 2),
    (["repeats", "--all", "--limit", "5"], 2),
    (["stats", "--by", "month", "--limit", "-1"], 2),
    (["search", "police", "--offset", "-1"], 2),
    (["list", "--offset", "-1"], 2),
    (["search", "police", "--offset", "100000"], 0),
    (["search", "police", "--department", "Ministry of Silly Walks"], 2),
    (["search", "police", "--department", ""], 2),
    (["search", "police", "--department", "999999"], 0),
    (["search", "police", "--department", "'; DROP TABLE questions; --"], 2),
    (["search", "police", "--member", "0"], 0),
    (["search", "police", "--member", "%"], 2),
    (["search", "police", "--topic", "nosuch"], 2),
    (["search", "police", "--topic", "../../etc/passwd"], 2),
    (["search", "police", "--house", "parliament"], 2),
    (["search", "police", "--house", "LORDS"], 0),
    (["search", "police", "--status", "maybe"], 2),
    (["search", "police", "--status", "HOLDING"], 0),
    (["search", "police", "--sort", "rank"], 2),
    (["search", "police", "--sort", "relevance"], 0),
    (["list", "--since", "2025-03-01T00:00"], 2),
]


def test_there_are_plenty_of_hostile_cases() -> None:
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize(("args", "code"), HOSTILE, ids=[repr(a)[:60] for a, _ in HOSTILE])
def test_hostile_input_gives_results_or_one_line_never_a_traceback(
    sample_db: Path, args: list[str], code: int
) -> None:
    before = sha256(sample_db)
    result = run(sample_db, *args, "--format", "json")
    assert_clean(result, code)
    if code == 0:
        assert isinstance(json.loads(result.stdout), list)
        assert result.stderr == "" or result.stderr.startswith("pqtrack: ")
    assert sha256(sample_db) == before


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--limit", str(2**64)],
        ["search", "police", "--offset", str(2**63)],
        ["changes", "--limit", str(2**64)],
    ],
)
def test_huge_paging_numbers(sample_db: Path, args: list[str]) -> None:
    result = run(sample_db, *args)
    assert_clean(result, 2)


@pytest.mark.parametrize(
    "args",
    [
        ["--department", "\u00b2"],
        ["--member", "\u00b2"],
        ["--answered-by", "\u00b2"],
        ["--department", str(2**64)],
        ["--member", str(2**64)],
    ],
)
def test_odd_numeric_names(sample_db: Path, args: list[str]) -> None:
    result = run(sample_db, "list", *args)  # fails the test on an exception or a traceback
    assert result.exit_code in (0, 2)


def test_usage_errors_from_click_are_exit_2_without_traceback(sample_db: Path) -> None:
    for args in (["search", "police", "--limit", "lots"], ["list", "--no-such-option"], ["nosuch"]):
        result = run(sample_db, *args)  # fails the test on an exception or a traceback
        assert result.exit_code == 2
        assert "Error" in result.stderr


# -- untrusted text is printed literally and harmlessly -------------------------------------

MARKUP = "[bold red]x[/bold red]"
OSC8 = "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\"


@pytest.fixture
def evil(tmp_path: Path, cli: Cli) -> Cli:
    value = question(
        1900001,
        heading=f"{MARKUP} {OSC8}",
        questionText=f"To ask about {MARKUP} and {OSC8} zebras.",
        answerText=f"<p>Zebras {MARKUP} {OSC8}.</p>",
    )
    assert cli("import", "--quiet", str(write_json(tmp_path / "evil.json", value))).exit_code == 0
    return cli


def _harmless(output: str, *, shows_text: bool = True) -> None:
    assert "\x1b" not in output and "\x9b" not in output and "\x07" not in output
    assert (MARKUP in output) is shows_text


@pytest.mark.parametrize("fmt", ["table", "plain", "csv"])
@pytest.mark.parametrize("command", [["list"], ["search", "zebras"], ["show", "1900001"]])
def test_markup_and_escapes_print_literally_and_harmlessly(
    evil: Cli, command: list[str], fmt: str
) -> None:
    args = command if fmt == "plain" else [*command, "--format", fmt]
    result = evil(*args)
    assert result.exit_code == 0
    _harmless(result.stdout)
    if fmt == "csv":
        (record,) = list(csv.DictReader(io.StringIO(result.stdout)))
        assert record["heading"] == f"{MARKUP} click"


def test_history_and_changes_print_literally_and_harmlessly(evil: Cli) -> None:
    for args, shows_text in (
        (["history", "1900001"], False),  # versions, statuses and field names only
        (["history", "1900001", "--format", "table"], False),
        (["history", "1900001", "--format", "csv"], True),
        (["changes", "--since", "2000-01-01"], True),
        (["changes", "--since", "2000-01-01", "--format", "table"], True),
        (["changes", "--since", "2000-01-01", "--format", "csv"], True),
    ):
        result = evil(*args)
        assert result.exit_code == 0, args
        _harmless(result.stdout, shows_text=shows_text)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_escapes_the_escape_character(evil: Cli, fmt: str) -> None:
    for command in (["list"], ["search", "zebras"], ["show", "1900001"]):
        result = evil(*command, "--format", fmt)
        assert result.exit_code == 0
        assert "\x1b" not in result.stdout
        assert "\\u001b]8;;http://evil" in result.stdout
        record = json.loads(result.stdout.splitlines()[0] if fmt == "jsonl" else result.stdout)
        record = record[0] if isinstance(record, list) else record
        assert record["heading"] == f"{MARKUP} {OSC8}"
        assert record["answer_text"] == f"Zebras {MARKUP} {OSC8}."


def test_the_markdown_digest_escapes_untrusted_text(evil: Cli) -> None:
    result = evil("changes", "--since", "2000-01-01", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("# pqtrack digest\n")
    assert "\x1b" not in result.stdout
    assert "\\[bold red\\]x\\[/bold red\\] click" in result.stdout
    assert MARKUP not in result.stdout


# -- the change feed ---------------------------------------------------------------------------


@pytest.fixture
def two_runs(tmp_path: Path, cli: Cli) -> Cli:
    """One import of a question unanswered, then one in which it is answered and retitled."""
    unanswered = question(
        1900002,
        heading=None,
        answerText=None,
        dateAnswered=None,
        answerIsHolding=None,
        answerIsCorrection=None,
        answeringMemberId=None,
    )
    answered = question(1900002, heading="Level Crossings: Upgrades")
    for n, value in enumerate((unanswered, answered)):
        path = write_json(tmp_path / f"run{n}.json", value)
        assert cli("import", "--quiet", str(path)).exit_code == 0
    return cli


def test_changes_since_last_sync_shows_only_the_latest_run(two_runs: Cli) -> None:
    feed = two_runs.json("changes", "--since", "last-sync")
    assert [(e["event"], e["question_id"]) for e in feed] == [
        ("answered", 1900002),
        ("heading", 1900002),
    ]
    for event in feed:
        assert {"question_id", "uin", "event", "seen_at"} <= set(event)
        assert event["event"] in EVENTS
        assert event["uin"] == "00002"
    everything = two_runs.json("changes", "--since", "2000-01-01")
    assert sorted(e["event"] for e in everything) == ["answered", "heading", "tabled"]
    assert two_runs.json("changes") == everything  # the default: the last 7 days


def test_changes_since_a_date_in_the_future_is_empty(two_runs: Cli) -> None:
    assert two_runs.json("changes", "--since", "2999-01-01") == []
    assert two_runs.json("changes", "--since", "2999-01-01T06:00:00Z") == []


@pytest.mark.parametrize(
    "since", ["2025-13-45", "tomorrow", "7x", "2025-01-01T25:00", "last sync", "", "99999-01-01"]
)
def test_changes_with_a_bad_timestamp_is_exit_2(two_runs: Cli, since: str) -> None:
    from pqtrack.filters import DATE_FORMS

    result = two_runs("changes", "--since", since)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"pqtrack: --since: {since!r} is not a date ({DATE_FORMS}), a timestamp "
        "(2025-03-01T06:00) or last-sync\n"
    )


@pytest.mark.parametrize("since", ["0001-01-01T00:00+05:00", "9999-12-31T23:00-05:00"])
def test_changes_with_an_out_of_range_timestamp_is_exit_2(two_runs: Cli, since: str) -> None:
    result = run(two_runs.db, "changes", "--since", since)
    assert_clean(result, 2)


def test_fail_if_empty(two_runs: Cli) -> None:
    empty = two_runs("changes", "--since", "2999-01-01", "--fail-if-empty", "--format", "json")
    assert (empty.exit_code, empty.stdout) == (3, "[]\n")
    some = two_runs("changes", "--since", "last-sync", "--fail-if-empty", "--format", "json")
    assert some.exit_code == 0 and len(json.loads(some.stdout)) == 2


def test_changes_before_any_run_is_a_clean_error(cli: Cli, db_path: Path) -> None:
    Store.open(db_path).close()
    result = cli("changes", "--since", "last-sync")
    assert result.exit_code == 2
    assert result.stderr == "pqtrack: --since last-sync: nothing has been synced or imported yet\n"


def test_the_markdown_digest(two_runs: Cli) -> None:
    result = two_runs("changes", "--since", "last-sync", "--format", "markdown")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == ["# pqtrack digest", "", "2 changes in the latest sync."]
    assert "## Answered (1)" in lines
    assert "## Headings set or changed (1)" in lines
    url = "https://questions-statements.parliament.uk/written-questions/detail/2025-03-03/00002"
    assert (
        f"- **[00002]({url})** Level Crossings: Upgrades (Department for Transport): "
        + ("(none) → Level Crossings: Upgrades")
        in lines
    )


# -- topics --------------------------------------------------------------------------------------

SHIPPED = ["facial-recognition", "immigration", "policing", "rural-crime"]


def test_topics_lists_the_shipped_ones(cli: Cli) -> None:
    topics = cli.json("topics")
    assert [t["name"] for t in topics] == SHIPPED
    assert {t["source"] for t in topics} == {"shipped"}
    for topic in topics:
        assert topic["description"] and topic["queries"]
    plain = cli("topics")
    assert plain.exit_code == 0
    assert [line.split("\t")[:2] for line in plain.stdout.splitlines()] == [
        ["name", "source"],
        *([name, "shipped"] for name in SHIPPED),
    ]


def test_a_user_topic_comes_from_the_config_dir(tmp_path: Path, cli: Cli) -> None:
    config = tmp_path / "config"
    config.mkdir()
    user = config / "topics.toml"
    user.write_text(
        '[topics.crossings]\ndescription = "Level crossings"\n'
        'queries = [\'"level crossing" OR "level crossings"\']\ndepartments = [27]\n',
        encoding="utf-8",
    )
    topics = {t["name"]: t for t in cli.json("topics")}
    assert sorted(topics) == sorted([*SHIPPED, "crossings"])
    assert topics["crossings"]["source"] == str(user)
    assert topics["crossings"]["departments"] == [27]
    assert topics["policing"]["source"] == "shipped"

    assert (
        cli("import", "--quiet", str(write_json(tmp_path / "q.json", question(1900003)))).exit_code
        == 0
    )
    assert [r["id"] for r in cli.json("list", "--topic", "crossings")] == [1900003]
    assert cli.json("list", "--topic", "facial-recognition") == []


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("this is [not toml", "cannot read topics"),
        ("[topics.empty]\ndescription = 'no queries'\n", "needs a list of query strings"),
        ("[topics.bad]\nqueries = ['x']\ndepartments = ['home office']\n", "must be a list of ids"),
        ("topics = 5\n", "[topics] must be a table"),
    ],
)
def test_a_bad_user_topics_file_is_exit_2(
    tmp_path: Path, cli: Cli, content: str, fragment: str
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "topics.toml").write_text(content, encoding="utf-8")
    result = cli("topics")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"pqtrack: {config / 'topics.toml'}") and fragment in line


@pytest.fixture
def dated_runs(tmp_path: Path, cli: Cli) -> Cli:
    """The question of two_runs, seen unanswered as of 10 January 2025 and answered as of
    10 February."""
    unanswered = question(1900003, answerText=None, dateAnswered=None, answerIsHolding=None,
                          answerIsCorrection=None, answeringMemberId=None)  # fmt: skip
    answered = question(1900003)
    for n, (value, as_of) in enumerate(((unanswered, "2025-01-10"), (answered, "2025-02-10"))):
        path = write_json(tmp_path / f"run{n}.json", value)
        assert cli("import", "--quiet", "--as-of", as_of, str(path)).exit_code == 0
    return cli


@pytest.mark.parametrize(
    ("args", "events"),
    [
        (["--since", "2000-01-01", "--until", "2025-01-31"], ["tabled"]),
        (["--since", "2000-01-01", "--until", "2025-01"], ["tabled"]),  # a month: to its end
        (["--since", "2000-01-01", "--until", "2025-02-10"], ["answered", "tabled"]),
        (["--since", "2025-01-11", "--until", "2025-02-10T00:00:00Z"], ["answered"]),  # inclusive
        (["--since", "2000-01-01", "--until", "2025-01-09T23:59:59"], []),
        (["--until", "2025-01-16"], ["tabled"]),  # no --since: the 7 days before it
        (["--until", "2025-01-18"], []),
        (["--since", "last-sync", "--until", "2025-01-31"], []),  # both apply
    ],
)
def test_changes_until_ends_the_feed(dated_runs: Cli, args: list[str], events: list[str]) -> None:
    assert [e["event"] for e in dated_runs.json("changes", *args)] == events


def test_changes_until_names_the_range_in_the_digest(dated_runs: Cli) -> None:
    result = dated_runs(
        "changes", "--since", "2025-01", "--until", "2025-01", "--format", "markdown"
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[2] == "1 change since 2025-01 until 2025-01."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--since", "2025-02-01", "--until", "2025-01"],
            "--since 2025-02-01T00:00:00+00:00 is after --until 2025-01-31T23:59:59+00:00",
        ),
        (["--until", "7x"], "--until: '7x' is not a date ("),
        (["--until", "9999-12-31T23:00-05:00"], "--until: "),
    ],
)
def test_changes_with_a_bad_or_inverted_until_is_exit_2(
    dated_runs: Cli, args: list[str], message: str
) -> None:
    result = dated_runs("changes", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"pqtrack: {message}") and result.stderr.count("\n") == 1
