# SPDX-License-Identifier: MIT
"""Exceptions: the library's negative errno codes as OSError.

A code with a meaning particular to statusdir (statusdir.h, "Error model")
raises a subclass of :class:`Error`; any other code raises a plain
:class:`OSError` with ``errno`` set, which Python turns into its own
subclass where it has one (``PermissionError`` for EACCES,
``FileNotFoundError`` for a store path that does not exist, ...).  The
message is the library's ``statusdir_strerror()``.
"""

from __future__ import annotations

import errno
import os
from typing import Optional

from . import _lib


class Error(OSError):
    """Base of the errors with a meaning particular to statusdir."""


class Empty(Error):
    """The store holds no version (the newest was asked for): ENOENT."""


class NoSuchVersion(Error):
    """No version has the id asked for, or "@N" is beyond the history:
    ENOENT."""


class Damaged(Error):
    """A version's size or checksum does not match its id, and there is no
    intact version to fall back to: EBADMSG."""


class Conflict(Error):
    """A conditional put found another version newest: ECANCELED.

    ``newest`` is the id of the version that was newest when the library
    looked ("" if the store was empty).
    """

    newest: str = ""


class NotAStore(Error):
    """The directory is not a statusdir store: EMEDIUMTYPE."""


class NotEmpty(Error):
    """Create: the directory holds files and is not a store: ENOTEMPTY."""


class UnsupportedFormat(Error):
    """The store's format file names a format or checksum this library does
    not know, or is malformed: EPROTONOSUPPORT."""


class InvalidArgument(Error, ValueError):
    """An argument is invalid, e.g. an id that does not match the grammar:
    EINVAL.  Also a ValueError."""


# For codes whose class does not depend on the call.
_CLASSES = {
    errno.EBADMSG: Damaged,
    errno.ECANCELED: Conflict,
    errno.EMEDIUMTYPE: NotAStore,
    errno.ENOTEMPTY: NotEmpty,
    errno.EPROTONOSUPPORT: UnsupportedFormat,
    errno.EINVAL: InvalidArgument,
}


def strerror(code: int) -> str:
    """The library's description of a code it returned (negative: errno)."""
    return _lib.lib.statusdir_strerror(code).decode("utf-8", "replace")


def error(code: int, *, filename: Optional[str] = None,
          ref: Optional[str] = None, opening: bool = False) -> OSError:
    """The exception for a library call that returned code (< 0).

    ref is the version asked for (None: the newest), which tells Empty from
    NoSuchVersion; opening says the call was statusdir_open(), whose ENOENT
    is a missing path (FileNotFoundError).
    """
    num = -code
    # the library words ENOENT for versions; a missing store path is a file
    msg = os.strerror(num) if opening and num == errno.ENOENT else strerror(code)
    if num == errno.ENOENT and not opening:
        cls = Empty if ref is None else NoSuchVersion
    else:
        cls = _CLASSES.get(num, OSError)
    if filename is None:
        return cls(num, msg)
    return cls(num, msg, filename)
