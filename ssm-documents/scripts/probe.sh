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
	sha256sum openssl blockdev lsblk blkid findmnt losetup sfdisk mount find
	fls mactime icat debugfs xfs_db ntfs-3g lvm hivexget
	jq xz aws python3 vol
)
# The Python modules the memory script imports to decompress AVML dumps,
# as Debian package:module:distribution, reported under the package's
# name. Debian installs them into the system Python, which need not be
# the first python3 on PATH, so both are tried, as the script does.
modules=(python3-snappy:snappy:python-snappy python3-crc32c:crc32c:crc32c)

# module_version PYTHON MODULE DIST: imports MODULE and prints the version
# of its distribution DIST (empty when not recorded); fails when MODULE
# does not import.
module_version() {
	"$1" -c '
import importlib
import sys

importlib.import_module(sys.argv[1])
try:
    from importlib import metadata
    print(metadata.version(sys.argv[2]))
except Exception:
    print("")
' "$2" "$3" 2>/dev/null
}

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
for entry in "${modules[@]}"; do
	IFS=: read -r name module dist <<<"$entry"
	present=false version=""
	for py in python3 /usr/bin/python3; do
		if version=$(module_version "$py" "$module" "$dist"); then
			present=true
			break
		fi
	done
	version=$(grep -oE '^[0-9]+(\.[0-9]+)+' <<<"$version")
	[[ -n $version ]] && version="\"$version\""
	[[ $present == true ]] || ready=false
	json+="$sep{\"name\":\"$name\",\"present\":$present,\"version\":${version:-null}}"
done
printf '%s],"ready":%s}\n' "$json" "$ready"
