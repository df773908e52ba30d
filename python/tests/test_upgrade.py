# SPDX-License-Identifier: MIT
"""statusdir.upgrade(): a format-1 store becomes format 2, its versions
kept in order and found by their old ids."""

import statusdir


def test_upgrade_keeps_versions_in_order(store_path):
    with statusdir.Store(store_path, create=True) as s:
        old = [s.put(b"v%d" % i) for i in range(3)]
        assert s.format == 1
    report = statusdir.upgrade(store_path, late_wait=0)
    assert (report.from1, report.numbered, report.was_format2) == (3, 3, False)
    with statusdir.Store(store_path) as s:
        assert s.format == 2
        assert [v.id for v in s.log()] == ["%020d" % n for n in (3, 2, 1)]
        assert s.get(old[0]) == b"v0"
        assert s.get() == b"v2"
        assert s.put_if(s.resolve("@0"), b"v3") == "%020d" % 4
    again = statusdir.upgrade(store_path, late_wait=0)
    assert again.numbered == 0


def test_upgrade_of_a_format2_store_does_nothing(store_path):
    with statusdir.Store(store_path, create=True, format=2) as s:
        s.put(b"x")
    assert statusdir.upgrade(store_path, late_wait=0).was_format2
