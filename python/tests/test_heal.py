# SPDX-License-Identifier: MIT
"""A damaged newest heals: the newest intact version comes back, reported
as healed, not raised."""

import os

import pytest

import statusdir


def damage(store, vid):
    """Appends a byte to version vid: its size no longer matches its id."""
    with open(os.path.join(store.path, "cur", vid), "ab") as f:
        f.write(b"!")


def test_get_version_reports_healed(store):
    good = store.put(b"good")
    bad = store.put(b"bad")
    damage(store, bad)
    r = store.get_version()
    assert r == statusdir.Payload(b"good", good, True)
    assert store.get() == b"good"  # silently
    assert store.get_version(good).healed is False


def test_strict_raises(store):
    store.put(b"good")
    bad = store.put(b"bad")
    damage(store, bad)
    with pytest.raises(statusdir.Damaged):
        store.get_version(strict=True)
    with pytest.raises(statusdir.Damaged):
        store.get("@0")  # by reference: as it is or not at all


def test_noverify_still_compares_the_size(store):
    vid = store.put(b"abc")
    path = os.path.join(store.path, "cur", vid)
    with open(path, "r+b") as f:
        f.write(b"x")  # same size, other bytes
    assert store.get_version(verify=False).data == b"xbc"
    with pytest.raises(statusdir.Damaged):
        store.get_version(vid)
