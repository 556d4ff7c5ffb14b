#!/usr/bin/env bash
# memory-forensics.sh: forensic analysis of a Linux or Windows memory dump
# with Volatility 3, after the checks that make its output trustworthy.
#
# It copies the dump to a scratch folder, checks its size, verifies its
# SHA-256, detects its format by magic (LiME, LiME padded, AVML, Windows
# crash dump, raw), refuses empty or mostly zero-filled dumps, identifies
# the dump's kernel, fetches that kernel's symbol table into a fresh per-run
# folder, and checks the table against the dump before any plugin runs:
# for Linux, the dump's "Linux version" banner against the table's; for
# Windows, the kernel's PDB record (RSDS, GUID and age) against the table's
# metadata. Then it runs the Linux or the Windows plugin set in parallel,
# writes results.json and manifest.json, and (in SSM mode) uploads them to
# S3 with SSE-KMS and SHA-256 checksums.
#
# Usage (SSM):   memory-forensics.sh --forensic-id ID --dump-s3-uri s3://b/k
#                  --dump-sha256 HEX --dump-size-bytes N
#                  --dump-format lime|avml|raw|crashdump --os linux|windows
#                  --kernel-release REL (Linux only) --symbols-s3-uri s3://b/prefix
#                  --results-bucket B --results-prefix P --kms-key-arn ARN
# Usage (local): memory-forensics.sh --local --dump FILE --symbols-dir DIR
#                  --output-dir DIR [--os linux|windows] [--dump-sha256 HEX]
#                  [--dump-size-bytes N] [--dump-format F]
#                  [--kernel-release REL] [--forensic-id ID]
#                  [--dump-s3-uri U] [--symbols-s3-uri U] [--results-bucket B]
#                  [--results-prefix P] [--kms-key-arn ARN]
#                (the S3 options are checked as in SSM mode; --dump-s3-uri and
#                --symbols-s3-uri name where FILE and DIR's table came from in
#                results.json; the others are not used: the caller uploads)
# Options:       --scratch-dir DIR (/mnt/casefile-scratch if present, else /var/tmp)
# Symbol tables: Linux <symbols>/<kernelRelease>.json.xz (or linux/...);
#   Windows <symbols>/windows/<pdb name>/<GUID>-<age>.json.xz, the layout
#   Volatility itself uses, such as windows/ntkrnlmp.pdb/<GUID>-1.json.xz.
# Statuses: SUCCEEDED, DUMP_COPY_FAILED, SIZE_MISMATCH, HASH_MISMATCH, EVIDENCE_INCOMPLETE,
#   FORMAT_MISMATCH, SYMBOLS_MISSING, SYMBOLS_INVALID, SYMBOLS_MISMATCH,
#   VOLATILITY_UNAVAILABLE, VOLATILITY_FAILED, ANALYSIS_FAILED, RESULTS_FAILED, UPLOAD_FAILED.
# Exit status: 0 success, 1 a step failed (results.json says which), 2 usage.
set -u -o pipefail
export LC_ALL=C PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
umask 077

SCRIPT_DIR=$(dirname -- "${BASH_SOURCE[0]}")
readonly SCRIPT_DIR
readonly SCRIPT_NAME=casefile-memory-forensics
readonly SCRIPT_VERSION=1.0.0
# shellcheck source=common.sh
. "$SCRIPT_DIR/common.sh"

readonly RE_LOCAL_PATH='^/[A-Za-z0-9._/@+-]{0,4095}$'
# The plugins to run; each writes volatility/<plugin>.json.
# Linux: processes, process tree, command lines, kernel modules, hidden
# modules, shell history, sockets, open files, injected code.
readonly LINUX_PLUGINS=(linux.pslist linux.pstree linux.psaux linux.lsmod linux.check_modules linux.bash
	linux.sockstat linux.lsof linux.malfind)
# Windows: processes, process tree, command lines, network, services,
# injected code.
readonly WINDOWS_PLUGINS=(windows.pslist windows.pstree windows.cmdline windows.netscan windows.svcscan
	windows.malfind)
readonly LIME_MAGIC=1281969477 # 0x4C694D45, "EMiL" on disk (little-endian)

