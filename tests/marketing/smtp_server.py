"""A real SMTP server on loopback (aiosmtpd) for the sending tests, with faults on demand:

- `temporary_every=3`: answers 450 4.2.1 to every third message (at DATA);
- `refuse={"x@y"}`: 550 5.1.1 for these recipients (at RCPT);
- `temporary={"x@y": 451}`: that code for these recipients, every time;
- `drop_at=n`: closes the connection without an answer when the n-th message arrives;
- `pipelining=False`: does not offer PIPELINING (RFC 2920) in its EHLO reply, so the client
  sends one command at a time (offered by default, as the common relays do);
- `hold_at=n`: keeps the n-th message waiting in DATA until `release()`; a message whose
  client went away meanwhile is not accepted (as a real server would do).

`messages` holds (envelope sender, recipients, parsed message, raw bytes) of each accepted
message; `addresses()` the recipients in order.
"""

import asyncio
import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FaultyInbox:
    def __init__(self):
        self.messages = []
        self.seen = 0  # DATA commands received
        self.temporary_every = 0
        self.refuse: set[str] = set()
        self.temporary: dict[str, int] = {}
        self.drop_at = 0
        self.hold_at = 0
        self.held = threading.Event()
        self._release = threading.Event()
        self.lock = threading.Lock()
        self.pipelining = True

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    def addresses(self) -> list[str]:
        return [rcpt for _sender, rcpts, _msg, _raw in self.messages for rcpt in rcpts]

    def release(self):
        self._release.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        if address in self.temporary:
            return f"{self.temporary[address]} 4.7.1 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.seen += 1
            number = self.seen
        if self.drop_at and number == self.drop_at:
            server.transport.close()
            return "421 closing"  # never reaches the client
        if self.hold_at and number == self.hold_at:
            self.held.set()
            while not self._release.is_set():
                await asyncio.sleep(0.05)
            if server.transport is None or server.transport.is_closing():
                return "421 client gone"
        if self.temporary_every and number % self.temporary_every == 0:
            return "450 4.2.1 Mailbox busy, try again later"
        raw = envelope.original_content or envelope.content
        self.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message_from_bytes(raw, policy=policy.default),
                raw,
            )
        )
        return "250 2.0.0 Accepted"


class SmtpServer:
    def __init__(self):
        self.inbox = FaultyInbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.inbox.release()
        self.controller.stop()

    def mailers(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 10},
            }
        }
