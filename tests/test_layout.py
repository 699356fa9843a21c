"""Layout that keeps what matters: tables on narrow terminals keep ids whole and the heading
readable, `show` prints addresses whole, search matches stay visible without colour, and an
empty listing is one line on stderr. The end-to-end checks run pqtrack in a real
pseudo-terminal (the `pty` module) at 40, 80 and 200 columns, with and without NO_COLOR."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from pqtrack import output, views
from pqtrack.record import linked_text
from tests.build import question, write_json
from tests.cli import run

WIDTHS = (40, 80, 200)
_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_COLOURS = re.compile(r"\x1b\[[0-9;]*(?:3[0-7]|4[0-7]|38;|48;)[0-9;]*m")

LINK = "https://www.example.org/reports/waiting-times-2025?part=2&year=2025"
ANSWER = (
    "<p>Waiting times are published monthly.</p>"
    f'<p>The figures are on <a href="{LINK.replace("&", "&amp;")}" target="_blank">the '
    "statistics page</a> and in <a href='mailto:stats@example.org'>a mailbox</a>.</p>"
)
LONG_HEADING = "Hospitals: Waiting Lists and Cancelled Operations"


def _questions() -> list[dict[str, object]]:
    lords = question(
        1900001,
        answered="2025-03-12",
        house="Lords",
        uin="HL12345",
        heading=LONG_HEADING,
        questionText="To ask His Majesty's Government what steps they are taking to reduce "
        "hospital waiting lists.",
        answerText=ANSWER,
        askingMemberId=4519,
        answeringMemberId=5123,
    )
    church = question(
        1900002,
        answered="2025-03-10",
        uin="123456",
        heading="Churches: Repairs",
        answeringBodyId=9,
        answeringBodyName="Church Commissioners",
        questionText="To ask the Member representing the Church Commissioners, what funding "
        "there is for church roof repairs and waiting lists for grants.",
    )
    renamed = question(
        1900003,
        uin="9876",
        answeringBodyId=7,
        answeringBodyName="Department for Communities and Local Government",
        questionText="To ask the Secretary of State for Communities and Local Government, "
        "how many homes were built.",
    )
    return [lords, church, renamed]


IDS = ("1900001", "1900002", "1900003")
URL = "https://questions-statements.parliament.uk/written-questions/detail/2025-03-03/HL12345"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("layout")
    path = folder / "layout.db"
    result = run(path, "import", "--quiet", str(write_json(folder / "q.json", _questions())))
    assert result.exit_code == 0, result.stderr
    return path


@dataclass(frozen=True)
class Screen:
    """What a terminal `width` columns wide showed (style codes kept in `raw`), and stderr."""

    raw: str
    stderr: str
    exit_code: int

    @property
    def text(self) -> str:
        return _SGR.sub("", self.raw)

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.text.split("\n")]


def terminal(db: Path, *args: str, width: int, colour: bool) -> Screen:
    """pqtrack run with stdin and stdout on a pseudo-terminal `width` columns wide (stderr on a
    pipe, apart), as a person at a terminal runs it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, width, 0, 0))
    unset = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TERM")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["TERM"] = "xterm-256color"
    if not colour:
        env["NO_COLOR"] = "1"
    argv = [sys.executable, "-m", "pqtrack", *args, "--db", str(db)]
    with subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env, close_fds=True
    ) as proc:
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other side of the terminal has closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        assert proc.stderr is not None
        stderr = proc.stderr.read().decode()
        code = proc.wait(timeout=60)
    raw = b"".join(chunks).decode().replace("\r\n", "\n")
    assert "Traceback" not in raw + stderr, raw + stderr
    return Screen(raw, stderr, code)


def whole(word: str, text: str) -> bool:
    """`word` appears in `text` with nothing but spaces, line ends or edges on either side."""
    return re.search(rf"(?<![^\s│]){re.escape(word)}(?![^\s│])", text) is not None


EVERY_TERMINAL = pytest.mark.parametrize(
    ("width", "colour"), [(w, c) for w in WIDTHS for c in (False, True)]
)


# -- list and search ---------------------------------------------------------------------------


