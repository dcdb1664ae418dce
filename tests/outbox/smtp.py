"""Real SMTP servers for the email tests, on free local ports.

`MailServer` is aiosmtpd (a real SMTP implementation) with a switch for each
behaviour a mail server shows: accepting, refusing a recipient with a 4xx or 5xx
reply, being down, answering slowly. `BlackHole` accepts connections and never says
a word.
"""

import asyncio
import email
import socket
import time

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[email.message.Message] = []
        self.refusals: list[str] = []  # replies to RCPT, one used per recipient, then accept
        self.refuse_always: str | None = None
        self.delay = 0.0  # seconds before each message is accepted
        self.controller: Controller | None = None

    # aiosmtpd's handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_always:
            return self.refuse_always
        if self.refusals:
            return self.refusals.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def start(self) -> "MailServer":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.received]

    def settings(self) -> dict:
        """The worker's environment for this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
        }


class BlackHole:
    """A mail server that accepts connections and then says nothing, ever."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(100)  # the kernel completes connections; nobody reads them
        self.port = self.socket.getsockname()[1]

    def close(self) -> None:
        self.socket.close()


def wait_for(condition, timeout: float = 30, every: float = 0.1):
    """Poll until `condition()` is true (and return it), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"still not true after {timeout} s: {condition.__doc__ or condition}")
