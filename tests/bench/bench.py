"""Speed figures for pqtrack: import, search and list, the sync request budget, analysis.

    python tests/bench/bench.py                       # 200,000 generated questions, all sections
    python tests/bench/bench.py --n 1000000           # the 1M figures the targets are set at
    python tests/bench/bench.py --only search,sync --keep /tmp/pqbench

It prints figures beside their targets (PASS/MISS) and asserts nothing; pytest does not collect
it. Everything it writes goes to a temporary directory that is deleted at the end, unless
--keep DIR is given: then the generated file and the database are left there and reused by the
next run with the same --n and --seed (a reused database is re-imported only by the import
section). A 1M-question database takes about 3 GB.

Sections:

import    `pqtrack import --quiet` (the CLI, end to end) of a generated JSON Lines file into a
          fresh database, then the same file again (every question unchanged).
search    in-process latency of `search.search` / `search.list_records` (limit 50, as the
          CLI): newest-first search, ranked search of selective and of very common words (the
          relevance guard), list with filters; then `pqtrack search ... --format json` and
          `pqtrack --version` as processes (wall time, median of 10).
sync      ~400 questions answered and ~20 written statements made on each of 14 days served by
          tests/fakeapi.py over HTTP on 127.0.0.1; one sync of those days into a fresh
          database, then the same sync again (statement requests counted apart).
peer      `pqtrack search Q --format json` against `sqlite-utils search` on a database that
          `sqlite-utils insert` and `enable-fts` built from the same file: whole processes,
          alternated, the median ratio of their times.
analysis  `repeat_groups` (exact, then near=0.9, each twice) and `stats` by department and by
          month over the whole database; the first exact call also derives the answer facts,
          the first near call the near facts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("import", "search", "peer", "sync", "analysis")
LIMIT = 50  # the CLI's default --limit
RUNS = 3  # timed runs per in-process query (after one warm-up); the query's figure is the median
CLI_RUNS = 10

# Filters are given as the CLI's options (names resolved the way the CLI resolves them).
Opts = dict[str, str]


# -- the report ----------------------------------------------------------------------------------


@dataclass
class Row:
    section: str
    measure: str
    figure: str
    target: str = ""
    ok: bool | None = None  # None: no target, just a figure


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self, section: str, measure: str, figure: str, target: str = "", ok: bool | None = None
    ) -> None:
        self.rows.append(Row(section, measure, figure, target, ok))
        verdict = "" if ok is None else ("  PASS" if ok else "  MISS")
        say(f"  {measure}: {figure}{'  (target ' + target + ')' if target else ''}{verdict}")

    def note(self, text: str) -> None:
        self.notes.append(text)

    def render(self) -> str:
        heads = ("section", "measure", "figure", "target", "")
        cells = [
            (
                r.section,
                r.measure,
                r.figure,
                r.target,
                "" if r.ok is None else "PASS" if r.ok else "MISS",
            )
            for r in self.rows
        ]
        widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        previous = ""
        for c in cells:
            section = c[0] if c[0] != previous else ""
            previous = c[0]
            row = (section, *c[1:])
            lines.append("  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())
        return "\n".join(lines)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:,.1f} s" if seconds >= 10 else f"{seconds:.2f} s"


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


# -- machine -------------------------------------------------------------------------------------


def machine() -> list[str]:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024**2:.1f} GiB RAM"
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    from pqtrack import __version__

    fts = sqlite3.connect(":memory:")
    compile_options = {r[0] for r in fts.execute("PRAGMA compile_options")}
    fts.close()
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"machine: nproc {usable} (cpu_count {os.cpu_count()}), {model}{memory}, "
        f"{platform.system()} {platform.release()}",
        f"python {platform.python_version()} ({sys.executable}); SQLite {sqlite3.sqlite_version}"
        f" (FTS5 {'yes' if 'ENABLE_FTS5' in compile_options else 'no'});"
        f" pqtrack {__version__} at git {commit}",
        f"load average at start: {load}",
    ]


# -- the workspace -------------------------------------------------------------------------------


@dataclass
class Work:
    dir: Path
    n: int
    seed: int
    keep: bool
    _count: int | None = None

    @property
    def jsonl(self) -> Path:
        return self.dir / f"questions-{self.n}-seed{self.seed}.jsonl"

    @property
    def db(self) -> Path:
        return self.dir / f"bench-{self.n}-seed{self.seed}.db"

    def questions_file(self, report: Report) -> tuple[Path, int]:
        """The generated file, written once per workspace."""
        if self.jsonl.exists() and self._count is None:
            with self.jsonl.open("rb") as f:
                self._count = sum(1 for _ in f)
            say(f"reusing {self.jsonl} ({self._count:,} questions)")
        if self._count is None:
            from tests.bench.generate import generate, write

            say(f"generating {self.n:,} questions into {self.jsonl} ...")
            part = self.jsonl.with_suffix(".part")
            with timer() as took, part.open("w", encoding="utf-8") as out:
                self._count = write(generate(self.n, self.seed), out)
            part.rename(self.jsonl)
            size = self.jsonl.stat().st_size / 1e6
            report.add("setup", "generate the JSON Lines file", f"{secs(took())}, {size:,.0f} MB")
        return self.jsonl, self._count

    def database(self, report: Report) -> Path:
        """A database holding the generated questions (imported in-process, untimed, if none)."""
        if self.db.exists():
            return self.db
        path, count = self.questions_file(report)
        from pqtrack.importer import import_files
        from pqtrack.store import Store

        say(f"building {self.db} (not a timed figure) ...")
        store = Store.open(self.db)
        try:
            import_files(store, [path])
        finally:
            store.close()
        return self.db


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def pqtrack_command() -> list[str]:
    script = Path(sys.executable).parent / "pqtrack"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pqtrack"]


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall time of one pqtrack process, and its stderr; a failure stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(
        [*pqtrack_command(), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"pqtrack {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return took, done.stderr


# -- import --------------------------------------------------------------------------------------


def bench_import(work: Work, report: Report, env: dict[str, str]) -> None:
    say("== import")
    path, count = work.questions_file(report)
    remove_db(work.db)
    target = 10_000
    for label, expect in (("fresh database", "new"), ("same file again", "unchanged")):
        took, _ = run_cli(["import", "--quiet", "--db", str(work.db), str(path)], env)
        rate = count / took
        size = work.db.stat().st_size / 1e9
        counts = last_run_counts(work.db)
        ok = rate >= target if expect == "new" else None
        report.add(
            "import",
            f"pqtrack import, {label} ({count:,} q)",
            f"{rate:,.0f} q/s ({secs(took)}; db {size:.2f} GB)",
            f">= {target:,} q/s" if expect == "new" else "",
            ok,
        )
        if counts.get(expect) != count:
            report.note(f"import ({label}): expected {count:,} {expect}, the run recorded {counts}")


def last_run_counts(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT counts FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return dict(json.loads(row[0])) if row and row[0] else {}


# -- search and list -----------------------------------------------------------------------------

SELECTIVE = (
    "watchlist", "spyware", "ransomware", "whisky", "clergy",
    "sandbags", "geothermal", "stablecoins", "seagrass", "shoplifting",
)  # fmt: skip

NEWEST: list[tuple[str, Opts]] = [
    # selective words
    ("watchlist", {}),
    ("spyware", {}),
    ("ransomware", {}),
    ("whisky", {}),
    ("clergy", {}),
    # phrases
    ('"live facial recognition"', {}),
    ('"small boats"', {}),
    ('"bovine tuberculosis"', {}),
    ('"universal credit"', {}),
    ('"hospital waiting lists"', {}),
    # boolean
    ("asylum AND accommodation", {}),
    ('potholes OR "rail fares"', {}),
    ('homelessness NOT "council tax"', {}),
    ('"facial recognition" AND (police OR watchlist*)', {}),
    ("(hydrogen OR geothermal) AND NOT biomethane", {}),
    ("deepfakes OR ransomware OR spyware", {}),
    ("government AND department AND support", {}),
    ("vaccin* NOT covid", {}),
    # prefix and punctuation
    ("vaccin*", {}),
    ("biometric*", {}),
    ("decarbonis*", {}),
    ("sanction*", {}),
    ("pension*", {}),
    ("covid-19", {}),
    ("2020/21", {}),
    # very common words
    ("government", {}),
    ("department", {}),
    ("support", {}),
    ("people", {}),
    ('"the Government"', {}),
    # with filters
    ("watchlist", {"since": "2025-01-01"}),
    ('"small boats"', {"department": "Home Office"}),
    ("government", {"house": "lords"}),
    ("government", {"status": "holding"}),
    ("government", {"since": "2026-01-01"}),
    ("department", {"department": "Church Commissioners"}),
    ("support", {"status": "withdrawn"}),
    ("government", {"until": "2019-03-31"}),
    ("shoplifting", {"house": "commons", "status": "answered"}),
    ('"universal credit"', {"since": "2024-07-05", "department": "work and pensions"}),
    ("people", {"topic": "immigration"}),
    ("government", {"topic": "facial-recognition"}),
    ("asylum", {"topic": "immigration", "since": "2025-01-01"}),
    ("police*", {"topic": "policing"}),
    ('"rural crime"', {"topic": "rural-crime"}),
    ('"net zero" OR "heat pumps"', {"department": "energy security"}),
    ("government", {"status": "unanswered", "house": "lords"}),
    ("funding", {"answered_since": "2025-06-01"}),
    ('"free school meals"', {"status": "holding"}),
    ("watchlist* OR biometric*", {"house": "lords"}),
]

RANKED_SELECTIVE: list[tuple[str, Opts]] = [
    (word, opts)
    for word in SELECTIVE
    for opts in (
        {},
        {"since": "2024-01-01"},
        {"house": "lords"},
        {"status": "answered"},
        {"department": "Home Office"},
    )
]

RANKED_COMMON: list[tuple[str, Opts]] = [
    ("government", {}),
    ("department", {}),
    ("support", {}),
    ("people", {}),
    ('"the Government"', {}),
    ("government AND support", {}),
    ("government", {"since": "2025-01-01"}),
    ("department", {"house": "commons"}),
    ("support", {"status": "answered"}),
    ("government OR department", {}),
    ("government", {"until": "2019-03-31"}),
    ("support", {"status": "withdrawn"}),
]


def list_specs(conn: sqlite3.Connection) -> list[tuple[Opts, int]]:
    """Filter combinations for `list` (with an offset for a few), members taken from the data."""
    askers = [
        str(r[0])
        for r in conn.execute(
            "SELECT asking_member_id, count(*) FROM questions WHERE asking_member_id IS NOT NULL"
            " GROUP BY 1 ORDER BY 2 DESC"
        )
    ]
    minister = conn.execute(
        "SELECT answering_member_id, count(*) FROM questions WHERE answering_member_id IS NOT"
        " NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    ).fetchone()
    specs: list[tuple[Opts, int]] = [
        ({}, 0),
        ({"since": "2026-01-01"}, 0),
        ({"until": "2019-03-31"}, 0),
        ({"since": "2019-06-01", "until": "2019-06-30"}, 0),
        ({"department": "Home Office"}, 0),
        ({"department": "Church Commissioners"}, 0),
        ({"department": "Treasury", "since": "2025-01-01"}, 0),
        ({"department": "Wales Office", "until": "2020-12-31"}, 0),
        ({"house": "lords"}, 0),
        ({"house": "commons", "since": "2025-06-01"}, 0),
        ({"status": "withdrawn"}, 0),
        ({"status": "holding"}, 0),
        ({"status": "unanswered"}, 0),
        ({"status": "corrected"}, 0),
        ({"status": "answered"}, 0),
        ({"house": "lords", "status": "holding"}, 0),
        ({"house": "lords", "status": "withdrawn"}, 0),
        ({"department": "Church Commissioners", "status": "withdrawn"}, 0),
        ({"department": "Home Office", "status": "corrected", "since": "2024-01-01"}, 0),
        ({"topic": "immigration"}, 0),
        ({"topic": "policing"}, 0),
        ({"topic": "facial-recognition"}, 0),
        ({"topic": "rural-crime"}, 0),
        ({"topic": "immigration", "status": "holding"}, 0),
        ({"topic": "rural-crime", "until": "2019-12-31"}, 0),
        ({"answered_since": "2026-03-01"}, 0),
        ({"answered_until": "2019-06-30"}, 0),
        ({"answered_since": "2025-01-01", "answered_until": "2025-01-31"}, 0),
        ({"since": "2024-07-05", "department": "work and pensions", "house": "commons"}, 0),
        ({}, 1_000),
        ({}, 10_000),
        ({"department": "Home Office"}, 5_000),
        ({"status": "holding"}, 1_000),
    ]
    if askers:
        specs += [({"member": askers[0]}, 0), ({"member": askers[-1]}, 0)]
        specs += [({"member": askers[len(askers) // 2], "since": "2025-01-01"}, 0)]
    if minister:
        specs += [({"answered_by": str(minister[0])}, 0)]
    return specs


def describe(query: str | None, opts: Opts, offset: int = 0) -> str:
    parts = [query] if query is not None else []
    parts += [
        f"--{k.replace('_', '-')} {v!r}" if " " in v else f"--{k.replace('_', '-')} {v}"
        for k, v in opts.items()
    ]
    if offset:
        parts.append(f"--offset {offset}")
    return " ".join(parts) or "(no filters)"


@dataclass
class Timing:
    label: str
    seconds: float  # median of RUNS after a warm-up, filters resolved as the CLI does included
    resolve: float  # of which resolving the filters (department names, topics)
    results: int
    note: str | None = None


# One call: (results, guard note, seconds spent resolving filters).
Call = Callable[[], tuple[int, str | None, float]]


def time_call(label: str, fn: Call) -> Timing:
    results, note, _ = fn()  # warm-up
    runs, resolves = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        results, note, resolve = fn()
        runs.append(time.perf_counter() - start)
        resolves.append(resolve)
    timing = Timing(label, statistics.median(runs), statistics.median(resolves), results, note)
    say(
        f"    {ms(timing.seconds):>10} (filters {ms(timing.resolve):>8})  {results:>3} hits  "
        f"{label}{'  [' + note + ']' if note else ''}"
    )
    return timing


def bench_search(work: Work, report: Report, env: dict[str, str]) -> None:
    say("== search and list")
    from pqtrack import filters, search
    from pqtrack.connect import reading

    db = work.database(report)
    with reading(db) as conn:
        count = conn.execute("SELECT count(*) FROM questions").fetchone()[0]
        say(f"  {count:,} questions in {db}")

        def searcher(query: str, opts: Opts, relevance: bool, exact: bool) -> Call:
            def run() -> tuple[int, str | None, float]:
                start = time.perf_counter()
                resolved_filters = filters.resolve(conn, **opts)
                resolved = time.perf_counter() - start
                result = search.search(
                    conn, query, resolved_filters, limit=LIMIT, relevance=relevance, exact=exact
                )
                return len(result.records), result.note, resolved

            return run

        def lister(opts: Opts, offset: int) -> Call:
            def run() -> tuple[int, str | None, float]:
                start = time.perf_counter()
                resolved_filters = filters.resolve(conn, **opts)
                resolved = time.perf_counter() - start
                records = search.list_records(conn, resolved_filters, limit=LIMIT, offset=offset)
                return len(records), None, resolved

            return run

        groups: list[tuple[str, str, float, list[Timing]]] = []
        words = [(query, opts) for query, opts in NEWEST if query.isalpha()]
        for name, specs, relevance, exact, target in (
            ("newest-first search, stemming on", NEWEST, False, False, 0.010),
            ("newest-first search, stemming off (--exact)", NEWEST, False, True, 0.010),
            ("newest-first search, one plain word, stemming on", words, False, False, 0.010),
            ("ranked search, selective word", RANKED_SELECTIVE, True, False, 0.050),
            ("ranked search, very common word", RANKED_COMMON, True, False, 0.300),
        ):
            say(f"  {name}: {len(specs)} queries ...")
            timings = [
                time_call(describe(query, opts), searcher(query, opts, relevance, exact))
                for query, opts in specs
            ]
            groups.append((name, "search", target, timings))
        specs_list = list_specs(conn)
        say(f"  list with filters: {len(specs_list)} filter sets ...")
        list_timings = [
            time_call(describe(None, opts, offset), lister(opts, offset))
            for opts, offset in specs_list
        ]
        groups.append(("list with filters", "list", 0.300, list_timings))

        every: list[Timing] = []
        for name, _kind, target, timings in groups:
            every += timings
            values = [t.seconds for t in timings]
            p95 = percentile(values, 0.95)
            report.add(
                "search",
                f"{name}: p50 / p95 / max ({len(values)} q)",
                f"{ms(percentile(values, 0.5))} / {ms(p95)} / {ms(max(values))}",
                f"p95 <= {target * 1000:.0f} ms",
                p95 <= target,
            )
            bare = [t.seconds - t.resolve for t in timings]
            if max(t.resolve for t in timings) > 0.001:
                report.add(
                    "search",
                    "  ... not counting filter resolution",
                    f"{ms(percentile(bare, 0.5))} / {ms(percentile(bare, 0.95))} / {ms(max(bare))}",
                )
            if name.startswith("ranked search, very common"):
                fell_back = sum(1 for t in timings if t.note)
                report.add(
                    "search",
                    "  ... of which the guard fell back to newest first",
                    f"{fell_back} of {len(timings)}",
                )
        values = [t.seconds for t in every]
        p95 = percentile(values, 0.95)
        report.add(
            "search",
            f"any in-process query: p95 / max ({len(values)} q)",
            f"{ms(p95)} / {ms(max(values))}",
            "p95 <= 300 ms",
            p95 <= 0.300,
        )
        slowest = sorted(every, key=lambda t: -t.seconds)[:10]
        report.note(
            "slowest in-process queries (median of "
            f"{RUNS} after a warm-up; limit {LIMIT}):\n"
            + "\n".join(
                f"    {ms(t.seconds):>10} (filters {ms(t.resolve):>8})  {t.results:>3} hits"
                f"  {t.label}" + (f"  [{t.note}]" if t.note else "")
                for t in slowest
            )
        )
        for name, kind, _target, timings in groups:
            worst = max(timings, key=lambda t: t.seconds)
            report.note(f"slowest {name}: {ms(worst.seconds)}  {kind} {worst.label}")
        resolving = max(every, key=lambda t: t.resolve)
        report.note(
            f"slowest filter resolution (filters.resolve): {ms(resolving.resolve)} for"
            f" {resolving.label}"
        )

    say("  CLI processes ...")
    cli_queries = [
        ("selective word", ["search", "watchlist"]),
        (
            "phrase, department, since",
            ["search", '"live facial recognition"', "-d", "Home Office", "--since", "2024-01-01"],
        ),
        ("common word, since", ["search", "government", "--since", "2025-01-01"]),
    ]
    for label, args in cli_queries:
        runs = []
        for _ in range(CLI_RUNS):
            # the first LIMIT hits, as the target was set: JSON now carries every match unless told
            command = [*args, "--db", str(db), "--format", "json", "--limit", str(LIMIT)]
            took, _stderr = run_cli(command, env)
            runs.append(took)
        median = statistics.median(runs)
        report.add(
            "search",
            f"CLI search --format json --limit {LIMIT}, {label}",
            f"{ms(median)} (median of {CLI_RUNS}; max {ms(max(runs))})",
            "<= 300 ms",
            median <= 0.300,
        )
        shown = " ".join(shell_word(a) for a in args)
        report.note(f"CLI search, {label}: pqtrack {shown} --db DB --format json --limit {LIMIT}")
    runs = [run_cli(["--version"], env)[0] for _ in range(CLI_RUNS)]
    report.add(
        "search",
        "pqtrack --version (start-up)",
        f"{ms(statistics.median(runs))} (median of {CLI_RUNS})",
    )


def shell_word(text: str) -> str:
    return f"'{text}'" if any(c in text for c in ' "*()') else text


# -- sync ----------------------------------------------------------------------------------------

SYNC_FIRST = dt.date(2026, 3, 2)
SYNC_DAYS = 14
SYNC_PER_DAY = 400
SYNC_STATEMENTS_PER_DAY = 20


def sync_statements(seed: int) -> list[dict[str, Any]]:
    """~20 written statements made on each of the 14 days, most longer than the list's cut."""
    from tests.bench.generate import generate
    from tests.build import statement

    texts = generate(SYNC_DAYS * SYNC_STATEMENTS_PER_DAY, seed + 1)
    values = []
    sid = 5_000_000
    for day in range(SYNC_DAYS):
        made = SYNC_FIRST + dt.timedelta(days=day)
        for n in range(SYNC_STATEMENTS_PER_DAY):
            sid += 1
            text = next(texts)
            body = text.get("answerText") or f"<p>{text['questionText']}</p>"
            lords = n % 3 == 0
            values.append(
                statement(
                    sid,
                    uin=f"{'HL' if lords else 'HC'}WS{sid % 10_000}",
                    made=made.isoformat(),
                    text=body,
                    house="Lords" if lords else "Commons",
                    title=text.get("heading") or f"Statement {sid}",
                    answeringBodyId=text["answeringBodyId"],
                    answeringBodyName=text["answeringBodyName"],
                )
            )
    return values


