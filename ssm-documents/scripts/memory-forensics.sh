#!/usr/bin/env bash
# memory-forensics.sh: forensic analysis of a Linux or Windows memory dump
# with Volatility 3, after the checks that make its output trustworthy.
#
# It copies the dump to a scratch folder and hashes it in the same pass,
# checks its size, verifies its SHA-256, detects its format by magic (LiME,
# LiME padded, AVML, Windows crash dump; raw only when declared raw or
# nothing is declared; anything else is UNSUPPORTED_FORMAT), decompresses
# an AVML dump into a LiME file beside the copy (once a pre-pass over its
# headers finds that the scratch space has room for it, and checking every
# range's Snappy stream), refuses empty or mostly zero-filled dumps, identifies
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
#                  --scratch-volume-id VOL
# Usage (local): memory-forensics.sh --local --dump FILE --symbols-dir DIR
#                  --output-dir DIR [--os linux|windows] [--dump-sha256 HEX]
#                  [--dump-size-bytes N] [--dump-format F]
#                  [--kernel-release REL] [--forensic-id ID]
#                  [--dump-s3-uri U] [--symbols-s3-uri U] [--results-bucket B]
#                  [--results-prefix P] [--kms-key-arn ARN] [--scratch-dir DIR]
#                (the S3 options are checked as in SSM mode; --dump-s3-uri and
#                --symbols-s3-uri name where FILE and DIR's table came from in
#                results.json; the others are not used: the caller uploads)
# Scratch:       where the dump is copied (and an AVML dump decompressed).
#   SSM: the blank EBS volume VOL, found by its NVMe serial; refused when it
#   is the root disk, in use, partitioned or carries any signature but an
#   earlier Casefile scratch file system; formatted ext4, labelled
#   casefile-scratch, mounted nodev,nosuid,noexec, unmounted at exit.
#   Local: a fresh folder in --scratch-dir DIR, else the run folder (in /var/tmp).
# Symbol tables: Linux <symbols>/<kernelRelease>.json.xz (or linux/...);
#   Windows <symbols>/windows/<pdb name>/<GUID>-<age>.json.xz, the layout
#   Volatility itself uses, such as windows/ntkrnlmp.pdb/<GUID>-1.json.xz.
# Statuses: SUCCEEDED, SCRATCH_UNAVAILABLE, SCRATCH_REFUSED, SCRATCH_TOO_SMALL, DUMP_COPY_FAILED, SIZE_MISMATCH,
#   HASH_MISMATCH, EVIDENCE_INCOMPLETE, UNSUPPORTED_FORMAT, FORMAT_MISMATCH, SYMBOLS_MISSING, SYMBOLS_INVALID, SYMBOLS_MISMATCH,
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
scratch_volume_id=""

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
	--scratch-volume-id) need_value "$@"; scratch_volume_id=$2; shift 2 ;;
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
	cf_require_match --scratch-volume-id "$scratch_volume_id" "$CF_RE_VOLUME_ID"
	[[ -z $dump_arg$symbols_dir$output_dir ]] || cf_usage_error "--dump, --symbols-dir and --output-dir need --local"
	[[ -z $scratch_arg ]] || cf_usage_error "--scratch-dir needs --local (SSM mode copies the dump onto --scratch-volume-id)"
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
	[[ -z $scratch_volume_id ]] || cf_usage_error "--scratch-volume-id is for SSM mode (--local copies the dump into --scratch-dir)"
	if [[ -n $scratch_arg ]]; then
		cf_require_match --scratch-dir "$scratch_arg" "$RE_LOCAL_PATH"
		[[ -d $scratch_arg ]] || cf_usage_error "--scratch-dir must be a folder"
	fi
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

# ---------------------------------------------------------------- run state
started_at=$(cf_now)
run_dir=$(mktemp -d /var/tmp/casefile-memory.XXXXXX) || { echo "cannot create a run folder" >&2; exit 1; }
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
status=SUCCEEDED

# The scratch space, where the dump is copied (and an AVML dump
# decompressed beside it): in SSM mode the scratch volume, which
# open_scratch formats and mounts at scratch_dir; in local mode a folder
# that open_scratch makes in --scratch-dir, or else the run folder.
readonly SCRATCH_WAIT_SECONDS=60 SCRATCH_MOUNT_OPTIONS=nodev,nosuid,noexec,noatime
if [[ $mode == ssm ]]; then
	scratch_dir=$run_dir/scratch
