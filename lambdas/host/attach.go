package host

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// StepAttachEvidence names the attach step in the custody log.
const StepAttachEvidence = "AttachEvidence"

// defaultVolumeWait bounds each of the attach step's two waits: all volumes
// available, then all volumes attached. Both are also cut short by the
// Lambda's deadline, keeping attachReserve for attaching after the first.
var defaultVolumeWait = WaitOptions{MinDelay: 3 * time.Second, MaxDelay: 15 * time.Second, Timeout: 3 * time.Minute}

// Time the attach step keeps after each wait, before the Lambda deadline.
const (
	attachReserve = 60 * time.Second
	reportReserve = 10 * time.Second
)

// AttachEC2 is the part of the EC2 API that Attacher calls.
type AttachEC2 interface {
	DescribeSnapshots(ctx context.Context, in *ec2.DescribeSnapshotsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error)
	DescribeVolumes(ctx context.Context, in *ec2.DescribeVolumesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error)
	CreateVolume(ctx context.Context, in *ec2.CreateVolumeInput, optFns ...func(*ec2.Options)) (*ec2.CreateVolumeOutput, error)
	AttachVolume(ctx context.Context, in *ec2.AttachVolumeInput, optFns ...func(*ec2.Options)) (*ec2.AttachVolumeOutput, error)
}

// Attacher is the AttachEvidence step: it checks that each evidence
// snapshot is what the request says, then makes one encrypted volume per
// snapshot, in the forensic instance's availability zone, attached to it.
type Attacher struct {
	EC2      AttachEC2
	Recorder Recorder
	// VolumeKMSKeyARN encrypts the evidence volumes.
	VolumeKMSKeyARN string
	// Wait bounds the waits for the volumes; zero fields take defaults.
	Wait WaitOptions
	// Now is the clock of the custody log; nil means time.Now.
	Now func() time.Time
}

// Handle checks the request's snapshots against EC2, creates and attaches
// the case's evidence volumes and sets st.Volumes. A retry finds the
// volumes its first attempt created (by tag and snapshot) instead of
// creating more. A snapshot that is missing, not completed, or of another
// volume or size than the request says fails with EVIDENCE_MISMATCH before
// any volume is made; every other failure is EVIDENCE_ATTACH_FAILED.
func (a *Attacher) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	if st.Instance == nil || st.Instance.InstanceID == "" || st.Instance.AvailabilityZone == "" {
		return st, investigation.Fail(investigation.ReasonEvidenceAttach, "state names no forensic instance with an availability zone")
	}
	req, err := investigation.ParseRequest(st.Request)
	if err != nil {
		return st, investigation.Fail(investigation.ReasonEvidenceAttach, "read the request: %w", err)
	}
	if req.Disk == nil || len(req.Disk.Snapshots) == 0 {
		return st, investigation.Fail(investigation.ReasonEvidenceAttach, "request of case %s lists no snapshots", st.ForensicID)
	}
	trail := newCustody(a.Recorder, a.Now, st, StepAttachEvidence)
	wait := a.Wait.orDefault(defaultVolumeWait)
	if err := a.verifySnapshots(ctx, trail, req.Disk.Snapshots); err != nil {
		return st, err
	}

	vols := make([]evidenceVolume, 0, len(req.Disk.Snapshots))
	for i, snap := range req.Disk.Snapshots {
		v, err := a.volumeFor(ctx, trail, snap, deviceName(i))
		if err != nil {
			return st, err
		}
		vols = append(vols, v)
	}
	if err := a.waitAvailable(ctx, wait.within(ctx, attachReserve), unattached(vols)); err != nil {
		return st, err
	}
	for i := range vols {
		if err := a.attach(ctx, trail, &vols[i]); err != nil {
			return st, err
		}
	}
	if err := a.waitAttached(ctx, wait.within(ctx, reportReserve), st.Instance.InstanceID, ids(vols)); err != nil {
		return st, err
	}

	st.Volumes = make([]investigation.Volume, 0, len(vols))
	for _, v := range vols {
		st.Volumes = append(st.Volumes, investigation.Volume{VolumeID: v.id, SnapshotID: v.snapshot, Device: v.device})
	}
	slog.InfoContext(ctx, "evidence attached", "forensicId", st.ForensicID,
		"instanceId", st.Instance.InstanceID, "volumes", len(vols))
	return st, nil
}

// deviceName is the name given to AttachVolume for the i-th evidence
// volume: /dev/sdf, /dev/sdg, ... The documents find each device by its
// volume ID, since Nitro instances expose NVMe names instead.
func deviceName(i int) string { return fmt.Sprintf("/dev/sd%c", 'f'+i) }

// evidenceVolume is one evidence volume on its way to the instance.
type evidenceVolume struct {
	id, snapshot string
	device       string
	// attached is true once the volume is attached to the forensic
	// instance (possibly by an earlier attempt).
	attached bool
}

func unattached(vols []evidenceVolume) []string {
	var out []string
	for _, v := range vols {
		if !v.attached {
			out = append(out, v.id)
		}
	}
	return out
}

func ids(vols []evidenceVolume) []string {
	out := make([]string, 0, len(vols))
	for _, v := range vols {
		out = append(out, v.id)
	}
	return out
}
