"""`watch run --mail-to` against real SMTP servers on 127.0.0.1: one that accepts (aiosmtpd),
one that is not there, one that drops the connection mid-message and one that rejects a
recipient. A mail that was not accepted leaves the cursor where it was."""

from __future__ import annotations

import email
import shlex
import shutil
import socket
import ssl
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from pqtrack.importer import import_files
from pqtrack.store import Store
from tests.build import write_json
from tests.cli import Cli
from tests.test_sync import PQTRACK
from tests.test_watches import ATOM, FR, LFR, RURAL, cursor, demo_db, made_up

README = Path(__file__).resolve().parents[1] / "README.md"

SENDER = "pqtrack@example.org"
REFUSED = "x@refused.example.org"


class Inbox:
    """An aiosmtpd handler keeping what it accepts; it refuses recipients at refused.example.org."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_RCPT(  # noqa: N802 (the name aiosmtpd looks for)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.endswith("@refused.example.org"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted"


def free_port() -> int:
    """A port nothing listens on (bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, str]]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


class Dropper:
    """A server that speaks SMTP until the message starts, then closes the connection."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.url = f"smtp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 127.0.0.1 ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb == b"DATA":
                    conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    lines.readline()  # the first line of the message, and then nothing
                    break
                conn.sendall(b"221 bye\r\n" if verb == b"QUIT" else b"250 OK\r\n")

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=10)


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, Path]:
    """A database with a `rural` watch that has run once, then news: a rural question answered."""
    values = made_up()
    db = demo_db(tmp_path, values)
    cli = Cli(db)
    assert cli("watch", "add", "rural", "rural").exit_code == 0
    assert cli("watch", "run", "rural").exit_code == 0
    later = [dict(v) for v in values]
    later[7].update(  # 7007, rural and unanswered until now
        answeringMemberId=5000,
        dateAnswered="2025-03-12T00:00:00",
        answerText="<p>Farm machinery theft is a priority for rural police teams.</p>",
        answerIsHolding=False,
    )
    store = Store.open(db)
    import_files(store, [write_json(tmp_path / "later.json", later)])
    store.close()
    monkeypatch.setenv("PQTRACK_MAIL_FROM", SENDER)
    return cli, db


def test_the_digest_arrives_with_subject_recipients_and_body(
    watched: tuple[Cli, Path], inbox: tuple[Inbox, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, db = watched
    handler, url = inbox
    monkeypatch.setenv("PQTRACK_SMTP_URL", url)
    before = cursor(db, "rural")
    result = cli(
        "watch", "run", "rural", "--mail-to", "a@example.org", "--mail-to", "b@example.org"
    )
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "pqtrack: Watch rural: 1 change since its last run. "
        "Mailed to a@example.org, b@example.org.\n"
    )
    ((sender, recipients, message),) = handler.messages
    assert (sender, recipients) == (SENDER, ["a@example.org", "b@example.org"])
    assert message["Subject"] == "pqtrack watch rural: 1 change"
    assert message["From"] == SENDER and message["To"] == "a@example.org, b@example.org"
    body = message.get_content().replace("\r\n", "\n")  # as it went over the wire
    assert body.startswith(
        "# pqtrack digest on watch rural\n\nWatch rural: 1 change since its last run.\n"
    )
    assert "## Answered (1)" in body and "Farm machinery theft is a priority" in body
    assert f"**[{RURAL[2] % 100000}](https://questions-statements.parliament.uk/" in body
    assert (cursor(db, "rural") or 0) > (before or 0)

    again = cli("watch", "run", "rural", "--mail-to", "a@example.org")  # nothing new: no mail
    assert (again.exit_code, again.stderr) == (0, "pqtrack: watch rural: nothing new\n")
    assert len(handler.messages) == 1


@pytest.mark.parametrize("server", ["closed port", "drops mid-message", "rejects recipient"])
def test_a_mail_not_accepted_leaves_the_cursor_and_the_next_run_sends_it(
    watched: tuple[Cli, Path],
    inbox: tuple[Inbox, str],
    monkeypatch: pytest.MonkeyPatch,
    server: str,
) -> None:
    cli, db = watched
    handler, url = inbox
    before = cursor(db, "rural")
    to = REFUSED if server == "rejects recipient" else "x@example.org"
    dropper = Dropper() if server == "drops mid-message" else None
    bad = {
        "closed port": f"smtp://127.0.0.1:{free_port()}",
        "drops mid-message": dropper.url if dropper else "",
        "rejects recipient": url,
    }[server]
    monkeypatch.setenv("PQTRACK_SMTP_URL", bad)
    try:
        failed = cli("watch", "run", "rural", "--mail-to", to)
    finally:
        if dropper is not None:
            dropper.close()
    assert (failed.exit_code, failed.stdout) == (1, "")
    (line,) = failed.stderr.splitlines()
    assert line.startswith("pqtrack: mail not sent: smtp://127.0.0.1:"), line
    expected = {
        "closed port": "refused the connection",
        "drops mid-message": "closed the connection",
        "rejects recipient": f"refused recipient {REFUSED} (so nobody was sent it)",
    }[server]
    assert line.endswith(expected), line
    assert cursor(db, "rural") == before
    assert handler.messages == []

    monkeypatch.setenv("PQTRACK_SMTP_URL", url)
    sent = cli("watch", "run", "rural", "--mail-to", "x@example.org", "--quiet")
    assert (sent.exit_code, sent.stderr) == (0, "")
    ((_, recipients, message),) = handler.messages
    assert recipients == ["x@example.org"] and message["Subject"] == "pqtrack watch rural: 1 change"
    assert "Farm machinery theft is a priority" in message.get_content()


def test_credentials_are_never_printed(
    watched: tuple[Cli, Path], inbox: tuple[Inbox, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, db = watched
    _, url = inbox
    secret = "s3cret-pw"
    port = url.rsplit(":", 1)[1]
    cases = [  # (PQTRACK_SMTP_URL, exit code, what the line says)
        (f"smtp://alice:{secret}@127.0.0.1:{free_port()}", 1, "refused the connection"),
        (f"smtp://alice:{secret}@127.0.0.1:{port}", 1, "offers no STARTTLS"),
        (f"smtp://alice:{secret}@127.0.0.1:99999", 2, "PQTRACK_SMTP_URL is not a URL"),
        (f"ftp://alice:{secret}@127.0.0.1", 2, "PQTRACK_SMTP_URL must start smtp:// or smtps://"),
        (f"smtp://alice:{secret}@", 2, "PQTRACK_SMTP_URL names no host"),
        (f"smtp://alice:{secret}@127.0.0.1/inbox", 2, "PQTRACK_SMTP_URL takes no path"),
    ]
    before = cursor(db, "rural")
    for value, code, said in cases:
        monkeypatch.setenv("PQTRACK_SMTP_URL", value)
        result = cli("watch", "run", "rural", "--mail-to", "x@example.org", "--quiet")
        assert result.exit_code == code, (value, result.stderr)
        (line,) = result.stderr.splitlines()
        assert said in line and secret not in line and "alice" not in line, line
        assert result.stdout == ""
        shown = cli("watch", "show", "rural")
        assert secret not in shown.stdout + shown.stderr
    assert cursor(db, "rural") == before


def test_a_bad_sender_is_a_usage_error(
    watched: tuple[Cli, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, _ = watched
    monkeypatch.setenv("PQTRACK_MAIL_FROM", "pqtrack at example.org")
    result = cli("watch", "run", "rural", "--mail-to", "x@example.org")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "pqtrack: PQTRACK_MAIL_FROM: 'pqtrack at example.org' is not a mail address "
        "(someone@example.org)\n"
    )


def test_one_rejected_recipient_of_two_sends_to_nobody(
    watched: tuple[Cli, Path], inbox: tuple[Inbox, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or none: the server refuses one of two before the message is sent, so the other is
    not sent it either, the cursor stays (exit 1), and a dead address never has the others sent
    the same news at every run. With the address fixed, the next run delivers it."""
    cli, db = watched
    received, url = inbox
    monkeypatch.setenv("PQTRACK_SMTP_URL", url)
    before = cursor(db, "rural")
    for _ in range(2):
        result = cli("watch", "run", "rural", "--mail-to", "a@example.org", "--mail-to", REFUSED)
        assert (result.exit_code, result.stdout) == (1, "")
        (line,) = result.stderr.splitlines()
        assert line.endswith(f"refused recipient {REFUSED} (so nobody was sent it)"), line
        assert cursor(db, "rural") == before
    assert received.messages == []
    fixed = cli("watch", "run", "rural", "--mail-to", "a@example.org")
    assert fixed.exit_code == 0, fixed.stderr
    assert len(received.messages) == 1 and cursor(db, "rural") != before


