package cdktest_test

import (
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

// TestMain stops the jsii runtime the CDK tests start, so that it removes
// its temporary folder.
func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}