mode=ssm os=""
forensic_id="" dump_s3_uri="" dump_sha256="" dump_size_bytes="" dump_format="" kernel_release="" symbols_s3_uri=""
results_bucket="" results_prefix="" kms_key_arn="" dump_arg="" symbols_dir="" output_dir="" scratch_arg=""

need_value() {
	[[ $# -ge 2 ]] || cf_usage_error "$1 needs a value"
}

while [[ $# -gt 0 ]]; do
	case $1 in
	--local) mode=local; shift ;;
	--forensic-id) need_value "$@"; forensic_id=$2; shift 2 ;;
	--dump-s3-uri) need_value "$@"; dump_s3_uri=$2; shift 2 ;;
	--dump-sha256) need_value "$@"; dump_sha256=$2; shift 2 ;;
	--dump-size-bytes) need_value "$@"; dump_size_bytes=$2; shift 2 ;;
	--dump-format) need_value "$@"; dump_format=$2; shift 2 ;;
	--kernel-release) need_value "$@"; kernel_release=$2; shift 2 ;;
	--os) need_value "$@"; os=$2; shift 2 ;;
	--symbols-s3-uri) need_value "$@"; symbols_s3_uri=$2; shift 2 ;;
	--results-bucket) need_value "$@"; results_bucket=$2; shift 2 ;;
	--results-prefix) need_value "$@"; results_prefix=$2; shift 2 ;;
	--kms-key-arn) need_value "$@"; kms_key_arn=$2; shift 2 ;;
	--dump) need_value "$@"; dump_arg=$2; shift 2 ;;
	--symbols-dir) need_value "$@"; symbols_dir=$2; shift 2 ;;
	--output-dir) need_value "$@"; output_dir=$2; shift 2 ;;
	--scratch-dir) need_value "$@"; scratch_arg=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -u/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) cf_usage_error "unknown argument (see --help)" ;;
	esac
done

# Validate every value before it is used anywhere.
if [[ $mode == ssm ]]; then
	cf_require_match --forensic-id "$forensic_id" "$CF_RE_FORENSIC_ID"
	cf_require_match --dump-s3-uri "$dump_s3_uri" "$CF_RE_S3_URI"
	cf_require_match --dump-sha256 "$dump_sha256" "$CF_RE_SHA256"
	cf_require_match --dump-size-bytes "$dump_size_bytes" "$CF_RE_SIZE_BYTES"
	cf_require_match --dump-format "$dump_format" "$CF_RE_DUMP_FORMAT"
	cf_require_match --os "$os" "$CF_RE_OS"
	[[ $os == windows ]] || cf_require_match --kernel-release "$kernel_release" "$CF_RE_KERNEL_RELEASE"
	cf_require_match --symbols-s3-uri "$symbols_s3_uri" "$CF_RE_S3_FOLDER"
	cf_require_match --results-bucket "$results_bucket" "$CF_RE_BUCKET"
	cf_require_match --results-prefix "$results_prefix" "$CF_RE_PREFIX"
	cf_require_match --kms-key-arn "$kms_key_arn" "$CF_RE_KMS_ARN"
	[[ -z $dump_arg$symbols_dir$output_dir ]] || cf_usage_error "--dump, --symbols-dir and --output-dir need --local"