def sync_questions(seed: int) -> list[dict[str, Any]]:
    """~400 questions answered on each of 14 days, tabled 1-12 days before, 1% corrected; texts
    from the generator so that list items are cut at 255 characters as the API cuts them."""
    from tests.bench.generate import generate
    from tests.build import question

    rng = random.Random(seed)
    last = SYNC_FIRST + dt.timedelta(days=SYNC_DAYS - 1)
    texts = generate(SYNC_DAYS * SYNC_PER_DAY, seed)
    values = []
    qid = 3_000_000
    for day in range(SYNC_DAYS):
        answered = SYNC_FIRST + dt.timedelta(days=day)
        for _ in range(SYNC_PER_DAY):
            qid += 1
            text = next(texts)
            tabled = answered - dt.timedelta(days=rng.randint(1, 12))
            corrected = answered + dt.timedelta(days=2)
            is_corrected = rng.random() < 0.01 and corrected <= last
            lords = text["house"] == "Lords"
            fields: dict[str, Any] = {
                "house": text["house"],
                "uin": f"HL{qid % 100_000}" if lords else str(qid % 100_000),
                "dateTabled": f"{tabled.isoformat()}T00:00:00",
                "dateForAnswer": f"{(tabled + dt.timedelta(days=7)).isoformat()}T00:00:00",
                "questionText": text["questionText"],
                "answeringBodyId": text["answeringBodyId"],
                "answeringBodyName": text["answeringBodyName"],
                "askingMemberId": text["askingMemberId"],
            }
            value = question(
                qid,
                answered=answered.isoformat(),
                corrected=corrected.isoformat() if is_corrected else None,
                **fields,
            )
            if text.get("answerText"):
                value["answerText"] = text["answerText"]
                value["heading"] = text.get("heading") or value["heading"]
            values.append(value)
    return values


