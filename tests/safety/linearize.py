#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""linearize.py - checks a recorded history of one register with
compare-and-set (format 2's put, conditional put and get of the newest,
spec/format2.md sections 6, 9 and 15) for linearizability.

Usage: linearize.py [--counter] [--all] HISTORY   ("-": standard input)

A history has one operation a line (blank lines and "#" comments are
skipped):

    PROC OP INVOKE_NS RETURN_NS OUTCOME ARG RESULT

    OP       put (ARG: the value written; RESULT: the number assigned),
             cas (ARG: BASE:VALUE; RESULT: the number assigned when ok, the
             number reported newest on conflict), or
             get (ARG: -; RESULT: NUMBER:VALUE read, or empty)
    OUTCOME  ok; conflict (cas only); unknown (killed, or an uncertain
             error: the operation may or may not have taken effect;
             RETURN_NS may be inf, RESULT a number or -); fail (certainly
             no effect)

Format 2's numbers order the committed writes totally, so no search over
orders is needed: the write order is the number order, and each rule is a
lookup or a sweep over the operations sorted by time, O(n log n) in all.
The rules, each reported with its tag:

  [unique-number] every ok write has a number of its own
  [cas-number]    a cas ok on base b has number b + 1 (b was the newest at
                  its commit); an unknown cas that reports a number, b + 1
  [cas-base]      a cas ok on base b >= 1: some write holds number b
  [conflict]      a cas conflict on base b reports newest r >= b + 1, and a
                  write numbered b + 1 was invoked before the conflict
                  returned (the claim of b + 1 was taken, or b + 1 was
                  freed, which needs it claimed first); a write holding r
                  was invoked before it returned too
  [read-unknown]  a number a get read is held by an ok write or may be held
                  by an unknown one (an unknown put without a number is
                  found by its value)
  [read-value]    a get returns the value of the write with that number
  [read-from]     the write a get read was invoked before the get returned
  [write-order]   a write invoked after an operation returned has a greater
                  number than that operation wrote, read or saw in conflict
  [stale-read]    a get invoked after an operation returned reads a number
                  at least as great as that operation wrote, read or saw
  [counter]       (--counter) values are integers and every committed cas
                  wrote the value of its base plus one (an empty store
                  counts 0): no update lost; one applied twice shows as a
                  number no write holds ([read-unknown], [cas-base],
                  [conflict])

An unknown write is placed (taken as committed) when a get or a cas shows
its number; otherwise it is dropped. An unknown put without a number is
found by its value, so such values should be unique: they are matched
greedily. "Returned before invoked" is strict: equal times overlap.

The history must hold every write to the store, which starts empty, and
lie within one boot: after a power cut, format 2 may give the numbers
above every survivor again (format2.md 12).

