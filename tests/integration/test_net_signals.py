"""Ctrl-C and SIGTERM end a network scan at once, whichever thread the kernel hands the signal to.

A Python signal handler runs in the main thread, and only when that thread next runs bytecode: a
signal delivered to another thread (asyncio's getaddrinfo executor) used to leave the event loop
asleep in epoll until its next timer (up to a read timeout later), and the scan then ran to its end
as if nothing had happened (the CLI exited 0 or 4 instead of 130)."""

from __future__ import annotations

import signal
import socket
import threading
import time

import pytest

from pqscan.collect.net.netscan import NetOptions, run_scan
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.tls.collector import scan_tls_endpoint

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("thread", ["main", "other"])
def test_sigint_during_a_scan_of_silent_servers_raises_keyboard_interrupt_at_once(thread: str) -> None:
    listeners = []
    for _ in range(2):  # accept and never answer: each probe waits for its read timeout (60 s)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        listeners.append(s)
    main = threading.get_ident()

    def interrupt() -> None:
        time.sleep(1.0)
        signal.pthread_kill(main if thread == "main" else threading.get_ident(), signal.SIGINT)

    sender = threading.Thread(target=interrupt)
    received = []
    started = time.monotonic()
    sender.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_scan([Endpoint("127.0.0.1", s.getsockname()[1]) for s in listeners], scan_tls_endpoint,
                     NetOptions(connect_timeout=60, read_timeout=60, concurrency=2), on_result=received.append)
        elapsed = time.monotonic() - started
    finally:
        sender.join()
        for s in listeners:
            s.close()
    assert elapsed < 30, f"the scan went on for {elapsed:.0f} s after SIGINT"  # not until the 60 s timeouts
    assert received == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back as it was
