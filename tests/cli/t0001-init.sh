#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='init: creating a store, its mode and group, init again'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

test_expect_success 'init creates tmp/ cur/ old/ and format, prints nothing' '
	statusdir init S >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	test -d S/tmp && test -d S/cur && test -d S/old && test -f S/format &&
	test_dir_is_empty S/cur &&
	test_expect_code 1 statusdir get S
'

test_expect_success 'init turns an empty directory into a store' '
	mkdir S &&
	statusdir init S &&
	test -d S/cur &&
	echo hi >f && statusdir put S f >id &&
	statusdir get S >got && test_cmp f got
'

test_expect_success 'init of an existing store with the same options is a no-op' '
	make_store S 3 &&
	cp S/format format.before &&
	ls -R S >ls.before &&
	statusdir init S >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	cmp format.before S/format &&
	ls -R S >ls.after &&
	test_cmp ls.before ls.after &&
	echo "version 3" >expect &&
	statusdir get S >got && test_cmp expect got
'

test_expect_success 'init --mode again is a no-op; 640 and 0640 are the same mode' '
	statusdir init S --mode 0640 &&
	statusdir init S --mode 0640 &&
	statusdir init S --mode 640 &&
	statusdir init --mode 640 S2 &&
	statusdir init S2 --mode 0640
'

test_expect_success 'init with another mode exits 2, points to config, changes nothing' '
	statusdir init S &&
	cp S/format format.before &&
	test_expect_code 2 statusdir init S --mode 0600 >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_grep "statusdir config" err &&
	cmp format.before S/format &&
	statusdir init T --mode 0640 &&
	cp T/format format.before &&
	test_expect_code 2 statusdir init T --mode 0600 2>err &&
	test_grep "statusdir config" err &&
	cmp format.before T/format
'

test_expect_success 'init with another group exits 2' '
	g=$(id -g) &&
	statusdir init S &&
	test_expect_code 2 statusdir init S --group "$g" 2>err &&
	test_grep "statusdir config" err &&
	statusdir init T --group "$g" &&
	statusdir init T --group "$g"
'

test_expect_success ROOT 'init with a different group than recorded exits 2' '
	statusdir init S --group 0 &&
	test_expect_code 2 statusdir init S --group 65534 2>err &&
	test_grep "statusdir config" err
'

test_expect_success 'init refuses a non-empty directory that is not a store (exit 4)' '
	mkdir D &&
	echo precious >D/file &&
	test_expect_code 4 statusdir init D >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_grep "^statusdir: D: " err &&
	ls -A D >ls &&
	echo file >expect &&
	test_cmp expect ls
'

test_expect_success 'init refuses a path that is a file (exit 4)' '
	echo x >F &&
	test_expect_code 4 statusdir init F 2>err &&
	test_stderr_ok err &&
	echo x >expect && test_cmp expect F
'

test_expect_success 'init makes missing parents, as mkdir -p does, 0777 less the umask' '
	(umask 027 && statusdir init x/a/b/S >out 2>err) &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	test "$(stat -c %a x x/a x/a/b)" = "750${LF}750${LF}750" &&
	test -d x/a/b/S/cur && test -f x/a/b/S/format &&
	echo hi >f && statusdir put x/a/b/S f >/dev/null &&
	statusdir get x/a/b/S >got && test_cmp f got &&
	(umask 022 && statusdir init x/a/c/d/T) &&
	test "$(stat -c %a x/a/c x/a/c/d)" = "755${LF}755" &&
	test -d x/a/c/d/T/cur &&
	statusdir init "$PWD/abs//p/./q/../r/S/" &&
	test -d abs/p/q && test -d abs/p/r/S/cur
'

test_expect_success 'init through an existing parent that is a symlink to a directory' '
	mkdir real &&
	ln -s real L &&
	statusdir init L/a/S &&
	test -d real/a/S/cur &&
	test -h L &&
	mkdir -p x/y &&
	ln -s ../../real x/y/up &&
	statusdir init x/y/up/b/c/S &&
	test -d real/b/c/S/cur
'

