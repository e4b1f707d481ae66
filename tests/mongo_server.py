"""A MongoDB for tests: ``PORCHLIGHT_TEST_MONGODB_URL`` if set, else a local nx-27017.

nx-27017 speaks the MongoDB wire protocol over SQLite. It runs in the foreground as a
child process on a free port, with all its files in a temporary directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bson

URL_VARIABLE = "PORCHLIGHT_TEST_MONGODB_URL"
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 5.0

_OP_MSG = 2013


@contextmanager
def mongodb_url(work_dir: Path) -> Iterator[str]:
    """Yield the URL of a MongoDB that lives as long as the ``with`` block."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        yield url
        return
    with nx_27017(work_dir) as url:
        yield url


@contextmanager
def nx_27017(work_dir: Path) -> Iterator[str]:
    data_dir = work_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = work_dir / "nx-27017.log"
    port = _free_port()
    command = [
        _executable(),
        "--data-dir",
        str(data_dir),
        "--host",
        HOST,
        "--port",
        str(port),
        "--pid-file",
        str(work_dir / "nx-27017.pid"),
        "--log-file",
        str(log_file),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    try:
        _wait_until_pingable(process, port, log_file)
        yield f"mongodb://{HOST}:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _executable() -> str:
    beside_python = Path(sys.executable).with_name("nx-27017")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("nx-27017")
    if found is None:
        raise RuntimeError(f"nx-27017 is not installed; install it or set {URL_VARIABLE}")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_until_pingable(process: subprocess.Popen[bytes], port: int, log_file: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nx-27017 exited with {process.returncode}:\n{_tail(log_file)}")
        if ping(HOST, port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nx-27017 did not answer a ping in time:\n{_tail(log_file)}")


def ping(host: str, port: int) -> bool:
    """Send ``{ping: 1}`` as one OP_MSG and report whether the server answered ok."""
    body = bson.encode({"ping": 1, "$db": "admin"})
    header_and_flags = struct.pack("<iiiiI", 16 + 4 + 1 + len(body), 1, 0, _OP_MSG, 0)
    try:
        with socket.create_connection((host, port), timeout=1.0) as connection:
            connection.sendall(header_and_flags + b"\x00" + body)
            length = struct.unpack("<i", _receive(connection, 4))[0]
            reply = _receive(connection, length - 4)
    except OSError:
        return False
    # reply: requestID, responseTo, opCode, flagBits (16 bytes), section kind, document
    return bson.decode(reply[17:]).get("ok") == 1


def _receive(connection: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = connection.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("connection closed mid-reply")
        chunks += chunk
    return bytes(chunks)


def _tail(log_file: Path, lines: int = 20) -> str:
    if not log_file.exists():
        return "(no log)"
    return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
