"""The README's crontab line, run as cron runs it: `sh -c`, a bare PATH, a fresh account."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.build import question
from tests.fakeapi import FakeApi
from tests.test_sync import PQTRACK

README = Path(__file__).resolve().parents[1] / "README.md"
CRON_PATH = "/usr/bin:/bin"  # what cron gives a job (Vixie cron, cronie)


def readme_cron_line() -> tuple[str, str]:
    """The README's line as (everything before `mail`, the arguments of `mail`)."""
    (line,) = [x for x in README.read_text(encoding="utf-8").splitlines() if x.startswith("15 6 ")]
    command = line.split(None, 5)[5]
    chain, mail = command.rsplit(" && mail ", 1)
    return chain, mail


def test_the_readme_cron_line_runs_as_written_on_a_fresh_account(tmp_path: Path) -> None:
    chain, mail = readme_cron_line()
    assert mail.startswith("-s ")
    venv = '"$HOME/.venvs/pqtrack/bin/pqtrack"'
    assert chain.startswith(f"PQ={venv}; mkdir -p ")  # the full path, the log directory made
    home = tmp_path / "home"
    home.mkdir()  # nothing in it: no ~/.local, no database, no config
    # The venv's pqtrack, where the README says it is; this one skips the 4-a-second pacing.
    shim = home / ".venvs" / "pqtrack" / "bin" / "pqtrack"
    shim.parent.mkdir(parents=True)
    shim.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = sync ]; then exec {shlex.join(PQTRACK)} "$@" --rate 0; fi\n'
        f'exec {shlex.join(PQTRACK)} "$@"\n'
    )
    shim.chmod(0o755)
    env = {"HOME": str(home), "PATH": CRON_PATH, "SHELL": "/bin/sh", "LOGNAME": "pq"}
    if shutil.which("pqtrack", path=CRON_PATH) is None:  # the reason for the full path
        bare = subprocess.run(["sh", "-c", "pqtrack --version"], env=env, capture_output=True)
        assert bare.returncode == 127
    today = datetime.now(UTC).date()
    values = [
        question(
            9100 + i,
            dateTabled=f"{today - timedelta(days=3)}T00:00:00",
            answered=str(today - timedelta(days=1)) if i % 2 else None,
        )
        for i in range(6)
    ]
    with FakeApi(values) as fake:
        env["PQTRACK_API_URL"] = fake.url  # the real line talks to the real API
        first = subprocess.run(
            ["sh", "-c", chain], env=env, capture_output=True, text=True, timeout=120
        )
        digest = (home / "pqtrack-digest.md").read_text()
        second = subprocess.run(
            ["sh", "-c", chain], env=env, capture_output=True, text=True, timeout=120
        )
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    lines = digest.splitlines()
    assert lines[:3] == ["# pqtrack digest", "", "9 changes in the latest sync."]
    assert "## Answered (3)" in lines and "## Newly tabled (6)" in lines
    assert all(f"[{9100 + i}](https://questions-statements" in digest for i in range(6))
    # nothing new the next morning: --fail-if-empty stops the chain before `mail`
    assert (second.returncode, second.stdout, second.stderr) == (3, "", "")
    assert (home / ".local" / "state" / "pqtrack.log").read_text() == ""
    # the database went where a fresh account's default puts it
    assert (home / ".local" / "share" / "pqtrack" / "pqtrack.db").is_file()