# -- TLS: STARTTLS when offered, smtps, and a login only over TLS ------------------------------


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server context for 127.0.0.1 with a self-signed certificate the client trusts (through
    SSL_CERT_FILE, as OpenSSL's default verify paths read it)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class Logins:
    """An authenticator that takes alice with one password, and notes each try's TLS."""

    def __init__(self) -> None:
        self.tries: list[tuple[str, bool]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        login, password = (bytes(x).decode() for x in (data.login, data.password))
        self.tries.append((login, session.ssl is not None))
        # handled=False: the server answers (235 or 535) itself
        return AuthResult(success=(login, password) == ("alice", "right-pw"), handled=False)


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_a_login_goes_over_tls_and_a_wrong_password_is_one_line(
    watched: tuple[Cli, Path],
    certificate: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
    scheme: str,
) -> None:
    cli, db = watched
    handler, logins = Inbox(), Logins()
    tls = {"tls_context": certificate} if scheme == "smtp" else {"ssl_context": certificate}
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), authenticator=logins,
        auth_require_tls=scheme == "smtp", **tls,  # (aiosmtpd's check knows STARTTLS only)
    )  # fmt: skip
    controller.start()
    try:
        where = f"127.0.0.1:{controller.port}"
        before = cursor(db, "rural")
        monkeypatch.setenv("PQTRACK_SMTP_URL", f"{scheme}://alice:wrong-pw@{where}")
        refused = cli("watch", "run", "rural", "--mail-to", "x@example.org")
        assert (refused.exit_code, refused.stdout) == (1, "")
        assert refused.stderr == (
            f"pqtrack: mail not sent: {scheme}://{where} refused the user and password\n"
        )
        assert cursor(db, "rural") == before

        monkeypatch.setenv("PQTRACK_SMTP_URL", f"{scheme}://alice:right-pw@{where}")
        sent = cli("watch", "run", "rural", "--mail-to", "x@example.org", "--quiet")
        assert (sent.exit_code, sent.stderr) == (0, "")
    finally:
        controller.stop()
    assert [message["Subject"] for _, _, message in handler.messages] == [
        "pqtrack watch rural: 1 change"
    ]
    # smtplib tries each mechanism the server offers before it gives up; with STARTTLS every
    # try came after it (smtps is TLS from the first byte)
    assert len(logins.tries) >= 2
    assert scheme == "smtps" or all(tls for _, tls in logins.tries), logins.tries


