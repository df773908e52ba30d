# SPDX-License-Identifier: MIT
"""The Store API: open, put, get, log, rollback, prune, verify, info, config."""

import os
import re
import stat
from datetime import datetime, timedelta, timezone

import pytest

import statusdir

ID_RE = re.compile(r"^[0-9]{19}\.[0-9a-f]{32}\.(0|[1-9][0-9]*)\.[0-9a-f]{16}$")


def test_create_then_open(store_path):
    with statusdir.Store(store_path, create=True) as s:
        assert not s.closed
        vid = s.put(b"one")
    assert s.closed
    with statusdir.Store(store_path) as s:
        assert s.get() == b"one"
        assert s.resolve("@0") == vid
    assert sorted(os.listdir(store_path))[:1] == ["cur"]


def test_closed_store_raises_value_error(store):
    store.close()
    store.close()  # twice is fine
    with pytest.raises(ValueError):
        store.get()
    assert "closed" in repr(store)


def test_put_returns_the_id_and_get_reads_it(store):
    vid = store.put(b"hello\n")
    assert isinstance(vid, str) and isinstance(vid, statusdir.PutResult)
    assert ID_RE.match(vid) and vid.changed
    assert vid.split(".")[2] == "6"
    assert store.get() == b"hello\n"
    assert store.get(vid) == b"hello\n"
    assert store.get_version() == statusdir.Payload(b"hello\n", vid, False)


def test_put_accepts_bytes_like_and_empty(store):
    store.put(bytearray(b"ab"))
    assert store.get() == b"ab"
    store.put(memoryview(b"xyz"))
    assert store.get() == b"xyz"
    vid = store.put(b"")
    assert store.get(vid) == b""


def test_large_payload(store):
    data = os.urandom(3 * 1024 * 1024 + 7)
    vid = store.put(data, one_flush=True)
    assert store.get(vid) == data


def test_if_changed_returns_the_newest_unchanged(store):
    a = store.put(b"same", nosync=True)
    b = store.put(b"same", if_changed=True)
    assert b == a and b.changed is False
    c = store.put(b"other", if_changed=True)
    assert c != a and c.changed is True
    assert len(store.log()) == 2


def test_refs_by_at_n_and_version(store):
    ids = [store.put(b"v%d" % i) for i in range(4)]
    assert store.get("@0") == b"v3"
    assert store.get("@3") == b"v0"
    assert store.resolve("@2") == ids[1]
    versions = store.log()
    assert store.get(versions[1]) == b"v2"


