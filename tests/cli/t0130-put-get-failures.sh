#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='put and get when something fails: a failed producer, --no-empty, -q, input errors named, get --id-file through a temporary file'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# unchanged S ID: ID is still the newest version of S, and S/tmp is empty.
unchanged () {
	test "$(newest_id "$1")" = "$2" || test_fail_ "unchanged: newest of $1 is not $2" &&
	test_dir_is_empty "$1/tmp"
}

# ---- A failed producer ------------------------------------------------------

test_expect_success 'a pipe cannot tell put that its producer failed: an empty version' '
	statusdir init S &&
	echo good | statusdir put S >id &&
	false | statusdir put S >id2 &&
	test "$(newest_id S)" = "$(cat id2)" &&
	statusdir get S >out && test_must_be_empty out
'

test_expect_success 'put --no-empty: a failed producer piped in commits nothing, exit 4' '
	statusdir init S &&
	echo good | statusdir put S >id &&
	false | test_expect_code 4 statusdir put S --no-empty >out 2>err &&
	test_must_be_empty out &&
	echo "statusdir: S: empty payload from stdin (--no-empty); nothing committed" >expect &&
	test_cmp expect err &&
	unchanged S "$(cat id)" &&
	echo good >expect && statusdir get S >out && test_cmp expect out
'

test_expect_success 'put --no-empty refuses an empty FILE, /dev/null, and --run of empty output' '
	statusdir init S &&
	echo good | statusdir put S >id &&
	: >empty &&
	test_expect_code 4 statusdir put S --no-empty empty >out 2>err &&
	test_must_be_empty out &&
	test_grep -x "statusdir: S: empty payload from empty (--no-empty); nothing committed" err &&
	test_expect_code 4 statusdir put S --no-empty /dev/null >out 2>err &&
	test_must_be_empty out && test_grep "from /dev/null (--no-empty)" err &&
	test_expect_code 4 statusdir put S --no-empty - </dev/null >out 2>err &&
	test_must_be_empty out && test_grep "from stdin (--no-empty)" err &&
	test_expect_code 4 statusdir put S --no-empty --run true >out 2>err &&
	test_must_be_empty out && test_grep -x "statusdir: S: empty payload from true (--no-empty); nothing committed" err &&
	test_expect_code 4 statusdir put S --no-empty --if-changed --run true >out 2>err &&
	test_must_be_empty out && test_grep "(--no-empty)" err &&
	unchanged S "$(cat id)"
'

test_expect_success 'put --no-empty --run: a failed CMD says so, not "empty"' '
	statusdir init S &&
	echo good | statusdir put S >id &&
	test_expect_code 4 statusdir put S --no-empty --run false >out 2>err &&
	test_must_be_empty out &&
	echo "statusdir: S: put --run: false exited with status 1; nothing committed" >expect &&
	test_cmp expect err &&
	unchanged S "$(cat id)"
'

test_expect_success 'put --no-empty commits a non-empty payload; without it, empty is valid' '
	statusdir init S &&
	echo x | statusdir put S --no-empty >id 2>err &&
	test_must_be_empty err &&
	test "$(newest_id S)" = "$(cat id)" &&
	statusdir put S --no-empty --run echo y >id &&
	echo y >expect && statusdir get S >out && test_cmp expect out &&
	statusdir put S </dev/null >id &&
	test "$(newest_id S)" = "$(cat id)" &&
	statusdir get S >out && test_must_be_empty out
'

test_expect_success 'a producer that fails half-way: a pipe commits the part, --run does not' '
	statusdir init S &&
	echo good | statusdir put S >id &&
	(echo partial; exit 3) | statusdir put S --no-empty >/dev/null &&
	echo partial >expect && statusdir get S >out && test_cmp expect out &&
	echo good | statusdir put S >id &&
	test_expect_code 4 statusdir put S --run sh -c "echo partial; exit 3" 2>err &&
	unchanged S "$(cat id)"
'

# recipe: the pipeline of README and statusdir(1), word for word, with the
# df of ./bin.  Debian 12's sh (dash 0.5.12) has no pipefail, hence bash.
recipe () {
	(PATH=$PWD/bin:$PATH && export PATH &&
	statusdir put S --run bash -c 'set -o pipefail; df -h /srv | grep -v tmpfs')
}

