# shellcheck shell=bash
# shellcheck disable=SC2034 # the patterns are used by the scripts that source this file
# common.sh: helpers shared by Casefile's forensic scripts. Sourced, never run.
# Everything here reads evidence only through the callers' explicit steps; no
# helper writes to an evidence device.

# CF_* patterns: the same strict forms as the SSM documents' allowedPattern.
# Values are checked against them before any use.
readonly CF_RE_FORENSIC_ID='^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$'
readonly CF_RE_VOLUME_ID='^vol-[0-9a-f]{8}([0-9a-f]{9})?$'
readonly CF_RE_VOLUME_IDS='^vol-[0-9a-f]{8}([0-9a-f]{9})?(,vol-[0-9a-f]{8}([0-9a-f]{9})?){0,15}$'
readonly CF_RE_BUCKET='^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$'
readonly CF_RE_PREFIX='^[A-Za-z0-9][A-Za-z0-9._/-]{0,511}$'
readonly CF_RE_KMS_ARN='^arn:aws[a-z-]{0,16}:kms:[a-z0-9-]{1,32}:[0-9]{12}:(key|alias)/[A-Za-z0-9/_-]{1,256}$'
readonly CF_RE_S3_URI='^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[A-Za-z0-9!_.*()/-]{1,1000}$'
readonly CF_RE_S3_FOLDER='^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.*()/-]{0,1000})?$'
readonly CF_RE_SHA256='^[0-9a-f]{64}$'
readonly CF_RE_DUMP_FORMAT='^(lime|avml|raw|crashdump)$'
readonly CF_RE_OS='^(linux|windows)$'
readonly CF_RE_KERNEL_RELEASE='^([A-Za-z0-9][A-Za-z0-9._+~-]{0,127})?$'
readonly CF_RE_SIZE_BYTES='^[0-9]{1,20}$'
readonly CF_RE_UINT='^[0-9]{1,9}$'

# LVM warns about every inherited file descriptor; the warnings say nothing
# about the evidence.
export LVM_SUPPRESS_FD_WARNINGS=1

# cf_log MESSAGE...: one timestamped line on stderr (stdout is reserved for
# the final one-line summary, since SSM truncates command output).
cf_log() {
	printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

# cf_now: the current UTC time, RFC 3339.
cf_now() {
	date -u +%Y-%m-%dT%H:%M:%SZ
}

# cf_usage_error MESSAGE: report a bad argument and exit 2 before any work.
cf_usage_error() {
	printf 'usage error: %s\n' "$1" >&2
	exit 2
}

# cf_require_match NAME VALUE REGEX: exit 2 unless VALUE matches REGEX.
# NAME is the option that gave the value, such as --dump-sha256. No value
# is ever evaluated, so a failed check is the only effect of a hostile one.
cf_require_match() {
	local name=$1 value=$2 re=$3
	if [[ -z $value ]]; then
		cf_usage_error "$name is required"
	fi
	if [[ ! $value =~ $re ]]; then
		cf_usage_error "$name does not match $re"
	fi
	if [[ $value == *..* ]]; then
		cf_usage_error "$name must not contain '..'"
	fi
}

# cf_tool_version NAME: the version of a tool as digits and dots, or nothing
# when the tool is missing or says no version.
cf_tool_version() {
	local name=$1 out
	case $name in
	fls | mactime | icat | mmls | fsstat) out=$(timeout 10 "$name" -V 2>&1) ;;
	debugfs | xfs_db | blkid) out=$(timeout 10 "$name" -V 2>&1) ;;
	lvm) out=$(timeout 10 lvm version 2>/dev/null | grep -m 1 'LVM version') ;;
	openssl) out=$(timeout 10 openssl version 2>/dev/null) ;;
	vol) out=$(timeout 120 vol -h 2>&1 | head -n 3) ;;
	hivexget) # no version option: the package's version
		out=$(dpkg-query -W -f '${Version}' libhivex-bin 2>/dev/null || rpm -q --qf '%{VERSION}' hivex 2>/dev/null) ;;
	*) out=$(timeout 10 "$name" --version 2>&1 | head -n 3) ;;
	esac
	printf '%s\n' "$out" | grep -oE '[0-9]+(\.[0-9]+)+' | head -n 1
}

# cf_tool_versions_json NAME...: {"name":"version"|null,...} for the tools.
cf_tool_versions_json() {
	local name version args=()
	for name in "$@"; do
		version=""
		if command -v "$name" >/dev/null 2>&1; then
			version=$(cf_tool_version "$name")
		fi
		args+=("$name" "$version")
	done
	jq -cn '$ARGS.positional as $a
		| reduce range(0; $a | length; 2) as $i ({}; .[$a[$i]] = (if $a[$i+1] == "" then null else $a[$i+1] end))' \
		--args "${args[@]}"
}

