# SPDX-License-Identifier: MIT
"""junit_tap.py JUNIT_XML RC: prints pytest's results (its JUnit XML and its
exit status RC) as TAP, one line per test case, for automake's tap-driver.

pytest's exit status 5 (no test collected) and any status but 0 and 1
(interrupted, internal error, usage error) are failures of their own.
"""

import sys
import xml.etree.ElementTree as ET


def main() -> int:
    path, rc = sys.argv[1], int(sys.argv[2])
    lines = []
    try:
        cases = ET.parse(path).getroot().iter("testcase")
    except (OSError, ET.ParseError) as e:
        cases = []
        lines.append(f"not ok - pytest's report {path}: {e}")
    for case in cases:
        name = f"{case.get('classname', '')}::{case.get('name', '')}".lstrip(":")
        failed = case.find("failure")
        if failed is None:
            failed = case.find("error")
        skipped = case.find("skipped")
        if failed is not None:
            lines.append(f"not ok - {name}")
            for text in (failed.get("message", ""), failed.text or ""):
                lines.extend("# " + s for s in text.splitlines())
        elif skipped is not None:
            why = " ".join(skipped.get("message", "").split())
            lines.append(f"ok - {name} # SKIP {why}")
        else:
            lines.append(f"ok - {name}")
    if rc == 5:
        lines.append("not ok - pytest collected no test (exit status 5)")
    elif rc not in (0, 1):
        lines.append(f"not ok - pytest exited with status {rc}")
    elif rc == 1 and not any(s.startswith("not ok") for s in lines):
        lines.append("not ok - pytest exited with status 1 and reported no failure")
    n = 0
    for line in lines:
        if not line.startswith("#"):
            n += 1
            line = line.replace("ok -", f"ok {n} -", 1)
        print(line)
    print(f"1..{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
