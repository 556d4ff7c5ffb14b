package investigation

// bytesPerGiB is one GiB.
const bytesPerGiB = 1 << 30

// EvidenceGiB returns how much evidence the request names, in whole GiB
// rounded up: the snapshots' volume sizes added up for DISK, the dump's
// size for MEMORY, 0 when the request names none. The forensic instance's
// type and the forensics' run limit scale with it.
func (r Request) EvidenceGiB() int64 {
	switch {
	case r.ForensicType == ForensicTypeDisk && r.Disk != nil:
		var gib int64
		for _, s := range r.Disk.Snapshots {
			gib += int64(s.SizeGiB)
		}
		return gib
	case r.ForensicType == ForensicTypeMemory && r.Memory != nil && r.Memory.SizeBytes > 0:
		return (r.Memory.SizeBytes + bytesPerGiB - 1) / bytesPerGiB
	}
	return 0
}