def test_log_newest_first_with_fields(store):
    before = datetime.now(timezone.utc)
    ids = [store.put(b"x" * i) for i in range(1, 12)]
    versions = store.log()
    assert [v.id for v in versions] == ids[::-1]
    v = versions[0]
    assert (v.size, v.number, v.id, str(v)) == (11, None, ids[-1], ids[-1])
    assert v.time.tzinfo is not None and v.time.utcoffset() == timedelta(0)
    assert abs(v.time - before) < timedelta(minutes=5)
    assert v.time_ns == int(v.id.split(".")[0])
    assert v.time == datetime.fromtimestamp(v.time_ns // 10**9, timezone.utc) + \
        timedelta(microseconds=v.time_ns % 10**9 // 1000)
    assert v.checksum == int(v.id.split(".")[3], 16)
    assert [x.in_head for x in versions] == [True] * statusdir.HEAD + [False] * 3
    assert [x.id for x in store.log(3)] == ids[:-4:-1]
    assert store.log(0) == []
    assert [x.id for x in store.log(100)] == ids[::-1]
    assert [x.id for x in store.since(ids[8])] == ids[9:]
    with pytest.raises(ValueError):
        store.log(-1)


def test_log_of_an_empty_store(store):
    assert store.log() == [] and store.log(5) == []


def test_rollback(store):
    a = store.put(b"first")
    store.put(b"second")
    r = store.rollback(a)
    assert r != a and r.changed
    assert store.get() == b"first"
    assert store.rollback("@0", if_changed=True).changed is False


def test_file_path(store):
    vid = store.put(b"on disk")
    path = store.file_path()
    assert path == os.path.join(store.path, "cur", vid)
    with open(path, "rb") as f:
        assert f.read() == b"on disk"


def test_prune_keep_and_dry_run(store):
    ids = [store.put(b"%d" % i) for i in range(12)]
    dry = store.prune(keep=5, dry_run=True)
    assert dry.removed == 7 and len(store.log()) == 12
    assert all(e.dry_run for e in dry.events if e.kind == "removed")
    c = store.prune(keep=5)
    assert (c.versions, c.removed) == (12, 7)
    removed = sorted(e.name for e in c.events if e.kind == "removed")
    assert removed == sorted(ids[:7])
    assert [v.id for v in store.log()] == ids[:6:-1]


def test_prune_max_age(store):
    store.put(b"a")
    store.put(b"b")
    assert store.prune(max_age=timedelta(days=1)).removed == 0
    c = store.prune(max_age=1e-9)
    assert c.removed == 1  # never the newest
    assert store.get() == b"b"


def test_verify_clean(store):
    store.put(b"a")
    c = store.verify()
    assert c.ok and c.versions == 1 and c.events == []


def test_verify_reports_damage_and_junk(store):
    vid = store.put(b"good")
    store.put(b"newer")
    with open(os.path.join(store.path, "cur", vid), "ab") as f:
        f.write(b"!")
    open(os.path.join(store.path, "cur", "junk"), "w").close()
    c = store.verify()
    assert not c.ok and (c.versions, c.damaged, c.junk) == (2, 1, 1)
    damaged = [e for e in c.events if e.kind == "damaged"]
    assert [(e.dir, e.name) for e in damaged] == [("cur", vid)]
    assert "size" in damaged[0].detail
    assert any(e.kind == "junk" and e.name == "junk" for e in c.events)


def test_info(store):
    assert store.info().newest is None
    for i in range(10):
        store.put(b"%02d" % i)
    open(os.path.join(store.path, "tmp", "leftover"), "wb").write(b"12345")
    i = store.info()
    assert (i.versions, i.versions_cur, i.versions_old) == (10, 8, 2)
    assert (i.bytes, i.bytes_cur, i.bytes_old) == (20, 16, 4)
    assert i.newest.id == store.resolve("@0") and i.oldest.id == store.resolve("@9")
    assert i.tmp_stale + i.tmp_busy == 1
    assert i.tmp_stale_bytes + i.tmp_busy_bytes == 5


def test_config_created_read_and_set(store_path):
    cfg = statusdir.Config(mode=0o640, keep=3, max_age_ns=3600 * 10**9)
    with statusdir.Store(store_path, create=True, config=cfg) as s:
        assert s.config == cfg
        assert s.config.max_age == timedelta(hours=1)
        vid = s.put(b"x")
        assert stat.S_IMODE(os.stat(s.file_path(vid)).st_mode) == 0o640
        for i in range(6):
            s.put(b"%d" % i)
        assert len(s.log()) <= 3 + 1  # retention applied by puts
        s.config = statusdir.Config()
        assert s.config == statusdir.Config(None, None, None, None)
    with statusdir.Store(store_path, readonly=True) as s:
        assert s.config.keep is None


def test_readonly_refuses_writes(store_path):
    statusdir.Store(store_path, create=True).close()
    with statusdir.Store(store_path, readonly=True) as s:
        with pytest.raises(OSError) as e:
            s.put(b"x")
        assert e.value.errno == __import__("errno").EROFS
        assert s.prune(keep=1, dry_run=True).removed == 0


def test_format_argument(store_path):
    with pytest.raises(ValueError):
        statusdir.Store(store_path, create=True, format=3)
    assert not os.path.exists(store_path)


def test_library_version():
    assert re.match(r"^\d+\.\d+\.\d+", statusdir.library_version())
