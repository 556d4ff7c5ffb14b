#!/usr/bin/env bash
# probe.sh: checks that the forensic tools Casefile's documents need are
# installed and prints ONE line of JSON on stdout:
#   {"tools":[{"name":"fls","present":true,"version":"4.12.1"},...],"ready":true}
# "ready" is true when every tool is present. It exits 0 even when tools are
# missing: the caller decides what a missing tool means.
set -u -o pipefail
export LC_ALL=C PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# shellcheck source=common.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

# The tools, in the order they are reported.
tools=(
	sha256sum blockdev lsblk blkid findmnt losetup sfdisk mount
	fls mactime icat debugfs xfs_db ntfs-3g lvm hivexget
	jq xz aws python3 vol
)

# The JSON is built by hand: jq is one of the tools being checked. Names
# are fixed and versions are digits and dots, so nothing needs escaping.
json='{"tools":['
ready=true
sep=""
for name in "${tools[@]}"; do
	if command -v "$name" >/dev/null 2>&1; then
		version=$(cf_tool_version "$name")
		[[ -n $version ]] && version="\"$version\""
		json+="$sep{\"name\":\"$name\",\"present\":true,\"version\":${version:-null}}"
	else
		ready=false
		json+="$sep{\"name\":\"$name\",\"present\":false,\"version\":null}"
	fi
	sep=,
done
printf '%s],"ready":%s}\n' "$json" "$ready"
