package stacktemplate

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var handlers = []string{"start", "intake", "startforensics"}

func TestFunctions(t *testing.T) {
	tmpl, err := Load("testdata/small.template.json")
	require.NoError(t, err)

	_, err = tmpl.Functions(handlers)
	require.ErrorContains(t, err, "start", "the template has no function for handler start")

	fns, err := tmpl.Functions([]string{"intake", "startforensics"})
	require.NoError(t, err)
	require.Len(t, fns, 2)
	assert.Equal(t, "FunctionsintakeABCD", fns[0].LogicalID)
	assert.Equal(t, 30*time.Second, fns[0].Timeout)
	assert.Equal(t, 256, fns[0].MemoryMiB)
	assert.Equal(t, "Table1234", RefTarget(fns[0].Env["CASEFILE_TABLE_NAME"]))
	assert.Equal(t, "asset.0a1b2c", fns[0].AssetPath, "code folder in the cloud assembly")
	assert.Equal(t, []string{"arm64"}, fns[0].Architectures)
	assert.Equal(t, 3*time.Second, fns[1].Timeout, "Lambda's default timeout")
	assert.Empty(t, fns[1].AssetPath, "no asset metadata")
}

func TestMatchHandler(t *testing.T) {
	tests := []struct {
		name, path, want string
	}{
		{name: "exact segment", path: "Casefile/Functions/start/Resource", want: "start"},
		{name: "longest prefix", path: "Casefile/Functions/StartForensicsFunction/Resource", want: "startforensics"},
		{name: "CDK helper", path: "Casefile/LogRetentionaae0/Resource", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, matchHandler(tc.path, handlers))
		})
	}
}

func TestDefinition(t *testing.T) {
	tmpl, err := Load("testdata/small.template.json")
	require.NoError(t, err)
	r := Resolver{
		Partition: "aws", Region: "eu-west-1", AccountID: "123456789012",
		Attrs: map[string]string{
			"FunctionsintakeABCD.Arn":         "arn:aws:lambda:eu-west-1:123456789012:function:intake",
			"FunctionsstartforensicsEF01.Arn": "arn:aws:lambda:eu-west-1:123456789012:function:startforensics",
		},
	}
	def, err := tmpl.Definition(r)
	require.NoError(t, err)
	var got struct {
		States map[string]struct {
			Resource   string
			Comment    string
			Parameters map[string]string
		}
	}
	require.NoError(t, json.Unmarshal(def, &got))
	assert.Equal(t, "arn:aws:states:::lambda:invoke", got.States["A"].Resource)
	assert.Equal(t, "arn:aws:lambda:eu-west-1:123456789012:function:intake", got.States["A"].Parameters["FunctionName"])
	assert.Equal(t, "arn:aws:lambda:eu-west-1:123456789012:function:startforensics", got.States["B"].Resource)
	assert.Equal(t, "in eu-west-1", got.States["B"].Comment, "definition substitution")

	delete(r.Attrs, "FunctionsintakeABCD.Arn")
	_, err = tmpl.Definition(r)
	assert.ErrorContains(t, err, "FunctionsintakeABCD", "an unresolved token is named")
}

func TestResolve(t *testing.T) {
	r := Resolver{Partition: "aws", Region: "eu-west-1", AccountID: "123456789012",
		Refs: map[string]string{"Sub1": "subnet-1", "Sub2": "subnet-2"}, Attrs: map[string]string{"Key.Arn": "arn:key"}}
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "string", in: `"plain"`, want: "plain"},
		{name: "join", in: `{"Fn::Join": [",", [{"Ref": "Sub1"}, {"Ref": "Sub2"}]]}`, want: "subnet-1,subnet-2"},
		{name: "getatt dotted", in: `{"Fn::GetAtt": "Key.Arn"}`, want: "arn:key"},
		{name: "select", in: `{"Fn::Select": [1, [{"Ref": "Sub1"}, {"Ref": "Sub2"}]]}`, want: "subnet-2"},
		{name: "sub", in: `{"Fn::Sub": "arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${Key.Arn}"}`, want: "arn:aws:x:eu-west-1:123456789012:arn:key"},
		{name: "unknown ref", in: `{"Ref": "Bucket"}`, wantErr: `"Bucket"`},
		{name: "unsupported", in: `{"Fn::ImportValue": "x"}`, wantErr: "unsupported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Resolve(json.RawMessage(tc.in))
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
