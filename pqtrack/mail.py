"""Sending a report by mail: the SMTP server from PQTRACK_SMTP_URL, the sender from
PQTRACK_MAIL_FROM, smtplib underneath.

`smtp://host[:port]` (port 25) upgrades to TLS with STARTTLS whenever the server offers it;
`smtps://user:password@host[:port]` (port 465) speaks TLS from the start. A user and password,
when given, are sent only over TLS. No message pqtrack prints ever holds the password: errors
name the server by host and port alone.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from pqtrack.errors import PqtrackError, UsageError

DEFAULT_URL = "smtp://localhost"
TIMEOUT = 30.0  # seconds for the connection and each reply


class MailError(PqtrackError):
    """The message was not accepted: refused, dropped, rejected, or authentication failed."""


@dataclass(frozen=True)
class Server:
    scheme: str  # smtp | smtps
    host: str
    port: int
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        """The server as messages name it: never the credentials."""
        return f"{self.scheme}://{self.host}:{self.port}"


def parse_url(text: str) -> Server:
    """PQTRACK_SMTP_URL, checked; a bad one is a UsageError that does not repeat it (it may
    hold a password)."""
    what = "PQTRACK_SMTP_URL"
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        raise UsageError(
            f"{what} is not a URL (smtp://host:port or smtps://user:pw@host)"
        ) from None
    if parts.scheme not in ("smtp", "smtps"):
        raise UsageError(f"{what} must start smtp:// or smtps://")
    if not parts.hostname:
        raise UsageError(f"{what} names no host (smtp://host:port)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(f"{what} takes no path or query: smtp://host:port")
    if (parts.username is None) != (parts.password is None):
        raise UsageError(f"{what} gives a user without a password, or a password without a user")
    return Server(
        parts.scheme,
        parts.hostname,
        port or (465 if parts.scheme == "smtps" else 25),
        unquote(parts.username) if parts.username is not None else None,
        unquote(parts.password) if parts.password is not None else None,
    )


def parse_address(text: str, what: str = "--mail-to") -> str:
    """One plain mail address (someone@example.org), checked: no name, no list, nothing a
    header could be smuggled in by."""
    address = text.strip()
    local, at, domain = address.rpartition("@")
    bad = not at or not local or not domain.strip(".") or address.count("@") != 1
    if bad or any(c.isspace() or c in '<>,;:"()[]\\' or ord(c) < 32 for c in address):
        raise UsageError(f"{what}: {text!r} is not a mail address (someone@example.org)")
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError):
        raise UsageError(f"{what}: {text!r} is not a mail address (someone@example.org)") from None
    return address


def message(*, sender: str, to: list[str], subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(body, cte="quoted-printable")  # 7-bit: any server takes it
    return msg


def send(server: Server, msg: EmailMessage, to: list[str]) -> None:
    """Hand `msg` to the server for `to`; returns only when the server accepted it for every
    recipient, else raises MailError in one line."""
    try:
        _send(server, msg, to)
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(sorted(exc.recipients))
        raise MailError(
            f"mail not sent: {server.where} refused recipient {refused} (so nobody was sent it)"
        ) from None
    except smtplib.SMTPAuthenticationError:
        raise MailError(f"mail not sent: {server.where} refused the user and password") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(f"mail not sent: {server.where} takes no user and password") from None
    except smtplib.SMTPServerDisconnected:
        raise MailError(f"mail not sent: {server.where} closed the connection") from None
    except smtplib.SMTPResponseException as exc:
        reply = (
            exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
        )
        said = " ".join(reply.split())[:120]
        raise MailError(f"mail not sent: {server.where} answered {exc.smtp_code} {said}") from None
    except smtplib.SMTPException as exc:
        raise MailError(f"mail not sent: {server.where}: {type(exc).__name__}") from None
    except ssl.SSLError as exc:
        raise MailError(f"mail not sent: TLS with {server.where} failed: {exc.reason}") from None
    except TimeoutError:
        raise MailError(f"mail not sent: {server.where} did not answer in time") from None
    except ConnectionRefusedError:
        raise MailError(f"mail not sent: {server.where} refused the connection") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise MailError(f"mail not sent: cannot reach {server.where}: {reason}") from None


def _send(server: Server, msg: EmailMessage, to: list[str]) -> None:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if server.scheme == "smtps":
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
    with client:
        client.ehlo_or_helo_if_needed()
        if server.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if server.user is not None and server.password is not None:
            if (
                server.scheme == "smtp"
                and client.sock is not None
                and not isinstance(client.sock, ssl.SSLSocket)
            ):
                raise MailError(
                    f"mail not sent: {server.where} offers no STARTTLS, and the password is "
                    "never sent unencrypted (use smtps://)"
                )
            client.login(server.user, server.password)
        _deliver(client, msg, to)


def _deliver(client: smtplib.SMTP, msg: EmailMessage, to: list[str]) -> None:
    """All recipients or none: each is offered first, and one refused resets the transaction
    before the message is sent, so a dead address among several never has the others sent the
    same news again at every run (the cursor stays until all accept it)."""
    sender = parseaddr(str(msg["From"]))[1]  # the address of "Name <address>"
    code, reply = client.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for address in to:
        code, reply = client.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
    if refused:
        client.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = client.data(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
