# SPDX-License-Identifier: MIT
"""put_if and update: read, modify, write without losing a change, in
format-2 stores (the store fixture here makes one)."""

import multiprocessing
import os

import pytest

import statusdir
from statusdir import _lib


@pytest.fixture
def store(store_path):
    """A new, empty format-2 store, open."""
    with statusdir.Store(store_path, create=True, format=2) as s:
        assert s.format == 2
        yield s


def increment(old):
    return b"%d" % (int(old or b"0") + 1)


def test_update_without_put_if_is_not_implemented(store, monkeypatch):
    monkeypatch.setattr(_lib, "function", lambda name: None)
    with pytest.raises(NotImplementedError):
        store.update(increment)
    with pytest.raises(NotImplementedError):
        store.put_if("", b"x")
    assert store.log() == []


def test_put_if(store):
    a = store.put_if("", b"first")
    assert store.get() == b"first" and a.changed
    with pytest.raises(statusdir.Conflict) as e:
        store.put_if("", b"again")
    assert e.value.newest == a and isinstance(e.value, OSError)
    b = store.put_if(a, b"second")
    with pytest.raises(statusdir.Conflict) as e:
        store.put_if(a, b"stale")
    assert e.value.newest == b
    assert [store.get(v) for v in store.log()] == [b"second", b"first"]


def test_update_counts(store):
    for _ in range(5):
        store.update(increment)
    assert store.get() == b"5"
    assert len(store.log()) == 5


def test_update_gives_up_after_retries(store):
    calls = []

    def meddling(old):
        calls.append(old)
        with statusdir.Store(store.path) as other:
            other.put(b"%d" % len(calls))  # another writer, every time
        return b"mine"

    with pytest.raises(statusdir.Conflict):
        store.update(meddling, retries=2)
    assert len(calls) == 3
    assert b"mine" not in [store.get(v) for v in store.log()]


def test_update_replaces_a_damaged_newest(store):
    store.put(b"1")
    bad = store.put(b"2")
    with open(os.path.join(store.path, "cur", bad), "ab") as f:
        f.write(b"!")
    store.update(increment)
    assert store.get_version() == statusdir.Payload(b"2", store.resolve("@0"), False)


def _worker(path, n, ready):
    ready.wait()
    with statusdir.Store(path) as s:
        for _ in range(n):
            s.update(increment, retries=1000, nosync=True)


def test_update_counter_from_several_processes(store):
    procs, per = 4, 25
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    workers = [ctx.Process(target=_worker, args=(store.path, per, ready)) for _ in range(procs)]
    for w in workers:
        w.start()
    ready.set()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0] * procs
    assert store.get() == b"%d" % (procs * per)
    values = sorted(int(store.get(v)) for v in store.log())
    assert values == list(range(1, procs * per + 1))  # no increment lost
