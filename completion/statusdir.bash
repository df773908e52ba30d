# SPDX-License-Identifier: MIT
# bash completion for statusdir(1), loaded by bash-completion from
# completions/statusdir.  It completes the commands, each command's
# options (those of cli/cmd_*.c), store folders, and the ids and @N of the
# versions a store holds, from "statusdir log" (the newest
# STATUSDIR_COMPLETION_MAX, 100 by default, so that a long history stays
# quick), and after put --run, the command and its arguments.

# The options of each command (printf: echo would take -n for its own),
# and those of them that take a value.
_statusdir_options() {
	case $1 in
	init) printf '%s\n' --format --mode --group --keep --max-age ;;
	config) printf '%s\n' --json --mode --group --keep --max-age ;;
	put) printf '%s\n' --no-sync --one-flush --if-changed --no-empty --if-newest -q --quiet --run ;;
	update) printf '%s\n' --retries --timeout --if-changed --no-empty --no-sync --one-flush -q --quiet \
		--run ;;
	upgrade) printf '%s\n' --late-wait --keep-names -q --quiet ;;
	get) printf '%s\n' --strict --no-verify --id-to-stderr --id-file ;;
	log) printf '%s\n' -n --json --format ;;
	prune) printf '%s\n' --keep --max-age --tmp-age --dry-run -v --verbose --json ;;
	verify | info) printf '%s\n' --json ;;
	watch) printf '%s\n' --after --count --timeout --poll --exec ;;
	esac
}

_statusdir_takes_value() {
	case $1 in
	--mode | --group | --keep | --max-age | --tmp-age | --id-file | -n | --count | \
		--format | --after | --timeout | --poll | --exec | --if-newest | --retries | \
		--late-wait) return 0 ;;
	esac
	return 1
}

# _statusdir_versions STORE: COMPREPLY gets the ids and @N of STORE's
# newest versions that start with $cur.
_statusdir_versions() {
	local store=$1 ids i=0 id
	ids=$(command statusdir log "$store" -n "${STATUSDIR_COMPLETION_MAX:-100}" \
		--format '%i' 2>/dev/null) || return
	local -a refs=()
	for id in $ids; do
		refs+=("@$i" "$id")
		i=$((i + 1))
	done
	COMPREPLY=($(compgen -W "${refs[*]}" -- "$cur"))
}

_statusdir() {
	local cur prev words cword split
	_init_completion -s || return

	if ((cword == 1)); then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--help --version' -- "$cur"))
		else
			COMPREPLY=($(compgen -W 'init config put update get log prune
				verify path watch rollback diff info upgrade help' -- "$cur"))
		fi
		return
	fi

	local command=${words[1]} i word store= npos=0 after_dashdash=
	# The words between the command and the one being completed: STORE is
	# the first that is neither an option nor an option's value.
	for ((i = 2; i < cword; i++)); do
		word=${words[i]}
		if [[ -n $after_dashdash ]]; then
			continue
		elif [[ $word == -- ]]; then
			after_dashdash=1
		elif [[ ($command == put || $command == update) && $word == --run ]]; then
			# the rest is the command that put or update runs
			_command_offset $((i + 1))
			return
		elif [[ $word == -* ]]; then
			[[ $word != *=* ]] && _statusdir_takes_value "$word" && ((i++))
		else
			((npos == 0)) && store=$word
			((npos++))
		fi
	done
	[[ -n $after_dashdash ]] && return # diff(1)'s options: bash's default

	case $prev in
	--group)
		COMPREPLY=($(compgen -g -- "$cur"))
		return
		;;
	--id-file)
		_filedir
		return
		;;
	--after)
		[[ -n $store ]] && _statusdir_versions "$store"
		return
		;;
	--if-newest)
		# an id, or none; never @N (it names whatever is newest)
		[[ -n $store ]] && _statusdir_versions "$store"
		local -a ids=()
		for word in "${COMPREPLY[@]}"; do
			[[ $word == @* ]] || ids+=("$word")
		done
		COMPREPLY=($(compgen -W "none ${ids[*]}" -- "$cur"))
		return
		;;
	--format)
		[[ $command == init ]] && COMPREPLY=($(compgen -W '1 2' -- "$cur"))
		return
		;;
	--exec)
		COMPREPLY=($(compgen -c -- "$cur"))
		return
		;;
	--mode | --keep | --max-age | --tmp-age | -n | --count | --timeout | --poll | --retries | \
		--late-wait)
		return
		;;
	esac
	[[ $split == true ]] && return # --option=VALUE: the value, done above

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_statusdir_options "$command") --help" -- "$cur"))
		return
	fi
	if [[ $command == help ]]; then
		((npos == 0)) && COMPREPLY=($(compgen -W 'init config put update get log
			prune verify path watch rollback diff info upgrade help' -- "$cur"))
		return
	fi
	if ((npos == 0)); then
		_filedir -d
		return
	fi
	case $command in
	put) ((npos == 1)) && _filedir ;;
	get | path | rollback) ((npos == 1)) && _statusdir_versions "$store" ;;
	diff) ((npos <= 2)) && _statusdir_versions "$store" ;;
	esac
} &&
	complete -F _statusdir statusdir