test_expect_success 'init with a file or a dangling symlink in the way: exit 4, named, nothing made' '
	echo x >F &&
	test_expect_code 4 statusdir init F/a/S >out 2>err &&
	test_must_be_empty out &&
	test_grep -x "statusdir: F/a/S: cannot create store: Not a directory" err &&
	mkdir d && echo x >d/F &&
	test_expect_code 4 statusdir init d/F/a/b/S 2>err &&
	test_grep -x "statusdir: d/F/a/b/S: cannot create store: Not a directory" err &&
	ln -s nowhere d/L &&
	test_expect_code 4 statusdir init d/L/a/S 2>err &&
	test_grep -x "statusdir: d/L/a/S: cannot create d/L: File exists" err &&
	echo x >expect && test_cmp expect F && test_cmp expect d/F &&
	ls -A d >ls && printf "F\nL\n" >expect && test_cmp expect ls &&
	! test -e nowhere
'

test_expect_success NOBODY 'init under a parent it may not write: exit 4, the path and the reason' '
	mkdir -p ro/in &&
	chmod 555 ro &&
	test_expect_code 4 test_as_nobody statusdir init ro/x/y/S >out 2>err &&
	test_must_be_empty out &&
	test_grep -x "statusdir: ro/x/y/S: cannot create ro/x: Permission denied" err &&
	test_expect_code 4 test_as_nobody statusdir init ro/in/S 2>err &&
	test_grep -x "statusdir: ro/in/S: cannot create store: Permission denied" err &&
	ls -A ro >ls && echo in >expect && test_cmp expect ls
'

test_expect_success MOUNT 'init under a read-only bind mount: exit 4, the path and the reason' '
	mkdir R &&
	mount --bind R R &&
	{
		mount -o remount,bind,ro R &&
		test_expect_code 4 statusdir init R/a/b/S >out 2>err
		r=$?
		umount R
		test $r = 0
	} &&
	test_must_be_empty out &&
	test_grep -x "statusdir: R/a/b/S: cannot create R/a: Read-only file system" err &&
	test_dir_is_empty R
'

test_expect_success 'init never says "no such version" of a missing path' '
	ln -s nowhere L &&
	test_expect_code 4 statusdir init L 2>err &&
	test_grep -x "statusdir: L: cannot create store: No such file or directory" err &&
	! test_grep "no such version" err
'

test_expect_success 'inits that make the same parents at once all succeed' '
	for round in 1 2 3 4 5; do
		pids= &&
		for i in 1 2 3 4 5 6 7 8; do
			statusdir init "p$round/q/r/S$i" 2>"err$round.$i" &
			pids="$pids $!"
		done &&
		for p in $pids; do
			wait "$p" || { cat err$round.* >&4; return 1; }
		done &&
		for i in 1 2 3 4 5 6 7 8; do
			test -d "p$round/q/r/S$i/cur" || return 1
		done || return 1
	done
'

# Each new parent is flushed (itself, then its entry in the directory above)
# before the next is made, so that a power cut cannot lose the way to the
# store (tests/safety/powerloss.sh shows the store itself survives).
test_expect_success STRACE 'init flushes each parent it makes, and its entry, before the next' '
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		traced -f -qq -y -e trace=mkdir,mkdirat,fsync -o t statusdir init x/a/S &&
	here=$(pwd -P) &&
	sed -n -E -e "s/^[0-9]+ +(mkdir|mkdirat)\(.*\"([^\"]*)\".*/\1 \2/p" \
		-e "s|^[0-9]+ +fsync\([0-9]+<$here>\).*|fsync .|p" \
		-e "s|^[0-9]+ +fsync\([0-9]+<$here/(.*)>\).*|fsync \1|p" t >seq &&
	head -n 8 seq >got &&
	cat >expect <<-EOF &&
	mkdirat x
	fsync x
	fsync .
	mkdirat a
	fsync x/a
	fsync x
	mkdir x/a/S
	fsync x/a
	EOF
	test_cmp expect got
'