@EVERY_TERMINAL
def test_list_keeps_ids_whole_and_the_heading_in_whole_words(
    db: Path, width: int, colour: bool
) -> None:
    screen = terminal(db, "list", width=width, colour=colour)
    assert screen.exit_code == 0, screen.stderr
    assert screen.stderr == ""
    assert all(len(line) <= width for line in screen.lines)
    assert [i for i in IDS if whole(i, screen.text)] == list(IDS)
    assert all(whole(word, screen.text) for word in LONG_HEADING.split())
    assert "…" not in screen.text  # nothing shown here is long enough to need cutting
    assert bool(_COLOURS.search(screen.raw)) == colour  # NO_COLOR: no colour at all


def test_list_at_80_columns_names_departments_short_and_keeps_every_column(db: Path) -> None:
    screen = terminal(db, "list", "--house", "lords", width=80, colour=False)
    header = next(line for line in screen.lines if "heading" in line).split()
    assert header == ["id", "uin", "tabled", "status", "dept", "heading"]
    row = next(line for line in screen.lines if line.strip().startswith("1900001")).split()
    assert row[:5] == ["1900001", "HL12345", "2025-03-03", "answered", "DHSC"]
    assert "Department of Health" not in screen.text


def test_list_at_80_columns_leaves_the_uin_out_before_cutting_a_name(db: Path) -> None:
    screen = terminal(db, "list", width=80, colour=False)
    header = next(line for line in screen.lines if "heading" in line).split()
    assert header == ["id", "tabled", "status", "dept", "heading"]
    assert whole("DCLG", screen.text)  # a former name has its short form too
    assert whole("Church", screen.text) and whole("Commissioners", screen.text)  # no short one


def test_list_at_200_columns_names_departments_in_full(db: Path) -> None:
    screen = terminal(db, "list", width=200, colour=False)
    assert "Department of Health and Social Care" in screen.text
    assert "department" in screen.lines[1].split()


def test_list_at_40_columns_leaves_columns_out_whole(db: Path) -> None:
    screen = terminal(db, "list", width=40, colour=False)
    header = next(line for line in screen.lines if "heading" in line).split()
    assert header == ["id", "heading"]
    assert not re.search(r"\b20\d\d-\d\d-?\d?…|HL\d*…", screen.text)


@pytest.mark.parametrize(
    ("width", "names"),
    [
        (80, ["DCLG", "DHSC"]),
        (200, ["Department of Health and Social Care", "Church Commissioners"]),
    ],
)
def test_stats_names_departments_short_when_the_names_do_not_fit(
    db: Path, width: int, names: list[str]
) -> None:
    screen = terminal(db, "stats", "--by", "department", "--no-chart", width=width, colour=False)
    assert screen.exit_code == 0, screen.stderr
    assert all(whole(name, screen.text) for name in names)
    assert all(len(line) <= width for line in screen.lines)
    assert ("Department" in screen.text) == (width == 200)


@EVERY_TERMINAL
def test_search_marks_matches_unlike_the_heading(db: Path, width: int, colour: bool) -> None:
    screen = terminal(db, "search", "waiting", width=width, colour=colour)
    assert screen.exit_code == 0, screen.stderr
    assert [i for i in IDS if whole(i, screen.text)] == ["1900001", "1900002"]
    if colour:  # highlighted on yellow; the heading is bold and has no background
        assert re.search(r"\x1b\[[0-9;]*43m(?:«)?[Ww]aiting", screen.raw)
        assert "«" not in screen.text
        heading = re.search(r"\x1b\[([0-9;]*)mHospitals:", screen.raw)
        assert heading is not None and "43" not in heading.group(1).split(";")
    else:  # no colour: the marks carry the match
        assert "«waiting»" in screen.text


@pytest.mark.parametrize("colour", [False, True])
def test_search_without_hits_is_one_line_on_stderr(db: Path, colour: bool) -> None:
    screen = terminal(db, "search", "submarines", width=80, colour=colour)
    assert (screen.exit_code, screen.text.strip()) == (0, "")
    assert screen.stderr == "pqtrack: no matches for 'submarines'\n"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("list", "--since", "2030-01-01"), "pqtrack: no matches\n"),
        (("changes", "--since", "2030-01-01"), "pqtrack: no changes since 2030-01-01\n"),
    ],
)
def test_an_empty_table_is_one_line_on_stderr(db: Path, args: tuple[str, ...], said: str) -> None:
    screen = terminal(db, *args, width=80, colour=False)
    assert (screen.exit_code, screen.text.strip(), screen.stderr) == (0, "", said)


def test_an_empty_listing_in_a_pipe_keeps_its_header(db: Path) -> None:
    result = run(db, "list", "--since", "2030-01-01")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("id\tuin\t") and result.stdout.count("\n") == 1