else
	forensic_id=${forensic_id:-local-investigation} os=${os:-linux}
	cf_require_match --forensic-id "$forensic_id" "$CF_RE_FORENSIC_ID"
	cf_require_match --os "$os" "$CF_RE_OS"
	cf_require_match --dump "$dump_arg" "$RE_LOCAL_PATH"
	cf_require_match --symbols-dir "$symbols_dir" "$RE_LOCAL_PATH"
	cf_require_match --output-dir "$output_dir" "$RE_LOCAL_PATH"
	[[ -z $dump_sha256 ]] || cf_require_match --dump-sha256 "$dump_sha256" "$CF_RE_SHA256"
	[[ -z $dump_size_bytes ]] || cf_require_match --dump-size-bytes "$dump_size_bytes" "$CF_RE_SIZE_BYTES"
	[[ -z $dump_format ]] || cf_require_match --dump-format "$dump_format" "$CF_RE_DUMP_FORMAT"
	[[ -z $kernel_release ]] || cf_require_match --kernel-release "$kernel_release" "$CF_RE_KERNEL_RELEASE"
	[[ -z $dump_s3_uri ]] || cf_require_match --dump-s3-uri "$dump_s3_uri" "$CF_RE_S3_URI"
	[[ -z $symbols_s3_uri ]] || cf_require_match --symbols-s3-uri "$symbols_s3_uri" "$CF_RE_S3_FOLDER"
	[[ -z $results_bucket ]] || cf_require_match --results-bucket "$results_bucket" "$CF_RE_BUCKET"
	[[ -z $results_prefix ]] || cf_require_match --results-prefix "$results_prefix" "$CF_RE_PREFIX"
	[[ -z $kms_key_arn ]] || cf_require_match --kms-key-arn "$kms_key_arn" "$CF_RE_KMS_ARN"
	[[ -f $dump_arg ]] || cf_usage_error "--dump must be a file"
	[[ -d $symbols_dir ]] || cf_usage_error "--symbols-dir must be a folder"
	if [[ -e $output_dir ]] && [[ -n $(find "$output_dir" -mindepth 1 -maxdepth 1 -print -quit) ]]; then
		cf_usage_error "--output-dir must be empty or absent"
	fi
fi
if [[ $os == windows ]]; then
	[[ -z $kernel_release ]] || cf_usage_error "--kernel-release is for Linux: a Windows dump's kernel is found in the dump"
	[[ $dump_format != lime && $dump_format != avml ]] || cf_usage_error "--dump-format $dump_format is a Linux format"
	plugins=("${WINDOWS_PLUGINS[@]}")
else
	[[ $dump_format != crashdump ]] || cf_usage_error "--dump-format crashdump is a Windows format"
	plugins=("${LINUX_PLUGINS[@]}")
fi
results_prefix=${results_prefix%/}
symbols_s3_uri=${symbols_s3_uri%/}
# The dump's source, as results.json and the manifest name it.
if [[ -n $dump_s3_uri ]]; then
	evidence=$dump_s3_uri
else
	evidence="file://$dump_arg"
