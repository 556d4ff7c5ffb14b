package investigation

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEvidenceGiB(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want int64
	}{
		{name: "disk: the snapshots added up", want: 108, req: Request{ForensicType: ForensicTypeDisk,
			Disk: &DiskEvidence{Snapshots: []Snapshot{{SizeGiB: 8}, {SizeGiB: 100}}}}},
		{name: "memory: a dump of exactly 16 GiB", want: 16, req: Request{ForensicType: ForensicTypeMemory,
			Memory: &MemoryEvidence{SizeBytes: 16 << 30}}},
		{name: "memory: a partial GiB counts", want: 2, req: Request{ForensicType: ForensicTypeMemory,
			Memory: &MemoryEvidence{SizeBytes: 1<<30 + 1}}},
		{name: "no evidence", want: 0, req: Request{ForensicType: ForensicTypeDisk}},
		{name: "evidence of the other type is not counted", want: 0, req: Request{ForensicType: ForensicTypeMemory,
			Disk: &DiskEvidence{Snapshots: []Snapshot{{SizeGiB: 8}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.req.EvidenceGiB())
		})
	}
}
