#!/usr/bin/env bash
# disk-forensics.sh: forensic analysis of EBS evidence volumes attached to
# the forensic instance (or, with --local, of a disk image or block device).
#
# For each evidence device it: finds the device by volume ID (NVMe serial),
# refuses the root disk and devices in use, sets the device and its
# partitions read-only before anything reads them, then analyses it
# through a read-only loop device: lists partitions and LVM, mounts each
# file system read-only with options that cannot write (or falls back to
# the Sleuth Kit on the raw partition), and writes a bodyfile, a CSV
# timeline, a file inventory with SHA-256, targeted artifacts and findings.
# The evidence is read once for its content: evidence_stream.py reads the
# device itself (opened read-only) start to end in large direct reads while
# that analysis runs, and
# hashes from that one stream both the device and every file whose blocks
# the inventory's walk mapped on it (ext2/3/4 and XFS on the device
# itself); the file systems themselves give only metadata and the few
# targeted artifacts. results.json and manifest.json describe the run; in
# SSM mode everything is uploaded to S3 with SSE-KMS and SHA-256 checksums.
#
# Usage (SSM):   disk-forensics.sh --forensic-id ID --volume-ids vol-a,vol-b
#                  --results-bucket B --results-prefix P --kms-key-arn ARN
# Usage (local): disk-forensics.sh --local --device IMAGE_OR_BLOCK_DEVICE
#                  --evidence-id vol-... [--device ... --evidence-id ...]
#                  --output-dir DIR [--forensic-id ID]
#                  [--results-bucket B] [--results-prefix P] [--kms-key-arn ARN]
#                (--device and --evidence-id repeat in pairs, one per disk;
#                the S3 options are checked as in SSM mode, not used: the
#                caller uploads the output folder)
# Options:       --device-wait-seconds N (300)  --recent-days N (7)
#                --max-hash-mib N (256)  --max-artifact-mib N (64)
# Exit status: 0 success, 1 a step failed (results.json says which), 2 usage.
set -u -o pipefail
export LC_ALL=C PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
umask 077

SCRIPT_DIR=$(dirname -- "${BASH_SOURCE[0]}")
readonly SCRIPT_DIR
readonly SCRIPT_NAME=casefile-disk-forensics
readonly SCRIPT_VERSION=1.0.0
# shellcheck source=common.sh
. "$SCRIPT_DIR/common.sh"

readonly RE_LOCAL_PATH='^/[A-Za-z0-9._/@+-]{0,4095}$'
readonly RE_INODE='^[0-9]+(-[0-9]+){0,2}$'
readonly RE_SAFE_REL='^[A-Za-z0-9._@+-][A-Za-z0-9._/@+-]{0,4095}$'

mode=ssm
forensic_id="" volume_ids="" results_bucket="" results_prefix="" kms_key_arn=""
device_args=() evidence_ids=() output_dir=""
wait_seconds=300 recent_days=7 max_hash_mib=256 max_artifact_mib=64

need_value() {
	[[ $# -ge 2 ]] || cf_usage_error "$1 needs a value"
}

while [[ $# -gt 0 ]]; do
	case $1 in
	--local) mode=local; shift ;;
	--forensic-id) need_value "$@"; forensic_id=$2; shift 2 ;;
	--volume-ids) need_value "$@"; volume_ids=$2; shift 2 ;;
	--results-bucket) need_value "$@"; results_bucket=$2; shift 2 ;;
	--results-prefix) need_value "$@"; results_prefix=$2; shift 2 ;;
	--kms-key-arn) need_value "$@"; kms_key_arn=$2; shift 2 ;;
	--device) need_value "$@"; device_args+=("$2"); shift 2 ;;
	--evidence-id) need_value "$@"; evidence_ids+=("$2"); shift 2 ;;
	--output-dir) need_value "$@"; output_dir=$2; shift 2 ;;
	--device-wait-seconds) need_value "$@"; wait_seconds=$2; shift 2 ;;
	--recent-days) need_value "$@"; recent_days=$2; shift 2 ;;
	--max-hash-mib) need_value "$@"; max_hash_mib=$2; shift 2 ;;
	--max-artifact-mib) need_value "$@"; max_artifact_mib=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -u/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) cf_usage_error "unknown argument (see --help)" ;;
	esac
done

