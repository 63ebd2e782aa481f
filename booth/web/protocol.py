"""The photo server's HTTP protocol: uvicorn's httptools one, plus the limits it lacks.

uvicorn (0.54) offers ``timeout_keep_alive`` (idle time *between* requests)
and ``limit_concurrency`` (503 once too many connections are open), but no
deadline for a request to arrive: its only timer starts after a response,
so a client that trickles its headers ("slowloris") or never sends any holds
its connection for ever. With httptools (the fast parser it picks) nothing
caps the size of the headers either: ``h11_max_incomplete_event_size``
applies to the h11 parser only, and httptools buffers a header of any size
(4 clients sending 100 MB headers kept both workers busy for 40 s). So this
subclass adds them where they belong, at the connection, before any app
code runs (an ASGI middleware only sees a request once its headers are in):

- ``REQUEST_TIMEOUT_S`` to send a request (headers and body) from the
  connection's start or from the first byte of a keep-alive follow-up;
  then 408 and close;
- ``MAX_HEADER_BYTES`` of request line and headers; then 431 and close;
- ``MAX_PER_CLIENT`` open connections per client address and
  ``MAX_CONNECTIONS`` per worker: one more is answered 503 and closed at
  once, so descriptors stay bounded (booth-web.service's ``LimitNOFILE`` is
  sized from these: a socket and a photo file per connection).

Selected with ``uvicorn.run(http="booth.web.protocol:BoundedHttpToolsProtocol")``.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

REQUEST_TIMEOUT_S = 10.0  # a phone on poor Wi-Fi sends its few hundred header bytes in well under a second
MAX_HEADER_BYTES = 64 * 1024  # browsers send 1-2 KiB; our cookie is 43 characters
MAX_PER_CLIENT = 64  # per worker; a browser opens at most 6 connections to one host
MAX_CONNECTIONS = 2000  # per worker; an idle connection costs a few KiB
FILES_PER_CONNECTION = 2  # its socket and the photo it is being sent
SPARE_FILES = 128  # SQLite, logs, Python's own, the listening socket
NOFILE_NEEDED = MAX_CONNECTIONS * FILES_PER_CONNECTION + SPARE_FILES  # booth-web.service LimitNOFILE >= this

_per_client: Counter[str] = Counter()  # open connections per address in this worker


def _answer(status: bytes) -> bytes:
    return b"HTTP/1.1 " + status + b"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a request deadline, a header size cap and connection caps."""

    _deadline: asyncio.TimerHandle | None = None
    _in_request = False  # between the first byte of a request and the end of its body
    _in_headers = False
    _header_bytes = 0
    _address = ""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._address = self.client[0] if self.client else ""
        _per_client[self._address] += 1
        if _per_client[self._address] > MAX_PER_CLIENT or len(self.connections) > MAX_CONNECTIONS:
            self._refuse(b"503 Service Unavailable")
            return
        self._in_request = self._in_headers = True  # the first request is due from now
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._address in _per_client:
            _per_client[self._address] -= 1
            if _per_client[self._address] <= 0:
                del _per_client[self._address]
        self._address = ""
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_headers and not self.transport.is_closing():
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._refuse(b"431 Request Header Fields Too Large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_request = self._in_headers = True
        if self._deadline is None:  # a keep-alive follow-up: its own deadline from its first byte
            self._arm()

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_request = False
        self._disarm()
        super().on_message_complete()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(REQUEST_TIMEOUT_S, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self._in_request and not self.transport.is_closing():
            self._refuse(b"408 Request Timeout")

    def _refuse(self, status: bytes) -> None:
        self._in_request = self._in_headers = False
        self._disarm()
        if self.cycle is None or not self.cycle.response_started:  # else a response is under way: just close
            self.transport.write(_answer(status))
        self.transport.close()
