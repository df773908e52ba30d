#!/bin/sh
# SPDX-License-Identifier: MIT
# systemd-examples.sh - the units and the tmpfiles.d line of
# examples/systemd do what the README says (TAP).  systemd-analyze verify
# checks the units (with statusdir found in the build tree: they name it
# without a path, which systemd looks up in /usr/local/bin, /usr/bin...);
# systemd-tmpfiles --root makes the folder, the units' own init line makes
# it a store, and a second systemd-tmpfiles run leaves its mode alone; the
# put line commits df's output, and the watch line's --exec gets the id
# (systemd's "$$" read as "$").  Skips without systemd's tools or when not
# root (tmpfiles gives the folder to group adm); with CI=true, a missing
# tool is a failure.

if [ -z "${top_srcdir-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
fi
: "${top_builddir:=$top_srcdir}"
ex=$top_srcdir/examples/systemd
sd=$top_builddir/cli/statusdir

missing=
for tool in systemd-analyze systemd-tmpfiles; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ "$(id -u)" = 0 ] || missing="$missing root"
getent group adm >/dev/null 2>&1 || missing="$missing group-adm"
if [ -n "$missing" ]; then
	if [ "${CI-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - the systemd examples can be checked here (CI=true; missing:$missing)"
	else
		echo "1..0 # SKIP missing:$missing"
	fi
	exit 0
fi
if [ ! -x "$sd" ]; then
	echo "Bail out! $sd is not built"
	exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C
export LC_ALL
store=$tmp/root/run/statusdir/df

# unit_line UNIT KEY: the value of KEY= in examples/systemd/UNIT.
unit_line() {
	sed -n "s/^$2=//p" "$ex/$1"
}
# as_shell LINE: a unit's command line for sh, the store in $tmp, "$"
# as systemd reads it ("$$" is "$", "$VAR" and "${VAR}" are the unit's
# variables, none set here), statusdir from the build tree.
as_shell() {
	printf '%s\n' "$1" | sed -e "s|/run/statusdir/df|$store|g" -e 's/\$\$/@DOLLAR@/g' \
		-e 's/\$[{]\{0,1\}[A-Za-z_][A-Za-z_0-9]*[}]\{0,1\}//g' -e 's/@DOLLAR@/$/g' \
		-e "s|^statusdir |$sd |"
}
n=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -s "$tmp/out" ] && sed 's/^/# /' "$tmp/out"
	fi
	: >"$tmp/out"
}

echo "1..7"

mkdir "$tmp/units" || exit 1
for unit in statusdir-df.service statusdir-df.timer statusdir-watch-df.service; do
	sed "s|=statusdir |=$sd |" "$ex/$unit" >"$tmp/units/$unit" || exit 1
done
(cd "$tmp/units" && systemd-analyze verify --man=no ./statusdir-df.service \
	./statusdir-df.timer ./statusdir-watch-df.service) >"$tmp/out" 2>&1
[ $? = 0 ] && ! [ -s "$tmp/out" ]
check $? "systemd-analyze verify finds nothing wrong in the units"

init=$(unit_line statusdir-df.service ExecStartPre)
[ -n "$init" ] && [ "$init" = "$(unit_line statusdir-watch-df.service ExecStartPre)" ]
check $? "both services make the store with the same init line"

mkdir -p "$tmp/root/etc/tmpfiles.d" &&
	cp /etc/passwd /etc/group "$tmp/root/etc/" &&
	cp "$ex/statusdir.tmpfiles" "$tmp/root/etc/tmpfiles.d/statusdir.conf" || exit 1
systemd-tmpfiles --create --root="$tmp/root" statusdir.conf >"$tmp/out" 2>&1 &&
	[ "$(stat -c '%a %G' "$store")" = "2750 adm" ] &&
	[ -z "$(ls -A "$store")" ]
check $? "systemd-tmpfiles makes the empty folder of the store, 2750 root:adm"

eval "$(as_shell "$init")" >"$tmp/out" 2>&1 &&
	"$sd" verify "$store" >>"$tmp/out" 2>&1 &&
	chmod 0700 "$store" &&
	systemd-tmpfiles --create --root="$tmp/root" statusdir.conf >>"$tmp/out" 2>&1 &&
	[ "$(stat -c '%a %G' "$store")" = "2750 adm" ] &&
	[ "$(stat -c '%a %G' "$store/cur")" = "2750 adm" ] &&
	eval "$(as_shell "$init")" >>"$tmp/out" 2>&1
check $? "init makes it a store that systemd-tmpfiles leaves as it is"

mkdir "$tmp/bin" && cat >"$tmp/bin/logger" <<EOF || exit 1
#!/bin/sh
printf '%s\n' "\$*" >>"$tmp/logged"
EOF
chmod +x "$tmp/bin/logger" || exit 1
watch=$(unit_line statusdir-watch-df.service ExecStart)
(PATH=$tmp/bin:$PATH; eval "$(as_shell "$watch") --count 1 --timeout 20s") \
	>"$tmp/watched" 2>"$tmp/watch.err" &
watcher=$!
# watch prints nothing until a version comes; give it time to start
sleep 1
put=$(unit_line statusdir-df.service ExecStart)
eval "$(as_shell "$put")" >"$tmp/out" 2>&1 &&
	"$sd" get "$store" >"$tmp/status" 2>>"$tmp/out" &&
	grep -q '^Filesystem' "$tmp/status" &&
	[ "$(stat -c '%a %G' "$("$sd" path "$store")")" = "640 adm" ]
check $? "the put line commits df's output, mode 0640 group adm"

wait "$watcher"
rc=$?
id=$("$sd" log "$store" -n 1 --format '%i')
[ "$rc" = 0 ] && [ -n "$id" ] && [ "$(cat "$tmp/watched")" = "$id" ] &&
	[ "$(cat "$tmp/logged" 2>/dev/null)" = "-t statusdir-df new version $id" ]
check $? "the watch line runs its command with the new version's id"
[ -s "$tmp/watch.err" ] && sed 's/^/# watch: /' "$tmp/watch.err"

timer=$(unit_line statusdir-df.timer OnUnitActiveSec)
grep -qx 'WantedBy=timers.target' "$ex/statusdir-df.timer" && [ -n "$timer" ]
check $? "the timer repeats (OnUnitActiveSec=$timer) and is enabled by timers.target"
exit 0
