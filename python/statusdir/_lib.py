# SPDX-License-Identifier: MIT
"""The ctypes mirror of lib/statusdir.h and the loaded libstatusdir.

Every constant and structure here copies one of the header; the test
python/tests/test_abi.py compares them with what a C compiler makes of the
header, so a change on one side that the other misses fails ``make check``.
"""

from __future__ import annotations

import ctypes
import os
from typing import Optional

#: The soname loaded unless ``STATUSDIR_LIBRARY`` names another file.
SONAME = "libstatusdir.so.0"

# ---- Constants (statusdir.h) ------------------------------------------------

STATUSDIR_ID_MAX = 90
STATUSDIR_ID_SIZE = STATUSDIR_ID_MAX + 1
STATUSDIR_HEAD = 8

# statusdir_open()
STATUSDIR_CREATE = 1 << 0
STATUSDIR_READONLY = 1 << 1
# Creates a store of format 2.
STATUSDIR_FORMAT2 = 1 << 2

# statusdir_put()
STATUSDIR_NOSYNC = 1 << 0
STATUSDIR_IF_CHANGED = 1 << 1
STATUSDIR_ONE_FLUSH = 1 << 2

# Positive results, not errno codes.
STATUSDIR_UNCHANGED = 1
STATUSDIR_HEALED = 2

# statusdir_get*()
STATUSDIR_GET_STRICT = 1 << 0
STATUSDIR_GET_NOVERIFY = 1 << 1

# enum statusdir_event_kind
STATUSDIR_EV_REMOVED = 0
STATUSDIR_EV_MOVED = 1
STATUSDIR_EV_TMP_REMOVED = 2
STATUSDIR_EV_TMP_STALE = 3
STATUSDIR_EV_TMP_BUSY = 4
STATUSDIR_EV_JUNK = 5
STATUSDIR_EV_DAMAGED = 6
STATUSDIR_EV_UNREADABLE = 7

STATUSDIR_PRUNE_DRY_RUN = 1 << 0
STATUSDIR_TMP_AGE_NS = 36 * 3600 * 1000000000

# statusdir_upgrade()
STATUSDIR_UPGRADE_KEEP_V1 = 1 << 0
STATUSDIR_UPGRADE_LATE_WAIT_NS = 120 * 1000000000

#: Constants not yet in every header this module may meet: the ABI test
#: compares them only when the header declares them.
PENDING_CONSTANTS: frozenset = frozenset()

#: Every constant above, by its C name, for the ABI test.
CONSTANTS = {name: value for name, value in globals().items()
             if name.startswith("STATUSDIR_")}

# ---- Structures -------------------------------------------------------------


class Config(ctypes.Structure):
    """struct statusdir_config"""
    _fields_ = [
        ("mode", ctypes.c_uint),
        ("gid", ctypes.c_int64),
        ("keep", ctypes.c_uint64),
        ("max_age_ns", ctypes.c_int64),
    ]


class Read(ctypes.Structure):
    """struct statusdir_read"""
    _fields_ = [
        ("flags", ctypes.c_uint),
        ("id", ctypes.c_char * STATUSDIR_ID_SIZE),
        ("damaged", ctypes.c_char * STATUSDIR_ID_SIZE),
        ("skipped", ctypes.c_uint),
    ]


class Version(ctypes.Structure):
    """struct statusdir_version"""
    _fields_ = [
        ("id", ctypes.c_char * STATUSDIR_ID_SIZE),
        ("time_ns", ctypes.c_int64),
        ("size", ctypes.c_uint64),
        ("checksum", ctypes.c_uint64),
        ("in_head", ctypes.c_int),
    ]


class Event(ctypes.Structure):
    """struct statusdir_event"""
    _fields_ = [
        ("kind", ctypes.c_int),  # enum statusdir_event_kind
        ("dir", ctypes.c_char_p),
        ("name", ctypes.c_char_p),
        ("dry_run", ctypes.c_int),
        ("detail", ctypes.c_char_p),
        ("error", ctypes.c_int),
    ]


#: statusdir_report_fn
REPORT_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(Event))


class PrunePolicy(ctypes.Structure):
    """struct statusdir_prune_policy"""
    _fields_ = [
        ("keep", ctypes.c_uint64),
        ("max_age_ns", ctypes.c_int64),
        ("tmp_age_ns", ctypes.c_int64),
        ("flags", ctypes.c_uint),
        ("report", REPORT_FN),
        ("report_arg", ctypes.c_void_p),
    ]


class Counts(ctypes.Structure):
    """struct statusdir_counts"""
    _fields_ = [
        ("versions", ctypes.c_uint64),
        ("removed", ctypes.c_uint64),
        ("moved", ctypes.c_uint64),
        ("tmp_removed", ctypes.c_uint64),
        ("tmp_stale", ctypes.c_uint64),
        ("tmp_busy", ctypes.c_uint64),
        ("junk", ctypes.c_uint64),
        ("damaged", ctypes.c_uint64),
        ("unreadable", ctypes.c_uint64),
    ]


class TmpUsage(ctypes.Structure):
    """struct statusdir_tmp_usage"""
    _fields_ = [
        ("stale", ctypes.c_uint64),
        ("busy", ctypes.c_uint64),
        ("stale_bytes", ctypes.c_uint64),
        ("busy_bytes", ctypes.c_uint64),
    ]


class UpgradeReport(ctypes.Structure):
    """struct statusdir_upgrade_report"""
    _fields_ = [
        ("from1", ctypes.c_uint64),
        ("numbered", ctypes.c_uint64),
        ("removed", ctypes.c_uint64),
        ("adopted", ctypes.c_uint64),
        ("damaged", ctypes.c_uint64),
        ("was_format2", ctypes.c_int),
    ]


