# SPDX-License-Identifier: MIT
"""statusdir: a maildir-style, multi-version status store.

A Python binding of libstatusdir (loaded by its soname,
``libstatusdir.so.0``, or from the path in ``$STATUSDIR_LIBRARY``)::

    import statusdir
    with statusdir.Store("/var/lib/app/status", create=True) as s:
        vid = s.put(b"ok\\n")          # the new version's id
        s.get()                         # b'ok\\n'
        for v in s.log(5):              # the newest five, newest first
            print(v.id, v.time, v.size)

Errors are OSError; those particular to statusdir are statusdir.Error:
Empty, NoSuchVersion, Damaged, Conflict, NotAStore, NotEmpty,
UnsupportedFormat, InvalidArgument.  See statusdir(3) for the library.
"""

from __future__ import annotations

from . import _lib
from .errors import (Conflict, Damaged, Empty, Error, InvalidArgument, NoSuchVersion,
                     NotAStore, NotEmpty, UnsupportedFormat, strerror)
from .store import (Config, Counts, Event, Info, Payload, PutResult, Store, UpgradeReport,
                    Version, upgrade)

__all__ = [
    "Store", "Version", "PutResult", "Payload", "Config", "Counts", "Event", "Info",
    "Error", "Empty", "NoSuchVersion", "Damaged", "Conflict", "NotAStore", "NotEmpty",
    "UnsupportedFormat", "InvalidArgument", "strerror", "library_version", "HEAD",
    "upgrade", "UpgradeReport",
]

__version__ = "0.1.0"

#: How many of the newest versions stay in cur/ (format 1).
HEAD = _lib.STATUSDIR_HEAD


def library_version() -> str:
    """The version of the libstatusdir loaded, e.g. "0.1.0"."""
    return _lib.lib.statusdir_version().decode("ascii")
