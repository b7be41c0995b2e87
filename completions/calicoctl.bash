# bash completion for calicoctl. The candidates come from the binary itself
# (`calicoctl __complete WORD... CUR`), so they follow its commands, flags,
# kinds and the resources in the configured datastore.

_calicoctl()
{
	local IFS=$'\n' i x raw=${COMP_WORDS[COMP_CWORD]}
	local -a w=()
	# bash splits "--output=ya" at '=' (COMP_WORDBREAKS); give the binary
	# the words as typed, then cut candidates back to the word bash replaces.
	for ((i = 1; i <= COMP_CWORD; i++)); do
		x=${COMP_WORDS[i]}
		if [[ ${#w[@]} -gt 0 && ($x == = || ${COMP_WORDS[i-1]} == = && i -gt 1) ]]; then
			w[${#w[@]}-1]+=$x
		else
			w+=("$x")
		fi
	done
	local cur=${w[${#w[@]}-1]}
	local pre=${cur%"$raw"}
	COMPREPLY=($("${COMP_WORDS[0]}" __complete "${w[@]:0:${#w[@]}-1}" "$cur" 2>/dev/null))
	if [[ -n $pre ]]; then
		COMPREPLY=("${COMPREPLY[@]#"$pre"}")
	fi
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
		compopt -o nospace 2>/dev/null
	fi
	return 0
}

complete -o default -F _calicoctl calicoctl
