#!/bin/sh
# SPDX-License-Identifier: MIT
# Every source and build file names its licence in an SPDX line within its
# first two lines, and LICENSE holds the MIT text the README promises.
cd "$top_srcdir" || exit 1
echo "1..2"
# The tracked files; a release tarball (distcheck) has no history to ask.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	missing=$(git ls-files -- '*.c' '*.h' '*.sh' '*.am' '*.ac' '*.pml' '*.gp' '*.pc.in' \
	                         '*.sym' '*.py' 'man/*.[135]' .ci/run |
		while read -r f; do
			head -2 "$f" | grep -q 'SPDX-License-Identifier: MIT' || echo "$f"
		done)
else
	missing=skip
fi
if [ "$missing" = skip ]; then
	echo "ok 1 # SKIP not a git checkout"
elif [ -z "$missing" ]; then
	echo "ok 1 - every source file has an SPDX-License-Identifier: MIT line"
else
	echo "not ok 1 - every source file has an SPDX-License-Identifier: MIT line"
	echo "$missing" | sed 's/^/# missing: /'
fi
if [ -f LICENSE ] && grep -q '^MIT License$' LICENSE &&
   grep -q '^Copyright (c) 2026 the statusdir authors$' LICENSE; then
	echo "ok 2 - LICENSE holds the MIT licence of the statusdir authors"
else
	echo "not ok 2 - LICENSE holds the MIT licence of the statusdir authors"
fi
