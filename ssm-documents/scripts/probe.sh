#!/usr/bin/env bash
# probe.sh: checks that the forensic tools Casefile's documents need are
# installed and prints ONE line of JSON on stdout:
#   {"tools":[{"name":"fls","present":true,"version":"4.12.1"},...],"ready":true}
# "ready" is true when every tool is present. It exits 0 even when tools are
# missing: the caller decides what a missing tool means.
set -u -o pipefail
export LC_ALL=C PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

# shellcheck source=common.sh
. "${BASH_SOURCE[0]%/*}/common.sh"

# The tools, in the order they are reported.
tools=(
	sha256sum blockdev lsblk blkid findmnt losetup sfdisk mount
	fls mactime icat debugfs xfs_db ntfs-3g lvm
	jq xz aws python3 vol
)

entries=()
for name in "${tools[@]}"; do
	if command -v "$name" >/dev/null 2>&1; then
		entries+=("$name" true "$(cf_tool_version "$name")")
	else
		entries+=("$name" false "")
	fi
done

jq -cn '$ARGS.positional as $a
	| [range(0; $a | length; 3) as $i
	   | {name: $a[$i], present: ($a[$i+1] == "true"), version: (if $a[$i+2] == "" then null else $a[$i+2] end)}]
	| {tools: ., ready: all(.[]; .present)}' --args "${entries[@]}"
