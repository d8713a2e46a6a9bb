"""The build's background warm-up: joined before the workers fork, its error not lost."""

from __future__ import annotations

import threading
import time

import pytest

from casebook import build


def test_the_warm_up_runs_beside_the_block_and_is_joined_before_it_is_left():
    seen = []

    def slow():
        time.sleep(0.3)
        seen.append(threading.current_thread().name)
    with build._meanwhile(slow):
        assert seen == []  # the block did not wait for it to start
    assert seen == ["slow"], "the thread must be done when the block is left"


def test_an_error_in_the_warm_up_is_raised_after_the_block():
    def broken():
        raise OSError("synthetic: no such library")
    with pytest.raises(OSError, match="no such library"):
        with build._meanwhile(broken):
            pass


def test_the_blocks_own_error_wins_and_the_thread_is_still_joined():
    done = []
    with pytest.raises(ValueError, match="the block"):
        with build._meanwhile(lambda: (time.sleep(0.2), done.append(1))):
            raise ValueError("the block")
    assert done == [1]