fi
# The expected size without leading zeros (the pattern allows them), so
# that it compares as a string with stat's: 20 digits exceed shell
# arithmetic.
expected_size=${dump_size_bytes#"${dump_size_bytes%%[!0]*}"}
[[ -n $dump_size_bytes && -z $expected_size ]] && expected_size=0
if [[ -n $scratch_arg ]]; then
	cf_require_match --scratch-dir "$scratch_arg" "$RE_LOCAL_PATH"
	[[ -d $scratch_arg ]] || cf_usage_error "--scratch-dir must be a folder"
	scratch_root=$scratch_arg
elif [[ -d /mnt/casefile-scratch ]]; then
	scratch_root=/mnt/casefile-scratch
else
	scratch_root=/var/tmp
fi

# ---------------------------------------------------------------- run state
started_at=$(cf_now)
run_dir=$(mktemp -d "$scratch_root/casefile-memory.XXXXXX") || { echo "cannot create a run folder" >&2; exit 1; }
if [[ $mode == ssm ]]; then
	out_dir=$run_dir/out
else
	out_dir=$output_dir
fi
mkdir -p "$out_dir" "$run_dir/symbols" "$run_dir/volcache" || exit 1
export CF_ERRORS=$run_dir/errors.jsonl CF_NOTES=$run_dir/notes.jsonl CF_ARTIFACTS=$run_dir/artifacts.jsonl
: >"$CF_ERRORS"
: >"$CF_NOTES"
: >"$CF_ARTIFACTS"
dump=$run_dir/dump.bin
status=SUCCEEDED

cleanup() {
	local rc=$?
	rm -rf -- "$run_dir"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# fail REASON STEP MESSAGE: record an error; the first reason is the status.
fail() {
	[[ $status == SUCCEEDED ]] && status=$1
	cf_error "$2" "$evidence" "$3"
}

# Facts gathered on the way, for results.json.
size=0 size_verified=false sha="" hash_verified=false detected="" lime_version="" ranges=0 payload=0
symbols_file="" symbols_rel="" symbols_sha="" table_banner="" banner_checked=false banner_match=false
: >"$run_dir/dump-banners.txt"
: >"$run_dir/plugins.jsonl"

# lime_walk FILE SIZE: walk the LiME range headers. Sets lime_version,
# ranges and payload; fails when the file is truncated or a header is bad,
# with the reason in lime_error.
lime_error=""
lime_walk() {
	lime_error=$(lime_walk_ranges "$@" 3>"$run_dir/lime.facts")
	local rc=$?
	# shellcheck disable=SC1091 # written just above by lime_walk_ranges
	. "$run_dir/lime.facts"
	return "$rc"
}

# lime_walk_ranges FILE SIZE: the walk itself, in a subshell: prints the
# problem on stdout and the facts as shell assignments on descriptor 3.
lime_walk_ranges() {
	local file=$1 total=$2 off=0 magic version start end len nonzero=0
	local -a w
	while ((off < total)); do
		if ((ranges >= 65536)); then
			echo "more than 65536 ranges"
			return 1
		fi
		if ((off + 32 > total)); then
			echo "truncated header at byte $off"
			return 1
		fi
		read -r -a w <<<"$(od -An -v -t u4 -j "$off" -N 8 "$file")"
		magic=${w[0]:-0} version=${w[1]:-0}
		if [[ $magic != "$LIME_MAGIC" ]]; then
			echo "no LiME header at byte $off"
			return 1
		fi
		read -r -a w <<<"$(od -An -v -t u8 -j "$((off + 8))" -N 16 "$file")"
		start=${w[0]:-0} end=${w[1]:-0}
		[[ -z $lime_version ]] && lime_version=$version
		printf 'lime_version=%d\n' "$lime_version" >&3
		if [[ $version != 1 ]]; then
			return 0 # compressed (AVML) ranges cannot be walked forward
		fi
		if ((end < start)); then
			echo "range at byte $off ends before it starts"
			return 1
		fi
		len=$((end - start + 1))
		if ((off + 32 + len > total)); then
			echo "range at byte $off is truncated ($len bytes announced)"
			return 1
		fi
		if ((nonzero == 0)) && ! cmp -s -i "$((off + 32)):0" -n "$len" "$file" /dev/zero; then
			nonzero=1
		fi
		ranges=$((ranges + 1)) payload=$((payload + len)) off=$((off + 32 + len))
		printf 'lime_version=%d ranges=%d payload=%d\n' "$lime_version" "$ranges" "$payload" >&3
	done
	if ((nonzero == 0)); then
		echo "every range is zero-filled"
		return 1
	fi
}

# detect_format FILE: lime (LiME v1), avml (LiME v2, compressed), elf,
# crashdump (a Windows crash dump, PAGEDU64 or PAGEDUMP), lime-padded (LiME's format=padded: physical memory from address 0, the
# gaps zero-filled, so its first page, below the first RAM range, is zero)
# or raw.
detect_format() {
	local head size
	head=$(od -An -v -t x1 -N 8 "$1" | tr -d ' \n')
	case $head in
	454d694c01000000*) echo lime ;;
	454d694c02000000*) echo avml ;;
	454d694c*) echo lime-unknown-version ;;
	7f454c46*) echo elf ;;
	5041474544553634 | 5041474544554d50) echo crashdump ;;
	*)
		size=$(stat -c %s "$1")
		if ((size > 4096 && size % 4096 == 0)) && cmp -s -n 4096 "$1" /dev/zero; then
			echo lime-padded
		else
			echo raw
		fi
		;;
	esac
}

# format_declared DECLARED DETECTED: whether a request's format fits what
# the dump is. A declared avml may be plain LiME (AVML writes it when it
# does not compress); a padded LiME dump may be declared lime or raw (a raw
# image of physical memory from address 0 is the same thing).
format_declared() {
	[[ $1 == "$2" ]] && return 0
	[[ $1 == avml && $2 == lime ]] && return 0
	[[ $2 == lime-padded && ($1 == lime || $1 == raw) ]] && return 0
	return 1
}

