"""Docs that cannot rot: every `$ pqtrack ...` example in README.md prints what the README shows.

Each example runs as the installed `pqtrack`, in a subprocess (the width and the terminal are
decided once per process, so in-process runs could not honour each example's own), against the
database the README's quick start builds from the demo data. A block that imports runs its
commands in order in a fresh database of its own, as its first line ("3000 new") implies.

What is compared, and the only normalisations (applied to both sides):
- the output a reader sees: stdout and stderr as one stream, in the order written; an example
  that shows a table or chart runs as a terminal (`TTY_COMPATIBLE=1`, `NO_COLOR=1`) with
  `COLUMNS` one more than the block's widest line (a table pads its right edge with a space,
  which the README's lines lose), and there stderr is not compared: it holds only the progress
  bars a terminal draws, which a README cannot show;
- the style codes rich still writes under NO_COLOR (bold, dim) are removed, trailing spaces are
  cut, and lines of spaces only (a table's blank top and bottom edges) are dropped;
- a line `…` or `...` on its own stands for output not shown, at the start, middle or end;
- `history` shows when each version was seen, which is when the demo was imported: those
  `YYYY-MM-DD hh:mm` stamps become `<seen>`; the dates of the data itself are compared.
`stats` counts a question as overdue relative to today, but the demo's last deadline is in
April 2026, so from then on its counts no longer move with the clock.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# the number of examples on the day this test was written: a parsing mistake must not make it
# vacuous (raise it when you add examples)
EXAMPLES_AT_LEAST = 10

GAP = ("…", "...")
WRITES = (("import",), ("sync",))  # a block with one of these runs in a database of its own
_FENCE = re.compile(r"^```(\w*)\s*$")
_STYLE = re.compile(r"\x1b\[[0-9;]*m")
_SEEN = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b")
_DRAWN = re.compile(r"─{3,}|[█▒░]")  # a table's rule or a chart's bars: drawn on a terminal


@dataclass(frozen=True)
class Example:
    line: int  # of the `$` line in README.md
    argv: tuple[str, ...]  # after `pqtrack`, the comment stripped
    expected: tuple[str, ...]
    block: int  # line of the opening fence
    width: int  # the block's widest line

    @property
    def id(self) -> str:
        return shlex.join(self.argv)

    @property
    def terminal(self) -> bool:
        return any(_DRAWN.search(line) for line in self.expected)


def readme_examples(text: str) -> list[Example]:
    """Every `$ pqtrack` line in a console or plain fenced block, with the lines it shows."""
    examples: list[Example] = []
    lines = text.splitlines()
    fence: int | None = None
    body: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        match = _FENCE.match(line)
        if match and fence is None:
            fence, body = (number if match.group(1) in ("", "console") else -number), []
        elif line.startswith("```") and fence is not None:
            if fence > 0:
                examples += _block_examples(fence, body)
            fence = None
        elif fence is not None:
            body.append((number, line))
    return examples


def _block_examples(fence: int, body: list[tuple[int, str]]) -> list[Example]:
    width = max((len(line) for _, line in body), default=0)
    starts = [i for i, (_, line) in enumerate(body) if line.startswith("$ ")]
    examples = []
    for k, start in enumerate(starts):
        number, line = body[start]
        words = shlex.split(line[2:], comments=True)
        if not words or words[0] != "pqtrack":
            continue
        end = starts[k + 1] if k + 1 < len(starts) else len(body)
        shown = tuple(text for _, text in body[start + 1 : end])
        examples.append(Example(number, tuple(words[1:]), shown, fence, width))
    return examples


EXAMPLES = readme_examples(README.read_text(encoding="utf-8"))


def quick_start_imports() -> list[list[str]]:
    """The `pqtrack import ...` commands of the README's quick start, in order."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", text, re.S | re.M)
    assert section is not None, "README.md has no '## Quick start' section"
    code = re.findall(r"^```\w*\n(.*?)^```", section.group(1), re.S | re.M)
    commands = []
    for line in "".join(code).splitlines():
        for part in line.split("&&"):
            words = shlex.split(part, comments=True)
            if words[:2] == ["pqtrack", "import"]:
                commands.append(words[1:])
    assert commands, "the quick start imports nothing"
    return commands


# -- running pqtrack as the README's reader does -----------------------------------------------


def pqtrack_command() -> list[str]:
    script = Path(sys.executable).with_name("pqtrack")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pqtrack"]


@dataclass(frozen=True)
class Ran:
    output: str  # what the reader sees (stdout alone when run as a terminal)
    code: int


