"""Messages between ``py-apm run`` and its warm helper: length-prefixed JSON frames.

A frame is a 4-byte big-endian length, then that many bytes of UTF-8 JSON (one object). No
line limit: a script of any size up to :data:`MAX_FRAME` fits; a larger one is refused before
it is sent (the client runs it cold).

One run is a short conversation, so a script runs at most once (see ``warm.run``)::

    client  {"run": ..., "fingerprint": ...}   (or {"stop": true})
    helper  {"ready": true}                    (or {"stale": true} / {"stopping": true})
    client  {"go": true}                       (from here on the client never runs it again)
    helper  {"progress": "..."} | {"alive": true} ... then {"results": [...]} or {"error": "..."}
"""

from __future__ import annotations

import json
import socket
import struct
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the helper's side only: the client's warm path does not import asyncio
    import asyncio

#: The largest frame either side accepts (a script and its JSON escaping).
MAX_FRAME = 64 << 20
#: While a run is in progress the helper says it is alive this often (seconds).
ALIVE_EVERY_S = 1.0
_HEAD = struct.Struct(">I")


class FrameError(Exception):
    """The other side closed the connection, went silent, or sent something that is not a frame."""


def encode(message: dict[str, Any]) -> bytes:
    """One frame; raises :class:`FrameError` past :data:`MAX_FRAME`."""
    body = json.dumps(message).encode("utf-8")
    if len(body) > MAX_FRAME:
        raise FrameError(f"the message is {len(body)} bytes (at most {MAX_FRAME})")
    return _HEAD.pack(len(body)) + body


def _decode(body: bytes) -> dict[str, Any]:
    try:
        message = json.loads(body)
    except ValueError as exc:
        raise FrameError("not a JSON frame") from exc
    if not isinstance(message, dict):
        raise FrameError("not a JSON object")
    return message


def send(sock: socket.socket, message: dict[str, Any], timeout_s: float) -> None:
    """Send one frame, waiting at most ``timeout_s`` for the other side to take it."""
    sock.settimeout(timeout_s)
    try:
        sock.sendall(encode(message))
    except OSError as exc:  # timeout, broken pipe, reset
        raise FrameError(f"cannot send: {exc.strerror or exc}") from exc


def receive(sock: socket.socket, timeout_s: float) -> dict[str, Any]:
    """The next frame, waiting at most ``timeout_s`` for all of it."""
    deadline = time.monotonic() + timeout_s
    head = _read(sock, _HEAD.size, deadline)
    (size,) = _HEAD.unpack(head)
    if size > MAX_FRAME:
        raise FrameError(f"a frame of {size} bytes (at most {MAX_FRAME})")
    return _decode(_read(sock, size, deadline))


def _read(sock: socket.socket, size: int, deadline: float) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise FrameError("no answer in time")
        sock.settimeout(left)
        try:
            chunk = sock.recv(min(size - len(chunks), 1 << 20))
        except TimeoutError as exc:
            raise FrameError("no answer in time") from exc
        except OSError as exc:
            raise FrameError(f"cannot receive: {exc.strerror or exc}") from exc
        if not chunk:
            raise FrameError("the connection was closed")
        chunks += chunk
    return bytes(chunks)


async def read(reader: asyncio.StreamReader, timeout_s: float) -> dict[str, Any]:
    """The helper's side of :func:`receive`."""
    import asyncio

    try:
        head = await asyncio.wait_for(reader.readexactly(_HEAD.size), timeout_s)
        (size,) = _HEAD.unpack(head)
        if size > MAX_FRAME:
            raise FrameError(f"a frame of {size} bytes (at most {MAX_FRAME})")
        return _decode(await asyncio.wait_for(reader.readexactly(size), timeout_s))
    except asyncio.IncompleteReadError as exc:
        raise FrameError("the connection was closed") from exc
    except TimeoutError as exc:
        raise FrameError("no message in time") from exc


def write(writer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
    """The helper's side of :func:`send` (buffered; the caller drains)."""
    writer.write(encode(message))