def bench_sync(work: Work, report: Report) -> None:
    say("== sync")
    from pqtrack.client import ParliamentClient, make_http_client
    from pqtrack.store import Store
    from pqtrack.sync import Scope, sync
    from tests.fakeapi import FakeApi

    values = sync_questions(work.seed)
    statements = sync_statements(work.seed)
    last = SYNC_FIRST + dt.timedelta(days=SYNC_DAYS - 1)
    db = work.dir / "bench-sync.db"
    remove_db(db)
    say(f"  serving {len(values):,} questions answered and {len(statements):,} statements made"
        f" {SYNC_FIRST} .. {last}")  # fmt: skip
    with FakeApi(values, statements=statements) as fake:
        store = Store.open(db)
        try:
            for label in ("first sync, fresh database", "second sync, nothing changed"):
                fake.requests.clear()
                http = make_http_client()
                client = ParliamentClient(http, base_url=fake.url, rate=0, sleep=lambda _s: None)
                with timer() as took:
                    result = sync(
                        store, client, scopes=[Scope()], since=SYNC_FIRST, until=last, today=last
                    )
                http.close()
                lists, details = fake.count("list"), fake.count("detail")
                s_lists, s_details = fake.count("statement_list"), fake.count("statement_detail")
                s_changed = result.statements.new + result.statements.changed
                report.add(
                    "sync",
                    f"{label}: statements, list + detail requests",
                    f"{s_lists:,} + {s_details:,} = {s_lists + s_details:,}"
                    f" ({s_changed:,} new/changed)",
                    f"details <= {s_changed:,}",
                    s_details <= s_changed,
                )
                lists, details = lists + s_lists, details + s_details
                changed = result.counts.new + result.counts.changed
                budget = 1_000 + changed
                report.add(
                    "sync",
                    f"{label}: list + detail = total requests",
                    f"{lists:,} + {details:,} = {lists + details:,} ({secs(took())}; "
                    f"{result.windows} windows, {changed:,} new/changed)",
                    f"<= 1,000 + {changed:,}",
                    lists <= 1_000 and details <= changed and lists + details <= budget,
                )
                if client.requests != lists + details:
                    report.note(
                        f"sync ({label}): the client counted {client.requests} requests, the"
                        f" fake API saw {lists + details}"
                    )
                if not result.ok:
                    report.note(f"sync ({label}) did not finish cleanly: {result.failed[:3]}")
        finally:
            store.close()
    remove_db(db)