def run(workdir: Path, db: Path, argv: tuple[str, ...] | list[str], *, width: int = 0) -> Ran:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PQTRACK_")}
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES"):
        env.pop(name, None)
    env |= {
        "PQTRACK_CONFIG_DIR": str(workdir / "config"),  # no user topics
        "XDG_DATA_HOME": str(workdir / "xdg-data"),
        "NO_COLOR": "1",
        "TERM": "xterm",  # not "dumb": rich draws a dumb terminal 80 wide whatever COLUMNS says
        "PYTHONUNBUFFERED": "1",  # stderr and stdout reach the shared pipe in the order written
        "PYTHONIOENCODING": "utf-8",
    }
    if width:
        env |= {"TTY_COMPATIBLE": "1", "COLUMNS": str(width)}
    done = subprocess.run(
        [*pqtrack_command(), *argv, "--db", str(db)],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if width else subprocess.STDOUT,
        timeout=60,
    )
    output = done.stdout.decode("utf-8")
    assert "Traceback" not in output + (done.stderr or b"").decode("utf-8", "replace")
    return Ran(output, done.returncode)


def workdir_for(root: Path) -> Path:
    """A directory like the reader's checkout: `data/` from the project, and the reader's
    `bad.json` (a file whose first record has no valid integer id, as the import example says)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "data").symlink_to(ROOT / "data", target_is_directory=True)
    (root / "bad.json").write_text('[{"id": "x"}]\n', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def quick_start_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    workdir = workdir_for(tmp_path_factory.mktemp("readme") / "reader")
    db = workdir / "pqtrack.db"
    for argv in quick_start_imports():
        ran = run(workdir, db, argv)
        assert ran.code == 0, ran.output
    return workdir, db


class WritingBlocks:
    """Blocks that import: all of a block's examples, in order, in a fresh database (run once)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.outputs: dict[int, dict[int, Ran]] = {}

    def output(self, example: Example) -> Ran:
        block = example.block
        if block not in self.outputs:
            workdir = workdir_for(self.root / f"block-{block}")
            db = workdir / "pqtrack.db"
            self.outputs[block] = {
                e.line: run(workdir, db, e.argv, width=_width(e))
                for e in EXAMPLES
                if e.block == block
            }
        return self.outputs[block][example.line]


@pytest.fixture(scope="module")
def writing_blocks(tmp_path_factory: pytest.TempPathFactory) -> WritingBlocks:
    return WritingBlocks(tmp_path_factory.mktemp("blocks"))


def _width(example: Example) -> int:
    return example.width + 1 if example.terminal else 0


# -- comparing --------------------------------------------------------------------------------


def normalised(lines: list[str] | tuple[str, ...], example: Example) -> list[str]:
    kept = []
    for line in lines:
        line = _STYLE.sub("", line)
        if line and not line.strip(" "):
            continue  # a table's blank edge
        if example.argv[:1] == ("history",):
            line = _SEEN.sub("<seen>", line)
        kept.append(line.rstrip())
    return kept


def as_shown(actual: list[str], expected: list[str]) -> list[str]:
    """The actual lines cut where the README cuts them: each `…` takes the place of the lines it
    stands for (up to where the README's next shown line appears). Equal to `expected` exactly
    when every shown line is printed, in order, with nothing else unaccounted for; otherwise the
    difference is what pytest prints."""
    result: list[str] = []
    pos = 0
    i = 0
    while i < len(expected):
        if expected[i] in GAP:
            following = []
            j = i + 1
            while j < len(expected) and expected[j] not in GAP:
                following.append(expected[j])
                j += 1
            result.append(expected[i])
            pos = _find(actual, following, pos) if following else len(actual)
            i += 1
        else:
            if pos < len(actual):
                result.append(actual[pos])
            pos += 1
            i += 1
    return result + actual[pos:]


def _find(actual: list[str], lines: list[str], start: int) -> int:
    """Where `lines` next appear in `actual` from `start`; else where their first line does
    (so the difference shows); else `start`."""
    for size in (len(lines), 1):
        for k in range(start, len(actual) - size + 1):
            if actual[k : k + size] == lines[:size]:
                return k
    return start


# -- the tests --------------------------------------------------------------------------------


def test_the_readme_has_as_many_examples_as_ever() -> None:
    assert len(EXAMPLES) >= EXAMPLES_AT_LEAST, [e.id for e in EXAMPLES]
    assert all(e.expected for e in EXAMPLES), "an example that shows no output"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_readme_example_prints_what_the_readme_shows(
    example: Example, request: pytest.FixtureRequest
) -> None:
    if any(e.argv[:1] in WRITES for e in EXAMPLES if e.block == example.block):
        ran = request.getfixturevalue("writing_blocks").output(example)
    else:
        workdir, db = request.getfixturevalue("quick_start_db")
        ran = run(workdir, db, example.argv, width=_width(example))
    actual = normalised(ran.output.splitlines(), example)
    expected = normalised(example.expected, example)
    assert as_shown(actual, expected) == expected, f"README.md line {example.line}"