test_expect_success 'init --mode 0640 under umask 077: versions 0640, folders 0750' '
	(umask 077 && statusdir init S --mode 0640) &&
	for d in tmp cur old; do
		test "$(stat -c %a S/$d)" = 750 || test_fail_ "S/$d: $(stat -c %a S/$d)" || return 1
	done &&
	echo data >f &&
	id=$(umask 077 && statusdir put S f) &&
	test "$(stat -c %a S/cur/$id)" = 640
'

test_expect_success 'init --mode 0640 under umask 000: versions 0640' '
	(umask 000 && statusdir init S --mode 0640) &&
	echo data >f &&
	id=$(umask 000 && statusdir put S f) &&
	test "$(stat -c %a S/cur/$id)" = 640 &&
	id=$(umask 000 && statusdir put S --run echo hi) &&
	test "$(stat -c %a S/cur/$id)" = 640 &&
	id=$(umask 000 && statusdir put S <f) &&
	test "$(stat -c %a S/cur/$id)" = 640
'

test_expect_success 'without --mode a version gets 0666 minus the umask' '
	statusdir init S &&
	echo data >f &&
	id=$(umask 022 && statusdir put S f) &&
	test "$(stat -c %a S/cur/$id)" = 644 &&
	id=$(umask 077 && statusdir put S f) &&
	test "$(stat -c %a S/cur/$id)" = 600
'

test_expect_success 'init --group (own group, by number): setgid folders, versions in the group' '
	g=$(id -g) &&
	statusdir init S --group "$g" &&
	for d in tmp cur old; do
		test -g S/$d && test "$(stat -c %g S/$d)" = "$g" ||
			test_fail_ "S/$d: $(stat -c "%A %g" S/$d)" || return 1
	done &&
	echo data >f &&
	id=$(statusdir put S f) &&
	test "$(stat -c %g S/cur/$id)" = "$g"
'

test_expect_success ROOT 'init --group by name: folders and versions get that group' '
	name=$(getent group 65534 | cut -d: -f1) &&
	test -n "$name" &&
	statusdir init S --group "$name" --mode 0660 &&
	for d in tmp cur old; do
		test -g S/$d && test "$(stat -c %g S/$d)" = 65534 &&
		test "$(stat -c %a S/$d)" = 2770 ||
			test_fail_ "S/$d: $(stat -c "%a %g" S/$d)" || return 1
	done &&
	echo data >f &&
	id=$(statusdir put S f) &&
	test "$(stat -c %g:%a S/cur/$id)" = 65534:660 &&
	statusdir init S --group 65534 --mode 0660
'

test_expect_success ROOT 'init --group with a number that names no group' '
	! getent group 4242 >/dev/null &&
	statusdir init S --group 4242 &&
	test "$(stat -c %g S/cur)" = 4242 &&
	echo x >f && id=$(statusdir put S f) &&
	test "$(stat -c %g "S/cur/$id")" = 4242
'

test_expect_success 'init with a bad MODE exits 2 and creates nothing' '
	for m in 999 0999 abc "" 0x1ff -1 "0640 " 4755 01777 0; do
		test_expect_code 2 statusdir init S --mode "$m" 2>err &&
		test_usage_error init err &&
		! test -e S || return 1
	done
'

test_expect_success 'init with an unknown GROUP exits 2 and creates nothing' '
	test_expect_code 2 statusdir init S --group no-such-group-zq 2>err &&
	test_usage_error init err &&
	! test -e S &&
	test_expect_code 2 statusdir init S --group "" 2>err &&
	! test -e S
'

test_expect_success 'init needs exactly one STORE' '
	test_expect_code 2 statusdir init 2>err &&
	test_usage_error init err &&
	test_expect_code 2 statusdir init S T 2>err &&
	test_usage_error init err &&
	! test -e S && ! test -e T
'

test_expect_success 'init -- -x creates a store named -x' '
	statusdir init -- -x &&
	test -d ./-x/cur &&
	test_expect_code 2 statusdir init -y 2>err &&
	test_usage_error init err &&
	! test -e ./-y
'

test_expect_success 'init of a store whose path is a symlink to an empty directory' '
	mkdir real &&
	ln -s real L &&
	statusdir init L &&
	test -d real/cur &&
	test -h L
'

test_done