#: Every structure above, by its C tag, for the ABI test.
STRUCTURES = {
    "statusdir_config": Config,
    "statusdir_read": Read,
    "statusdir_version": Version,
    "statusdir_event": Event,
    "statusdir_prune_policy": PrunePolicy,
    "statusdir_counts": Counts,
    "statusdir_tmp_usage": TmpUsage,
    "statusdir_upgrade_report": UpgradeReport,
}

# ---- Functions --------------------------------------------------------------

_handle = ctypes.c_void_p
_int, _uint, _size, _i64 = ctypes.c_int, ctypes.c_uint, ctypes.c_size_t, ctypes.c_int64
_str, _buf, _vp = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p
_idbuf = ctypes.c_char_p  # char[STATUSDIR_ID_SIZE], written by the call
_versions = ctypes.POINTER(Version)

#: name: (result type, argument types), as declared in statusdir.h.
PROTOTYPES = {
    "statusdir_config_init": (None, [ctypes.POINTER(Config)]),
    "statusdir_open": (_int, [_str, _uint, ctypes.POINTER(Config),
                              ctypes.POINTER(_handle)]),
    "statusdir_close": (None, [_handle]),
    "statusdir_config_get": (_int, [_handle, ctypes.POINTER(Config)]),
    "statusdir_config_set": (_int, [_handle, ctypes.POINTER(Config)]),
    "statusdir_put": (_int, [_handle, _buf, _size, _uint, _idbuf]),
    "statusdir_put_fd": (_int, [_handle, _int, _uint, _idbuf]),
    "statusdir_put_begin": (_int, [_handle, _uint, ctypes.POINTER(_vp)]),
    "statusdir_put_write": (_int, [_vp, _buf, _size]),
    "statusdir_put_commit": (_int, [_vp, _idbuf]),
    "statusdir_put_abort": (None, [_vp]),
    "statusdir_rollback": (_int, [_handle, _str, _uint, _idbuf]),
    "statusdir_get": (_int, [_handle, _str, _buf, _size, ctypes.POINTER(_size), _idbuf]),
    "statusdir_get_alloc": (_int, [_handle, _str, _uint, ctypes.POINTER(_vp),
                                   ctypes.POINTER(_size), _idbuf]),
    "statusdir_get_fd": (_int, [_handle, _str, _int, _uint, _idbuf]),
    "statusdir_read_fd": (_int, [_handle, _str, _int, ctypes.POINTER(Read)]),
    "statusdir_path": (_int, [_handle, _str, ctypes.POINTER(_vp)]),
    "statusdir_list": (_int, [_handle, ctypes.POINTER(_versions),
                              ctypes.POINTER(_size)]),
    "statusdir_list_free": (None, [_versions]),
    "statusdir_list_newest": (_int, [_handle, _size, ctypes.POINTER(_versions),
                                     ctypes.POINTER(_size)]),
    "statusdir_list_since": (_int, [_handle, _str, ctypes.POINTER(_versions),
                                    ctypes.POINTER(_size)]),
    "statusdir_count_lost": (_int, [_handle, _str, _str, ctypes.POINTER(ctypes.c_uint64)]),
    "statusdir_wait": (_int, [_handle, _str, _i64, _i64, _idbuf]),
    "statusdir_watch_fd": (_int, [_handle]),
    "statusdir_watch_ack": (_int, [_handle]),
    "statusdir_resolve": (_int, [_handle, _str, _idbuf]),
    "statusdir_prune_policy_init": (None, [ctypes.POINTER(PrunePolicy)]),
    "statusdir_prune": (_int, [_handle, ctypes.POINTER(PrunePolicy),
                               ctypes.POINTER(Counts)]),
    "statusdir_verify": (_int, [_handle, REPORT_FN, _vp,
                                ctypes.POINTER(Counts)]),
    "statusdir_tmp_usage": (_int, [_handle, _i64, ctypes.POINTER(TmpUsage)]),
    "statusdir_id_parse": (_int, [_str, ctypes.POINTER(Version)]),
    "statusdir_strerror": (_str, [_int]),
    "statusdir_version": (_str, []),
    # Conditional put: commits only if the newest version is still base;
    # -ECANCELED and the newest id otherwise.
    "statusdir_put_if": (_int, [_handle, _str, _buf, _size, _uint, _idbuf]),
    "statusdir_put_commit_if": (_int, [_vp, _str, _idbuf]),
    "statusdir_format": (_int, [_handle]),
    "statusdir_upgrade": (_int, [_str, _uint, _i64, ctypes.POINTER(UpgradeReport)]),
}

#: Functions an older library may lack; calls to them check function().
OPTIONAL_FUNCTIONS: frozenset = frozenset()


def load(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads libstatusdir: path, else $STATUSDIR_LIBRARY, else the soname.

    Declares the prototypes of every function the library has; a function
    of OPTIONAL_FUNCTIONS that it lacks is left out (see function()).
    """
    path = path or os.environ.get("STATUSDIR_LIBRARY") or SONAME
    dll = ctypes.CDLL(path, use_errno=True)
    for name, (restype, argtypes) in PROTOTYPES.items():
        try:
            f = getattr(dll, name)
        except AttributeError:
            if name in OPTIONAL_FUNCTIONS:
                continue
            raise
        f.restype = restype
        f.argtypes = argtypes
    return dll


lib = load()

# free(3) of the process, which is the one the library's malloc pairs with
# (also when a sanitizer's runtime replaces both).
_libc = ctypes.CDLL(None)
free = _libc.free
free.restype = None
free.argtypes = [ctypes.c_void_p]


def function(name: str):
    """The library's function name, or None if this library lacks it."""
    return getattr(lib, name, None)