test_expect_success 'the documented pipefail recipe commits only if every command succeeds' '
	test_grep -F "statusdir put S --run bash -c '"'"'set -o pipefail; df -h /srv | grep -v tmpfs'"'"'" "$top_srcdir/README" &&
	test_grep -F "\-\-run bash \-c \(aqset \-o pipefail; df \-h /srv | grep \-v tmpfs\(aq" "$top_srcdir/man/statusdir.1" &&
	statusdir init S &&
	echo good | statusdir put S >id &&
	mkdir bin &&
	printf "#!/bin/sh\necho partial\nexit 3\n" >bin/df && chmod +x bin/df &&
	test_expect_code 4 recipe 2>err &&
	test_grep "bash exited with status 3; nothing committed" err &&
	unchanged S "$(cat id)" &&
	printf "#!/bin/sh\nexit 1\n" >bin/df &&
	test_expect_code 4 recipe 2>err &&
	unchanged S "$(cat id)" &&
	printf "#!/bin/sh\necho a\necho tmpfs\n" >bin/df &&
	recipe >id &&
	echo a >expect && statusdir get S >out && test_cmp expect out
'

# ---- put -q -------------------------------------------------------------------

test_expect_success 'put -q / --quiet: no "unchanged" note, the id still printed' '
	statusdir init S &&
	echo x | statusdir put S >id &&
	echo x | statusdir put S --if-changed 2>err >out &&
	test_grep -x "statusdir: S: unchanged, newest is $(cat id)" err &&
	echo x | statusdir put S --if-changed -q 2>err >out &&
	test_must_be_empty err && test_cmp id out &&
	echo x | statusdir put S --quiet --if-changed 2>err >out &&
	test_must_be_empty err && test_cmp id out &&
	statusdir put S -q --if-changed --run echo x 2>err >out &&
	test_must_be_empty err && test_cmp id out
'

test_expect_success 'put -q never hides an error' '
	statusdir init S &&
	echo x | statusdir put S >id &&
	test_expect_code 4 statusdir put S -q no-such-file 2>err &&
	test_grep "cannot open no-such-file" err &&
	test_expect_code 4 statusdir put S -q --run false 2>err &&
	test_grep "false exited with status 1" err &&
	test_expect_code 4 statusdir put S -q --no-empty </dev/null 2>err &&
	test_grep "(--no-empty)" err &&
	mkdir d &&
	test_expect_code 4 statusdir put S -q d 2>err &&
	test_grep "cannot read d" err &&
	test_expect_code 4 statusdir put no-store -q <id 2>err &&
	test_grep "cannot open store" err &&
	unchanged S "$(cat id)"
'

test_expect_success 'put -q still names a committed version whose id was not printed (exit 5)' '
	statusdir init S &&
	echo x | test_expect_code 5 statusdir put S -q >/dev/full 2>err &&
	id=$(newest_id S) &&
	test_grep -x "statusdir: S: committed $id, but could not write it to stdout: No space left on device" err &&
	echo x | test_expect_code 5 statusdir put S -q --if-changed >/dev/full 2>err &&
	test_grep "committed $id, but could not write it" err
'

# ---- Errors of the input name it ------------------------------------------------

test_expect_success 'put DIR names DIR; put <DIR names stdin; nothing committed' '
	statusdir init S &&
	echo x | statusdir put S >id &&
	mkdir d &&
	test_expect_code 4 statusdir put S d >out 2>err &&
	test_must_be_empty out &&
	echo "statusdir: S: cannot read d: Is a directory" >expect &&
	test_cmp expect err &&
	test_expect_code 4 statusdir put S <d >out 2>err &&
	echo "statusdir: S: cannot read stdin: Is a directory" >expect &&
	test_cmp expect err &&
	test_expect_code 4 statusdir put S - <d >out 2>err &&
	test_cmp expect err &&
	unchanged S "$(cat id)"
'

test_expect_success NOBODY 'an error of the store is not taken for one of the input' '
	statusdir init S &&
	echo x | statusdir put S >id &&
	echo y >f && chmod 644 f &&
	test_expect_code 4 test_as_nobody statusdir put S f 2>err &&
	test_grep -v "cannot read" err &&
	test_grep "^statusdir: S: " err