elif [[ -n $scratch_arg ]]; then
	scratch_dir=${scratch_arg%/}/casefile-scratch.${run_dir##*.}
else
	scratch_dir=$run_dir
fi
dump=$scratch_dir/dump.bin
scratch_device="" scratch_previous="" scratch_fs="" scratch_size="" scratch_mounted=false scratch_made=false
# What an AVML dump's decompressed file needs in the scratch space, and
# what the scratch space had free before it was written (bytes).
scratch_needed="" scratch_free=""

# open_scratch: makes the scratch space ready. In SSM mode it finds the
# scratch volume's device by its volume ID, lets cf_scratch_check refuse
# anything that is not a blank volume or an earlier Casefile scratch (so
# nothing that might be evidence is ever formatted), makes a fresh ext4 file
# system labelled CF_SCRATCH_LABEL on it and mounts it at scratch_dir.
open_scratch() {
	local previous
	if [[ $mode != ssm ]]; then
		if [[ $scratch_dir != "$run_dir" ]]; then
			mkdir -m 0700 -- "$scratch_dir" 2>"$run_dir/scratch.err" ||
				{ fail SCRATCH_UNAVAILABLE scratch "cannot create $scratch_dir: $(tail -n 1 "$run_dir/scratch.err")"; return 1; }
			scratch_made=true
		fi
		return 0
	fi
	if ! scratch_device=$(cf_find_volume_device "$scratch_volume_id" "$SCRATCH_WAIT_SECONDS"); then
		fail SCRATCH_UNAVAILABLE scratch "no device of scratch volume $scratch_volume_id (NVMe serial vol${scratch_volume_id#vol-}) after ${SCRATCH_WAIT_SECONDS}s"
		return 1
	fi
	if ! previous=$(cf_scratch_check "$scratch_device"); then
		fail SCRATCH_REFUSED scratch "$scratch_device (scratch volume $scratch_volume_id) is refused, nothing was written to it: $previous"
		return 1
	fi
	scratch_previous=$previous scratch_size=$(blockdev --getsize64 "$scratch_device")
	cf_log "formatting scratch volume $scratch_volume_id ($scratch_device, $previous)"
	if ! mkfs.ext4 -q -F -m 0 -T largefile4 -L "$CF_SCRATCH_LABEL" "$scratch_device" 2>"$run_dir/scratch.err"; then
		fail SCRATCH_UNAVAILABLE scratch "cannot make a file system on $scratch_device: $(tail -n 1 "$run_dir/scratch.err")"
		return 1
	fi
	if ! mkdir -m 0700 -- "$scratch_dir" ||
		! mount -t ext4 -o "$SCRATCH_MOUNT_OPTIONS" "$scratch_device" "$scratch_dir" 2>"$run_dir/scratch.err"; then
		fail SCRATCH_UNAVAILABLE scratch "cannot mount $scratch_device: $(tail -n 1 "$run_dir/scratch.err")"
		return 1
	fi
	scratch_mounted=true
	chmod 0700 "$scratch_dir"
	scratch_fs=$(findmnt -no FSTYPE --target "$scratch_dir")
}

# close_scratch: removes the run's files from the scratch space and
# unmounts the scratch volume (lazily when something still holds it); the
# volume itself goes with the instance.
close_scratch() {
	if [[ $scratch_mounted == true ]]; then
		find "$scratch_dir" -xdev -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf -- {} + 2>/dev/null
		if ! umount -- "$scratch_dir" 2>/dev/null && ! { sleep 2 && umount -- "$scratch_dir" 2>/dev/null; }; then
			cf_log "scratch volume busy: lazy unmount of $scratch_dir"
			umount -l -- "$scratch_dir"
		fi
		scratch_mounted=false
	fi
	if [[ $scratch_made == true ]]; then
		rm -rf -- "$scratch_dir"
		scratch_made=false
	fi
}

# scratch_facts: the scratch space for results.json; dumpOn is the device
# whose file system holds the dump's copy; neededBytes and freeBytes, for
# an AVML dump, what its decompressed file needs and what was free.
scratch_facts() {
	local on="" decompression
	decompression=$(jq -cn --arg needed "$scratch_needed" --arg free "$scratch_free" \
		'def number: if . == "" then null else tonumber end; {neededBytes: ($needed | number), freeBytes: ($free | number)}')
	if [[ $mode != ssm ]]; then
		jq -cn --arg dir "$scratch_dir" --argjson decompression "$decompression" '{kind: "folder", path: $dir} + $decompression'
		return
	fi
	[[ -e $dump ]] && on=$(findmnt -no SOURCE --target "$dump" 2>/dev/null)
	jq -cn --arg vol "$scratch_volume_id" --arg dev "$scratch_device" --arg previous "$scratch_previous" \
		--arg size "$scratch_size" --arg fs "$scratch_fs" --arg scratchLabel "$CF_SCRATCH_LABEL" \
		--arg options "$SCRATCH_MOUNT_OPTIONS" --arg on "$on" --argjson decompression "$decompression" \
		'def nullable: if . == "" then null else . end;
		{kind: "volume", volumeId: $vol, device: ($dev | nullable), previously: ($previous | nullable),
		 sizeBytes: ($size | nullable | if . then tonumber else . end), fileSystem: ($fs | nullable),
		 "label": (if $fs == "" then null else $scratchLabel end), mountOptions: (if $fs == "" then null else $options end),
		 dumpOn: ($on | nullable)} + $decompression'
}

cleanup() {
	local rc=$?
	close_scratch
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
# analysed is the file the banner check and the plugins read: the dump's
# copy, or the LiME file an AVML dump was decompressed into.
analysed=$dump decompressed_size="" decompressed_sha="" decoder_tools='{}' copied_sha=""
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
			echo "range at byte $off is LiME version $version, not 1"
			return 1
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

# detect_format FILE: the dump's format by its first bytes: lime (LiME
# version 1), avml (AVML's compressed ranges: magic "AVML", version 2),
# crashdump (a Windows crash dump, PAGEDU64 or PAGEDUMP), lime-padded
# (LiME's format=padded: physical memory from address 0, the gaps
# zero-filled, so its first page, below the first RAM range, is zero), a
# format known but not analysed (elf, an ELF core such as QEMU's;
# lime-v<N> or avml-v<N>, another version; gzip, xz, bzip2, zstd, zip, 7z,
# snappy: a compressed or archived dump), or unknown: no header it knows,
# which is raw memory only when the request says so.
detect_format() {
	local head size
	head=$(od -An -v -t x1 -N 8 "$1" | tr -d ' \n')
	case $head in
	454d694c01000000*) echo lime ;;
	41564d4c02000000*) echo avml ;;
	454d694c*) echo "lime-v$(od -An -t u4 -j 4 -N 4 "$1" | tr -d ' ')" ;;
	41564d4c*) echo "avml-v$(od -An -t u4 -j 4 -N 4 "$1" | tr -d ' ')" ;;
	5041474544553634 | 5041474544554d50) echo crashdump ;;
	7f454c46*) echo elf ;;
	1f8b*) echo gzip ;;
	fd377a585a00*) echo xz ;;
	425a683[1-9]*) echo bzip2 ;;
	28b52ffd*) echo zstd ;;
	504b0304*) echo zip ;;
	377abcaf271c*) echo 7z ;;
	ff060000734e6150*) echo snappy ;;
	*)
		size=$(stat -c %s "$1")
		if ((size > 4096 && size % 4096 == 0)) && cmp -s -n 4096 "$1" /dev/zero; then
			echo lime-padded
		else
			echo unknown
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

