"""Ctrl-C stops a long computation with KeyboardInterrupt, and brink works afterwards."""

import _thread
import os
import signal
import threading
import time

import pytest

import brink

SCENARIO = "scenarios/stag_hunt.toml"
# Far more runs than finish before the interrupt (a stag-hunt run takes ~15 µs), yet
# few enough that a missed interrupt makes the call return and the test fail within
# a minute or so instead of hanging CI.
LONG = 4 * 10**6


@pytest.fixture(autouse=True)
def python_handles_sigint():
    """Python's own Ctrl-C handler, as in an interactive session: a process started in
    the background by a non-interactive shell (`cmd &`, as some CI runners do)
    inherits SIGINT ignored, and Python then installs no handler at all."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _interrupted(call, send):
    """Presses Ctrl-C (`send`) once after 0.5 s; `call` must end with KeyboardInterrupt."""
    timer = threading.Timer(0.5, send)
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
    finally:
        timer.cancel()
    return time.monotonic() - start


def test_interrupt_main_stops_a_run(in_repo):
    s = brink.load(SCENARIO)
    _interrupted(lambda: s.run(runs=LONG, seed=1, threads=2), _thread.interrupt_main)
    # The scenario and the module still work, with the same results as before.
    assert s.run(runs=300, seed=1).to_json() == s.run(runs=300, seed=1, threads=1).to_json()


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="POSIX signals")
def test_sigint_stops_a_sweep(in_repo, tmp_path):
    def send():
        os.kill(os.getpid(), signal.SIGINT)

    _interrupted(
        lambda: brink.sweep(SCENARIO, {"lambda": (1, 4)}, design="grid", points=3, runs=LONG, seed=2, out=tmp_path),
        send,
    )
    # The module still works after the interrupted sweep.
    sw = brink.sweep(SCENARIO, {"lambda": (1, 4)}, design="grid", points=2, runs=50, seed=2, out=tmp_path / "again")
    assert len(sw.points) == 2


def test_interrupt_stops_tuning(in_repo):
    _interrupted(
        lambda: brink.tune(SCENARIO, {"both_stag": 0.3}, {"lambda": (0.2, 5)}, budget=200, runs=20000, seed=3),
        _thread.interrupt_main,
    )