# cf_error STEP EVIDENCE MESSAGE: record an error for results.json.
# Needs CF_ERRORS (a JSON Lines file).
cf_error() {
	cf_log "ERROR [$1] ${2:+$2: }$3"
	jq -cn --arg step "$1" --arg evidence "$2" --arg message "$3" --arg at "$(cf_now)" \
		'{step: $step, evidence: (if $evidence == "" then null else $evidence end), message: $message, at: $at}' >>"$CF_ERRORS"
}

# cf_note STEP EVIDENCE MESSAGE: record something that is not an error
# (a fallback taken, a step skipped on purpose) for results.json.
# Needs CF_NOTES (a JSON Lines file).
cf_note() {
	cf_log "note [$1] ${2:+$2: }$3"
	jq -cn --arg step "$1" --arg evidence "$2" --arg message "$3" \
		'{step: $step, evidence: (if $evidence == "" then null else $evidence end), message: $message}' >>"$CF_NOTES"
}

# cf_artifact REL TOOL VERSION EVIDENCE [SOURCE]: say which tool made the
# output file REL (relative to the output folder) from which evidence.
# Needs CF_ARTIFACTS (a JSON Lines file). Files not declared here are
# attributed to the script itself in the manifest.
cf_artifact() {
	jq -cn --arg path "$1" --arg tool "$2" --arg version "$3" --arg evidence "$4" --arg source "${5:-}" \
		'{path: $path, tool: $tool, toolVersion: (if $version == "" then null else $version end),
		  evidence: (if $evidence == "" then null else $evidence end)}
		 + (if $source == "" then {} else {source: $source} end)' >>"$CF_ARTIFACTS"
}