# sha256_stream: the SHA-256 of standard input, as 64 hex characters.
# OpenSSL's digest uses the CPU's SHA extensions: about four times as fast
# as coreutils' sha256sum, so hashing keeps up with the copy.
sha256_stream() {
	openssl dgst -sha256 -r | cut -c1-64
}

# avml_python: prints the Python that has the modules the AVML decoder
# needs, Debian's python3-snappy and python3-crc32c (they live in the
# system Python, which need not be the first python3 on PATH).
avml_python() {
	local py
	for py in python3 /usr/bin/python3; do
		if "$py" -c 'import crc32c, snappy' >/dev/null 2>&1; then
			command -v "$py"
			return 0
		fi
	done
	return 1
}

# avml_to_lime PYTHON SRC DST: decompresses the AVML dump SRC into the LiME
# (version 1) file DST. AVML writes each range as a 32-byte header (magic
# "AVML", version 2, first and last address, zero), the range's bytes as a
# Snappy framing-format stream (stream identifier, then chunks of at most
# 64 KiB, each with the masked CRC-32C of its bytes), and the stream's
# length as a little-endian u64. Each range becomes a LiME header and its
# bytes, after checking every chunk's CRC, that the range decompresses to
# exactly the length its header gives, and the stream length after it.
# First, a pre-pass that decompresses nothing: it walks the range headers
# and the chunk headers (reading only the length each compressed block
# starts with, seeking over the rest), adds up the LiME file's size from
# the ranges' headers, and compares it with the free space of DST's folder.
# Prints "SIZE SHA256 SNAPPY_VERSION CRC32C_VERSION FREE" of DST (FREE: the
# folder's free bytes before it was written); exits 3 with the problem on
# stdout when the structure is broken, 4 with "NEEDED FREE WHEN" when the
# folder is too small (WHEN: before, found by the pre-pass; during, the
# file system filled up while decompressing).
avml_to_lime() {
	"$1" - "$2" "$3" <<'PY'
import errno
import hashlib
import os
import struct
import sys

import crc32c
import snappy

HEADER = struct.Struct("<IIQQQ")
LIME_MAGIC, AVML_MAGIC = 0x4C694D45, 0x4C4D5641
IDENTIFIER = b"sNaPpY"
MAX_CHUNK = 65536  # the framing format's limit on a chunk's bytes
MAX_RANGES = 65536
PEEK = 4 + 5  # a chunk's CRC and the varint its Snappy block starts with


class Broken(Exception):
    """The dump's structure is broken; the message says where."""


class TooSmall(Exception):
    """The file system of the decompressed file ran out of space."""


def masked_crc(data):
    crc = crc32c.crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def snappy_length(block):
    """The uncompressed length a Snappy block starts with (a varint)."""
    n = 0
    for i, byte in enumerate(block[:5]):
        n |= (byte & 0x7F) << (7 * i)
        if byte < 0x80:
            return n
    return None


def version(dist):
    try:
        from importlib import metadata
        return metadata.version(dist)
    except Exception:
        return "-"


def read_range(src, total, off, want, emit):
    """Follows the Snappy stream of the range whose header is at byte off
    and returns the stream's length. With emit, every chunk is read,
    decompressed, checked against its CRC and passed to emit; without, only
    its header and first bytes are read (a compressed block's length is its
    first varint) and the rest is sought over."""
    framed = 0
    got = 0
    while got < want:
        at = off + HEADER.size + framed
        head = src.read(4)
        if len(head) < 4:
            raise Broken("range at byte %d: truncated Snappy chunk header at byte %d" % (off, at))
        kind, size = head[0], int.from_bytes(head[1:], "little")
        if at + 4 + size > total:
            raise Broken("range at byte %d: truncated Snappy chunk at byte %d" % (off, at))
        if emit:
            body = src.read(size)
        else:
            body = src.read(min(size, PEEK))
            src.seek(at + 4 + size)
        if framed == 0 and (kind != 0xFF or body != IDENTIFIER):
            raise Broken("range at byte %d: no Snappy stream identifier" % off)
        framed += 4 + size
        if kind == 0xFF:
            if body != IDENTIFIER:
                raise Broken("range at byte %d: bad Snappy stream identifier at byte %d" % (off, at))
            continue
        if kind >= 0x80:
            continue  # padding and skippable chunks
        if kind > 0x01:
            raise Broken("range at byte %d: unknown Snappy chunk type 0x%02x at byte %d" % (off, kind, at))
        if size < 4:
            raise Broken("range at byte %d: Snappy chunk at byte %d has no CRC" % (off, at))
        crc, data = int.from_bytes(body[:4], "little"), body[4:]
        length = size - 4  # an uncompressed chunk's
        if kind == 0x00:
            length = snappy_length(data)
            if length is None or length > MAX_CHUNK:
                raise Broken("range at byte %d: bad Snappy block length in the chunk at byte %d" % (off, at))
            if emit:
                try:
                    data = snappy.uncompress(data)
                except Exception:
                    raise Broken("range at byte %d: corrupt Snappy data in the chunk at byte %d" % (off, at))
        if emit:
            length = len(data)
        if length > MAX_CHUNK:
            raise Broken("range at byte %d: Snappy chunk at byte %d holds more than 64 KiB" % (off, at))
        if emit and masked_crc(data) != crc:
            raise Broken("range at byte %d: CRC-32C mismatch in the Snappy chunk at byte %d" % (off, at))
        got += length
        if got > want:
            raise Broken("range at byte %d decompresses to more than the %d bytes its header gives" % (off, want))
        if emit:
            emit(data)
    tail = src.read(8)
    if len(tail) < 8:
        raise Broken("range at byte %d: truncated compressed length" % off)
    length = struct.unpack("<Q", tail)[0]
    if length != framed:
        raise Broken("range at byte %d: compressed length is %d, its Snappy stream is %d bytes" % (off, length, framed))
    return framed


def walk(src, total, emit=None):
    """Walks the dump's ranges from the start, passing the LiME file to emit
    (when given); returns the LiME file's size, from the ranges' headers."""
    src.seek(0)
    off = ranges = lime = 0
    while True:
        header = src.read(HEADER.size)
        if not header:
            break
        if len(header) < HEADER.size:
            raise Broken("truncated header at byte %d" % off)
        magic, ver, start, end, reserved = HEADER.unpack(header)
        if magic != AVML_MAGIC or ver != 2:
            raise Broken("no AVML header (AVML, version 2) at byte %d" % off)
        if reserved != 0:
            raise Broken("header at byte %d: reserved field is not zero" % off)
        if end < start:
            raise Broken("range at byte %d ends before it starts" % off)
        if ranges >= MAX_RANGES:
            raise Broken("more than %d ranges" % MAX_RANGES)
        if emit:
            emit(HEADER.pack(LIME_MAGIC, 1, start, end, 0))
        off += HEADER.size + read_range(src, total, off, end - start + 1, emit) + 8
        ranges += 1
        lime += HEADER.size + end - start + 1
    return lime


def convert(src, total, dst):
    digest = hashlib.sha256()
    written = 0

    def emit(data):
        nonlocal written
        try:
            dst.write(data)
        except OSError as e:
            if e.errno == errno.ENOSPC:
                raise TooSmall()
            raise
        digest.update(data)
        written += len(data)

    walk(src, total, emit)
    return written, digest.hexdigest()


def main(source, dest):
    with open(source, "rb") as src:
        total = os.fstat(src.fileno()).st_size
        needed = walk(src, total)
        fs = os.statvfs(os.path.dirname(os.path.abspath(dest)))
        free = fs.f_bavail * fs.f_frsize
        if -(-needed // fs.f_frsize) > fs.f_bavail:
            return None, (needed, free, "before")
        try:
            with open(dest, "xb") as dst:
                size, sha = convert(src, total, dst)
        except TooSmall:
            return None, (needed, free, "during")
        except OSError as e:
            if e.errno != errno.ENOSPC:  # the last write, at close
                raise
            return None, (needed, free, "during")
    return (size, sha, free), None


try:
    done, short = main(sys.argv[1], sys.argv[2])
except Broken as e:
    print(e)
    sys.exit(3)
if short:
    print(*short)
    sys.exit(4)
size, sha, free = done
print(size, sha, version("python-snappy"), version("crc32c"), free)
PY
}

# decompress_avml: decompresses the AVML dump into dump.lime beside the
# dump's copy, which from here on is the file analysed, exactly as a LiME
# dump would be. A scratch space too small for the decompressed file is
# SCRATCH_TOO_SMALL, before a byte of it is written when the pre-pass finds
# so; scratch_needed and scratch_free record both sizes.
decompress_avml() {
	local py out rc=0 dest=${dump%/*}/dump.lime snappy_version crc_version when
	if ! py=$(avml_python); then
		fail ANALYSIS_FAILED decompress "cannot decompress the AVML dump: Python's snappy and crc32c modules (Debian's python3-snappy and python3-crc32c) are missing"
		return 1
	fi
	cf_log "decompressing the AVML dump into $dest"
	out=$(avml_to_lime "$py" "$dump" "$dest" 2>"$run_dir/decompress.err") || rc=$?
	if ((rc == 3)); then
		fail EVIDENCE_INCOMPLETE format "AVML structure: $out"
		return 1
	elif ((rc == 4)); then
		read -r scratch_needed scratch_free when <<<"$out"
		if [[ $when == before ]]; then
			fail SCRATCH_TOO_SMALL scratch "the AVML dump decompresses to $scratch_needed bytes, but the scratch space $scratch_dir has $scratch_free bytes free; nothing was decompressed"
		else
			fail SCRATCH_TOO_SMALL scratch "the scratch space $scratch_dir filled up while decompressing the AVML dump: it decompresses to $scratch_needed bytes, and $scratch_free bytes were free"
		fi
		return 1
	elif ((rc != 0)); then
		fail ANALYSIS_FAILED decompress "cannot decompress the AVML dump (python3 exit $rc: $(tail -n 1 "$run_dir/decompress.err"))"
		return 1
	fi
	read -r decompressed_size decompressed_sha snappy_version crc_version scratch_free <<<"$out"
	scratch_needed=$decompressed_size
	decoder_tools=$(jq -cn --arg snappy "${snappy_version#-}" --arg crc "${crc_version#-}" \
		'{"python3-snappy": ($snappy | if . == "" then null else . end), "python3-crc32c": ($crc | if . == "" then null else . end)}')
	chmod 0400 "$dest"
	analysed=$dest
	cf_note decompress "" "AVML dump decompressed to LiME: $decompressed_size bytes, SHA-256 $decompressed_sha"
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
# the table's linux_banner is one of the dump's (an AVML dump's, once
# decompressed).
linux_symbols() {
	local release=$kernel_release
	grep -a -o -E 'Linux version [0-9][[:print:]]{8,400}' "$analysed" | head -n 64 | sort -u >"$run_dir/dump-banners.txt"
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
	windows_kernels "$analysed" >"$run_dir/dump-banners.txt" || rc=$?
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

# copy_dump: copies the dump to scratch (from S3 in SSM mode, from --dump
# in local mode) and hashes it in the same pass, one pipe whose every stage
# is checked. Sets copied_sha.
copy_dump() {
	local -a source stage
	if [[ $mode == ssm ]]; then
		cf_log "copying $dump_s3_uri"
		source=(aws s3 cp --only-show-errors --no-progress "$dump_s3_uri" -)
	else
		source=(cat -- "$dump_arg")
	fi
	"${source[@]}" 2>"$run_dir/copy.err" | tee -- "$dump" 2>>"$run_dir/copy.err" |
		sha256_stream >"$run_dir/dump.sha256" 2>>"$run_dir/copy.err"
	stage=("${PIPESTATUS[@]}")
	if [[ ${stage[*]} != "0 0 0" ]]; then
		fail DUMP_COPY_FAILED copy "cannot copy and hash the dump (${source[0]} exit ${stage[0]}, tee exit ${stage[1]}, openssl exit ${stage[2]}): $(tail -n 1 "$run_dir/copy.err")"
		return 1
	fi
	copied_sha=$(<"$run_dir/dump.sha256")
	if [[ ! $copied_sha =~ $CF_RE_SHA256 ]]; then
		fail DUMP_COPY_FAILED copy "hashing the dump gave no SHA-256"
		return 1
	fi
}

# analyze: the checks, then the plugins. Returns at the first failure.
analyze() {
	# 1. Copy the dump to scratch, hashing it on the way.
	copy_dump || return 1
	chmod 0400 "$dump"

	# 2. Size, then the hash taken while copying.
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
	sha=$copied_sha
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
	case $detected in
	lime | avml | lime-padded | crashdump) ;;
	unknown)
		# Raw memory has no header to tell it by: a headerless dump is raw
		# when declared raw, or when nothing is declared (local mode).
		if [[ -n $dump_format && $dump_format != raw ]]; then
			fail UNSUPPORTED_FORMAT format "declared $dump_format, but the dump has no header of a format Casefile knows; a headerless dump is analysed only as raw memory, declared raw"
			return 1
		fi
		detected=raw
		;;
	*)
		fail UNSUPPORTED_FORMAT format "the dump is $detected, which Casefile does not analyse (it takes LiME version 1, padded LiME, AVML version 2, raw memory and Windows crash dumps)"
		return 1
		;;
	esac
	if [[ $detected == lime ]] && ! lime_walk "$dump" "$size"; then
		fail EVIDENCE_INCOMPLETE format "LiME structure: $lime_error"
		return 1
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
	if [[ $detected == avml ]]; then
		decompress_avml || return 1
		# limeVersion stays the dump's (2); ranges and payload are the
		# decompressed file's, walked as any LiME dump.
		lime_version=2
		if ! lime_walk "$analysed" "$decompressed_size"; then
			fail EVIDENCE_INCOMPLETE format "LiME structure of the decompressed AVML dump: $lime_error"
			return 1
		fi
	fi
	local pages rc=0
	pages=$(data_pages "$analysed") || rc=$?
	if ((rc == 1)); then
		fail EVIDENCE_INCOMPLETE content "the dump is mostly zero-filled: ${pages%% *} of its ${pages##* } pages hold data"
		return 1
	elif ((rc != 0)); then
		fail ANALYSIS_FAILED content "cannot count the dump's data pages (python3 exit $rc)"
		return 1
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
	local help plugin jobs max flags=(-q -r json -s "$run_dir/symbols" -f "$analysed")
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

open_scratch && analyze

# ------------------------------------------------------------ results
ended_at=$(cf_now)
tools=$(cf_tool_versions_json sha256sum openssl xz jq aws python3 vol)
cp "$run_dir/dump-banners.txt" "$out_dir/dump-banners.txt"
jq -n --arg status "$status" --arg id "$forensic_id" --arg mode "$mode" --arg started "$started_at" \
	--arg ended "$ended_at" --arg script "$SCRIPT_NAME" --arg version "$SCRIPT_VERSION" --argjson tools "$tools" \
	--arg evidence "$evidence" --argjson size "$size" --arg expectedSize "$expected_size" --argjson sizeVerified "$size_verified" \
	--arg sha "$sha" --arg expected "$dump_sha256" \
	--argjson verified "$hash_verified" --arg declared "$dump_format" --arg detected "$detected" \
	--arg limeVersion "$lime_version" --argjson ranges "$ranges" --argjson payload "$payload" \
	--arg decSize "$decompressed_size" --arg decSha "$decompressed_sha" --argjson decoderTools "$decoder_tools" \
	--arg release "$kernel_release" --arg symFile "${symbols_rel#linux/}" --arg os "$os" --arg symSha "$symbols_sha" \
	--arg symSource "${symbols_s3_uri:-$symbols_dir}" --argjson scratch "$(scratch_facts)" \
	--arg tableBanner "$table_banner" --rawfile dumpBanners "$run_dir/dump-banners.txt" \
	--argjson checked "$banner_checked" --argjson match "$banner_match" \
	--slurpfile plugins "$run_dir/plugins.jsonl" --slurpfile errors "$CF_ERRORS" --slurpfile notes "$CF_NOTES" \
	'def nullable: if . == "" then null else . end;
	{schema: "casefile.memory-results/v1", status: $status, forensicId: $id, mode: $mode, os: $os,
	 script: {name: $script, version: $version}, startedAt: $started, endedAt: $ended,
	 dump: {source: $evidence, sizeBytes: $size, expectedSizeBytes: ($expectedSize | nullable | if . then tonumber else . end),
	        sizeVerified: $sizeVerified, sha256: ($sha | nullable), expectedSha256: ($expected | nullable),
	        hashVerified: $verified, declaredFormat: ($declared | nullable), detectedFormat: ($detected | nullable),
	        limeVersion: ($limeVersion | nullable | if . then tonumber else . end), ranges: $ranges, payloadBytes: $payload,
	        decompressed: (if $decSha == "" then null
	                       else {sourceFormat: "avml", format: "lime", sizeBytes: ($decSize | tonumber), sha256: $decSha} end)},
	 scratch: $scratch, kernelRelease: ($release | nullable),
	 symbols: {source: $symSource, file: ($symFile | nullable), sha256: ($symSha | nullable), banner: ($tableBanner | nullable)},
	 banner: {kind: (if $os == "windows" then "pdb" else "linux_banner" end), checked: $checked, match: $match, dump: ($dumpBanners | split("\n") | map(select(. != ""))),
	          table: ($tableBanner | nullable)},
	 plugins: $plugins, tools: ($tools + $decoderTools), errors: $errors, notes: $notes}' \
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
