package results

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const (
	testBucket = "casefile-results"
	volDir     = "cases/cf-1/disk/vol-0a1b2c3d4e5f60718/"
	timeline   = "timeline\n2026-03-14 09:00 /etc/passwd\n"
	inventory  = `{"files":[]}`
	stdout     = "disk forensics done\n"
	results    = `{"schema":"casefile.disk-results/v1","status":"SUCCEEDED"}`
)

// manifestOf returns a manifest with one entry per file, made by fls from
// the given evidence.
func manifestOf(files map[string]string, evidence string) string {
	out := `{"files":[`
	first := true
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if !first {
			out += ","
		}
		first = false
		out += fmt.Sprintf(`{"path":%q,"sha256":%q,"size":%d,"tool":"fls","toolVersion":"4.12.1","evidence":%q,"source":"x"}`,
			name, sha(files[name]), len(files[name]), evidence)
	}
	return out + "]}"
}

const (
	diskDir   = "cases/cf-1/disk/"
	memoryDir = "cases/cf-1/memory/"
)

// goodBucket holds what the scripts upload: a disk run with one volume
// (its files in the volume's folder, results.json and manifest.json at the
// top of the prefix), a memory run, the output of two commands and another
// case.
func goodBucket() map[string]fakeObject {
	manifest := manifestOf(map[string]string{
		"vol-0a1b2c3d4e5f60718/timeline.csv": timeline, "vol-0a1b2c3d4e5f60718/inventory.json": inventory,
		"results.json": results,
	}, "snap-0a1b2c3d4e5f60718")
	memoryManifest := manifestOf(map[string]string{"results.json": "{}"}, "s3://dumps/cf-1.lime")
	return map[string]fakeObject{
		diskDir:                   {body: ""}, // folder marker
		volDir + "timeline.csv":   {body: timeline, checksum: sha64(timeline), checksumType: types.ChecksumTypeFullObject},
		volDir + "inventory.json": {body: inventory},
		diskDir + "results.json":  {body: results},
		diskDir + "manifest.json": {body: manifest, checksum: sha64(manifest)},
		"cases/cf-1/ssm/cmd-1/i-0f0e0d0c0b0a09080/awsrunShellScript/0.runscript/stdout": {body: stdout},
		"cases/cf-1/ssm/cmd-9/i-0f0e0d0c0b0a09080/awsrunShellScript/0.runscript/stdout": {body: "memory run"},
		memoryDir + "results.json":         {body: "{}"},
		memoryDir + "manifest.json":        {body: memoryManifest},
		"cases/cf-10/disk/other-case.json": {body: "{}"},
	}
}