# data_pages FILE: prints how many of the dump's 4 KiB pages hold a
# non-zero byte, and how many pages it has; fails when that is under 1% of
# them and under 64 MiB, a dump that is mostly zero-filled. It stops
# reading once the dump has passed either bound.
data_pages() {
	python3 - "$1" <<'PY'
import os
import sys

PAGE = 4096
ZERO = bytes(PAGE)
path = sys.argv[1]
total = (os.path.getsize(path) + PAGE - 1) // PAGE
need = min(max(1, total // 100), (64 << 20) // PAGE)
data = 0
with open(path, "rb", buffering=0) as f:
    while data < need:
        chunk = f.read(1 << 20)
        if not chunk:
            break
        view = memoryview(chunk)
        for off in range(0, len(chunk), PAGE):
            page = view[off:off + PAGE]
            if page != ZERO[:len(page)]:
                data += 1
print(data, total)
sys.exit(0 if data >= need else 1)
PY
}

# table_banner_of FILE: the linux_banner string of a Volatility ISF table.
table_banner_of() {
	xz -dc -- "$1" | jq -r '.symbols.linux_banner.constant_data // empty' | base64 -d 2>/dev/null |
		tr -d '\000' | sed -e '/^$/d' | head -n 1
}

# fetch_table REL: copies the symbol table REL (a path under the symbols
# location, such as linux/6.1.0-28-cloud-amd64.json.xz) into the run's
# fresh symbol folder as symbols_file. Local mode also finds a Linux table
# at the top of --symbols-dir.
fetch_table() {
	local rel=$1 dest=$run_dir/symbols/$1
	mkdir -p "${dest%/*}" || return 1
	if [[ $mode == ssm ]]; then
		aws s3 cp --only-show-errors --no-progress "$symbols_s3_uri/${rel#linux/}" "$dest" 2>>"$run_dir/symbols.err" || return 1
	elif [[ -f $symbols_dir/${rel#linux/} ]]; then
		cp -- "$symbols_dir/${rel#linux/}" "$dest" || return 1
	elif [[ -f $symbols_dir/$rel ]]; then
		cp -- "$symbols_dir/$rel" "$dest" || return 1
	else
		return 1
	fi
	symbols_file=$dest symbols_rel=$rel
}

# check_table: hashes the fetched table and checks that it is xz.
check_table() {
	symbols_sha=$(sha256sum -b "$symbols_file" | cut -c1-64)
	if ! xz -t -- "$symbols_file" 2>/dev/null; then
		fail SYMBOLS_INVALID symbols "$symbols_rel is not a valid xz file"
		return 1
	fi
}

# linux_symbols: the dump's "Linux version" banners, the table of the
# kernel release (given, or read from the first banner), and the check that
# the table's linux_banner is one of the dump's. Compressed AVML hides the
# banners: Volatility checks them itself.
linux_symbols() {
	local release=$kernel_release
	if [[ $detected == avml ]]; then
		cf_note banner "" "compressed AVML: the banner is checked by Volatility, not before it"
	else
		grep -a -o -E 'Linux version [0-9][[:print:]]{8,400}' "$dump" | head -n 64 | sort -u >"$run_dir/dump-banners.txt"
	fi
	if [[ -z $release ]]; then
		release=$(sed -n '1s/^Linux version \([^ ]*\).*/\1/p' "$run_dir/dump-banners.txt")
		if [[ -z $release || ! $release =~ $CF_RE_KERNEL_RELEASE || $release == *..* ]]; then
			fail SYMBOLS_MISSING symbols "no kernel release given and none found in the dump"
			return 1
		fi
		kernel_release=$release
		cf_note symbols "" "kernel release $release taken from the dump's banner"
	fi
	if ! fetch_table "linux/$release.json.xz"; then
		fail SYMBOLS_MISSING symbols "no symbol table $release.json.xz in ${symbols_s3_uri:-$symbols_dir}"
		return 1
	fi
	check_table || return 1
	table_banner=$(table_banner_of "$symbols_file")
	[[ $detected == avml ]] && return 0
	banner_checked=true
	if [[ -z $table_banner ]]; then
		fail SYMBOLS_MISMATCH banner "the symbol table has no linux_banner"
		return 1
	fi
	if [[ ! -s $run_dir/dump-banners.txt ]]; then
		fail SYMBOLS_MISMATCH banner "no Linux banner found in the dump"
		return 1
	fi
	if ! grep -qxF -- "$table_banner" "$run_dir/dump-banners.txt"; then
		fail SYMBOLS_MISMATCH banner "the dump's banner does not match the symbol table's"
		return 1
	fi
	banner_match=true
}

# windows_kernels FILE: the Windows kernels whose debug record the dump
# holds, one per line as <pdb name>/<GUID>-<age>, in the order first found
# (at most 16): the CodeView record "RSDS", the PDB's GUID and age, and the
# name of a kernel's PDB. This is what Volatility itself scans for.
windows_kernels() {
	python3 - "$1" <<'PY'
import re
import struct
import sys
import uuid

RECORD = re.compile(rb"RSDS(.{16})(.{4})(nt(?:krnlmp|oskrnl|krnlpa|krpamp)\.pdb)\x00", re.DOTALL | re.IGNORECASE)
CHUNK, OVERLAP = 16 << 20, 64
seen = []
with open(sys.argv[1], "rb", buffering=0) as f:
    tail = b""
    while len(seen) < 16:
        chunk = f.read(CHUNK)
        if not chunk:
            break
        buf = tail + chunk
        for m in RECORD.finditer(buf):
            guid = uuid.UUID(bytes_le=m.group(1)).hex.upper()
            age = struct.unpack("<I", m.group(2))[0]
            kernel = "%s/%s-%d" % (m.group(3).decode().lower(), guid, age)
            if kernel not in seen:
                seen.append(kernel)
        tail = buf[-OVERLAP:]
for kernel in seen[:16]:
    print(kernel)
PY
}

# windows_symbols: the dump's Windows kernels, the first whose table the
# symbol location holds, and the check that the table's PDB metadata names
# that kernel.
windows_symbols() {
	local kernel found="" rc=0
	windows_kernels "$dump" >"$run_dir/dump-banners.txt" || rc=$?
	if ((rc != 0)); then
		fail ANALYSIS_FAILED banner "cannot scan the dump for the Windows kernel (python3 exit $rc)"
		return 1
	fi
	if [[ ! -s $run_dir/dump-banners.txt ]]; then
		fail SYMBOLS_MISMATCH banner "no Windows kernel debug record (RSDS, ntkrnlmp.pdb or its kind) found in the dump"
		return 1
	fi
	while IFS= read -r kernel; do
		if fetch_table "windows/$kernel.json.xz"; then
			found=$kernel
			break
		fi
	done <"$run_dir/dump-banners.txt"
	if [[ -z $found ]]; then
		fail SYMBOLS_MISSING symbols "no symbol table for the dump's kernel ($(paste -sd ' ' "$run_dir/dump-banners.txt")) under ${symbols_s3_uri:-$symbols_dir}/windows/"
		return 1
	fi
	kernel_release=${found#*/}
	check_table || return 1
	table_banner=$(xz -dc -- "$symbols_file" |
		jq -r '.metadata.windows.pdb // empty | "\(.database | ascii_downcase)/\(.GUID | ascii_upcase)-\(.age)"' 2>/dev/null)
	banner_checked=true
	if [[ -z $table_banner ]]; then
		fail SYMBOLS_MISMATCH banner "the symbol table has no Windows PDB metadata"
		return 1
	fi
	if [[ $table_banner != "$found" ]]; then
		fail SYMBOLS_MISMATCH banner "the symbol table is of $table_banner, the dump's kernel is $found"
		return 1
	fi
	banner_match=true
}

# analyze: the checks, then the plugins. Returns at the first failure.
analyze() {
	# 1. Copy the dump to scratch.
	if [[ $mode == ssm ]]; then
		cf_log "copying $dump_s3_uri"
		aws s3 cp --only-show-errors --no-progress "$dump_s3_uri" "$dump" ||
			{ fail DUMP_COPY_FAILED copy "cannot copy the dump from S3"; return 1; }
	else
		cp -- "$dump_arg" "$dump" || { fail DUMP_COPY_FAILED copy "cannot copy the dump"; return 1; }
	fi
	chmod 0400 "$dump"

	# 2. Size, then hash.
	size=$(stat -c %s "$dump")
	if [[ -n $expected_size ]]; then
		if [[ $size != "$expected_size" ]]; then
			fail SIZE_MISMATCH size "size is $size bytes, expected $expected_size"
			return 1
		fi
		size_verified=true
	else
		cf_note size "" "no expected size was given; the dump's size is recorded, not verified"
	fi
	sha=$(sha256sum -b "$dump" | cut -c1-64)
	if [[ -n $dump_sha256 ]]; then
		if [[ $sha != "$dump_sha256" ]]; then
			fail HASH_MISMATCH hash "SHA-256 is $sha, expected $dump_sha256"
			return 1
		fi
		hash_verified=true
	else
		cf_note hash "" "no expected SHA-256 was given; the dump's hash is recorded, not verified"
	fi

	# 3. Not empty, not zero-filled; format by magic.
	if ((size == 0)); then
		fail EVIDENCE_INCOMPLETE content "the dump is empty"
		return 1
	fi
	if cmp -s -n "$size" "$dump" /dev/zero; then
		fail EVIDENCE_INCOMPLETE content "the dump is zero-filled"
		return 1
	fi
	detected=$(detect_format "$dump")
	if [[ $detected == lime || $detected == avml ]]; then
		if ! lime_walk "$dump" "$size"; then
			fail EVIDENCE_INCOMPLETE format "LiME structure: $lime_error"
			return 1
		fi
	fi
	if [[ -n $dump_format ]] && ! format_declared "$dump_format" "$detected"; then
		fail FORMAT_MISMATCH format "declared $dump_format, found $detected"
		return 1
	fi
	if [[ $os == windows && ($detected == lime || $detected == avml) ]] ||
		[[ $os == linux && $detected == crashdump ]]; then
		fail FORMAT_MISMATCH format "a $detected dump is not of $os"
		return 1
	fi
	if [[ $detected != avml ]]; then
		local pages rc=0
		pages=$(data_pages "$dump") || rc=$?
		if ((rc == 1)); then
			fail EVIDENCE_INCOMPLETE content "the dump is mostly zero-filled: ${pages%% *} of its ${pages##* } pages hold data"
			return 1
		elif ((rc != 0)); then
			fail ANALYSIS_FAILED content "cannot count the dump's data pages (python3 exit $rc)"
			return 1
		fi
	fi

	# 4-6. The kernel, its symbol table, and the check that they match.
	if [[ $os == windows ]]; then
		windows_symbols || return 1
	else
		linux_symbols || return 1
	fi

	# 7. Volatility 3.
	if ! command -v vol >/dev/null 2>&1; then
		fail VOLATILITY_UNAVAILABLE volatility "vol (Volatility 3) is not installed"
		return 1
	fi
	run_plugins
}

# run_plugins: the plugins in parallel, at most nproc at once.
run_plugins() {
	local help plugin jobs max flags=(-q -r json -s "$run_dir/symbols" -f "$dump")
	help=$(vol -h 2>&1)
	grep -q -- '--offline' <<<"$help" && flags+=(--offline)
	grep -q -- '--cache-path' <<<"$help" && flags+=(--cache-path "$run_dir/volcache")
	mkdir -p "$out_dir/volatility" "$run_dir/vol"
	max=$(nproc 2>/dev/null || echo 1)
	jobs=0
	for plugin in "${plugins[@]}"; do
		if ((jobs >= max)); then
			wait -n
			jobs=$((jobs - 1))
		fi
		(
			vol "${flags[@]}" "$plugin" >"$out_dir/volatility/$plugin.json" 2>"$run_dir/vol/$plugin.err"
			echo $? >"$run_dir/vol/$plugin.rc"
		) &
		jobs=$((jobs + 1))
	done
	wait
	local version rc rows
	version=$(cf_tool_version vol)
	for plugin in "${plugins[@]}"; do
		rc=$(cat "$run_dir/vol/$plugin.rc" 2>/dev/null || echo 1)
		rows=$(jq 'if type == "array" then length else null end' "$out_dir/volatility/$plugin.json" 2>/dev/null || echo null)
		jq -cn --arg name "$plugin" --argjson rc "$rc" --argjson rows "${rows:-null}" --arg err "$(tail -c 500 "$run_dir/vol/$plugin.err")" \
			'{name: $name, exitCode: $rc, status: (if $rc == 0 then "SUCCEEDED" else "FAILED" end),
			  output: ("volatility/" + $name + ".json"), rows: $rows}
			 + (if $rc == 0 then {} else {stderr: $err} end)' >>"$run_dir/plugins.jsonl"
		if [[ $rc == 0 ]]; then
			cf_artifact "volatility/$plugin.json" vol "$version" "$evidence"
		elif grep -q 'Unsatisfied requirement' "$run_dir/vol/$plugin.err"; then
			fail SYMBOLS_MISMATCH "$plugin" "Volatility found no symbol table for this dump"
		else
			fail VOLATILITY_FAILED "$plugin" "exit $rc: $(tail -n 1 "$run_dir/vol/$plugin.err")"
		fi
	done
}

analyze

# ------------------------------------------------------------ results
ended_at=$(cf_now)
tools=$(cf_tool_versions_json sha256sum xz jq aws python3 vol)
cp "$run_dir/dump-banners.txt" "$out_dir/dump-banners.txt"
jq -n --arg status "$status" --arg id "$forensic_id" --arg mode "$mode" --arg started "$started_at" \
	--arg ended "$ended_at" --arg script "$SCRIPT_NAME" --arg version "$SCRIPT_VERSION" --argjson tools "$tools" \
	--arg evidence "$evidence" --argjson size "$size" --arg expectedSize "$expected_size" --argjson sizeVerified "$size_verified" \
	--arg sha "$sha" --arg expected "$dump_sha256" \
	--argjson verified "$hash_verified" --arg declared "$dump_format" --arg detected "$detected" \
	--arg limeVersion "$lime_version" --argjson ranges "$ranges" --argjson payload "$payload" \
	--arg release "$kernel_release" --arg symFile "${symbols_rel#linux/}" --arg os "$os" --arg symSha "$symbols_sha" \
	--arg symSource "${symbols_s3_uri:-$symbols_dir}" \
	--arg tableBanner "$table_banner" --rawfile dumpBanners "$run_dir/dump-banners.txt" \
	--argjson checked "$banner_checked" --argjson match "$banner_match" \
	--slurpfile plugins "$run_dir/plugins.jsonl" --slurpfile errors "$CF_ERRORS" --slurpfile notes "$CF_NOTES" \
	'def nullable: if . == "" then null else . end;
	{schema: "casefile.memory-results/v1", status: $status, forensicId: $id, mode: $mode, os: $os,
	 script: {name: $script, version: $version}, startedAt: $started, endedAt: $ended,
	 dump: {source: $evidence, sizeBytes: $size, expectedSizeBytes: ($expectedSize | nullable | if . then tonumber else . end),
	        sizeVerified: $sizeVerified, sha256: ($sha | nullable), expectedSha256: ($expected | nullable),
	        hashVerified: $verified, declaredFormat: ($declared | nullable), detectedFormat: ($detected | nullable),
	        limeVersion: ($limeVersion | nullable | if . then tonumber else . end), ranges: $ranges, payloadBytes: $payload},
	 kernelRelease: ($release | nullable),
	 symbols: {source: $symSource, file: ($symFile | nullable), sha256: ($symSha | nullable), banner: ($tableBanner | nullable)},
	 banner: {kind: (if $os == "windows" then "pdb" else "linux_banner" end), checked: $checked, match: $match, dump: ($dumpBanners | split("\n") | map(select(. != ""))),
	          table: ($tableBanner | nullable)},
	 plugins: $plugins, tools: $tools, errors: $errors, notes: $notes}' \
	>"$out_dir/results.json" || { status=RESULTS_FAILED; cf_log "cannot write results.json"; }
cf_write_manifest "$out_dir" "$SCRIPT_NAME" "$SCRIPT_VERSION" "$evidence" || {
	status=RESULTS_FAILED
	cf_log "cannot write manifest.json"
}

if [[ $mode == ssm ]]; then
	location="s3://$results_bucket/$results_prefix/"
	cf_upload "$out_dir" "$results_bucket" "$results_prefix" "$kms_key_arn" || status=UPLOAD_FAILED
else
	location=$out_dir/
fi

jq -cn --arg status "$status" --arg id "$forensic_id" --arg location "$location" \
	--argjson errors "$(wc -l <"$CF_ERRORS")" \
	'{status: $status, forensicId: $id, results: $location, errors: $errors}'
[[ $status == SUCCEEDED ]]