# -- the README's cron lines, run as cron runs them ------------------------------------------


def readme_cron(prefix: str) -> str:
    """The command of the README's crontab line that starts with `prefix` (its schedule)."""
    text = README.read_text(encoding="utf-8")
    (line,) = [x for x in text.splitlines() if x.startswith(prefix)]
    return line.split(None, 5)[5]


def test_the_readme_watch_cron_lines_run_as_written(
    tmp_path: Path, inbox: tuple[Inbox, str]
) -> None:
    handler, url = inbox
    home = tmp_path / "home"
    shim = home / ".venvs" / "pqtrack" / "bin" / "pqtrack"  # where the README's venv is
    shim.parent.mkdir(parents=True)
    shim.write_text(f'#!/bin/sh\nexec {shlex.join(PQTRACK)} "$@"\n')
    shim.chmod(0o755)
    db = home / ".local" / "share" / "pqtrack" / "pqtrack.db"  # a fresh account's default
    db.parent.mkdir(parents=True)
    store = Store.open(db)
    import_files(store, [write_json(tmp_path / "q.json", made_up())])
    store.close()
    cli = Cli(db)
    assert cli("watch", "add", "lfr", LFR).exit_code == 0
    assert cli("watch", "add", "rural", "rural").exit_code == 0
    sender = next(
        x.split("=", 1)[1]
        for x in README.read_text(encoding="utf-8").splitlines()
        if x.startswith("PQTRACK_MAIL_FROM=")
    )
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "LOGNAME": "pq",
           "PQTRACK_SMTP_URL": url, "PQTRACK_MAIL_FROM": sender}  # fmt: skip
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    atom = readme_cron("5 7 ").replace("/var/www/feeds", str(feeds))

    def sh(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", "-c", command], env=env, capture_output=True, text=True, timeout=120
        )

    first = sh(atom)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    written = (feeds / "lfr.xml").read_text()
    assert len(ET.fromstring(written).findall(f"{ATOM}entry")) == len(FR)
    again = sh(atom)  # nothing new: exit 3, and the feed stays as it was
    assert (again.returncode, again.stdout, again.stderr) == (3, "", "")
    assert (feeds / "lfr.xml").read_text() == written

    mailed = sh(readme_cron("0 7 "))
    assert (mailed.returncode, mailed.stdout, mailed.stderr) == (0, "", ""), mailed.stderr
    ((sender_seen, recipients, message),) = handler.messages  # lfr had nothing new: no mail
    assert (sender_seen, recipients) == (sender, ["you@example.org"])
    assert message["Subject"] == "pqtrack watch rural: 4 matching now (first run)"
    assert sh(readme_cron("0 7 ")).returncode == 0
    assert len(handler.messages) == 1


def test_smtp_urls_are_read_with_default_ports_and_quoted_credentials() -> None:
    from pqtrack.mail import Server, parse_url

    assert parse_url("smtp://mail.example.org") == Server("smtp", "mail.example.org", 25)
    assert parse_url("smtps://mail.example.org") == Server("smtps", "mail.example.org", 465)
    server = parse_url("smtps://me%40example.org:p%3Ass%40rd@mail.example.org:2465")
    assert (server.user, server.password, server.port) == ("me@example.org", "p:ss@rd", 2465)
    assert "p:ss@rd" not in repr(server) and server.where == "smtps://mail.example.org:2465"