# -- analysis ------------------------------------------------------------------------------------


def bench_analysis(work: Work, report: Report) -> None:
    say("== analysis")
    from pqtrack import facts
    from pqtrack.analysis import repeats, timeliness
    from pqtrack.filters import Filters
    from pqtrack.store import Store

    db = work.database(report)
    store = Store.open(db, must_exist=True)
    target = 30.0
    try:
        conn = store.db.conn
        count = conn.execute("SELECT count(*) FROM questions").fetchone()[0]
        if conn.execute("SELECT 1 FROM answer_facts LIMIT 1").fetchone():
            say("  dropping the answer and near facts so that first runs derive them again ...")
            with store.transaction():
                conn.execute("DELETE FROM answer_facts")
                conn.execute("DELETE FROM near_facts")
            # Settle the log those deletions wrote, as a real first run finds the database.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        def timed(label: str, call: Callable[[], list[Any]]) -> None:
            with timer() as took:
                rows = call()
            report.add(
                "analysis",
                label,
                f"{secs(took())} ({len(rows)} rows)",
                f"<= {target:.0f} s",
                took() <= target,
            )

        def first_run(label: str, what: str, near: float | None) -> None:
            """A first run, and apart the time until its last batch of facts was written."""
            derived_at: list[float] = []
            start = time.perf_counter()
            facts.refresh(
                store,
                lambda *_: derived_at.append(time.perf_counter()),
                near=near is not None,
            )
            groups = repeats.repeat_groups(store, Filters(), near=near)
            took = time.perf_counter() - start
            report.add(
                "analysis",
                label,
                f"{secs(took)} ({len(groups)} groups shown)",
                f"<= {target:.0f} s",
                took <= target,
            )
            derive = (derived_at[-1] - start) if derived_at else 0.0
            report.add("analysis", f"  of which computing the {what} ({count:,} q)", secs(derive))

        first_run("repeats (exact), first run", "answer facts", None)

        # As the commands do: the facts are refreshed (here: found complete), then read.
        def groups(near: float | None = None) -> list[Any]:
            facts.refresh(store, near=near is not None)
            return repeats.repeat_groups(store, Filters(), near=near)

        def stats(by: str) -> list[Any]:
            facts.refresh(store)
            return timeliness.stats(store, Filters(), by=by)

        timed("repeats (exact), second run", groups)
        first_run("repeats --near 0.9, first run", "near facts", 0.9)
        timed("repeats --near 0.9, second run", lambda: groups(0.9))
        timed("stats --by department", lambda: stats("department"))
        timed("stats --by month", lambda: stats("month"))
    finally:
        store.close()


