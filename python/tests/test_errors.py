# SPDX-License-Identifier: MIT
"""Each error of the library raises its exception class, an OSError."""

import errno
import os

import pytest

import statusdir


def check(exc, cls, num):
    assert type(exc) is cls
    assert isinstance(exc, OSError) and exc.errno == num
    assert exc.strerror == statusdir.strerror(-num)


def test_empty(store):
    with pytest.raises(statusdir.Empty) as e:
        store.get()
    check(e.value, statusdir.Empty, errno.ENOENT)
    assert e.value.filename == store.path
    with pytest.raises(statusdir.Empty):
        store.resolve("@0")


def test_no_such_version(store):
    vid = store.put(b"x")
    other = vid[:-1] + ("0" if vid[-1] != "0" else "1")
    for ref in (other, "@1"):
        with pytest.raises(statusdir.NoSuchVersion) as e:
            store.get(ref)
        check(e.value, statusdir.NoSuchVersion, errno.ENOENT)
    with pytest.raises(statusdir.NoSuchVersion):
        store.resolve("@7")


def test_invalid_argument_is_a_value_error(store):
    with pytest.raises(ValueError) as e:
        store.get("not-an-id")
    check(e.value, statusdir.InvalidArgument, errno.EINVAL)
    with pytest.raises(statusdir.InvalidArgument):
        store.get("@x")


def test_damaged(store):
    vid = store.put(b"payload")
    with open(os.path.join(store.path, "cur", vid), "ab") as f:
        f.write(b"!")
    with pytest.raises(statusdir.Damaged) as e:
        store.get(vid)
    check(e.value, statusdir.Damaged, errno.EBADMSG)
    with pytest.raises(statusdir.Damaged):  # no intact version to heal with
        store.get()


def test_not_a_store(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(statusdir.NotAStore) as e:
        statusdir.Store(tmp_path)
    check(e.value, statusdir.NotAStore, errno.EMEDIUMTYPE)
    assert e.value.filename == str(tmp_path)


def test_not_empty(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(statusdir.NotEmpty) as e:
        statusdir.Store(tmp_path, create=True)
    check(e.value, statusdir.NotEmpty, errno.ENOTEMPTY)


def test_unsupported_format(store_path):
    statusdir.Store(store_path, create=True).close()
    with open(os.path.join(store_path, "format"), "w") as f:
        f.write("statusdir-format 99\n")
    with pytest.raises(statusdir.UnsupportedFormat) as e:
        statusdir.Store(store_path)
    check(e.value, statusdir.UnsupportedFormat, errno.EPROTONOSUPPORT)


def test_missing_store_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        statusdir.Store(tmp_path / "nowhere")
    assert e.value.errno == errno.ENOENT and not isinstance(e.value, statusdir.Error)
    assert e.value.strerror == os.strerror(errno.ENOENT)


def test_other_errno_is_a_plain_oserror(store_path):
    statusdir.Store(store_path, create=True).close()
    os.symlink(os.path.join(store_path, "elsewhere"), os.path.join(store_path, "x"))
    os.rename(os.path.join(store_path, "cur"), os.path.join(store_path, "elsewhere"))
    os.rename(os.path.join(store_path, "x"), os.path.join(store_path, "cur"))
    with pytest.raises(OSError) as e:  # a symlinked cur/ is refused: ELOOP
        with statusdir.Store(store_path) as s:
            s.put(b"x")
    assert type(e.value) is OSError and e.value.errno == errno.ELOOP
    assert e.value.strerror == statusdir.strerror(-errno.ELOOP)


def test_conflict_is_an_error():
    assert issubclass(statusdir.Conflict, statusdir.Error)
    assert issubclass(statusdir.Error, OSError)
