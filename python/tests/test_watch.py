# SPDX-License-Identifier: MIT
"""watch: versions as they come, oldest first, a timeout, and Ctrl-C."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import statusdir


def test_watch_from_the_start_then_times_out(store):
    ids = [store.put(b"%d" % i) for i in range(10)]
    start = time.monotonic()
    seen = [v.id for v in store.watch(after="", timeout=0.3)]
    assert seen == ids
    assert 0.3 <= time.monotonic() - start < 5


def test_count_lost_tells_a_gap_apart(store_path):
    with statusdir.Store(store_path, create=True, format=2) as s:
        ids = [s.put(b"%d" % i) for i in range(5)]
        os.unlink(os.path.join(store_path, "cur", ids[2]))
        os.symlink("lost", os.path.join(store_path, "cur", ids[2]))  # a tombstone
        assert [v.id for v in s.since(ids[1])] == ids[3:]
        assert s.count_lost(ids[1], ids[3]) == 1
        assert s.count_lost(None, ids[4]) == 1
        assert s.count_lost(ids[2], ids[4]) == 0
        with pytest.raises(OSError):
            s.count_lost(ids[3], ids[3])


def test_watch_after_an_id_or_ref(store):
    ids = [store.put(b"%d" % i) for i in range(4)]
    assert [v.id for v in store.watch(after=ids[1], timeout=0.05)] == ids[2:]
    assert [v.id for v in store.watch(after="@1", timeout=0.05)] == ids[3:]


def test_watch_sees_versions_put_by_another_handle(store):
    store.put(b"before")
    w = store.watch()  # from now on: "before" is not yielded
    put = []

    def writer():
        with statusdir.Store(store.path) as s:
            for i in range(3):
                time.sleep(0.05)
                put.append(s.put(b"w%d" % i))

    t = threading.Thread(target=writer)
    t.start()
    seen = []
    for v in w:
        seen.append(v)
        if len(seen) == 3:
            break
    t.join()
    assert [v.id for v in seen] == put
    assert [store.get(v) for v in seen] == [b"w0", b"w1", b"w2"]


def test_watch_timeout_is_idle_time(store):
    def writer():
        with statusdir.Store(store.path) as s:
            for i in range(3):
                time.sleep(0.15)
                s.put(b"%d" % i)

    t = threading.Thread(target=writer)
    t.start()
    seen = list(store.watch(after="", timeout=0.6))
    t.join()
    assert len(seen) == 3  # 0.45 s in all, past no single 0.6 s pause


def test_watch_by_polling(store):
    def writer():
        time.sleep(0.1)
        with statusdir.Store(store.path) as s:
            s.put(b"polled")

    t = threading.Thread(target=writer)
    t.start()
    seen = list(store.watch(after="", timeout=1, poll=0.02))
    t.join()
    assert [store.get(v) for v in seen] == [b"polled"]


def test_ctrl_c_interrupts_a_watch(store, python_child):
    child = python_child(
        "import statusdir, sys\n"
        f"s = statusdir.Store({store.path!r})\n"
        "print('watching', flush=True)\n"
        "for v in s.watch(): pass\n",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"watching\n"
        time.sleep(0.3)  # into the wait
        start = time.monotonic()
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=10)
    finally:
        child.kill()
    assert time.monotonic() - start < 2
    assert child.returncode != 0 and b"KeyboardInterrupt" in err
