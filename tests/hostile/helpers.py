"""What every hostile case checks: pqscan run for real (a subprocess), its exit code and one-line stderr."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Exit codes (pqscan.errors.ExitCode, README "Exit codes").
OK, FINDINGS, USAGE, INTERNAL, NOTHING_SCANNED, INTERRUPTED, TERMINATED = 0, 1, 2, 3, 4, 130, 143

SAMPLE = Path(__file__).resolve().parents[2] / "pqscan" / "data" / "sample-inventory.json"
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066")


def pqscan_process(*args: str | Path, timeout: float = 60, cwd: Path | None = None,
                   prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """pqscan in its own process (signals, privileges, namespaces)."""
    return subprocess.run([*prefix, sys.executable, "-m", "pqscan", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, check=False)


def pqscan(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``pqscan.cli.main`` in this process (the same entry point, exit-code mapping included), for speed."""
    from pqscan.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    finally:
        os.chdir(old)
    return subprocess.CompletedProcess(list(map(str, args)), int(code or 0), out.getvalue(), err.getvalue())


def refused(proc: subprocess.CompletedProcess[str], *phrases: str) -> str:
    """The run ended with exit 2 and one line on stderr naming what was wrong; returns that line."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == USAGE, (proc.returncode, proc.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("pqscan: error: "), proc.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@contextlib.contextmanager
def servers_in_thread(handlers: list[Any]) -> Iterator[list[int]]:
    """Each handler as a loopback TCP server (tests/integration/tls_fixtures.tcp_server) served by an event
    loop in a background thread, so a pqscan subprocess can scan them; yields their ports."""
    from tests.integration.tls_fixtures import tcp_server

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    ports: list[int] = []
    stop: list[asyncio.Event] = []

    async def serve() -> None:
        stop.append(asyncio.Event())
        async with contextlib.AsyncExitStack() as stack:
            for h in handlers:
                ports.append(await stack.enter_async_context(tcp_server(h)))
            ready.set()
            await stop[0].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield ports
    finally:
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(10)
        loop.close()


def slow_alert(delay: float) -> Any:
    """A TLS port that waits ``delay`` then answers every ClientHello with a fatal alert (a quick, real error)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(5)
        await asyncio.sleep(delay)
        writer.write(bytes([21, 3, 3, 0, 2, 2, 40]))
        await writer.drain()

    return handler


async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accepts and never answers."""
    await asyncio.sleep(60)