# Validate every value before it is used anywhere.
cf_require_match --device-wait-seconds "$wait_seconds" "$CF_RE_UINT"
cf_require_match --recent-days "$recent_days" "$CF_RE_UINT"
cf_require_match --max-hash-mib "$max_hash_mib" "$CF_RE_UINT"
cf_require_match --max-artifact-mib "$max_artifact_mib" "$CF_RE_UINT"
if [[ $mode == ssm ]]; then
	cf_require_match --forensic-id "$forensic_id" "$CF_RE_FORENSIC_ID"
	cf_require_match --volume-ids "$volume_ids" "$CF_RE_VOLUME_IDS"
	cf_require_match --results-bucket "$results_bucket" "$CF_RE_BUCKET"
	cf_require_match --results-prefix "$results_prefix" "$CF_RE_PREFIX"
	cf_require_match --kms-key-arn "$kms_key_arn" "$CF_RE_KMS_ARN"
	[[ ${#device_args[@]} -eq 0 && ${#evidence_ids[@]} -eq 0 && -z $output_dir ]] ||
		cf_usage_error "--device, --evidence-id and --output-dir need --local"
	results_prefix=${results_prefix%/}
	IFS=, read -r -a evidence_ids <<<"$volume_ids"
else
	forensic_id=${forensic_id:-local-investigation}
	cf_require_match --forensic-id "$forensic_id" "$CF_RE_FORENSIC_ID"
	[[ ${#device_args[@]} -gt 0 ]] || cf_require_match --device "" "$RE_LOCAL_PATH"
	[[ ${#evidence_ids[@]} -gt 0 ]] || cf_require_match --evidence-id "" "$CF_RE_VOLUME_ID"
	[[ ${#device_args[@]} -eq ${#evidence_ids[@]} ]] ||
		cf_usage_error "--device and --evidence-id must come in pairs (${#device_args[@]} --device, ${#evidence_ids[@]} --evidence-id)"
	for i in "${!device_args[@]}"; do
		cf_require_match --device "${device_args[i]}" "$RE_LOCAL_PATH"
		cf_require_match --evidence-id "${evidence_ids[i]}" "$CF_RE_VOLUME_ID"
		[[ -f ${device_args[i]} || -b ${device_args[i]} ]] || cf_usage_error "--device must be an image file or a block device"
		for ((j = 0; j < i; j++)); do
			[[ ${evidence_ids[j]} != "${evidence_ids[i]}" ]] || cf_usage_error "--evidence-id ${evidence_ids[i]} is given twice"
		done
	done
	cf_require_match --output-dir "$output_dir" "$RE_LOCAL_PATH"
	[[ -z $volume_ids ]] || cf_usage_error "--volume-ids is not used with --local (see --evidence-id)"
	[[ -z $results_bucket ]] || cf_require_match --results-bucket "$results_bucket" "$CF_RE_BUCKET"
	[[ -z $results_prefix ]] || cf_require_match --results-prefix "$results_prefix" "$CF_RE_PREFIX"
	[[ -z $kms_key_arn ]] || cf_require_match --kms-key-arn "$kms_key_arn" "$CF_RE_KMS_ARN"
	if [[ -e $output_dir ]] && [[ -n $(find "$output_dir" -mindepth 1 -maxdepth 1 -print -quit) ]]; then
		cf_usage_error "--output-dir must be empty or absent"
	fi
fi
[[ $(id -u) -eq 0 ]] || cf_usage_error "must run as root (block devices, mounts)"

readonly max_hash_bytes=$((max_hash_mib * 1024 * 1024))
readonly max_artifact_bytes=$((max_artifact_mib * 1024 * 1024))

# ---------------------------------------------------------------- run state
started_at=$(cf_now)
run_dir=$(mktemp -d /var/tmp/casefile-disk.XXXXXX) || { echo "cannot create a run folder" >&2; exit 1; }
if [[ $mode == ssm ]]; then
	out_dir=$run_dir/out
else
	out_dir=$output_dir
fi
mkdir -p "$out_dir" "$run_dir/mnt" "$run_dir/facts" || exit 1
export CF_ERRORS=$run_dir/errors.jsonl CF_NOTES=$run_dir/notes.jsonl CF_ARTIFACTS=$run_dir/artifacts.jsonl
FINDINGS=$run_dir/findings.jsonl
: >"$CF_ERRORS"
: >"$CF_NOTES"
: >"$CF_ARTIFACTS"
: >"$FINDINGS"

# The tool versions, asked for while the evidence is read. Only SSM mode
# uploads, with the AWS CLI (whose start-up alone costs most of a second).
tool_names=(blockdev lsblk blkid sfdisk losetup mount find fls mactime icat ntfs-3g lvm hivexget jq python3)
[[ $mode == local ]] || tool_names+=(aws)
cf_tool_versions_json "${tool_names[@]}" >"$run_dir/tools.json" &
tools_pid=$!

status=SUCCEEDED
mounts=()     # mount points to unmount, in mount order
loops=()      # loop devices this run attached
active_vgs=() # volume groups this run activated
lvm_pvs=()    # LVM physical volumes found on the current device
lvm_devices=""
mount_opts=""
plans_dir=""   # the current device's plans for evidence_stream.py
stream_pid=""  # the current device's evidence_stream.py
planned=()     # file systems of the current device whose walk writes a plan
# What prepare_fs found of each file system of the current device, by name.
declare -A fs_node fs_start fs_type fs_uuid fs_label fs_mounted fs_options fs_walk fs_analysis

# fail REASON STEP EVIDENCE MESSAGE: record an error; the first reason is the status.
fail() {
	[[ $status == SUCCEEDED ]] && status=$1
	cf_error "$2" "$3" "$4"
}

cleanup() {
	local rc=$? i clean=1
	# A job still reading evidence (the run was interrupted) must end
	# before its mount is undone and its loop device detached.
	for i in $(jobs -p); do
		pkill -P "$i" 2>/dev/null
		kill "$i" 2>/dev/null
		wait "$i" 2>/dev/null
	done
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		if ! umount "${mounts[i]}" 2>/dev/null; then
			umount -l "${mounts[i]}" 2>/dev/null || { clean=0; cf_log "cannot unmount ${mounts[i]}"; }
		fi
	done
	for i in "${active_vgs[@]}"; do
		lvm vgchange --devices "$lvm_devices" --config "$(lvm_config "$i")" -an "$i" >/dev/null 2>&1 ||
			cf_log "cannot deactivate volume group $i"
	done
	# A loop device keeps its read-only policy after it is detached: give it
	# back writable, while the loop itself (attached --read-only) still
	# refuses writes to the evidence.
	for ((i = ${#loops[@]} - 1; i >= 0; i--)); do
		blockdev --setrw "${loops[i]}" 2>/dev/null
		losetup -d "${loops[i]}" 2>/dev/null || cf_log "cannot detach ${loops[i]}"
	done
	if [[ $clean -eq 1 ]]; then
		rm -rf -- "$run_dir"
	else
		cf_log "left $run_dir in place: something under it is still mounted"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------ device checks

# find_device VOLUME_ID: the block device of an attached EBS volume, found by
# its NVMe serial (vol0123...), waiting up to wait_seconds.
find_device() { cf_find_volume_device "$1" "$wait_seconds"; }

# set_readonly DEVICE: set the block device read-only and check that it is.
set_readonly() {
	blockdev --setro "$1" && [[ $(blockdev --getro "$1") == 1 ]]
}

# ------------------------------------------------------------ file systems

# mount_options FSTYPE: how to mount a file system without any write.
mount_options() {
	case $1 in
	ext2 | ext3 | ext4) echo "ext4 ro,noload,noexec,nodev,nosuid" ;;
	xfs) echo "xfs ro,norecovery,nouuid,noexec,nodev,nosuid" ;;
	ntfs) echo "ntfs-3g ro,noexec,nodev,nosuid" ;;
	vfat | msdos) echo "vfat ro,noexec,nodev,nosuid" ;;
	btrfs) echo "btrfs ro,rescue=nologreplay,noexec,nodev,nosuid" ;;
	*) return 1 ;;
	esac
}

# try_mount NODE FSTYPE MOUNTPOINT: mount read-only and set mount_opts to the
# options used. Runs in the main shell so that cleanup knows the mount.
try_mount() {
	local node=$1 fstype=$2 mnt=$3 spec type opts
	mount_opts=""
	spec=$(mount_options "$fstype") || return 1
	read -r type opts <<<"$spec"
	mkdir -p "$mnt" || return 1
	if [[ $type == ntfs-3g ]]; then
		ntfs-3g -o "$opts" "$node" "$mnt" 2>>"$run_dir/mount.log" || return 1
	else
		mount -t "$type" -o "$opts" "$node" "$mnt" 2>>"$run_dir/mount.log" || return 1
	fi
	mounts+=("$mnt")
	if ! findmnt -no OPTIONS --mountpoint "$mnt" | tr , '\n' | grep -qx ro; then
		umount "$mnt"
		return 1
	fi
	mount_opts=$opts
}

# prepare_fs EVIDENCE NAME NODE START_BYTES [stream]: probe one file system
# (a partition, the whole device or an LV), mount it read-only and start the
# walk that makes its inventory, so that the walks of a device's file
# systems run first and together. With "stream", NODE holds the evidence's
# bytes from START_BYTES on, so the walk may leave the files it maps to the
# device stream: it writes their plan. What it finds is kept in the fs_*
# arrays under NAME for analyze_fs.
prepare_fs() {
	local ev=$1 name=$2 node=$3 start=$4 stream=${5:-}
	local dir="$out_dir/$ev/$name" mnt="$run_dir/mnt/$ev/$name" probe fstype plan_args=()
	mount_opts=""
	fs_node[$name]=$node fs_start[$name]=$start fs_mounted[$name]=false fs_options[$name]="" fs_walk[$name]=""
	fs_analysis[$name]=complete
	mkdir -p "$dir" || return 1
	probe=$(blkid -p -o export "$node" 2>/dev/null)
	fstype=$(sed -n 's/^TYPE=//p' <<<"$probe")
	fs_type[$name]=$fstype
	fs_uuid[$name]=$(sed -n 's/^UUID=//p' <<<"$probe")
	fs_label[$name]=$(sed -n 's/^LABEL=//p' <<<"$probe")
	case $fstype in
	LVM2_member)
		lvm_pvs+=("$node")
		fs_analysis[$name]=lvm-physical-volume
		return 0
		;;
	swap | crypto_LUKS | BitLocker)
		fs_analysis[$name]=skipped
		cf_note analyze "$ev" "$name: $fstype is not analysed"
		return 0
		;;
	"") return 0 ;;
	esac
	if ! try_mount "$node" "$fstype" "$mnt"; then
		cf_note mount "$ev" "$name ($fstype) not mounted; Sleuth Kit fallback on the raw partition"
		return 0
	fi
	fs_mounted[$name]=true fs_options[$name]=$mount_opts
	# Only these file systems map files to plain byte offsets on their
	# device (btrfs maps to its own address space; FUSE mounts cannot map).
	case $stream:$fstype in
	stream:ext2 | stream:ext3 | stream:ext4 | stream:xfs)
		plan_args=(--plan "$plans_dir/$name.plan" --offset "$start")
		planned+=("$name")
		;;
	esac
	# The inventory (every file's metadata, and the content of the files
	# the stream cannot hash) reads through the mount while the Sleuth Kit
	# reads the metadata for the timeline.
	python3 "$SCRIPT_DIR/disk_triage.py" walk "$mnt" --max-hash-bytes "$max_hash_bytes" "${plan_args[@]}" \
		>"$dir/inventory.jsonl" &
	fs_walk[$name]=$!
}

# expect_plans EVIDENCE: tell the device stream which plans to wait for
# (written aside and renamed, so that it appears whole). The stream would
# wait for ever without it: when it cannot be written, the stream is
# stopped (the device hash is lost, the files are hashed through the mounts).
expect_plans() {
	if ! { printf '%s\n' "${planned[@]}" >"$plans_dir/EXPECT.tmp" && mv "$plans_dir/EXPECT.tmp" "$plans_dir/EXPECT"; }; then
		fail ANALYSIS_FAILED stream "$1" "cannot tell the device stream which plans to wait for; stopped it"
		kill "$stream_pid" 2>/dev/null
	fi
}

# analyze_fs EVIDENCE NAME: timeline, inventory and artifacts for a file
# system prepare_fs prepared, and its findings; the hashes of the files the
# walk left to the device stream come later (finish_fs).
analyze_fs() {
	local ev=$1 name=$2
	local rel="$ev/$name" dir="$out_dir/$ev/$name" mnt="$run_dir/mnt/$ev/$name" size
	local node=${fs_node[$name]} start=${fs_start[$name]} fstype=${fs_type[$name]} mounted=${fs_mounted[$name]}
	local walk_pid=${fs_walk[$name]} analysis=${fs_analysis[$name]} timeline="" entries=0 inventory=0 copied=0
	size=$(blockdev --getsize64 "$node" 2>/dev/null || echo 0)

	if [[ $analysis == complete ]]; then
		# The timeline: the Sleuth Kit on the raw partition (it also sees
		# deleted entries); a walk of the read-only mount when it cannot.
		if fls -r -m / "$node" >"$dir/bodyfile.txt" 2>"$run_dir/fls.err"; then
			timeline=sleuthkit
			cf_artifact "$rel/bodyfile.txt" fls "$(cf_tool_version fls)" "$ev"
		elif [[ $mounted == true ]] && python3 "$SCRIPT_DIR/disk_triage.py" bodyfile "$mnt" >"$dir/bodyfile.txt"; then
			timeline="mounted-walk"
			cf_artifact "$rel/bodyfile.txt" "$SCRIPT_NAME" "$SCRIPT_VERSION" "$ev"
			cf_note bodyfile "$ev" "$name ($fstype): fls cannot read it ($(head -n 1 "$run_dir/fls.err")); bodyfile from the read-only mount"
		elif [[ -n $fstype ]]; then
			fail ANALYSIS_FAILED bodyfile "$ev" "$name ($fstype): not mounted and fls failed: $(head -c 300 "$run_dir/fls.err")"
		else
			cf_note analyze "$ev" "$name: no file system recognised"
			analysis=skipped
		fi
		if [[ -z $timeline ]]; then
			rm -f "$dir/bodyfile.txt"
		else
			entries=$(wc -l <"$dir/bodyfile.txt")
			if mactime -b "$dir/bodyfile.txt" -d -y -z UTC >"$dir/timeline.csv" 2>"$run_dir/mactime.err"; then
				cf_artifact "$rel/timeline.csv" mactime "$(cf_tool_version mactime)" "$ev"
			else
				fail ANALYSIS_FAILED timeline "$ev" "$name: mactime failed: $(head -c 300 "$run_dir/mactime.err")"
			fi
		fi
		# The targeted artifacts need only the bodyfile: they are copied
		# while the inventory still hashes.
		if [[ -n $timeline ]]; then
			copy_artifacts "$ev" "$name" "$node" "$dir" "$timeline" "$mnt" ||
				fail ANALYSIS_FAILED artifacts "$ev" "$name: triage failed"
			copied=$(find "$dir/artifacts" -type f 2>/dev/null | wc -l)
		fi
		if [[ -n $walk_pid ]]; then
			if ! wait "$walk_pid"; then
				fail ANALYSIS_FAILED inventory "$ev" "$name: inventory failed"
				# The device stream waits for this plan: it will not come.
				if [[ ! -f $plans_dir/$name.plan ]] && ! : >"$plans_dir/$name.failed"; then
					kill "$stream_pid" 2>/dev/null
				fi
			fi
			cf_artifact "$rel/inventory.jsonl" "$SCRIPT_NAME" "$SCRIPT_VERSION" "$ev"
		elif [[ -n $timeline ]]; then
			python3 "$SCRIPT_DIR/disk_triage.py" bodyfile-inventory "$dir/bodyfile.txt" >"$dir/inventory.jsonl" ||
				fail ANALYSIS_FAILED inventory "$ev" "$name: inventory from the bodyfile failed"
			cf_artifact "$rel/inventory.jsonl" fls "$(cf_tool_version fls)" "$ev"
			cf_note inventory "$ev" "$name: not mounted, so the inventory has no per-file SHA-256"
			analysis=sleuthkit-only
		fi
		[[ -f $dir/inventory.jsonl ]] && inventory=$(wc -l <"$dir/inventory.jsonl")
		if [[ -n $timeline ]]; then
			# The findings hash the few files they compare from the
			# mount: they need not wait for the device stream.
			local root_args=()
			[[ $mounted == true ]] && root_args=(--root "$mnt" --max-hash-bytes "$max_hash_bytes")
			python3 "$SCRIPT_DIR/disk_triage.py" findings --dir "$dir" --evidence "$ev" --partition "$name" "${root_args[@]}" \
				>>"$FINDINGS" || fail ANALYSIS_FAILED findings "$ev" "$name: findings failed"
		fi
	fi

	jq -cn --arg name "$name" --arg device "$node" --argjson start "$start" --argjson size "$size" \
		--arg fstype "$fstype" --arg uuid "${fs_uuid[$name]}" --arg fslabel "${fs_label[$name]}" --argjson mounted "$mounted" \
		--arg options "${fs_options[$name]}" --arg timeline "$timeline" --arg analysis "$analysis" --argjson entries "$entries" \
		--argjson inventory "$inventory" --argjson copied "$copied" --arg ro "$(blockdev --getro "$node" 2>/dev/null)" \
		'def nullable: if . == "" then null else . end;
		{name: $name, device: $device, startBytes: $start, sizeBytes: $size, readOnly: ($ro == "1"),
		  filesystem: ($fstype | nullable), uuid: ($uuid | nullable), label: ($fslabel | nullable),
		  mounted: $mounted, mountOptions: ($options | nullable), timelineSource: ($timeline | nullable),
		  analysis: $analysis, bodyfileEntries: $entries, inventoryFiles: $inventory, artifactsCopied: $copied}' \
		>>"$run_dir/facts/$ev.partitions.jsonl" || fail RESULTS_FAILED facts "$ev" "$name: cannot record the facts"
}

# copy_artifacts EVIDENCE NAME NODE DIR TIMELINE MOUNTPOINT: copy the targeted
# artifacts, size-bounded: with icat from the raw file system (by inode from
# the Sleuth Kit bodyfile), or from the read-only mount without following
# any symbolic link when the Sleuth Kit cannot read the file system.
copy_artifacts() {
	local ev=$1 name=$2 node=$3 dir=$4 timeline=$5 mnt=$6 plan inode bytes dest kind source tool version
	local copy_from=()
	if [[ $timeline == sleuthkit ]]; then
		tool=icat version=$(cf_tool_version icat)
	else
		tool=$SCRIPT_NAME version=$SCRIPT_VERSION copy_from=(--copy-from "$mnt")
	fi
	plan=$(python3 "$SCRIPT_DIR/disk_triage.py" triage "$dir/bodyfile.txt" --out "$dir" "${copy_from[@]}" \
		--recent-days "$recent_days" --max-artifact-bytes "$max_artifact_bytes") || return 1
	cf_artifact "$ev/$name/suid-sgid.jsonl" "$SCRIPT_NAME" "$SCRIPT_VERSION" "$ev"
	cf_artifact "$ev/$name/recent-executables.jsonl" "$SCRIPT_NAME" "$SCRIPT_VERSION" "$ev"
	cf_artifact "$ev/$name/temp-executables.jsonl" "$SCRIPT_NAME" "$SCRIPT_VERSION" "$ev"
	while IFS=$'\t' read -r inode bytes dest kind source; do
		[[ -n $inode ]] || continue
		if [[ $inode == failed ]]; then
			fail ANALYSIS_FAILED artifacts "$ev" "$name: cannot copy $source ($kind) from the mount"
			continue
		fi
		if [[ ! $dest =~ $RE_SAFE_REL || $dest == *..* ]]; then
			cf_note artifacts "$ev" "$name: skipped an artifact with an unusable name"
			continue
		fi
		if [[ $inode != copied ]]; then
			if [[ ! $inode =~ $RE_INODE || ! $bytes =~ ^[0-9]+$ ]]; then
				cf_note artifacts "$ev" "$name: skipped $source: unusable inode"
				continue
			fi
			mkdir -p "$dir/artifacts/$(dirname "$dest")"
			icat "$node" "$inode" 2>/dev/null | head -c "$bytes" >"$dir/artifacts/$dest"
			if [[ ${PIPESTATUS[1]} -ne 0 ]]; then
				fail ANALYSIS_FAILED artifacts "$ev" "$name: cannot copy $source ($kind)"
				continue
			fi
		fi
		cf_artifact "$ev/$name/artifacts/$dest" "$tool" "$version" "$ev" "$source"
	done <<<"$plan"
}

# analyze_lvm EVIDENCE: list the LVM physical volumes found on the evidence;
# activate their volume groups read-only only when that is safe.
analyze_lvm() {
	local ev=$1 vg lv reason
	[[ ${#lvm_pvs[@]} -gt 0 ]] || return 0
	lvm_devices=$(
		IFS=,
		echo "${lvm_pvs[*]}"
	)
	local report="$out_dir/$ev/lvm.json"
	if ! lvm fullreport --readonly --devices "$lvm_devices" --reportformat json >"$report" 2>"$run_dir/lvm.err"; then
		fail ANALYSIS_FAILED lvm "$ev" "LVM report failed: $(head -c 300 "$run_dir/lvm.err")"
		return 0
	fi
	cf_artifact "$ev/lvm.json" lvm "$(cf_tool_version lvm)" "$ev"
	for vg in $(lvm vgs --readonly --devices "$lvm_devices" --noheadings -o vg_name 2>/dev/null); do
		reason=""
		if ! dmsetup version >/dev/null 2>&1; then
			reason="device-mapper is not available"
		elif dmsetup ls 2>/dev/null | awk '{ print $1 }' | grep -q "^${vg//-/--}-"; then
			reason="a volume group of the same name is active on this host"
		elif [[ $(lvm vgs --readonly --devices "$lvm_devices" --noheadings -o vg_missing_pv_count "$vg" 2>/dev/null | tr -d ' ') != 0 ]]; then
			reason="physical volumes are missing"
		fi
		if [[ -n $reason ]]; then
			cf_note lvm "$ev" "volume group $vg not activated: $reason"
			continue
		fi
		if ! lvm vgchange --devices "$lvm_devices" --config "$(lvm_config "$vg")" -ay "$vg" >/dev/null 2>"$run_dir/lvm.err"; then
			fail ANALYSIS_FAILED lvm "$ev" "read-only activation of $vg failed: $(head -c 300 "$run_dir/lvm.err")"
			continue
		fi
		active_vgs+=("$vg")
		dmsetup mknodes >/dev/null 2>&1
		for lv in $(lvm lvs --readonly --devices "$lvm_devices" --noheadings -o lv_name "$vg" 2>/dev/null); do
			local node="/dev/mapper/${vg//-/--}-${lv//-/--}"
			if [[ -b $node ]] && set_readonly "$node"; then
				prepare_fs "$ev" "lvm-$vg-$lv" "$node" 0 && analyze_fs "$ev" "lvm-$vg-$lv"
			else
				fail ANALYSIS_FAILED lvm "$ev" "logical volume $vg/$lv is not a read-only block device"
			fi
		done
	done
}

# lvm_config VG: LVM settings that forbid metadata writes and activate VG's
# logical volumes read-only, without udev.
lvm_config() {
	printf 'global { metadata_read_only = 1 } activation { read_only_volume_list = [ "%s" ] udev_sync = 0 udev_rules = 0 monitoring = 0 } devices { use_devicesfile = 0 }' "$1"
}

# finish_fs EVIDENCE: once the device stream has ended, the file hashes it
# computed go into the inventories of the file systems that planned them; a
# file it gave no hash is hashed through the mount, and a note says how
# many and why.
finish_fs() {
	local ev=$1 name dir reason through_mount
	for name in "${planned[@]}"; do
		dir="$out_dir/$ev/$name"
		[[ -f $dir/inventory.jsonl ]] || continue
		reason="the device stream gave no hash"
		if [[ -f $plans_dir/$name.plan.error ]]; then
			reason=$(head -c 300 "$plans_dir/$name.plan.error")
		elif [[ ! -f $plans_dir/$name.plan.sha256 ]]; then
			reason="the device stream failed: $(head -c 200 "$run_dir/facts/$ev.hash.err")"
		fi
		if ! through_mount=$(python3 "$SCRIPT_DIR/disk_triage.py" merge-hashes "$dir/inventory.jsonl" \
			--hashes "$plans_dir/$name.plan.sha256" --missing-reason "$reason" \
			--root "$run_dir/mnt/$ev/$name" --max-hash-bytes "$max_hash_bytes"); then
			fail ANALYSIS_FAILED inventory "$ev" "$name: cannot put the device stream's file hashes in the inventory"
		elif [[ $through_mount != 0 ]]; then
			cf_note inventory "$ev" "$name: $through_mount file(s) hashed through the mount: $reason"
		fi
	done
}

# ------------------------------------------------------------ one device

# analyze_device EVIDENCE SOURCE: the evidence device or image file SOURCE.
# A block device is checked (not the root disk, not in use) and set
# read-only first. The file systems are then read through a read-only loop
# device over SOURCE, with its partitions, for their metadata; the content
# is read once, by evidence_stream.py from SOURCE itself, which hashes the
# device and the files the walks mapped.
analyze_device() {
	local ev=$1 source=$2 dev part sha hash_start hash_end size table="none" label ro why
	source=$(readlink -f "$source")
	local facts="$run_dir/facts/$ev.json"
	: >"$run_dir/facts/$ev.partitions.jsonl"
	mkdir -p "$out_dir/$ev" || return 1
	if [[ -b $source ]]; then
		if cf_root_disks | grep -qxF -- "$source"; then
			fail ROOT_DEVICE_REFUSED device "$ev" "$source holds the root file system"
			return 1
		fi
		if why=$(cf_in_use "$source"); then
			fail DEVICE_IN_USE device "$ev" "$source is refused: $why"
			return 1
		fi
		# Read-only first: the device and every partition the kernel knows.
		for part in $(lsblk -nrpo NAME "$source"); do
			if ! set_readonly "$part"; then
				fail READONLY_FAILED device "$ev" "cannot set $part read-only; nothing was read"
				return 1
			fi
		done
		size=$(blockdev --getsize64 "$source")
	else
		size=$(stat -c %s -- "$source")
	fi
	if ! dev=$(losetup --find --show --read-only --direct-io=on --partscan "$source"); then
		fail DEVICE_NOT_FOUND device "$ev" "cannot attach $source read-only"
		return 1
	fi
	loops+=("$dev")
	for part in $(lsblk -nrpo NAME "$dev"); do
		if ! set_readonly "$part"; then
			fail READONLY_FAILED device "$ev" "cannot set $part read-only; nothing was read"
			return 1
		fi
	done
	# The device stream reads the whole evidence alongside the analysis,
	# in large sequential reads that keep the device busy while the
	# analysis waits on metadata; it takes the walks' plans as they come.
	plans_dir=$run_dir/plans/$ev planned=()
	fs_node=() fs_start=() fs_type=() fs_uuid=() fs_label=() fs_mounted=() fs_options=() fs_walk=() fs_analysis=()
	mkdir -p "$plans_dir" || return 1
	hash_start=$(cf_now)
	cf_log "streaming $ev ($source, $size bytes) alongside its analysis on $dev"
	# Idle I/O class where the scheduler has classes: the walks' metadata
	# reads, which the plans wait for, go first.
	local prio=()
	command -v ionice >/dev/null && prio=(ionice -c 3)
	"${prio[@]}" python3 "$SCRIPT_DIR/evidence_stream.py" "$source" --plans "$plans_dir" \
		>"$run_dir/facts/$ev.hash" 2>"$run_dir/facts/$ev.hash.err" &
	stream_pid=$!

	lvm_pvs=()
	# A table without partitions is a file system's boot sector that ends
	# in the MBR signature (NTFS, FAT on a whole device): not a table.
	if sfdisk -J "$dev" >"$out_dir/$ev/partition-table.json" 2>/dev/null &&
		[[ $(jq '.partitiontable.partitions // [] | length' "$out_dir/$ev/partition-table.json") -gt 0 ]]; then
		cf_artifact "$ev/partition-table.json" sfdisk "$(cf_tool_version sfdisk)" "$ev"
		table=$(jq -r '.partitiontable.label' "$out_dir/$ev/partition-table.json")
		analyze_partitions "$ev" "$dev"
	else
		rm -f "$out_dir/$ev/partition-table.json"
		prepare_fs "$ev" disk "$dev" 0 stream
		expect_plans "$ev"
		analyze_fs "$ev" disk
	fi
	analyze_lvm "$ev"

	if ! wait "$stream_pid" || ! { read -r sha && read -r hash_end; } <"$run_dir/facts/$ev.hash" ||
		[[ ! $sha =~ $CF_RE_SHA256 ]]; then
		fail HASH_FAILED hash "$ev" "cannot read $source: $(head -c 300 "$run_dir/facts/$ev.hash.err")"
		sha="" hash_end=""
	fi
	finish_fs "$ev"

	label="" ro=$(blockdev --getro "$dev")
	if [[ -b $source ]]; then
		label=$(lsblk -dno SERIAL "$source" 2>/dev/null | head -n 1)
		ro=$(blockdev --getro "$source")
	fi
	jq -n --arg ev "$ev" --arg dev "$source" --arg loop "$dev" --argjson size "$size" --arg sha "$sha" --arg hs "$hash_start" \
		--arg he "$hash_end" --arg table "$table" --arg serial "$label" \
		--slurpfile parts "$run_dir/facts/$ev.partitions.jsonl" --arg ro "$ro" \
		'def nullable: if . == "" then null else . end;
		{evidence: $ev, device: $dev, readThrough: $loop, serial: ($serial | nullable), sizeBytes: $size,
		  sha256: ($sha | nullable), hashStartedAt: $hs, hashEndedAt: ($he | nullable), readOnly: ($ro == "1"), partitionTable: $table,
		  partitions: $parts}' >"$facts" || fail RESULTS_FAILED facts "$ev" "cannot record the device facts"
}

# analyze_partitions EVIDENCE DEVICE: each partition of the table, through
# the kernel's partition device or, when the kernel has none, a read-only
# loop device over the partition's byte range: every file system is
# prepared (its walk started) before any is analysed.
analyze_partitions() {
	local ev=$1 dev=$2 node start sectors type ss offset kname kstart pnode name names=()
	while IFS=$'\t' read -r node start sectors type ss; do
		[[ -n $node ]] || continue
		case ${type,,} in 5 | f | 85) continue ;; esac # extended partition containers
		offset=$((start * ss))
		name="p${node##*[!0-9]}"
		pnode=""
		for kname in $(lsblk -nrpo NAME,TYPE "$dev" | awk '$2 == "part" { print $1 }'); do
			kstart=$(cat "/sys/class/block/${kname##*/}/start" 2>/dev/null) || continue
			if [[ $((kstart * 512)) -eq $offset ]]; then
				pnode=$kname
				break
			fi
		done
		if [[ -z $pnode ]]; then
			if ! pnode=$(losetup --find --show --read-only --offset "$offset" --sizelimit "$((sectors * ss))" "$dev"); then
				fail ANALYSIS_FAILED partitions "$ev" "$name: cannot map the partition read-only"
				continue
			fi
			loops+=("$pnode")
			cf_note partitions "$ev" "$name: no kernel partition device; read through read-only loop $pnode"
		fi
		if ! set_readonly "$pnode"; then
			fail READONLY_FAILED partitions "$ev" "cannot set $pnode read-only; $name not read"
			continue
		fi
		prepare_fs "$ev" "$name" "$pnode" "$offset" stream && names+=("$name")
	done < <(jq -r '.partitiontable as $t | ($t.sectorsize // 512) as $ss
		| ($t.partitions // [])[] | [.node, .start, .size, .type, $ss] | @tsv' "$out_dir/$ev/partition-table.json")
	expect_plans "$ev"
	for name in "${names[@]}"; do
		analyze_fs "$ev" "$name"
	done
}

# ------------------------------------------------------------ main

for i in "${!evidence_ids[@]}"; do
	ev=${evidence_ids[i]}
	if [[ $mode == local ]]; then
		dev=${device_args[i]}
	elif ! dev=$(find_device "$ev"); then
		fail DEVICE_NOT_FOUND device "$ev" "no NVMe device with serial vol${ev#vol-} after ${wait_seconds}s"
		continue
	fi
	cf_log "analysing $ev on $dev"
	analyze_device "$ev" "$dev"
done

ended_at=$(cf_now)
wait "$tools_pid" || cf_log "cannot list the tool versions"
tools=$(cat "$run_dir/tools.json" 2>/dev/null)
[[ -n $tools ]] || tools='{}'
for ev in "${evidence_ids[@]}"; do
	[[ -f $run_dir/facts/$ev.json ]] || jq -n --arg ev "$ev" '{evidence: $ev, analysed: false}' >"$run_dir/facts/$ev.json"
done
jq -n --arg status "$status" --arg id "$forensic_id" --arg mode "$mode" --arg started "$started_at" \
	--arg ended "$ended_at" --arg script "$SCRIPT_NAME" --arg version "$SCRIPT_VERSION" --argjson tools "$tools" \
	--slurpfile devices <(cat "$run_dir"/facts/vol-*.json 2>/dev/null | jq -s 'map(select(type == "object"))[]') \
	--slurpfile findings "$FINDINGS" --slurpfile errors "$CF_ERRORS" --slurpfile notes "$CF_NOTES" \
	'{schema: "casefile.disk-results/v1", status: $status, forensicId: $id, mode: $mode,
	  script: {name: $script, version: $version}, startedAt: $started, endedAt: $ended,
	  devices: $devices, findings: $findings, tools: $tools, errors: $errors, notes: $notes}' \
	>"$out_dir/results.json" || { status=RESULTS_FAILED; cf_log "cannot write results.json"; }

manifest_evidence=""
[[ ${#evidence_ids[@]} -eq 1 ]] && manifest_evidence=${evidence_ids[0]}
cf_write_manifest "$out_dir" "$SCRIPT_NAME" "$SCRIPT_VERSION" "$manifest_evidence" || {
	status=RESULTS_FAILED
	cf_log "cannot write manifest.json"
}

if [[ $mode == ssm ]]; then
	location="s3://$results_bucket/$results_prefix/"
	if ! cf_upload "$out_dir" "$results_bucket" "$results_prefix" "$kms_key_arn"; then
		status=UPLOAD_FAILED
	fi
else
	location=$out_dir/
fi

# The one line SSM keeps: short, and never the evidence itself.
jq -cn --arg status "$status" --arg id "$forensic_id" --arg location "$location" \
	--argjson errors "$(wc -l <"$CF_ERRORS")" --argjson findings "$(wc -l <"$FINDINGS")" \
	'{status: $status, forensicId: $id, results: $location, errors: $errors, findings: $findings}'
[[ $status == SUCCEEDED ]]
