#!/bin/sh
# SPDX-License-Identifier: MIT
# pip.sh - the Python module installs with pip from python/ with no
# package index (pyproject.toml, setuptools' backend as Debian ships it),
# into a virtual environment of Debian's python3, and works there: it is
# imported from the environment, not from the source tree, and a version
# it puts is read back by the CLI of this build, and the other way round.
# TAP.  Without python3-venv, pip or setuptools it skips, except in CI.
if test -z "$top_srcdir"; then
	top_srcdir=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
fi
. "$top_srcdir/tests/python/lib.sh"
"$PYTHON3" -c 'import ensurepip, setuptools' 2>/dev/null ||
	missing "venv or setuptools is missing for $PYTHON3 (Debian: python3-venv python3-setuptools)"
dir=$(mktemp -d "${TMPDIR:-/tmp}/pip.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
echo "1..3"
# a copy: pip builds in the folder it is given, and the source tree may be
# read-only (make distcheck)
cp -R "$top_srcdir/python" "$dir/src" && chmod -R u+w "$dir/src"
if "$PYTHON3" -m venv --system-site-packages "$dir/v" >"$dir/log" 2>&1 &&
	"$dir/v/bin/pip" install --no-build-isolation --no-index "$dir/src" >>"$dir/log" 2>&1; then
	echo "ok 1 - pip install --no-build-isolation --no-index ./python into a venv"
else
	sed 's/^/# /' "$dir/log" | tail -15
	echo "not ok 1 - pip install --no-build-isolation --no-index ./python into a venv"
fi
STATUSDIR_LIBRARY="$top_builddir/lib/.libs/libstatusdir.so.0"
export STATUSDIR_LIBRARY
cd "$dir" || exit 1
where=$(env -u PYTHONPATH "$dir/v/bin/python" -c 'import statusdir; print(statusdir.__file__)' 2>&1)
case $where in
"$dir"/v/lib/python3*/site-packages/statusdir/__init__.py)
	echo "ok 2 - the venv's python imports it from the venv ($where)" ;;
*)
	echo "# $where"
	echo "not ok 2 - the venv's python imports it from the venv" ;;
esac
cli="$top_builddir/cli/statusdir"
if env -u PYTHONPATH "$dir/v/bin/python" -c '
import statusdir, sys
with statusdir.Store(sys.argv[1], create=True, format=2) as s:
    s.put(b"from python\n")' "$dir/store" &&
	test "$("$cli" get "$dir/store")" = "from python" &&
	echo "from the cli" | "$cli" put "$dir/store" >/dev/null &&
	test "$(env -u PYTHONPATH "$dir/v/bin/python" -c '
import statusdir, sys
with statusdir.Store(sys.argv[1]) as s:
    sys.stdout.write(s.get().decode())' "$dir/store")" = "from the cli"; then
	echo "ok 3 - a round trip between the installed module and the CLI"
else
	echo "not ok 3 - a round trip between the installed module and the CLI"
fi
