"""Real processes for outage and restart tests: Porchlight nodes, a Redis and a Mongo wire
server that a test may stop and start, and a TCP load balancer in front of the nodes.
Ports come from 9300-9399, or from the range in PORCHLIGHT_TEST_PORTS (e.g. "8500-8589")."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import deque
from pathlib import Path

import redis

from tests.mongo_server import _executable, _wait_until_pingable

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]
SECRET = "resilience-secret-" + "y" * 40


def port_range() -> tuple[int, int]:
    first, _, last = os.environ.get("PORCHLIGHT_TEST_PORTS", "9300-9399").partition("-")
    return int(first), int(last)


# Ports handed out lately: a server started on one may not listen yet, and the next
# free_port() must not give the same port to another server meanwhile.
_RECENT: deque[int] = deque(maxlen=40)


def free_port() -> int:
    """A port of the range nobody listens on and not handed out lately (random start, so
    parallel runs rarely meet)."""
    first, last = port_range()
    size = last - first + 1
    start = uuid.uuid4().int % size
    for offset in range(size):
        port = first + (start + offset) % size
        if port in _RECENT and len(_RECENT) < size:
            continue
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            _RECENT.append(port)
            return port
    raise RuntimeError(f"no free port in {first}-{last}")


def wait_for_port(port: int, within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


class Exited(RuntimeError):
    """The process meant to listen on a port ended before it did."""


def who_listens(port: int) -> str:
    """The processes listening on ``port``, as ``ss`` names them (for a failure's report)."""
    if shutil.which("ss") is None:
        return "(ss is not installed)"
    done = subprocess.run(
        ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "(no one)"


class RedisServer:
    """A redis-server of the test's own, without persistence: a restart loses everything,
    as a Redis that crashed would."""

    def __init__(self, work_dir: Path) -> None:
        self.port = free_port()
        self.work_dir = work_dir
        self.process: subprocess.Popen[bytes] | None = None
        self._started = False  # a restart keeps its port: the nodes know it by that

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers, loaded; its first start moves to another port
        when its own was taken meanwhile."""
        for attempt in range(1 if self._started else 3):
            if attempt:
                taken, self.port = self.port, free_port()
                print(f"redis: {taken} taken by {who_listens(taken)}; on {self.port}")
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    HOST,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.work_dir),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                self._wait_answering(within=15)
            except Exited:
                continue
            self._started = True
            return
        raise RuntimeError(f"redis-server did not start on {self.port}")

    def _wait_answering(self, within: float) -> None:
        """Until this process (not another on the port) answers with its dataset loaded."""
        assert self.process is not None
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Exited(f"redis-server exited with {self.process.returncode}")
            with (
                contextlib.suppress(redis.RedisError),
                redis.Redis(host=HOST, port=self.port, socket_timeout=0.5) as client,
            ):
                info = client.info()
                if info["process_id"] == self.process.pid and not info["loading"]:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server not answering on {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


class MongoWireServer:
    """nx-27017 on a fixed port and data directory, so it can be stopped and started."""

    def __init__(self, work_dir: Path) -> None:
        self.port = free_port()
        self.work_dir = work_dir
        (work_dir / "data").mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://{HOST}:{self.port}/"

    def start(self) -> None:
        log_file = self.work_dir / "nx-27017.log"
        output = (self.work_dir / "nx-27017.out").open("ab")
        self.process = subprocess.Popen(
            [
                _executable(),
                "--data-dir",
                str(self.work_dir / "data"),
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--pid-file",
                str(self.work_dir / "nx-27017.pid"),
                "--log-file",
                str(log_file),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        output.close()
        _wait_until_pingable(self.process, self.port, log_file)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


class Node:
    """One ``porchlight run`` process."""

    def __init__(self, name: str, env: dict[str, str], work_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.work_dir = work_dir / name
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            **env,
            "PORCHLIGHT_HOST": HOST,
            "PORCHLIGHT_PORT": str(self.port),
            "PORCHLIGHT_DATA_DIR": str(self.work_dir),
            "PORCHLIGHT_SECRET_KEY": SECRET,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.work_dir / "node.log"
        self._started = False  # a restart keeps its port: a balancer knows it by that

    def start(self) -> None:
        """Start the node and wait until it is ready. Its first start moves to another port
        when its own is taken meanwhile (the port was free when chosen, not reserved)."""
        for attempt in range(1 if self._started else 3):
            if attempt:
                taken, self.port = self.port, free_port()
                self.env["PORCHLIGHT_PORT"] = str(self.port)
                print(f"node {self.name}: {taken} taken by {who_listens(taken)}; on {self.port}")
            logged = self.log.stat().st_size if self.log.exists() else 0
            with self.log.open("ab") as out:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "server", "run"],
                    env=self.env,
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            try:
                self._wait_listening(logged, within=90)
            except Exited:
                continue
            self.wait_ready(within=60)
            self._started = True
            return
        raise RuntimeError(f"node {self.name} did not start:\n{self.tail()}")

    def _wait_listening(self, logged: int, within: float) -> None:
        """Until this node's own log says it listens (something else may answer on its
        port); ``Exited`` if it ended first."""
        assert self.process is not None
        said = f"listening on http://{HOST}:{self.port}".encode()
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            with self.log.open("rb") as log:
                log.seek(logged)
                if said in log.read():
                    return
            if self.process.poll() is not None:
                raise Exited(f"node {self.name} exited with {self.process.returncode}")
            time.sleep(0.05)
        raise RuntimeError(f"node {self.name} not listening on {self.port}:\n{self.tail()}")

    def wait_ready(self, within: float) -> None:
        """Until ``/readyz`` says every store answers, as a load balancer waits before it
        sends a node anyone."""
        deadline = time.monotonic() + within
        while True:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}/readyz", timeout=5):
                    return
            except OSError as error:  # a 503 (HTTPError) or no answer yet
                if time.monotonic() > deadline:
                    why = f"node {self.name} not ready: {error}\n{self.tail()}"
                    raise RuntimeError(why) from error
            time.sleep(0.1)

    def terminate(self) -> float:
        """SIGTERM; the seconds until the process was gone."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        self.process = None
        return time.monotonic() - started

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def run_command(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "server", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class Balancer:
    """A TCP load balancer: each new connection goes to the next node that accepts it, as a
    load balancer does once a node's health check fails and its port is closed."""

    def __init__(self, backends: list[int]) -> None:
        self.port = free_port()
        self.backends = backends
        self._turn = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, HOST, self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = None
        for _ in range(len(self.backends)):
            port = self.backends[self._turn % len(self.backends)]
            self._turn += 1
            try:
                upstream = await asyncio.open_connection(HOST, port)
                break
            except OSError:
                continue
        if upstream is None:
            writer.close()
            return
        up_reader, up_writer = upstream
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(_pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    except (OSError, asyncio.CancelledError):
        pass
    finally:
        sink.close()