# -- against a peer ------------------------------------------------------------------------------

PEER_QUERIES = ("watchlist", '"live facial recognition"', "prison", "government")
PEER_RUNS = 7  # pairs of runs per query


def peer_database(work: Work, report: Report) -> Path:
    """The generated file loaded by `sqlite-utils insert` and indexed by `sqlite-utils
    enable-fts` on the three columns pqtrack searches (built once per workspace)."""
    path = work.dir / f"peer-{work.n}-seed{work.seed}.db"
    if path.exists():
        return path
    jsonl, _count = work.questions_file(report)
    tool = str(Path(sys.executable).parent / "sqlite-utils")
    part = path.with_suffix(".part")
    remove_db(part)
    say(f"building {path} with sqlite-utils (not a timed figure) ...")
    for args in (
        ["insert", str(part), "questions", str(jsonl), "--nl", "--pk", "id"],
        ["enable-fts", str(part), "questions", "heading", "questionText", "answerText"],
    ):
        subprocess.run([tool, *args], check=True, stdout=subprocess.DEVNULL)
    part.rename(path)
    return path


def bench_peer(work: Work, report: Report, env: dict[str, str]) -> None:
    """`pqtrack search Q --format json` against `sqlite-utils search DB questions Q`, each a
    whole process, alternating the two, over the same rows; each with its default order and
    50 rows."""
    say("== peer: pqtrack search against sqlite-utils search")
    db = work.database(report)
    peer = peer_database(work, report)
    tool = str(Path(sys.executable).parent / "sqlite-utils")
    # Both run from compiled bytecode, as installed tools do: with PYTHONDONTWRITEBYTECODE set,
    # an editable pqtrack would be compiled from source on every run and sqlite-utils not.
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def wall(command: list[str]) -> float:
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        took = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr!r}")
        return took

    ratios = []
    for query in PEER_QUERIES:
        ours = [*pqtrack_command(), "search", query, "--format", "json", "--db", str(db),
                "--limit", str(LIMIT)]  # fmt: skip
        theirs = [tool, "search", str(peer), "questions", query, "--limit", str(LIMIT)]
        wall(ours), wall(theirs)  # warm the page cache for both
        a, b = [], []
        for _ in range(PEER_RUNS):
            a.append(wall(ours))
            b.append(wall(theirs))
        ratio = statistics.median(a) / statistics.median(b)
        ratios.append(ratio)
        report.add(
            "peer",
            f"search {query}: pqtrack / sqlite-utils",
            f"{ms(statistics.median(a))} / {ms(statistics.median(b))} = {ratio:.2f}",
        )
    median = statistics.median(ratios)
    report.add(
        "peer",
        f"median ratio pqtrack / sqlite-utils ({len(PEER_QUERIES)} queries)",
        f"{median:.2f}",
        "<= 0.6",
        median <= 0.6,
    )


