"""The build's background warm-up: joined before the workers fork, its error not lost."""

from __future__ import annotations

import threading
import time

import pytest

from casebook.build import pipeline as build


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


@pytest.mark.parametrize("fails", [False, True], ids=["written", "failed"])
def test_the_editions_are_written_with_the_heap_frozen_and_it_is_thawed_after(
        tmp_path, fails):
    """gc.freeze() spares collections the build's long-lived objects; a process that
    builds again must get them back, whether the build succeeded or not."""
    import gc

    class Jobs:
        def __init__(self, *args):
            pass

        def run(self, pool, cache_dir):
            frozen.append(gc.get_freeze_count())
            if fails:
                raise OSError("synthetic: an edition failed")
            return {}
    frozen: list[int] = []
    options = build.Options(book_dir=tmp_path, out_dir=tmp_path / "dist", workers=0)
    before = gc.get_freeze_count()
    try:
        build._write_editions(Jobs(), options)
    except OSError:
        assert fails
    assert frozen and frozen[0] > before, "the editions were written with nothing frozen"
    assert gc.get_freeze_count() == before


def test_the_warm_up_thread_has_really_ended_before_the_workers_fork():
    """The build's warm-up thread uses Pango; a worker forked while that thread's system
    thread is still exiting (after ``join`` has returned) inherits GLib's slice lock held,
    and hangs. Without waiting for it, 15 of these 20 (163 of 200) were still there."""
    from pathlib import Path
    alive = 0
    for _ in range(20):
        ids = []

        def warm():
            from weasyprint.text.fonts import FontConfiguration
            FontConfiguration()
            ids.append(threading.get_native_id())
        with build._meanwhile(warm):
            pass
        alive += Path(f"/proc/self/task/{ids[0]}").exists()
    assert alive == 0