func with(objects map[string]fakeObject, changes map[string]fakeObject) map[string]fakeObject {
	out := maps.Clone(objects)
	for k, v := range changes {
		if v == (fakeObject{}) {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// The keys of goodBucket that a disk investigation with command cmd-1
// records, in order.
var (
	diskManifest = diskDir + "manifest.json"
	diskResults  = diskDir + "results.json"
	cmd1Stdout   = "cases/cf-1/ssm/cmd-1/i-0f0e0d0c0b0a09080/awsrunShellScript/0.runscript/stdout"
	diskKeys     = []string{diskManifest, diskResults, volDir + "inventory.json", volDir + "timeline.csv", cmd1Stdout}
)

// without returns keys less the given ones.
func without(keys []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return slices.Contains(drop, k) })
}

func TestHandle(t *testing.T) {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	state := investigation.State{
		ForensicID: "cf-1", ForensicType: investigation.ForensicTypeDisk,
		Command: &investigation.Command{CommandID: "cmd-1", Status: investigation.PollReady},
	}
	wrongSize := int64(3)
	tests := []struct {
		name    string
		state   investigation.State
		objects map[string]fakeObject
		listErr error
		putErr  func(a caserecords.Artifact) error

		wantKeys     []string // artifacts recorded, in order
		wantResults  *investigation.Results
		wantErrParts []string // a RESULTS_COLLECTION_FAILED error containing these
		wantAction   string
	}{
		{
			name:        "artifacts with manifest and command output",
			state:       state,
			objects:     goodBucket(),
			wantKeys:    diskKeys,
			wantResults: &investigation.Results{S3URI: "s3://casefile-results/cases/cf-1/disk/", ArtifactCount: 5},
			wantAction:  ActionResultsCollected,
		},
		{
			name:    "without a known command every output of the case is kept",
			state:   investigation.State{ForensicID: "cf-1", ForensicType: investigation.ForensicTypeMemory},
			objects: goodBucket(),
			wantKeys: []string{
				memoryDir + "manifest.json", memoryDir + "results.json", cmd1Stdout,
				"cases/cf-1/ssm/cmd-9/i-0f0e0d0c0b0a09080/awsrunShellScript/0.runscript/stdout",
			},
			wantResults: &investigation.Results{S3URI: "s3://casefile-results/cases/cf-1/memory/", ArtifactCount: 4},
			wantAction:  ActionResultsCollected,
		},
		{
			// Changed when the manifest became mandatory: this step runs only
			// after the command succeeded, and the scripts then always upload
			// a manifest, so nothing at all is a failure.
			name:         "no results",
			state:        state,
			objects:      map[string]fakeObject{},
			wantErrParts: []string{diskManifest + ": no manifest"},
			wantAction:   ActionResultsVerifyFailed,
		},
		{
			name:  "composite checksum of a multipart upload is not compared",
			state: state,
			objects: with(goodBucket(), map[string]fakeObject{
				volDir + "timeline.csv": {body: timeline, checksum: "AAAA-3", checksumType: types.ChecksumTypeComposite},
			}),
			wantKeys:    diskKeys,
			wantResults: &investigation.Results{S3URI: "s3://casefile-results/cases/cf-1/disk/", ArtifactCount: 5},
			wantAction:  ActionResultsCollected,
		},
		{
			name:  "manifest hash mismatch names the key",
			state: state,
			objects: with(goodBucket(), map[string]fakeObject{
				volDir + "timeline.csv": {body: timeline + "tampered\n"},
			}),
			wantKeys:     diskKeys,
			wantErrParts: []string{volDir + "timeline.csv: SHA-256 " + sha(timeline+"tampered\n") + " does not match the manifest's " + sha(timeline)},
			wantAction:   ActionResultsVerifyFailed,
		},
		{
			name:  "stored checksum mismatch names the key",
			state: state,
			objects: with(goodBucket(), map[string]fakeObject{
				volDir + "timeline.csv": {body: timeline, checksum: sha64("something else")},
			}),
			wantKeys: without(diskKeys, volDir+"timeline.csv"),
			wantErrParts: []string{
				"s3://casefile-results/" + volDir + "timeline.csv: SHA-256 " + sha(timeline) + " does not match the stored checksum " + sha64("something else"),
				volDir + "timeline.csv: listed in the manifest but not readable in the bucket",
			},
			wantAction: ActionResultsVerifyFailed,
		},
		{
			name:  "manifest lists a missing file",
			state: state,
			objects: with(goodBucket(), map[string]fakeObject{
				volDir + "inventory.json": {},
			}),
			wantKeys:     without(diskKeys, volDir+"inventory.json"),
			wantErrParts: []string{volDir + "inventory.json: listed in the manifest but not in the bucket"},
			wantAction:   ActionResultsVerifyFailed,
		},
		{
			name:  "manifest with a path outside its folder",
			state: state,
			objects: with(goodBucket(), map[string]fakeObject{
				diskManifest: {body: `{"files":[{"path":"../ssm/x","sha256":"00","size":1}]}`},
			}),
			wantKeys:     diskKeys,
			wantErrParts: []string{`manifest ` + diskManifest + `: path "../ssm/x" must be relative without '.' or '..' segments`},
			wantAction:   ActionResultsVerifyFailed,
		},
		{
			name:  "manifest that is not JSON",
			state: state,
			objects: with(goodBucket(), map[string]fakeObject{
				diskManifest: {body: `files: none`},
			}),
			wantKeys:     diskKeys,
			wantErrParts: []string{"manifest " + diskManifest + ": invalid character"},
			wantAction:   ActionResultsVerifyFailed,
		},
		{
			name:  "manifest that cannot be read",
			state: state,
			objects: with(goodBucket(), map[string]fakeObject{
				diskManifest: {getErr: errors.New("AccessDenied")},
			}),
			wantKeys: without(diskKeys, diskManifest),
			wantErrParts: []string{
				"get s3://casefile-results/" + diskManifest + ": AccessDenied",
				diskManifest + ": manifest not readable, so no result can be verified",
			},
			wantAction: ActionResultsVerifyFailed,
		},
		{
			name:  "object shorter than listed",
			state: state,
			objects: with(goodBucket(), map[string]fakeObject{
				cmd1Stdout: {body: stdout, listedSize: &wrongSize},
			}),
			wantKeys:     without(diskKeys, cmd1Stdout),
			wantErrParts: []string{"stdout: got 20 bytes, listed as 3"},
			wantAction:   ActionResultsVerifyFailed,
		},
		{
			name:  "object that cannot be read",
			state: state,
			objects: with(goodBucket(), map[string]fakeObject{
				volDir + "inventory.json": {getErr: errors.New("AccessDenied")},
			}),
			wantKeys:     without(diskKeys, volDir+"inventory.json"),
			wantErrParts: []string{"get s3://casefile-results/" + volDir + "inventory.json: AccessDenied"},
			wantAction:   ActionResultsVerifyFailed,
		},
		{
			name:         "listing fails",
			state:        state,
			objects:      goodBucket(),
			listErr:      errors.New("NoSuchBucket"),
			wantErrParts: []string{"list s3://casefile-results/cases/cf-1/disk/: NoSuchBucket"},
		},
		{
			name:    "artifact recorded earlier with another hash",
			state:   state,
			objects: goodBucket(),
			putErr: func(a caserecords.Artifact) error {
				if a.Key == volDir+"timeline.csv" {
					return fmt.Errorf("record artifact %s of case cf-1: %w", a.Key, caserecords.ErrArtifactChanged)
				}
				return nil
			},
			wantKeys:     diskKeys,
			wantErrParts: []string{"record artifact " + volDir + "timeline.csv of case cf-1: artifact already recorded with another SHA-256"},
			wantAction:   ActionResultsVerifyFailed,
		},
		{
			name:         "state without a case",
			state:        investigation.State{},
			objects:      goodBucket(),
			wantErrParts: []string{"state has no forensicId or forensicType"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := &fakeS3{objects: tt.objects, pageSize: 2, listErr: tt.listErr}
			records := &fakeRecords{putErr: tt.putErr}
			h := New(client, records, testBucket)
			h.now = func() time.Time { return now }

			got, err := h.Handle(context.Background(), tt.state)

			var keys []string
			for _, a := range records.artifacts {
				keys = append(keys, a.Key)
				assert.Equal(t, testBucket, a.Bucket)
				assert.Equal(t, sha(tt.objects[a.Key].body), a.SHA256, "SHA-256 of %s is computed from the bytes read", a.Key)
				assert.Equal(t, int64(len(tt.objects[a.Key].body)), a.SizeBytes, "size of %s", a.Key)
				assert.Equal(t, now, a.Time)
			}
			assert.Equal(t, tt.wantKeys, keys, "artifacts recorded")
			for _, in := range client.gets {
				assert.Equal(t, types.ChecksumModeEnabled, in.ChecksumMode, "GetObject %s asks for the checksum", aws.ToString(in.Key))
				assert.Equal(t, testBucket, aws.ToString(in.Bucket))
			}
			if tt.wantAction == "" {
				assert.Empty(t, records.events)
			} else {
				require.Len(t, records.events, 1)
				assert.Equal(t, tt.wantAction, records.events[0].Action)
				assert.Equal(t, StepCollectResults, records.events[0].Step)
			}

			if len(tt.wantErrParts) > 0 {
				require.Error(t, err)
				var f *investigation.Failure
				require.True(t, errors.As(err, &f), "want an investigation.Failure, got %T: %v", err, err)
				assert.Equal(t, investigation.ReasonResultsCollection, f.Reason)
				for _, part := range tt.wantErrParts {
					assert.Contains(t, err.Error(), part)
				}
				assert.Nil(t, got.Results)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantResults, got.Results)
			assert.Equal(t, tt.state.Command, got.Command, "the rest of the state is kept")
		})
	}
}

func TestHandleFillsToolsFromTheManifest(t *testing.T) {
	client := &fakeS3{objects: goodBucket(), pageSize: 1}
	records := &fakeRecords{}
	_, err := New(client, records, testBucket).Handle(context.Background(), investigation.State{
		ForensicID: "cf-1", ForensicType: investigation.ForensicTypeDisk,
		Command: &investigation.Command{CommandID: "cmd-1"},
	})
	require.NoError(t, err)

	got := map[string][3]string{}
	for _, a := range records.artifacts {
		got[a.Key] = [3]string{a.Tool, a.ToolVersion, a.Evidence}
	}
	assert.Equal(t, map[string][3]string{
		volDir + "timeline.csv":   {"fls", "4.12.1", "snap-0a1b2c3d4e5f60718"},
		volDir + "inventory.json": {"fls", "4.12.1", "snap-0a1b2c3d4e5f60718"},
		diskResults:               {"fls", "4.12.1", "snap-0a1b2c3d4e5f60718"},
		diskManifest:              {},
		cmd1Stdout:                {},
	}, got)
	require.Len(t, records.events, 1)
	assert.Equal(t, map[string]string{
		"s3Uri": "s3://casefile-results/cases/cf-1/disk/", "artifactCount": "5", "manifestEntries": "3",
	}, records.events[0].Resources)
	assert.Greater(t, len(client.lists), 2, "listing is paginated")
}