Exit status: 0 linearizable, 1 not (the first violation is printed with its
line numbers; --all prints every one), 2 bad input.
"""

import math
import sys

TAGS_ORDER = ("unique-number", "cas-number", "cas-base", "conflict",
              "read-unknown", "read-value", "read-from", "write-order",
              "stale-read", "counter")


class BadInput(Exception):
    pass


class Op:
    """One line of the history."""

    def __init__(self, line, fields):
        self.line = line
        self.proc, self.op, inv, ret, self.outcome, arg, result = fields
        if self.op not in ("put", "cas", "get"):
            raise BadInput("unknown operation %r" % self.op)
        if self.outcome not in ("ok", "conflict", "unknown", "fail"):
            raise BadInput("unknown outcome %r" % self.outcome)
        if self.outcome == "conflict" and self.op != "cas":
            raise BadInput("only a cas can end in conflict")
        self.inv = parse_time(inv, False)
        self.ret = parse_time(ret, self.outcome == "unknown")
        if self.ret < self.inv:
            raise BadInput("returns before it is invoked")
        self.value = None      # the value written (put, cas)
        self.base = None       # cas
        self.num = None        # the number written (ok), or claimed if placed
        self.read = None       # get ok: the number read, 0 for empty
        self.reported = None   # cas conflict: the number reported newest
        if self.op == "put":
            self.value = arg
            if self.outcome == "ok":
                self.num = parse_number(result, "the number assigned")
            elif self.outcome == "unknown" and result != "-":
                self.num = parse_number(result, "the number assigned")
        elif self.op == "cas":
            base, sep, value = arg.partition(":")
            if not sep:
                raise BadInput("a cas's ARG is BASE:VALUE")
            self.base = parse_number(base, "the base", zero=True)
            self.value = value
            if self.outcome == "ok":
                self.num = parse_number(result, "the number assigned")
            elif self.outcome == "conflict":
                self.reported = parse_number(result, "the number reported newest", zero=True)
            elif self.outcome == "unknown" and result != "-":
                self.num = parse_number(result, "the number assigned")
        elif self.outcome == "ok":
            if result == "empty":
                self.read, self.value = 0, None
            else:
                num, sep, value = result.partition(":")
                if not sep:
                    raise BadInput("a get's RESULT is NUMBER:VALUE or empty")
                self.read = parse_number(num, "the number read")
                self.value = value

    def is_write(self):
        return self.op in ("put", "cas")

    def describe(self):
        """The operation, as a violation names it."""
        if self.op == "get":
            if self.read == 0:
                return "the get at line %d (empty)" % self.line
            return "the get at line %d (number %d)" % (self.line, self.read)
        if self.outcome == "conflict":
            return "the cas at line %d (conflict on base %d)" % (self.line, self.base)
        what = "%s %s" % (self.outcome, self.op) if self.outcome != "ok" else self.op
        return "the %s at line %d (number %d)" % (what, self.line, self.num)


def parse_time(text, inf_ok):
    if text == "inf":
        if not inf_ok:
            raise BadInput("only an unknown outcome may return at inf")
        return math.inf
    if not text.isdigit():
        raise BadInput("a time is a count of ns, not %r" % text)
    return int(text)


def parse_number(text, what, zero=False):
    if not text.isdigit() or (int(text) == 0 and not zero):
        raise BadInput("%s must be a number%s, not %r"
                       % (what, " (0 or more)" if zero else " (1 or more)", text))
    return int(text)


def parse(lines):
    ops = []
    for i, text in enumerate(lines, 1):
        text = text.split("#", 1)[0].strip()
        if not text:
            continue
        fields = text.split()
        if len(fields) != 7:
            raise BadInput("line %d: %d fields, not 7" % (i, len(fields)))
        try:
            ops.append(Op(i, fields))
        except BadInput as e:
            raise BadInput("line %d: %s" % (i, e)) from None
    return ops


class Checker:
    def __init__(self, ops, counter):
        self.ops = ops
        self.counter = counter
        self.violations = []   # (tag, first line, message)
        self.by_num = {}       # number -> the write that holds it
        self.candidates = {}   # number -> unknown writes that may hold it
        self.unnumbered = []   # unknown puts without a number
        self.placed = {}       # unknown write -> the number it holds

    def violation(self, tag, line, message):
        self.violations.append((TAGS_ORDER.index(tag), line, tag, message))

    def run(self):
        if self.counter:
            self.integer_values()
        self.numbers()
        self.reads()
        self.cas_bases_and_conflicts()
        self.real_time()
        if self.counter:
            self.counter_chain()
        self.violations.sort(key=lambda v: (v[0], v[1]))
        return [(tag, message) for _, _, tag, message in self.violations]

    def integer_values(self):
        for op in self.ops:
            if op.value is not None and op.outcome != "fail":
                try:
                    op.value = int(op.value)
                except ValueError:
                    raise BadInput("line %d: --counter: the value %r is not an integer"
                                   % (op.line, op.value)) from None

    # (a), (c): the numbers of ok writes; unknown writes as candidates
    def numbers(self):
        for op in self.ops:
            if op.op == "cas" and op.num is not None and op.num != op.base + 1:
                self.violation("cas-number", op.line,
                               "line %d: a cas on base %d got number %d, not %d: its base "
                               "was not the newest at its commit"
                               % (op.line, op.base, op.num, op.base + 1))
            if op.is_write() and op.outcome == "ok":
                other = self.by_num.get(op.num)
                if other is not None:
                    self.violation("unique-number", op.line,
                                   "lines %d and %d: two ok writes got number %d"
                                   % (other.line, op.line, op.num))
                else:
                    self.by_num[op.num] = op
        for op in self.ops:
            if not op.is_write() or op.outcome != "unknown":
                continue
            if op.op == "cas":
                op.num = op.base + 1   # if it committed, it claimed base + 1
            if op.num is None:
                self.unnumbered.append(op)
            elif op.num not in self.by_num:   # else it did not commit
                self.candidates.setdefault(op.num, []).append(op)

    def place(self, op, num):
        """Takes unknown write op as committed with number num."""
        if op in self.placed:
            return self.placed[op] == num
        self.placed[op] = num
        op.num = num
        self.by_num[num] = op
        return True

    def holder(self, num, value, before, place):
        """The write that holds num: the one known, else an unknown write
        that may (with this value, when given; invoked before `before`).
        Places it if place. Returns (write or None, some write may hold it)."""
        if num in self.by_num:
            return self.by_num[num], True
        fits = [w for w in self.candidates.get(num, [])
                if (value is None or w.value == value) and w.inv <= before]
        fits += [w for w in self.unnumbered
                 if w not in self.placed and (value is None or w.value == value)
                 and w.inv <= before]
        if not fits:
            return None, False
        # of several that fit, the one that constrains others least: the
        # latest return (inf first), then the earliest invocation
        fits.sort(key=lambda w: (-w.ret, w.inv))
        if place or len(fits) == 1 and fits[0] in self.candidates.get(num, []):
            if self.place(fits[0], num):
                return fits[0], True
        return None, True

    # (d), and the value and origin of every read
    def reads(self):
        for g in self.ops:
            if g.op != "get" or g.outcome != "ok" or g.read == 0:
                continue
            w, _ = self.holder(g.read, g.value, g.ret, True)
            if w is None:
                maybe = self.candidates.get(g.read, []) + self.unnumbered
                if any(u.value == g.value and u.inv <= g.ret for u in maybe):
                    self.violation("read-unknown", g.line,
                                   "line %d: the get read number %d with value %s; the "
                                   "unknown writes of that value hold other numbers"
                                   % (g.line, g.read, g.value))
                else:
                    self.violation("read-unknown", g.line,
                                   "line %d: the get read number %d, which no ok write "
                                   "holds and no unknown write of value %s invoked before "
                                   "it returned can hold" % (g.line, g.read, g.value))
                continue
            if w.value != g.value:
                self.violation("read-value", g.line,
                               "line %d: the get read number %d with value %s, but line %d "
                               "wrote %s as number %d"
                               % (g.line, g.read, g.value, w.line, w.value, g.read))
            elif w.inv > g.ret:
                self.violation("read-from", g.line,
                               "line %d: the get read number %d, written by line %d, which "
                               "was invoked after the get returned"
                               % (g.line, g.read, w.line))

    # (c): a cas's base exists; a conflict is real
    def cas_bases_and_conflicts(self):
        for c in self.ops:
            if c.op != "cas":
                continue
            if c.outcome == "ok" and c.base >= 1:
                _, exists = self.holder(c.base, None, c.ret, False)
                if not exists:
                    self.violation("cas-base", c.line,
                                   "line %d: the cas succeeded on base %d, which no write "
                                   "holds" % (c.line, c.base))
            if c.outcome != "conflict":
                continue
            b1 = c.base + 1
            if c.reported < b1:
                self.violation("conflict", c.line,
                               "line %d: the cas on base %d failed with a conflict but "
                               "reported %d as the newest: a conflict needs %d or more"
                               % (c.line, c.base, c.reported, b1))
                continue
            for num, what in ((b1, "the number after its base"),
                              (c.reported, "the number it reported newest")):
                w, exists = self.holder(num, None, c.ret, False)
                if w is not None and w.inv > c.ret:
                    self.violation("conflict", c.line,
                                   "line %d: the cas on base %d failed with a conflict, but "
                                   "number %d (%s) was written by line %d, invoked after "
                                   "it returned" % (c.line, c.base, num, what, w.line))
                    break
                if not exists:
                    self.violation("conflict", c.line,
                                   "line %d: the cas on base %d failed with a conflict, but "
                                   "no write invoked before it returned holds number %d "
                                   "(%s)" % (c.line, c.base, num, what))
                    break

    # (b): every operation Y invoked after X returned is at or after X
    def real_time(self):
        committed = [op for op in self.ops if op.is_write() and
                     (op.outcome == "ok" or op in self.placed)]
        gets = [op for op in self.ops if op.op == "get" and op.outcome == "ok"]
        conflicts = [op for op in self.ops if op.outcome == "conflict"]

        def level(op):
            if op.op == "get":
                return op.read
            if op.outcome == "conflict":
                return op.base + 1
            return op.num

        done = sorted((op for op in committed + gets + conflicts if op.ret != math.inf),
                      key=lambda op: op.ret)
        targets = sorted(committed + gets, key=lambda op: op.inv)
        best = None
        i = 0
        for y in targets:
            while i < len(done) and done[i].ret < y.inv:
                if best is None or level(done[i]) > level(best):
                    best = done[i]
                i += 1
            if best is None:
                continue
            m = level(best)
            if y.is_write() and y.num <= m:
                self.violation("write-order", y.line,
                               "line %d: %s was invoked after %s returned, so its number "
                               "must be greater than %d" % (y.line, y.describe(),
                                                            best.describe(), m))
            elif y.op == "get" and y.read < m:
                self.violation("stale-read", y.line,
                               "line %d: %s was invoked after %s returned, so it must read "
                               "number %d or greater" % (y.line, y.describe(),
                                                         best.describe(), m))

    # (e): each committed cas wrote its base's value plus one
    def counter_chain(self):
        def value_of(num):
            if num == 0:
                return 0, None
            w = self.by_num.get(num)
            if w is not None:
                return w.value, w
            return None, None

        for c in self.ops:
            if c.op != "cas" or not (c.outcome == "ok" or c in self.placed):
                continue
            base_value, w = value_of(c.base)
            if base_value is None or c.value == base_value + 1:
                continue
            source = "an empty store" if w is None else "line %d" % w.line
            self.violation("counter", c.line,
                           "line %d: the cas on base %d wrote %d, but the base holds %d "
                           "(%s): it must write %d"
                           % (c.line, c.base, c.value, base_value, source, base_value + 1))


def main(argv):
    counter = "--counter" in argv
    show_all = "--all" in argv
    args = [a for a in argv if a not in ("--counter", "--all")]
    if len(args) != 1 or (args[0].startswith("-") and args[0] != "-"):
        print("usage: linearize.py [--counter] [--all] HISTORY", file=sys.stderr)
        return 2
    try:
        if args[0] == "-":
            lines = sys.stdin.read().splitlines()
        else:
            with open(args[0], encoding="utf-8") as f:
                lines = f.read().splitlines()
        ops = parse(lines)
        violations = Checker(ops, counter).run()
    except BadInput as e:
        print("linearize: bad input: %s" % e, file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as e:
        print("linearize: %s" % e, file=sys.stderr)
        return 2
    if violations:
        for tag, message in violations if show_all else violations[:1]:
            print("not linearizable: [%s] %s" % (tag, message))
        if not show_all and len(violations) > 1:
            print("(%d violations in all; --all prints them)" % len(violations))
        return 1
    writes = sum(1 for op in ops if op.is_write() and op.outcome in ("ok", "unknown"))
    print("linearizable: %d operations, %d writes ok or unknown%s"
          % (len(ops), writes, ", counter" if counter else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