# -- main ----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200_000, help="questions to generate (200000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="work in DIR and keep (and reuse) its files"
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"sections, comma-separated: {','.join(SECTIONS)}",
    )
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"--only: unknown section(s) {', '.join(sorted(unknown))}")
    if args.n < 1:
        parser.error("--n must be at least 1")

    sys.path.insert(0, str(ROOT))  # for tests.bench.generate and tests.fakeapi
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        workdir = args.keep
    else:
        workdir = Path(tempfile.mkdtemp(prefix="pqtrack-bench-"))
    config = workdir / "config"  # no user topics or settings
    config.mkdir(exist_ok=True)
    os.environ["PQTRACK_CONFIG_DIR"] = str(config)
    env = {**os.environ, "NO_COLOR": "1", "PQTRACK_CONFIG_DIR": str(config)}
    env.pop("PQTRACK_DB", None)

    header = machine()
    say("\n".join(header))
    say(f"work directory: {workdir}{' (kept)' if args.keep else ' (deleted at the end)'}")
    work = Work(workdir, args.n, args.seed, keep=bool(args.keep))
    report = Report()
    started = time.perf_counter()
    try:
        for section in SECTIONS:
            if section not in only:
                continue
            if section == "import":
                bench_import(work, report, env)
            elif section == "search":
                bench_search(work, report, env)
            elif section == "peer":
                bench_peer(work, report, env)
            elif section == "sync":
                bench_sync(work, report)
            else:
                bench_analysis(work, report)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.perf_counter() - started

    print(f"pqtrack benchmark: N = {args.n:,} generated questions (seed {args.seed})")
    print("\n".join(header))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"took {secs(elapsed)}; targets are set at N = 1,000,000 on 2 cores (import at 200,000)")
    print()
    print(report.render())
    if report.notes:
        print()
        for text in report.notes:
            print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
