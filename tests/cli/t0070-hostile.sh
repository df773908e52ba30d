#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='hostile input: ids with ../, junk and symlinks in cur/, symlinked folders, odd names, bad format files'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# the newest must still be version 3 of make_store, for get, log and path
newest_is_3 () {
	echo "version 3" >expect.3 &&
	timeout 10 statusdir get S >out.3 && test_cmp expect.3 out.3 &&
	timeout 10 statusdir log S >log.3 &&
	test_line_count 3 log.3 &&
	test "$(head -n 1 log.3 | cut -f 1)" = "$(nth_id S 3)" &&
	timeout 10 statusdir path S >path.3 &&
	echo "S/cur/$(nth_id S 3)" >expect.3 && test_cmp expect.3 path.3
}

# a name that sorts after every id of S: a valid id far in the future
greater_id () {
	id_with_time "$(nth_id S "${1:-3}")" 9000000000000000000
}

test_expect_success 'get and path refuse ids that try ../ or a path (exit 2)' '
	make_store S 12 &&
	cur=$(nth_id S 12) && old=$(nth_id S 1) &&
	for bad in "../cur/$cur" "../old/$old" "../format" "../../S/cur/$cur" \
		"$cur/../$cur" "$cur/" "/$cur" "$PWD/S/cur/$cur" "..%2f$cur" \
		"cur/$cur" "old/$old" ".." "../tmp" "$cur/."; do
		test_expect_code 2 statusdir get S "$bad" >out 2>err &&
		test_must_be_empty out &&
		test_stderr_ok err &&
		test_expect_code 2 statusdir path S "$bad" >out 2>/dev/null &&
		test_must_be_empty out || { echo "id: $bad" >&4; return 1; }
	done
'

test_expect_success 'a very long ID argument is refused (exit 2)' '
	make_store S 1 &&
	long=$(head -c 100000 /dev/zero | tr "\\0" 1) &&
	test_expect_code 2 statusdir get S "$long" >out 2>/dev/null &&
	test_must_be_empty out
'

test_expect_success 'a symlink in cur/ named like a greater id is ignored' '
	make_store S 3 &&
	cp "S/cur/$(nth_id S 3)" secret &&
	ln -s ../../secret "S/cur/$(greater_id)" &&
	cat "S/cur/$(greater_id)" >/dev/null &&
	newest_is_3 &&
	test_expect_code 1 statusdir get S "$(greater_id)" >out &&
	test_must_be_empty out
'

test_expect_success 'dangling symlinks and links to devices in cur/ are ignored' '
	make_store S 3 &&
	ln -s /nonexistent/file "S/cur/$(greater_id)" &&
	ln -s /dev/zero "S/cur/$(id_with_time "$(nth_id S 2)" 9000000000000000001)" &&
	ln -s /dev/zero S/cur/zero &&
	newest_is_3
'

test_expect_success 'a directory in cur/ named like a greater id is ignored' '
	make_store S 3 &&
	mkdir "S/cur/$(greater_id)" &&
	newest_is_3
'

test_expect_success 'a FIFO in cur/ named like a greater id is ignored, nothing blocks' '
	make_store S 3 &&
	mkfifo "S/cur/$(greater_id)" &&
	newest_is_3 &&
	timeout 10 statusdir verify S >/dev/null &&
	timeout 10 statusdir prune S
'

test_expect_success 'junk files in cur/ and old/ are ignored by get and log' '
	make_store S 3 &&
	echo swp >S/cur/.status.swp &&
	echo nfs >S/cur/.nfs0000000000000001 &&
	echo sp >"S/cur/name with spaces" &&
	echo nl >"S/cur/$(printf "new\nline")" &&
	echo num >S/cur/9999999999999999999 &&
	echo x >"S/cur/$(nth_id S 3).tmp" &&
	echo x >"S/cur/$(greater_id | tr a-f A-F)" &&
	echo x >"S/old/$(greater_id).bak" &&
	mkdir S/cur/subdir &&
	newest_is_3 &&
	statusdir prune S --keep 2 &&
	test -f S/cur/.status.swp && test -d S/cur/subdir &&
	statusdir log S >log && test_line_count 2 log
'

test_expect_success 'cur/ that is a symlink is refused (exit 4)' '
	make_store S 3 &&
	mv S/cur S/cur.real &&
	ln -s cur.real S/cur &&
	ls S/cur.real >before &&
	echo x >f &&
	test_each_exits 4 S get log verify prune path info &&
	test_expect_code 4 statusdir put S f >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	ls S/cur.real >after &&
	test_cmp before after
