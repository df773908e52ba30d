# SPDX-License-Identifier: MIT
"""Store: a statusdir store opened through libstatusdir."""

from __future__ import annotations

import ctypes
import errno
import os
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator, List, Optional, Union

from . import _lib
from .errors import Conflict, Damaged, Empty, NoSuchVersion, error

#: A version named by its id, "@N" (0: the newest), or a Version.
Ref = Union[str, "Version"]
#: A duration: a timedelta, or seconds.
Duration = Union[timedelta, int, float]

# Blocking waits return at least this often, so that Python runs its signal
# handlers (Ctrl-C raises KeyboardInterrupt) while a watch sleeps.
_WAKE_NS = 200_000_000


def _ns(d: Duration) -> int:
    if isinstance(d, timedelta):
        return (d.days * 86400 + d.seconds) * 1_000_000_000 + d.microseconds * 1000
    return int(round(d * 1_000_000_000))


def _ref(ref: Optional[Ref]) -> Optional[bytes]:
    if ref is None:
        return None
    if isinstance(ref, Version):
        ref = ref.id
    return os.fsencode(ref)


def _time(ns: int) -> datetime:
    s, rest = divmod(ns, 1_000_000_000)
    return datetime.fromtimestamp(s, tz=timezone.utc) + timedelta(microseconds=rest // 1000)


@dataclass(frozen=True)
class Version:
    """One version, as listed.

    ``number`` is the version's number for the ids of format 2 (20 decimal
    digits), None for those of format 1 (time.unique.size.checksum).
    ``time`` is the id's time in UTC, to the microsecond; ``time_ns`` is
    exact.  ``in_head``: found in cur/ (format 1's head), not in old/.
    """
    id: str
    number: Optional[int]
    time: datetime
    time_ns: int
    size: int
    checksum: int
    in_head: bool

    @classmethod
    def _from_c(cls, v: _lib.Version) -> "Version":
        vid = v.id.decode("ascii")
        number = int(vid) if len(vid) == 20 and vid.isdigit() else None
        return cls(vid, number, _time(v.time_ns), v.time_ns, v.size,
                   v.checksum, bool(v.in_head))

    def __str__(self) -> str:
        return self.id


class PutResult(str):
    """The id of a put's version (a str), with ``changed``: False when the
    put asked for if_changed and the newest already held the same bytes, so
    that nothing was committed and the id is the newest's."""

    changed: bool

    def __new__(cls, vid: str, changed: bool = True) -> "PutResult":
        self = super().__new__(cls, vid)
        self.changed = changed
        return self

    def __repr__(self) -> str:
        return f"PutResult({str.__repr__(self)}, changed={self.changed})"


@dataclass(frozen=True)
class Payload:
    """What a read returned: the bytes, the id of the version they are, and
    ``healed``: the newest was damaged and this is the newest intact one."""
    data: bytes
    id: str
    healed: bool = False


@dataclass(frozen=True)
class Config:
    """The settings recorded in a store (None: not recorded)."""
    mode: Optional[int] = None        # permission bits of versions
    gid: Optional[int] = None         # group of the store's folders
    keep: Optional[int] = None        # retention: at most this many versions
    max_age_ns: Optional[int] = None  # retention: none older than this

    @property
    def max_age(self) -> Optional[timedelta]:
        return None if self.max_age_ns is None else timedelta(microseconds=self.max_age_ns / 1000)

    @classmethod
    def _from_c(cls, c: _lib.Config) -> "Config":
        return cls(c.mode or None, None if c.gid < 0 else c.gid,
                   c.keep or None, c.max_age_ns or None)

    def _to_c(self) -> _lib.Config:
        c = _lib.Config()
        _lib.lib.statusdir_config_init(ctypes.byref(c))
        c.mode = self.mode or 0
        c.gid = -1 if self.gid is None else self.gid
        c.keep = self.keep or 0
        c.max_age_ns = self.max_age_ns or 0
        return c


_EVENT_KINDS = {
    _lib.STATUSDIR_EV_REMOVED: "removed",
    _lib.STATUSDIR_EV_MOVED: "moved",
    _lib.STATUSDIR_EV_TMP_REMOVED: "tmp_removed",
    _lib.STATUSDIR_EV_TMP_STALE: "tmp_stale",
    _lib.STATUSDIR_EV_TMP_BUSY: "tmp_busy",
    _lib.STATUSDIR_EV_JUNK: "junk",
    _lib.STATUSDIR_EV_DAMAGED: "damaged",
    _lib.STATUSDIR_EV_UNREADABLE: "unreadable",
}


@dataclass(frozen=True)
class Event:
    """One finding of a prune or verify.  kind is one of "removed",
    "moved", "tmp_removed", "tmp_stale", "tmp_busy", "junk", "damaged",
    "unreadable"; dir is "cur", "old" or "tmp"; error is the errno
    (positive) of an unreadable version, else 0."""
    kind: str
    dir: str
    name: str
    dry_run: bool
    detail: str
    error: int


@dataclass
class Counts:
    """What a prune or verify counted, and its events in order."""
    versions: int = 0
    removed: int = 0
    moved: int = 0
    tmp_removed: int = 0
    tmp_stale: int = 0
    tmp_busy: int = 0
    junk: int = 0
    damaged: int = 0
    unreadable: int = 0
    events: List[Event] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every version was read and none is damaged."""
        return self.damaged == 0 and self.unreadable == 0


@dataclass(frozen=True)
class Info:
    """What a store holds (as ``statusdir info``)."""
    versions: int
    versions_cur: int
    versions_old: int
    bytes: int
    bytes_cur: int
    bytes_old: int
    newest: Optional[Version]
    oldest: Optional[Version]
    tmp_stale: int
    tmp_stale_bytes: int
    tmp_busy: int
    tmp_busy_bytes: int
    config: Config


def _collector(events: List[Event]):
    def report(_arg, ev_p):
        ev = ev_p.contents
        text = lambda b: b.decode("utf-8", "replace") if b else ""
        events.append(Event(_EVENT_KINDS.get(ev.kind, str(ev.kind)), text(ev.dir),
                            text(ev.name), bool(ev.dry_run), text(ev.detail), -ev.error))
    return _lib.REPORT_FN(report)


def _counts(c: _lib.Counts, events: List[Event]) -> Counts:
    return Counts(*(getattr(c, name) for name, _ in _lib.Counts._fields_), events=events)


class Store:
    """A statusdir store, opened; a context manager that closes it.

    >>> with Store("/var/lib/app/status", create=True) as s:
    ...     vid = s.put(b"ok\\n")
    ...     s.get()
    b'ok\\n'

    create makes a missing store (with config as its settings); readonly
    opens it for reading only (writes raise OSError EROFS); format=2
    creates a store of format 2, format=1 one of format 1 (None: the
    library's default, 1); an existing store keeps its format (.format).  Calls on
    one Store are serialised by a lock, as the library asks; each process
    opens its own.
    """

    def __init__(self, path: Union[str, os.PathLike], create: bool = False,
                 readonly: bool = False, format: Optional[int] = None,
                 config: Optional[Config] = None) -> None:
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._sd: Optional[int] = None
        flags = (_lib.STATUSDIR_CREATE if create else 0) | \
                (_lib.STATUSDIR_READONLY if readonly else 0)
        if format == 2:
            flags |= _lib.STATUSDIR_FORMAT2
        elif format not in (None, 1):
            raise ValueError(f"format must be None, 1 or 2, not {format!r}")
        sd = ctypes.c_void_p()
        cfg = ctypes.byref(config._to_c()) if config is not None else None
        r = _lib.lib.statusdir_open(os.fsencode(self.path), flags, cfg, ctypes.byref(sd))
        if r < 0:
            raise error(r, filename=self.path, opening=True)
        self._sd = sd.value

    # ---- life cycle ----

    def close(self) -> None:
        """Closes the store; further calls raise ValueError.  Idempotent."""
        with self._lock:
            if self._sd is not None:
                _lib.lib.statusdir_close(self._sd)
                self._sd = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_sd", None) is not None:
            _lib.lib.statusdir_close(self._sd)
            self._sd = None

    def __repr__(self) -> str:
        state = "closed" if self._sd is None else "open"
        return f"<statusdir.Store {self.path!r} {state}>"

    @property
    def format(self) -> int:
        """The store's format: 1, or 2 (numbers claimed by commit, put_if)."""
        with self._lock:
            return _lib.lib.statusdir_format(self._handle())

    @property
    def closed(self) -> bool:
        return self._sd is None

    def _handle(self) -> int:
        if self._sd is None:
            raise ValueError("I/O operation on a closed statusdir.Store")
        return self._sd

    def _check(self, r: int, ref: Optional[Ref] = None) -> int:
        if r < 0:
            raise error(r, filename=self.path, ref=None if ref in (None, "") else str(ref))
        return r

    # ---- writing ----

    @staticmethod
    def _put_flags(if_changed: bool, nosync: bool, one_flush: bool) -> int:
        return ((_lib.STATUSDIR_IF_CHANGED if if_changed else 0) |
                (_lib.STATUSDIR_NOSYNC if nosync else 0) |
                (_lib.STATUSDIR_ONE_FLUSH if one_flush else 0))

    def put(self, data: bytes, *, if_changed: bool = False, nosync: bool = False,
            one_flush: bool = False) -> PutResult:
        """Puts data as the new, newest version and returns its id.

        if_changed: commit nothing if the newest holds the same bytes; the
        result is then that version's id with ``changed`` False.  nosync:
        skip the fsyncs (committed, not durable).  one_flush: durable with
        one flush (statusdir(5), "One flush").
        """
        data = bytes(data)
        vid = ctypes.create_string_buffer(_lib.STATUSDIR_ID_SIZE)
        with self._lock:
            r = self._check(_lib.lib.statusdir_put(
                self._handle(), data, len(data),
                self._put_flags(if_changed, nosync, one_flush), vid))
        return PutResult(vid.value.decode("ascii"), r != _lib.STATUSDIR_UNCHANGED)

    def put_if(self, base: Optional[Ref], data: bytes, *, if_changed: bool = False,
               nosync: bool = False, one_flush: bool = False) -> PutResult:
        """Puts data only if the newest version is still base (None or "":
        only if the store is empty), else raises Conflict, whose ``newest``
        names the version that was newest.  NotImplementedError if the
        library has no statusdir_put_if()."""
        put_if = _lib.function("statusdir_put_if")
        if put_if is None:
            raise NotImplementedError("this libstatusdir has no statusdir_put_if()")
        data = bytes(data)
        vid = ctypes.create_string_buffer(_lib.STATUSDIR_ID_SIZE)
        with self._lock:
            r = put_if(self._handle(), _ref(base) or b"", data, len(data),
                       self._put_flags(if_changed, nosync, one_flush), vid)
        if r == -errno.ECANCELED:
            e = error(r, filename=self.path)
            e.newest = vid.value.decode("ascii")
            raise e
        self._check(r)
        return PutResult(vid.value.decode("ascii"), r != _lib.STATUSDIR_UNCHANGED)

    def update(self, fn: Callable[[Optional[bytes]], bytes], retries: int = 10,
               timeout: Optional[Duration] = None, *, nosync: bool = False) -> PutResult:
        """Read, modify, write without losing another writer's change.

        Calls fn with the newest payload (None for an empty store) and puts
        what it returns only if no other version was committed meanwhile
        (put_if); otherwise waits a random, growing while and calls fn
        again with the new newest, up to retries more times (Conflict after
        that) or until timeout passes (TimeoutError).  A damaged newest is
        read as the newest intact version and replaced.  fn may be called
        more than once, so it should have no other effects.
        NotImplementedError if the library has no statusdir_put_if().
        """
        if _lib.function("statusdir_put_if") is None:
            raise NotImplementedError("this libstatusdir has no statusdir_put_if()")
        deadline = None if timeout is None else time.monotonic() + _ns(timeout) / 1e9
        delay = 0.001
        last: Optional[Conflict] = None
        for attempt in range(retries + 1):
            try:
                base = self.resolve("@0")
            except Empty:
                base, old = "", None
            else:
                try:
                    old = self.get(base)
                except Damaged:
                    old = self.get_version().data  # healed: the newest intact one
                except NoSuchVersion:  # pruned meanwhile, so no longer newest
                    base = None
            if base is not None:
                try:
                    return self.put_if(base, fn(old), nosync=nosync)
                except Conflict as e:
                    last = e
            if attempt == retries:
                break
            pause = random.uniform(0, delay)
            if deadline is not None and time.monotonic() + pause > deadline:
                raise TimeoutError(errno.ETIMEDOUT, "update: conflicts until the timeout", self.path)
            time.sleep(pause)
            delay = min(delay * 2, 0.25)
        raise last or Conflict(errno.ECANCELED, "update: the newest kept changing", self.path)

    def rollback(self, ref: Ref, *, if_changed: bool = False, nosync: bool = False,
                 one_flush: bool = False) -> PutResult:
        """Commits the bytes of version ref again as the newest; returns the
        new id (history is never rewritten)."""
        vid = ctypes.create_string_buffer(_lib.STATUSDIR_ID_SIZE)
        with self._lock:
            r = self._check(_lib.lib.statusdir_rollback(
                self._handle(), _ref(ref), self._put_flags(if_changed, nosync, one_flush),
                vid), ref)
        return PutResult(vid.value.decode("ascii"), r != _lib.STATUSDIR_UNCHANGED)

    # ---- reading ----

    def get_version(self, ref: Optional[Ref] = None, *, strict: bool = False,
                    verify: bool = True) -> Payload:
        """Reads a version: ref None for the newest, an id, or "@N".

        The bytes are checked against the size and checksum in the id.  A
        damaged newest is not an error: the newest intact version is
        returned with ``healed`` True (unless strict, which raises Damaged).
        verify=False skips the checksum.  Raises Empty, NoSuchVersion,
        Damaged, InvalidArgument, OSError.
        """
        flags = (_lib.STATUSDIR_GET_STRICT if strict else 0) | \
                (0 if verify else _lib.STATUSDIR_GET_NOVERIFY)
        buf = ctypes.c_void_p()
        size = ctypes.c_size_t()
        vid = ctypes.create_string_buffer(_lib.STATUSDIR_ID_SIZE)
        with self._lock:
            r = self._check(_lib.lib.statusdir_get_alloc(
                self._handle(), _ref(ref), flags, ctypes.byref(buf), ctypes.byref(size), vid), ref)
        try:
            data = ctypes.string_at(buf.value, size.value)
        finally:
            _lib.free(buf)
        return Payload(data, vid.value.decode("ascii"), r == _lib.STATUSDIR_HEALED)

    def get(self, ref: Optional[Ref] = None) -> bytes:
        """The bytes of a version (see get_version()); a damaged newest
        heals silently."""
        return self.get_version(ref).data

    def resolve(self, ref: Ref) -> str:
        """The id that ref (an id or "@N") names."""
        vid = ctypes.create_string_buffer(_lib.STATUSDIR_ID_SIZE)
        with self._lock:
            self._check(_lib.lib.statusdir_resolve(self._handle(), _ref(ref), vid),
                        None if str(ref) == "@0" else ref)
        return vid.value.decode("ascii")

    def file_path(self, ref: Optional[Ref] = None) -> str:
        """The path of the file holding a version (it may move or go at any
        time)."""
        p = ctypes.c_void_p()
        with self._lock:
            self._check(_lib.lib.statusdir_path(self._handle(), _ref(ref), ctypes.byref(p)), ref)
        try:
            return os.fsdecode(ctypes.string_at(p.value))
        finally:
            _lib.free(p)

    def _list(self, call, *args) -> List[Version]:
        arr = ctypes.POINTER(_lib.Version)()
        n = ctypes.c_size_t()
        with self._lock:
            self._check(call(self._handle(), *args, ctypes.byref(arr), ctypes.byref(n)))
        try:
            return [Version._from_c(arr[i]) for i in range(n.value)]
        finally:
            _lib.lib.statusdir_list_free(arr)

    def log(self, n: Optional[int] = None) -> List[Version]:
        """The versions, newest first: all of them, or the newest n."""
        if n is None:
            return self._list(_lib.lib.statusdir_list)
        if n < 0:
            raise ValueError("n must not be negative")
        return self._list(_lib.lib.statusdir_list_newest, n)

    def since(self, after: Optional[Ref] = None) -> List[Version]:
        """The versions with ids greater than after (None: all), oldest
        first."""
        return self._list(_lib.lib.statusdir_list_since, _ref(after))

    def count_lost(self, after: Optional[Ref], before: Ref) -> int:
        """Format 2: of the numbers between after (None or "": 0) and
        before, both excluded, how many a power cut lost (the rest of such
        a gap in since() or watch() was removed by retention)."""
        lost = ctypes.c_uint64()
        with self._lock:
            self._check(_lib.lib.statusdir_count_lost(self._handle(), _ref(after),
                                                      _ref(before), ctypes.byref(lost)))
        return lost.value

    def watch(self, after: Optional[Ref] = None, timeout: Optional[Duration] = None,
              *, poll: Optional[Duration] = None) -> Iterator[Version]:
        """Yields each version committed after ``after``, oldest first, as
        it comes: for ever, or until nothing new came for timeout.

        after None starts at the newest version now (only versions to come
        are yielded); "" yields the whole history first; an id or "@N"
        starts there.  poll polls at that interval instead of using
        inotify (for network filesystems).  Waits wake every 0.2 s, so
        Ctrl-C interrupts a watch with KeyboardInterrupt.
        """
        if after is None:
            try:
                mark = self.resolve("@0")
            except Empty:
                mark = ""
        elif isinstance(after, str) and after.startswith("@"):
            mark = self.resolve(after)
        else:
            mark = str(after)
        timeout_ns = None if timeout is None else _ns(timeout)
        poll_ns = 0 if poll is None else _ns(poll)
        return self._watch(mark, timeout_ns, poll_ns)

    def _watch(self, mark: str, timeout_ns: Optional[int], poll_ns: int) -> Iterator[Version]:
        deadline = None if timeout_ns is None else time.monotonic_ns() + timeout_ns
        while True:
            new = self.since(mark)
            for v in new:
                yield v
                mark = v.id
            if new and timeout_ns is not None:
                deadline = time.monotonic_ns() + timeout_ns
            while True:
                wait = _WAKE_NS
                if deadline is not None:
                    left = deadline - time.monotonic_ns()
                    if left <= 0:
                        return
                    wait = min(wait, left)
                with self._lock:
                    r = _lib.lib.statusdir_wait(self._handle(), os.fsencode(mark),
                                                wait, poll_ns, None)
                if r != -errno.ETIMEDOUT:
                    self._check(r)
                    break

    # ---- maintenance ----

    def prune(self, keep: Optional[int] = None, max_age: Optional[Duration] = None,
              dry_run: bool = False, tmp_age: Optional[Duration] = None) -> Counts:
        """Removes versions beyond the keep newest and those older than
        max_age (never the newest intact one), moves versions beyond the
        head to old/, sweeps stale tmp/ files (older than tmp_age, default
        36 h, or of writers that are gone).  dry_run changes nothing and
        counts what would be done.  Returns the counts and events."""
        events: List[Event] = []
        report = _collector(events)
        p = _lib.PrunePolicy()
        _lib.lib.statusdir_prune_policy_init(ctypes.byref(p))
        p.keep = keep or 0
        p.max_age_ns = 0 if max_age is None else _ns(max_age)
        p.tmp_age_ns = 0 if tmp_age is None else _ns(tmp_age)
        p.flags = _lib.STATUSDIR_PRUNE_DRY_RUN if dry_run else 0
        p.report = report
        c = _lib.Counts()
        with self._lock:
            self._check(_lib.lib.statusdir_prune(self._handle(), ctypes.byref(p), ctypes.byref(c)))
        return _counts(c, events)

    def verify(self) -> Counts:
        """Reads every version and checks it.  Damaged and unreadable
        versions are counted and reported in events, not raised; only a
        failure to read the store's folders raises."""
        events: List[Event] = []
        report = _collector(events)
        c = _lib.Counts()
        with self._lock:
            r = _lib.lib.statusdir_verify(self._handle(), report, None, ctypes.byref(c))
        if r < 0 and r != -errno.EBADMSG and c.unreadable == 0:
            self._check(r)
        return _counts(c, events)

    def info(self, tmp_age: Optional[Duration] = None) -> Info:
        """What the store holds; reads no payload."""
        versions = self.log()
        u = _lib.TmpUsage()
        with self._lock:
            self._check(_lib.lib.statusdir_tmp_usage(
                self._handle(), 0 if tmp_age is None else _ns(tmp_age), ctypes.byref(u)))
        cur = [v for v in versions if v.in_head]
        old = [v for v in versions if not v.in_head]
        return Info(len(versions), len(cur), len(old),
                    sum(v.size for v in versions), sum(v.size for v in cur),
                    sum(v.size for v in old),
                    versions[0] if versions else None,
                    versions[-1] if versions else None,
                    u.stale, u.stale_bytes, u.busy, u.busy_bytes, self.config)

    @property
    def config(self) -> Config:
        """The settings recorded in the store; assign a Config to record
        new ones."""
        c = _lib.Config()
        with self._lock:
            self._check(_lib.lib.statusdir_config_get(self._handle(), ctypes.byref(c)))
        return Config._from_c(c)

    @config.setter
    def config(self, cfg: Config) -> None:
        c = cfg._to_c()
        with self._lock:
            self._check(_lib.lib.statusdir_config_set(self._handle(), ctypes.byref(c)))


class UpgradeReport:
    """What upgrade() did (struct statusdir_upgrade_report)."""

    def __init__(self, c: _lib.UpgradeReport) -> None:
        self.from1: int = c.from1          #: versions 1 to from1 carry format-1 ids
        self.numbered: int = c.numbered    #: versions numbered by this call
        self.removed: int = c.removed      #: format-1 names removed
        self.adopted: int = c.adopted      #: late versions committed anew
        self.damaged: int = c.damaged      #: late versions left: bytes do not match
        self.was_format2: bool = bool(c.was_format2)  #: made as format 2: nothing done

    def __repr__(self) -> str:
        return (f"UpgradeReport(from1={self.from1}, numbered={self.numbered}, "
                f"removed={self.removed}, adopted={self.adopted}, damaged={self.damaged}, "
                f"was_format2={self.was_format2})")


def upgrade(path: Union[str, os.PathLike], *, late_wait: Optional[Duration] = None,
            keep_names: bool = False) -> UpgradeReport:
    """Converts the format-1 store at path to format 2 in place (statusdir_upgrade).

    Versions keep their bytes, size, checksum and time and become numbers
    in the order of their format-1 ids, which still find them.  late_wait
    (default: the library's two minutes) is how long format-1 writers that
    opened the store before get to publish their last versions; keep_names
    stops before the format-1 names are removed.  Run it again to finish an
    interrupted upgrade.
    """
    report = _lib.UpgradeReport()
    wait = _lib.STATUSDIR_UPGRADE_LATE_WAIT_NS if late_wait is None else _ns(late_wait)
    flags = _lib.STATUSDIR_UPGRADE_KEEP_V1 if keep_names else 0
    r = _lib.lib.statusdir_upgrade(os.fsencode(os.fspath(path)), flags, wait,
                                   ctypes.byref(report))
    if r < 0:
        raise error(r, filename=os.fspath(path))
    return UpgradeReport(report)
