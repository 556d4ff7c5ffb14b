package results

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// entry returns a manifest entry for path with the given body's size and
// SHA-256.
func entry(path, body string) string {
	return fmt.Sprintf(`{"path":%q,"sha256":%q,"size":%d,"tool":"t"}`, path, sha(body), len(body))
}

// TestHandleEnforcesTheManifest: the root manifest must exist, parse, list
// every other object under the results prefix exactly once with its size
// and SHA-256, and list nothing that is not there. Each case fails the step
// with RESULTS_COLLECTION_FAILED and a message naming the offending key.
func TestHandleEnforcesTheManifest(t *testing.T) {
	const (
		a, b     = "alpha\n", "bravo\n"
		manifest = diskDir + "manifest.json"
	)
	tests := []struct {
		name    string
		objects map[string]fakeObject
		wantErr string
	}{
		{
			name: "wrong hash",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[{"path":"a.txt","sha256":"` + sha(b) + `","size":6}]}`},
			},
			wantErr: diskDir + "a.txt: SHA-256 " + sha(a) + " does not match the manifest's " + sha(b),
		},
		{
			name: "wrong size",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[{"path":"a.txt","sha256":"` + sha(a) + `","size":7}]}`},
			},
			wantErr: diskDir + "a.txt: size 6 does not match the manifest's 7",
		},
		{
			name: "path with ..",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[` + entry("../../cf-2/disk/a.txt", a) + `]}`},
			},
			wantErr: "manifest " + manifest + `: path "../../cf-2/disk/a.txt" must be relative`,
		},
		{
			name: "absolute path",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[` + entry("/a.txt", a) + `]}`},
			},
			wantErr: "manifest " + manifest + `: path "/a.txt" must be relative`,
		},
		{
			name: "file not in the manifest",
			objects: map[string]fakeObject{
				diskDir + "a.txt":      {body: a},
				diskDir + "planted.sh": {body: b},
				manifest:               {body: `{"files":[` + entry("a.txt", a) + `]}`},
			},
			wantErr: diskDir + "planted.sh: not listed in the manifest " + manifest,
		},
		{
			name: "listed file missing",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[` + entry("a.txt", a) + `,` + entry("vol-0a1b2c3d/b.txt", b) + `]}`},
			},
			wantErr: diskDir + "vol-0a1b2c3d/b.txt: listed in the manifest but not in the bucket",
		},
		{
			name: "no manifest at all",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
			},
			wantErr: manifest + ": no manifest",
		},
		{
			name: "only a nested manifest",
			objects: map[string]fakeObject{
				diskDir + "vol-0a1b2c3d/a.txt":         {body: a},
				diskDir + "vol-0a1b2c3d/manifest.json": {body: `{"files":[` + entry("a.txt", a) + `]}`},
			},
			wantErr: manifest + ": no manifest",
		},
		{
			name: "empty manifest",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[]}`},
			},
			wantErr: diskDir + "a.txt: not listed in the manifest " + manifest,
		},
		{
			name: "manifest is JSON null",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `null`},
			},
			wantErr: "manifest " + manifest + ": not a JSON object",
		},
		{
			name: "manifest without files",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"file":[` + entry("a.txt", a) + `]}`},
			},
			wantErr: "manifest " + manifest + `: no "files" array`,
		},
		{
			name: "files is null",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":null}`},
			},
			wantErr: "manifest " + manifest + `: no "files" array`,
		},
		{
			name: "files is not an array",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":{"a.txt":{}}}`},
			},
			wantErr: "manifest " + manifest + ": files: json: cannot unmarshal object",
		},
		{
			name: "trailing data after the manifest",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[` + entry("a.txt", a) + `]} {"files":[]}`},
			},
			wantErr: "manifest " + manifest + ": invalid character",
		},
		{
			name: "duplicate entry: wrong first, right second",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[{"path":"a.txt","sha256":"` + sha(b) + `","size":6},` + entry("a.txt", a) + `]}`},
			},
			wantErr: "manifest " + manifest + ": " + diskDir + "a.txt is listed more than once",
		},
		{
			name: "duplicate entry: right first, wrong second",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[` + entry("a.txt", a) + `,{"path":"a.txt","sha256":"` + sha(b) + `","size":6}]}`},
			},
			wantErr: "manifest " + manifest + ": " + diskDir + "a.txt is listed more than once",
		},
		{
			name: "nested manifest overrides the root's wrong entry",
			objects: map[string]fakeObject{
				diskDir + "x/a.txt":         {body: a},
				manifest:                    {body: `{"files":[{"path":"x/a.txt","sha256":"` + sha(b) + `","size":6},` + entry("x/manifest.json", `{"files":[`+entry("a.txt", a)+`]}`) + `]}`},
				diskDir + "x/manifest.json": {body: `{"files":[` + entry("a.txt", a) + `]}`},
			},
			wantErr: diskDir + "x/a.txt: SHA-256 " + sha(a) + " does not match the manifest's " + sha(b),
		},
		{
			name: "nested manifest not listed by the root",
			objects: map[string]fakeObject{
				diskDir + "x/a.txt":         {body: a},
				manifest:                    {body: `{"files":[` + entry("x/a.txt", a) + `]}`},
				diskDir + "x/manifest.json": {body: `{"files":[` + entry("a.txt", a) + `]}`},
			},
			wantErr: diskDir + "x/manifest.json: not listed in the manifest " + manifest,
		},
		{
			name: "manifest lists itself",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[` + entry("a.txt", a) + `,` + entry("manifest.json", "{}") + `]}`},
			},
			wantErr: "manifest " + manifest + ": files[1] lists the manifest itself",
		},
		{
			name: "SHA-256 in upper case",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[{"path":"a.txt","sha256":"` + fmt.Sprintf("%X", sha(a)) + `","size":6}]}`},
			},
			wantErr: "manifest " + manifest + ": " + diskDir + "a.txt: sha256 \"" + fmt.Sprintf("%X", sha(a)) + "\" is not 64 lower-case hex characters",
		},
		{
			name: "SHA-256 missing",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[{"path":"a.txt","size":6}]}`},
			},
			wantErr: "manifest " + manifest + ": " + diskDir + `a.txt: sha256 "" is not 64 lower-case hex characters`,
		},
		{
			name: "negative size",
			objects: map[string]fakeObject{
				diskDir + "a.txt": {body: a},
				manifest:          {body: `{"files":[{"path":"a.txt","sha256":"` + sha(a) + `","size":-1}]}`},
			},
			wantErr: "manifest " + manifest + ": " + diskDir + "a.txt: negative size -1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records := &fakeRecords{}
			h := New(&fakeS3{objects: tt.objects}, records, testBucket)

			got, err := h.Handle(context.Background(), investigation.State{ForensicID: "cf-1", ForensicType: investigation.ForensicTypeDisk})

			var f *investigation.Failure
			require.True(t, errors.As(err, &f), "want an investigation.Failure, got %T: %v", err, err)
			assert.Equal(t, investigation.ReasonResultsCollection, f.Reason)
			assert.ErrorContains(t, err, tt.wantErr)
			assert.Nil(t, got.Results)
			require.Len(t, records.events, 1)
			assert.Equal(t, ActionResultsVerifyFailed, records.events[0].Action)
			assert.Contains(t, records.events[0].Detail, tt.wantErr, "the custody event names the problem")
			assert.Len(t, records.artifacts, len(tt.objects), "every object read is recorded with the hash computed here")
		})
	}
}