'

test_expect_success 'tmp/ or old/ that is a symlink is refused (exit 4)' '
	make_store S 3 &&
	echo x >f &&
	mv S/tmp S/tmp.real &&
	ln -s tmp.real S/tmp &&
	test_expect_code 4 statusdir put S f >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_dir_is_empty S/tmp.real &&
	test_expect_code 4 statusdir get S >out 2>err &&
	rm S/tmp && mv S/tmp.real S/tmp &&
	mv S/old S/old.real &&
	ln -s old.real S/old &&
	test_expect_code 4 statusdir get S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_expect_code 4 statusdir put S f >out 2>err &&
	test_must_be_empty out &&
	test_expect_code 4 statusdir prune S --keep 1 2>err &&
	rm S/old && mv S/old.real S/old &&
	statusdir log S >log && test_line_count 3 log
'

test_expect_success 'a store path that is a symlink works, for every command' '
	make_store S 2 &&
	ln -s S L &&
	ln -s L LL &&
	echo new >f &&
	id=$(statusdir put L f) &&
	statusdir get L >out && test_cmp f out &&
	statusdir get LL "$id" >out && test_cmp f out &&
	statusdir log LL >log && test_line_count 3 log &&
	statusdir verify L >/dev/null &&
	statusdir prune L --keep 1 &&
	statusdir log S >log && test_line_count 1 log &&
	statusdir config L >/dev/null &&
	statusdir init L &&
	test -h L
'

test_expect_success 'stores with odd names: spaces, newline, UTF-8, leading dash' '
	echo data >f &&
	for s in "a store" "$(printf "new\nline")" "st\303\266re" ./-dash "tab${TAB}x"; do
		statusdir init "$s" &&
		statusdir put "$s" f >/dev/null &&
		statusdir get "$s" >out && test_cmp f out &&
		statusdir log "$s" >log && test_line_count 1 log &&
		statusdir verify "$s" >/dev/null || { echo "store [$s]" >&4; return 1; }
	done
'

test_expect_success 'a STORE given as S/ or as .' '
	make_store S 2 &&
	echo "version 2" >expect &&
	statusdir get S/ >out && test_cmp expect out &&
	statusdir log S/ >log && test_line_count 2 log &&
	echo new >f &&
	statusdir put S/ f >/dev/null &&
	(cd S && statusdir get . >../out) && test_cmp f out &&
	(cd S && statusdir log . >../log) && test_line_count 3 log &&
	(cd S && statusdir path .) >out &&
	echo "./cur/$(newest_id S)" >expect && test_cmp expect out
'

test_expect_success 'an unknown format version is refused (exit 4), not touched' '
	make_store S 2 &&
	sed "1s/[0-9][0-9]*/99/" S/format >format.new &&
	! cmp -s S/format format.new &&
	cp format.new S/format &&
	echo x >f &&
	test_each_exits 4 S get log verify prune path config info &&
	test_expect_code 4 statusdir put S f >out 2>err &&
	test_expect_code 4 statusdir init S 2>err &&
	test_cmp format.new S/format &&
	ls S/cur | wc -l >n && echo 2 >expect && test_cmp expect n
'

test_expect_success 'a missing or garbled format file is refused (exit 4)' '
	make_store S 2 &&
	mv S/format format.saved &&
	test_expect_code 4 statusdir get S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	printf "\000\001garbage\n" >S/format &&
	test_expect_code 4 statusdir get S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	: >S/format &&
	test_expect_code 4 statusdir log S >out 2>err &&
	test_must_be_empty out &&
	mv format.saved S/format &&
	statusdir log S >log && test_line_count 2 log
'

test_expect_success 'a format file that is a directory or a FIFO is refused, nothing blocks' '
	make_store S 1 &&
	mv S/format format.real &&
	mkdir S/format &&
	test_expect_code 4 statusdir get S >out 2>err &&
	test_must_be_empty out &&
	rmdir S/format &&
	mkfifo S/format &&
	test_expect_code 4 timeout 10 statusdir get S >out 2>err &&
	test_must_be_empty out
'

test_expect_success 'put of a FILE whose name holds a newline' '
	statusdir init S &&
	printf "odd\n" >"$(printf "a\nb")" &&
	statusdir put S "$(printf "a\nb")" >id &&
	printf "odd\n" >expect &&
	statusdir get S >out && test_cmp expect out
'

test_done
