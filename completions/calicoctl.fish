# fish completion for calicoctl: asks the binary (`calicoctl __complete`).
function __calicoctl_complete
	set -l words (commandline -opc)
	set -e words[1]
	calicoctl __complete $words (commandline -ct) 2>/dev/null
end

complete -c calicoctl -f -a '(__calicoctl_complete)'
