# SPDX-License-Identifier: MIT
"""Python and the statusdir program share stores: each reads what the
other wrote, byte for byte, and agrees on ids."""

import os

import statusdir


def test_python_writes_cli_reads(store, cli):
    data = bytes(range(256)) * 300
    vid = store.put(data)
    assert cli("get", store.path).stdout == data
    assert cli("get", store.path, vid).stdout == data
    assert cli("log", store.path, "-n", "1", "--format", "%i").stdout.decode().strip() == vid


def test_cli_writes_python_reads(store_path, cli):
    cli("init", store_path)
    data = b"from the shell\n\x00\xff"
    cli("put", store_path, input=data)
    vid = cli("log", store_path, "-n", "1", "--format", "%i").stdout.decode().strip()
    with statusdir.Store(store_path) as s:
        assert s.get() == data
        assert s.get_version().id == vid
        assert [v.id for v in s.log()] == [vid]


def test_cli_sees_healed_and_python_damage_alike(store, cli):
    good = store.put(b"good")
    bad = store.put(b"bad")
    with open(os.path.join(store.path, "cur", bad), "ab") as f:
        f.write(b"!")
    r = cli("get", store.path)
    assert r.stdout == b"good" and good in r.stderr.decode()
    assert store.get_version().id == good
    assert cli("verify", store.path, check=False).returncode == 3
    assert store.verify().damaged == 1