# -- show ----------------------------------------------------------------------------------------


@EVERY_TERMINAL
def test_show_prints_the_official_url_and_the_links_whole(
    db: Path, width: int, colour: bool
) -> None:
    screen = terminal(db, "show", "HL12345", width=width, colour=colour)
    assert screen.exit_code == 0, screen.stderr
    lines = screen.lines
    assert URL in lines  # on a line of its own, whole
    assert lines[lines.index(URL) + 1 :][:3] == [
        "Links in the answer:",
        f"[1] {LINK}",
        "[2] mailto:stats@example.org",
    ]
    assert whole("[1]", screen.text) and whole("[2].", screen.text)  # in the answer's text
    assert all(whole(word, screen.text) for word in LONG_HEADING.split())  # never cut
    assert re.search(r"Answered by\s+member 5123", screen.text)
    assert re.search(r"Asked by\s+member 4519", screen.text)


def test_show_in_a_pipe_lists_the_links_under_the_answer(db: Path) -> None:
    result = run(db, "show", "HL12345")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"URL          {URL}" in lines
    assert "The figures are on the statistics page [1] and in a mailbox [2]." in lines
    at = lines.index("Links in the answer")
    assert lines[at + 1 : at + 3] == [f"[1] {LINK}", "[2] mailto:stats@example.org"]
    assert "Answered by  member 5123" in lines


def test_show_json_keeps_the_stored_answer_text(db: Path) -> None:
    result = run(db, "show", "HL12345", "--format", "json")
    answer = json.loads(result.stdout)["answer_text"]
    assert "[1]" not in answer and "the statistics page and in a mailbox." in answer


# -- the pieces ----------------------------------------------------------------------------------


def test_linked_text_numbers_links_once_each() -> None:
    markup = (
        '<p>See <a href="https://a.example/x?i=1&amp;j=2">this</a>, <a href="#top">that</a>, '
        "<A HREF='https://b.example'>b</A> and <a href=https://a.example/x?i=1&j=2>again</a>."
        "</p><table><tr><td><a href='javascript:alert(1)'>js</a></td></tr></table>"
    )
    text, links = linked_text(markup)
    assert text == "See this [1], that, b [2] and again [1].\n\njs"
    assert links == ["https://a.example/x?i=1&j=2", "https://b.example"]
    assert linked_text(None) == ("", [])
    assert linked_text("<p>No links.</p>") == ("No links.", [])


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Department of Health and Social Care", "DHSC"),
        ("department  of health and social care", "DHSC"),
        ("Treasury", "HMT"),
        ("Department for Communities and Local Government", "DCLG"),
        ("Scotland Office", "Scotland Office"),
        ("Church Commissioners", "Church Commissioners"),
        ("A Department Nobody Knows", "A Department Nobody Knows"),
        (None, ""),
    ],
)
def test_short_department(name: str | None, short: str) -> None:
    assert views.short_department(name) == short


@pytest.mark.parametrize("width", range(30, 201, 7))
def test_ids_are_never_cut_at_any_width(width: int) -> None:
    rows = [
        {
            "id": 1_700_000 + n,
            "uin": f"HL{10000 + n}",
            "date_tabled": "2025-03-03",
            "status": "unanswered",
            "answering_body": name,
            "heading": "Supercalifragilistic Expenditure: Regional Development Agencies",
        }
        for n, name in enumerate(
            ["Department for Environment, Food and Rural Affairs", "House of Commons Commission"]
        )
    ]
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False)
    output.write(views.questions_view(), rows, output.Format.table, console)
    text = buffer.getvalue()
    assert all(whole(str(r["id"]), text) for r in rows), text
    assert all(len(line.rstrip()) <= width for line in text.splitlines())


def test_an_unknown_command_is_suggested_once() -> None:
    result = run(None, "lst")
    assert result.exit_code == 2
    assert result.stderr.count("Did you mean 'list'?") == 1


@pytest.mark.parametrize(
    "command",
    [
        "import",
        "show",
        "history",
        "list",
        "search",
        "topics",
        "departments",
        "diff",
        "changes",
        "repeats",
        "stats",
        "sync",
    ],  # fmt: skip
)
def test_help_shows_brackets_as_written(command: str) -> None:
    result = run(None, command, "--help")
    assert result.exit_code == 0
    assert "\\[" not in result.stdout
    if command in ("list", "sync"):
        assert "[env var:" in result.stdout.replace("\n", " ")