'

# ---- get --id-file ----------------------------------------------------------------

# no_temp: the current directory holds no temporary file of --id-file.
no_temp () {
	ls -A >ls.out &&
	test_grep -v "\.tmp$" ls.out
}

test_expect_success 'get --id-file F: F holds exactly the id and a newline' '
	make_store S 2 &&
	statusdir get S --id-file F >out 2>err &&
	test_must_be_empty err &&
	echo "version 2" >expect && test_cmp expect out &&
	nth_id S 2 >expect && test_cmp_bin expect F &&
	statusdir get S @1 --id-file F >out &&
	nth_id S 1 >expect && test_cmp_bin expect F &&
	no_temp
'

test_expect_success 'get --id-file in a missing directory: exit 4, nothing on stdout' '
	make_store S 1 &&
	test_expect_code 4 statusdir get S --id-file no/such/F >out 2>err &&
	test_must_be_empty out &&
	echo "statusdir: S: cannot write no/such/F: No such file or directory" >expect &&
	test_cmp expect err &&
	test_expect_code 4 statusdir get S --id-file F/ >out 2>err &&
	test_must_be_empty out &&
	mkdir d &&
	test_expect_code 4 statusdir get S --id-file d >out 2>err &&
	test_must_be_empty out && test_grep "cannot write d: Is a directory" err &&
	test -d d && no_temp
'

test_expect_success NOBODY 'get --id-file in an unwritable directory: exit 4, nothing on stdout' '
	make_store S 1 &&
	mkdir ro && chmod 755 ro && echo old >ro/F && chmod 666 ro/F &&
	test_expect_code 4 test_as_nobody statusdir get S --id-file ro/F >out 2>err &&
	test_must_be_empty out &&
	test_grep "cannot write ro/F: Permission denied" err &&
	echo old >expect && test_cmp expect ro/F &&
	ls -A ro >ls.out && echo F >expect && test_cmp expect ls.out
'

test_expect_success 'get --id-file: F gets mode 0666 less the umask, even if it existed' '
	make_store S 1 &&
	(umask 027 && statusdir get S --id-file F >/dev/null) &&
	test "$(stat -c %a F)" = 640 &&
	chmod 600 F &&
	(umask 002 && statusdir get S --id-file F >/dev/null) &&
	test "$(stat -c %a F)" = 664 &&
	nth_id S 1 >expect && test_cmp expect F
'

test_expect_success 'get --id-file: a symbolic link F is replaced, its target untouched' '
	make_store S 1 &&
	ln -s target L &&
	echo keep >kept && ln -s kept L2 &&
	statusdir get S --id-file L >/dev/null &&
	statusdir get S --id-file L2 >/dev/null &&
	test -f L && ! test -h L && ! test -e target &&
	test -f L2 && ! test -h L2 &&
	echo keep >expect && test_cmp expect kept &&
	nth_id S 1 >expect && test_cmp expect L && test_cmp expect L2 &&
	no_temp
'

test_expect_success 'get --id-file: when get fails, F is left as it was and no temporary file stays' '
	statusdir init S &&
	echo old >F &&
	test_expect_code 1 statusdir get S --id-file F >out 2>err &&
	test_must_be_empty out &&
	echo old >expect && test_cmp expect F && no_temp &&
	echo x | statusdir put S >id &&
	test_expect_code 4 statusdir get S --id-file F >/dev/full 2>err &&
	test_cmp expect F && no_temp &&
	test_expect_code 4 statusdir get S --id-file F >&- 2>err &&
	test_cmp expect F && no_temp &&
	printf y >"S/cur/$(cat id)" &&
	test_expect_code 3 statusdir get S --strict --id-file F >out 2>err &&
	test_must_be_empty out &&
	test_cmp expect F && no_temp
'

test_expect_success 'get --id-file: killed by SIGPIPE, no temporary file stays' '
	statusdir init S &&
	head -c 3000000 /dev/zero | statusdir put S >id &&
	{ statusdir get S --id-file F; echo $? >rc; } | head -c 1 >/dev/null &&
	test "$(cat rc)" = 141 &&
	! test -e F && no_temp
'

test_done