// TestHandleProblemsNameEveryKey: several offending objects give one
// problem each, in key order, and all are counted in the event.
func TestHandleProblemsNameEveryKey(t *testing.T) {
	objects := map[string]fakeObject{
		diskDir + "a.txt":         {body: "alpha\n"},
		diskDir + "b.txt":         {body: "bravo\n"},
		diskDir + "c.txt":         {body: "charlie\n"},
		diskDir + "manifest.json": {body: `{"files":[` + entry("c.txt", "charlie\n") + `,` + entry("d.txt", "delta\n") + `]}`},
	}
	records := &fakeRecords{}
	_, err := New(&fakeS3{objects: objects}, records, testBucket).Handle(context.Background(),
		investigation.State{ForensicID: "cf-1", ForensicType: investigation.ForensicTypeDisk})

	require.Error(t, err)
	assert.ErrorContains(t, err, "3 problem(s) with the results under s3://casefile-results/cases/cf-1/disk/: "+
		diskDir+"a.txt: not listed in the manifest "+diskDir+"manifest.json\n"+
		diskDir+"b.txt: not listed in the manifest "+diskDir+"manifest.json\n"+
		diskDir+"d.txt: listed in the manifest but not in the bucket")
	require.Len(t, records.events, 1)
	assert.Equal(t, "3", records.events[0].Resources["problems"])
}