# cf_write_manifest OUT_DIR DEFAULT_TOOL DEFAULT_VERSION DEFAULT_EVIDENCE:
# write OUT_DIR/manifest.json listing every file under OUT_DIR with its
# SHA-256 and size, merged with what cf_artifact declared.
cf_write_manifest() {
	local out=$1 tool=$2 version=$3 evidence=$4 listing
	listing=$(mktemp)
	(
		cd "$out" || exit 1
		# One process hashes every file (a process per file costs more than
		# the hashing of most of them).
		find . -type f ! -path ./manifest.json -printf '%P\0' | LC_ALL=C sort -z | python3 -c '
import hashlib, os, sys
buf = bytearray(8 << 20)
view = memoryview(buf)
for rel in sys.stdin.buffer.read().split(b"\0"):
    if not rel:
        continue
    h, size = hashlib.sha256(), 0
    with open(rel, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            h.update(view[:n])
            size += n
    sys.stdout.write("%s\t%d\t%s\n" % (h.hexdigest(), size, os.fsdecode(rel)))
'
	) >"$listing" || return 1
	jq -n --rawfile listing "$listing" --slurpfile declared "$CF_ARTIFACTS" \
		--arg tool "$tool" --arg version "$version" --arg evidence "$evidence" '
		($declared | map({key: .path, value: .}) | from_entries) as $meta
		| {files: [$listing | split("\n")[] | select(. != "") | split("\t")
			| {path: .[2], sha256: .[0], size: (.[1] | tonumber)} as $f
			| ($meta[$f.path] // {tool: $tool, toolVersion: $version, evidence: (if $evidence == "" then null else $evidence end)}) as $m
			| $f + {tool: $m.tool, toolVersion: $m.toolVersion, evidence: $m.evidence}
			  + (if $m.source then {source: $m.source} else {} end)]}' >"$out/manifest.json"
	local rc=$?
	rm -f "$listing"
	return "$rc"
}

# cf_upload OUT_DIR BUCKET PREFIX KMS_KEY_ARN: copy OUT_DIR to
# s3://BUCKET/PREFIX/ with a SHA-256 checksum and SSE-KMS on every object;
# manifest.json goes last so that its presence means the upload is whole.
cf_upload() {
	local out=$1 bucket=$2 prefix=$3 kms=$4
	local flags=(--checksum-algorithm SHA256 --sse aws:kms --sse-kms-key-id "$kms" --only-show-errors --no-progress)
	aws s3 cp --recursive --exclude manifest.json "${flags[@]}" "$out/" "s3://$bucket/$prefix/" &&
		aws s3 cp "${flags[@]}" "$out/manifest.json" "s3://$bucket/$prefix/manifest.json"
}

# The label of the file system the memory script makes on its scratch
# volume; cf_scratch_check lets only such a file system be formatted again.
readonly CF_SCRATCH_LABEL=casefile-scratch

# cf_find_volume_device VOLUME_ID WAIT_SECONDS: prints the block device of
# an attached EBS volume, found by its NVMe serial (the volume ID without
# its dash, vol0123...), never by the device name given to EC2, which a
# Nitro instance does not keep; waits up to WAIT_SECONDS for it to appear.
# It looks first for udev's link nvme-Amazon_Elastic_Block_Store_<serial>
# in CASEFILE_DEVICE_BY_ID_DIR, then through lsblk's serials.
# CASEFILE_DEVICE_BY_ID_DIR is a test seam: unset, it is /dev/disk/by-id;
# tests point it at a folder of such links to loop devices.
cf_find_volume_device() {
	local serial="vol${1#vol-}" deadline=$((SECONDS + $2)) dev
	local links=${CASEFILE_DEVICE_BY_ID_DIR:-/dev/disk/by-id}
	while :; do
		dev=$links/nvme-Amazon_Elastic_Block_Store_$serial
		if [[ -b $dev ]]; then
			readlink -f -- "$dev"
			return 0
		fi
		dev=$(lsblk -dnpo NAME,SERIAL | awk -v a="$serial" -v b="$1" '$2 == a || $2 == b { print $1; exit }')
		if [[ -n $dev && -b $dev ]]; then
			printf '%s\n' "$dev"
			return 0
		fi
		((SECONDS < deadline)) || return 1
		sleep 5
	done
}

# cf_root_disks: the disks (or loop devices) under / and its LVM or
# partition layers.
cf_root_disks() {
	local src
	src=$(findmnt -nvo SOURCE / 2>/dev/null) || return 0
	[[ -b $src ]] || return 0
	lsblk -nrspo NAME,TYPE "$src" | awk '$2 == "disk" || $2 == "loop" { print $1 }'
}

# cf_in_use DEVICE: succeeds, printing why, when the device or a partition
# of it is mounted, used as swap, or held by another device
# (device-mapper, RAID); fails when none of these is true.
cf_in_use() {
	local dev=$1 name
	if lsblk -nrpo MOUNTPOINT -- "$dev" | grep -q . || findmnt -rno SOURCE | grep -qxF -- "$dev"; then
		echo "it (or a partition of it) is mounted"
		return 0
	fi
	if awk 'NR > 1 { print $1 }' /proc/swaps | grep -qxF -- "$dev"; then
		echo "it is used as swap"
		return 0
	fi
	for name in $(lsblk -nrpo NAME -- "$dev"); do
		if [[ -n $(ls -A "/sys/class/block/${name##*/}/holders" 2>/dev/null) ]]; then
			echo "it is held by another device (device-mapper, RAID)"
			return 0
		fi
	done
	return 1
}

# cf_scratch_check DEVICE: whether DEVICE may be formatted as scratch
# space. It only reads the device. When it may, prints "blank" (no
# signature and a first MiB of zeros, as a new EBS volume reads) or
# "scratch" (nothing but an ext4 file system labelled CF_SCRATCH_LABEL, left
# by an earlier run) and succeeds. Otherwise it prints why not and fails:
# the root disk, mounted (it or a partition), swap, held by another device,
# partitioned, any other partition-table or file-system signature, or data
# without one. Whatever might be evidence is never formatted.
cf_scratch_check() {
	local dev=$1 name sigs why
	if [[ ! -b $dev ]]; then
		echo "it is not a block device"
		return 1
	fi
	if cf_root_disks | grep -qxF -- "$dev"; then
		echo "it is the root disk"
		return 1
	fi
	if why=$(cf_in_use "$dev"); then
		echo "$why"
		return 1
	fi
	for name in $(lsblk -nrpo NAME -- "$dev"); do
		if [[ $name != "$dev" ]]; then
			echo "it has partitions ($name)"
			return 1
		fi
	done
	if ! sigs=$(wipefs --no-act --parsable --output TYPE,LABEL -- "$dev" 2>&1); then
		echo "its signatures cannot be read: $(tail -n 1 <<<"$sigs")"
		return 1
	fi
	case $sigs in
	"")
		if ! cmp -s -n 1048576 -- "$dev" /dev/zero; then
			echo "it holds data with no signature known to wipefs"
			return 1
		fi
		echo blank
		;;
	"ext4,$CF_SCRATCH_LABEL") echo scratch ;;
	*)
		echo "it carries $(awk -F, '!seen[$0]++ { print ($2 == "" ? $1 : $1 " labelled " $2) }' <<<"$sigs" | paste -sd ,)"
		return 1
		;;
	esac
}
