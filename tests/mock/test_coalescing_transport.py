"""The mock's transport sends what one step of the event loop wrote as one write (server.py), in order, and
never loses or reorders bytes on close. Served end to end by every HTTP test of the mock; here on its own."""

from __future__ import annotations

import asyncio
import socket

from ep_cart_mock.server import CoalescingTransport


class RecordingTransport:
    """What reached the socket: each write, and whether and when the transport was closed."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed_after: int | None = None

    def write(self, data: bytes) -> None:
        assert self.closed_after is None, "written after close"
        self.writes.append(data)

    def close(self) -> None:
        self.closed_after = len(self.writes)

    def is_closing(self) -> bool:
        return self.closed_after is not None

    def get_extra_info(self, name: str) -> object:
        return ("127.0.0.1", 8000) if name == "sockname" else None


def test_writes_in_one_loop_step_reach_the_socket_as_one_write() -> None:
    async def scenario() -> RecordingTransport:
        recording = RecordingTransport()
        transport = CoalescingTransport(recording, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        transport.write(b"")
        transport.write(b"{}")
        assert recording.writes == []  # nothing sent until the step ends
        await asyncio.sleep(0)
        transport.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await asyncio.sleep(0)
        return recording

    recording = asyncio.run(scenario())
    assert recording.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}", b"HTTP/1.1 204 No Content\r\n\r\n"]


def test_close_sends_what_is_pending_first_and_nothing_after() -> None:
    async def scenario() -> RecordingTransport:
        recording = RecordingTransport()
        transport = CoalescingTransport(recording, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        transport.write(b'{"errors":[]}')
        transport.close()
        await asyncio.sleep(0)  # the flush scheduled by the first write finds nothing left to send
        return recording

    recording = asyncio.run(scenario())
    assert recording.writes == [b'HTTP/1.1 400 Bad Request\r\n\r\n{"errors":[]}']
    assert recording.closed_after == 1


def test_everything_else_is_the_wrapped_transport_s() -> None:
    recording = RecordingTransport()
    loop = asyncio.new_event_loop()
    try:
        transport = CoalescingTransport(recording, loop)  # type: ignore[arg-type]
        assert transport.get_extra_info("sockname") == ("127.0.0.1", 8000)
        assert not transport.is_closing()
    finally:
        loop.close()


def test_an_answer_from_the_mock_arrives_in_one_segment(mock_server: object) -> None:
    """Through a real socket: status line, headers and body come in the first recv (they were one write)."""
    port = mock_server.port  # type: ignore[attr-defined]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /v2/carts/c1/relationships/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        first = sock.recv(65536)
    head, _, body = first.partition(b"\r\n\r\n")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[1]
    )
    assert head.startswith(b"HTTP/1.1 401")
    assert len(body) == length > 0
