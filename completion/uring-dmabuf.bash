# bash completion for uring-dmabuf(8)                        -*- shell-script -*-
# SPDX-License-Identifier: MIT
#
# Subcommands, each one's long options (as its --help lists them), interface
# names from /sys/class/net, RX queue indices of the chosen interface, and
# the values of --hugepages= and --numa. Needs no bash-completion helpers.

_uring_dmabuf_ifaces()
{
	local d
	for d in /sys/class/net/*; do
		[[ -e $d ]] && printf '%s\n' "${d##*/}"
	done
}

# RX queue indices of interface $1 (0 1 2 ...).
_uring_dmabuf_rx_queues()
{
	local d
	for d in "/sys/class/net/$1/queues"/rx-*; do
		[[ -e $d ]] && printf '%s\n' "${d##*/rx-}"
	done
}

_uring_dmabuf_numa_nodes()
{
	local d
	for d in /sys/devices/system/node/node[0-9]*; do
		[[ -e $d ]] && printf '%s\n' "${d##*/node}"
	done
}

# Options whose value is the next word.
_uring_dmabuf_takes_value()
{
	case $1 in
	--queues | --size | --numa | --rx-page-size | --port | --addr | --dev | --bytes | --steer | --proto) return 0 ;;
	esac
	return 1
}

_uring_dmabuf()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd="" dev="" after_eq=0 i w opts
	local commands="check info queues stats bind-rx bind-tx restore recv send version help"
	local common="--json --pretty --help"
	local memory="--size --hugepages --hugepages= --thp --4k --shmem --numa --uring"

	COMPREPLY=()
	# "--opt=value" arrives split at '=' (COMP_WORDBREAKS): complete the value.
	if [[ $cur == = ]]; then
		cur="" after_eq=1
	elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]} after_eq=1
	fi

	# The subcommand is the first word that is not a global option; the
	# device is the first operand after it (or the value of --dev).
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -z $cmd ]]; then
			[[ $w == -* ]] || cmd=$w
			continue
		fi
		if [[ $w == -- ]]; then
			# bind-rx/bind-tx ... -- COMMAND [ARGS]: a command, then files
			if ((i == COMP_CWORD - 1)); then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			fi
			return 0
		fi
		if [[ $w == --dev ]]; then
			dev=${COMP_WORDS[i + 1]}
		elif [[ $w != -* && $w != = && ${COMP_WORDS[i - 1]} != = ]] &&
			! _uring_dmabuf_takes_value "${COMP_WORDS[i - 1]}"; then
			[[ -n $dev ]] || dev=$w
		fi
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--json --pretty --help --version" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		fi
		return 0
	fi

	# help COMMAND: one command name
	if [[ $cmd == help ]]; then
		[[ -n $dev ]] ||
			mapfile -t COMPREPLY < <(compgen -W "${commands% help}" -- "$cur")
		return 0
	fi

	# The value of the option before the cursor.
	case $prev in
	--hugepages)
		# an optional argument: only in the --hugepages=SIZE form
		if ((after_eq)); then
			mapfile -t COMPREPLY < <(compgen -W "2M 1G" -- "$cur")
			return 0
		fi
		;;
	--numa)
		mapfile -t COMPREPLY < <(compgen -W "auto $(_uring_dmabuf_numa_nodes)" -- "$cur")
		return 0
		;;
	--dev)
		mapfile -t COMPREPLY < <(compgen -W "$(_uring_dmabuf_ifaces)" -- "$cur")
		return 0
		;;
	--area)
		mapfile -t COMPREPLY < <(compgen -W "user dmabuf" -- "$cur")
		return 0
		;;
	--queues | --queue)
		[[ -n $dev ]] &&
			mapfile -t COMPREPLY < <(compgen -W "$(_uring_dmabuf_rx_queues "$dev")" -- "$cur")
		return 0
		;;
	--size | --rx-page-size | --bytes)
		mapfile -t COMPREPLY < <(compgen -W "4K 64K 2M 4M 64M 256M 1G" -- "$cur")
		return 0
		;;
	--proto)
		mapfile -t COMPREPLY < <(compgen -W "tcp4 tcp6" -- "$cur")
		return 0
		;;
	--port | --addr | --steer | --timeout | --interval)
		return 0
		;;
	esac

	case $cmd in
	check) opts="$common --queues --port --size" ;;
	queues | stats | info | version | restore) opts=$common ;;
	bind-rx) opts="$common --queues $memory --rx-page-size --steer --proto" ;;
	recv) opts="$common --port --dev --queues $memory --rx-page-size --verify --bytes --require-devmem --timeout --interval --zcrx --queue --area" ;;
	bind-tx) opts="$common $memory" ;;
	send) opts="$common --addr --port --size --timeout --devmem --dev --uring" ;;
	*) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		# "--hugepages=" takes its value right after the '='
		if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
			compopt -o nospace 2>/dev/null
		fi
		return 0
	fi
	# The device operand, once.
	case $cmd in
	check | queues | stats | bind-rx | bind-tx | restore)
		[[ -n $dev ]] ||
			mapfile -t COMPREPLY < <(compgen -W "$(_uring_dmabuf_ifaces)" -- "$cur")
		;;
	esac
	return 0
}
complete -F _uring_dmabuf uring-dmabuf
