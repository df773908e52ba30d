#!/bin/sh
# SPDX-License-Identifier: MIT
# deb.sh - the Debian packages build, pass lintian, install, and work from
# their installed files (TAP).  It copies the tree (git ls-files: tracked
# files and new ones not ignored) to a temporary folder, runs
# dpkg-buildpackage -us -uc -b there, installs libstatusdir0,
# libstatusdir-dev and statusdir with dpkg -i, and checks that
# /usr/bin/statusdir runs on the packaged library, that a program built with
# pkg-config against the -dev package runs, that man finds the pages and
# bash-completion and zsh the completions; then it purges the packages, whatever
# happened (trap).  Not part of make check: it installs packages on the
# machine.  Exit 77 (skip) unless root with Debian's packaging tools; with
# CI=true, a missing tool is a failure.  Packages it needs: dpkg-dev,
# debhelper, lintian, git, man-db, zsh, and the project's build dependencies.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
packages='libstatusdir0 libstatusdir-dev statusdir python3-statusdir'

missing=
[ "$(id -u)" = 0 ] || missing="$missing root"
for tool in dpkg-buildpackage dh lintian git cc pkg-config man ldd zsh; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	if [ "${CI-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - Debian packages can be built here (CI=true; missing:$missing)"
		exit 1
	fi
	echo "1..0 # SKIP missing:$missing"
	exit 77
fi
for p in $packages; do
	if dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -qv '^not-installed$'; then
		echo "Bail out! $p is installed already; this test would purge it"
		exit 1
	fi
done

tmp=$(mktemp -d) || exit 1
installed=
# STATUSDIR_DEB_KEEP=DIR keeps the packages built, in DIR.
cleanup() {
	[ -n "$installed" ] && dpkg -P $packages >/dev/null 2>&1
	[ -n "${STATUSDIR_DEB_KEEP-}" ] && cp "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo \
		"$STATUSDIR_DEB_KEEP/" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

n=0
failed=0
# check TITLE CMD...: runs CMD, its output kept; "ok" or "not ok" with the
# output as comments.
check() {
	title=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok $n - $title"
	else
		echo "not ok $n - $title"
		sed 's/^/# /' "$tmp/out" | tail -40
		failed=$((failed + 1))
	fi
}

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=/usr/lib/$multiarch
echo "1..12"

copy_tree() {
	mkdir "$tmp/src" &&
	(cd "$top_srcdir" && git ls-files -z --cached --others --exclude-standard) |
		(cd "$top_srcdir" && xargs -0 cp --parents -d -t "$tmp/src") &&
	rm -rf "$tmp/src/.git"
}
check "copy of the tree from git ls-files" copy_tree

build() {
	start=$(date +%s)
	(cd "$tmp/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) ||
		return 1
	echo "# dpkg-buildpackage took $(($(date +%s) - start)) s" >"$tmp/took"
}
check "dpkg-buildpackage -us -uc -b" build
[ -f "$tmp/took" ] && cat "$tmp/took"

debs() {
	for p in $packages; do
		set -- "$tmp"/${p}_*.deb
		[ -f "$1" ] || { echo "no $p package"; return 1; }
		echo "$1"
	done
}
check "it makes $packages" debs

# errors and warnings fail; a warning that stays is overridden in debian/,
# with the reason beside it
check "lintian finds no error or warning" \
	lintian --fail-on error,warning --display-level '>=warning' "$tmp"/statusdir_*.changes

install_debs() {
	installed=yes
	dpkg -i $(debs) &&
	for p in $packages; do
		dpkg-query -W -f '${db:Status-Status}\n' "$p" | grep -qx installed || return 1
	done
}
check "dpkg -i installs them" install_debs

# ldd_statusdir_lib FILE: the libstatusdir.so.0 that FILE loads, symbolic
# links resolved (ldd names /lib/... for /usr/lib/... on a merged /usr).
ldd_statusdir_lib() {
	ldd "$1" | tee /dev/stderr |
		sed -n 's/^[[:space:]]*libstatusdir\.so\.0 => \([^ ]*\) .*/\1/p' | xargs -r readlink -f
}

linked() {
	dpkg -S /usr/bin/statusdir | grep -q '^statusdir: ' &&
	dpkg -S "$libdir/libstatusdir.so.0" | grep -q '^libstatusdir0:' &&
	[ "$(ldd_statusdir_lib /usr/bin/statusdir)" = "$(readlink -f "$libdir/libstatusdir.so.0")" ]
}
check "/usr/bin/statusdir runs on $libdir/libstatusdir.so.0 of libstatusdir0" linked

round_trip() {
	store=$tmp/store
	/usr/bin/statusdir init "$store" --keep 10 &&
	id1=$(echo one | /usr/bin/statusdir put "$store") &&
	id2=$(/usr/bin/statusdir put "$store" --run echo two) &&
	[ "$(/usr/bin/statusdir get "$store")" = two ] &&
	[ "$(/usr/bin/statusdir get "$store" @1)" = one ] &&
	[ "$(/usr/bin/statusdir log "$store" --format '%i')" = "$id2
$id1" ] &&
	/usr/bin/statusdir verify "$store"
}
check "statusdir init, put, get and log round trip with /usr/bin/statusdir" round_trip

hello() {
	[ "$(pkg-config --variable=libdir libstatusdir)" = "$libdir" ] &&
	cc -std=c11 -Wall -Wextra -Werror "$top_srcdir/examples/hello.c" \
		$(pkg-config --cflags --libs libstatusdir) -o "$tmp/hello" &&
	[ "$(ldd_statusdir_lib "$tmp/hello")" = "$(readlink -f "$libdir/libstatusdir.so.0")" ] &&
	(cd "$tmp" && ./hello hello-store && ./hello hello-store) | tee /dev/stderr |
		grep -qx '1 version'
}
check "examples/hello.c builds with pkg-config against libstatusdir-dev and runs" hello

man_pages() {
	man -w statusdir | tee /dev/stderr | grep -qx '/usr/share/man/man1/statusdir\.1\.gz' &&
	man -w 3 statusdir_put | tee /dev/stderr | grep -q '^/usr/share/man/man3/statusdir' &&
	MANWIDTH=80 man 3 statusdir_put 2>/dev/null | grep -q 'statusdir_put_begin'
}
check "man -w statusdir is in /usr/share/man; man statusdir_put opens statusdir(3)" man_pages

completion() {
	f=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null ||
		echo /usr/share/bash-completion/completions)/statusdir &&
	dpkg -S "$f" | grep -q '^statusdir: ' &&
	bash -c ". '$f' && complete -p statusdir"
}
check "the bash completion is where bash-completion loads it" completion

# zsh's compinit, with no start-up file, finds _statusdir on its own $fpath
zsh_completion() {
	f=/usr/share/zsh/vendor-completions/_statusdir &&
	dpkg -S "$f" | grep -q '^statusdir: ' &&
	zsh -fc 'autoload -Uz compinit && compinit -u -d "$1/zcompdump" &&
		[[ $_comps[statusdir] == _statusdir ]] && print -r -- ${^fpath}/_statusdir(N)' \
		sh "$tmp" | tee /dev/stderr | grep -qx "$f"
}
check "the zsh completion is where zsh's compinit finds it" zsh_completion

python_module() {
	dpkg -S /usr/lib/python3/dist-packages/statusdir/__init__.py | grep -q '^python3-statusdir: ' &&
	store=$tmp/pystore &&
	/usr/bin/python3 -c 'import statusdir, sys
s = statusdir.Store(sys.argv[1], create=True)
print(statusdir.__file__)
print(s.put(b"from python\n"))' "$store" | tee /dev/stderr >"$tmp/py.out" &&
	head -n 1 "$tmp/py.out" | grep -qx '/usr/lib/python3/dist-packages/statusdir/__init__\.py' &&
	[ "$(/usr/bin/statusdir get "$store")" = "from python" ]
}
check "python3-statusdir: /usr/bin/python3 imports it from /usr/lib and puts; the CLI reads" python_module

purge() {
	installed=
	dpkg -P $packages &&
	for p in $packages; do
		! dpkg-query -W -f '${db:Status-Status}\n' "$p" 2>/dev/null | grep -qvx not-installed ||
			return 1
	done &&
	! [ -e /usr/bin/statusdir ] && ! [ -e "$libdir/libstatusdir.so.0" ]
}
check "dpkg -P purges them, leaving nothing behind" purge

[ "$failed" = 0 ]
