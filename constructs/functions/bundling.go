package functions

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"
)

// bootstrapName is the executable the provided.al2023 runtime starts.
const bootstrapName = "bootstrap"

// assetExcludes keeps build output, tools and VCS data out of the asset
// source (only the bundled binary is uploaded, but CDK still walks the
// source folder).
func assetExcludes() []string {
	return []string{"cdk.out", ".tools", ".git", "out", "build", "node_modules", "*.test"}
}

// goBuildArgs returns the arguments of the go command that builds the
// function's bootstrap binary into outputDir.
func goBuildArgs(name Name, outputDir string) []string {
	return []string{
		"build", "-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags=-s",
		"-o", filepath.Join(outputDir, bootstrapName), name.PackagePath(),
	}
}

// goBundler builds one function's bootstrap binary with the local Go
// toolchain, so that synthesis needs no Docker. It must be used through a
// pointer: jsii calls TryBundle on the pointer type.
type goBundler struct {
	moduleRoot string
	name       Name
}

var _ awscdk.ILocalBundling = (*goBundler)(nil)

// TryBundle cross-compiles the handler for linux/arm64 into outputDir. A
// failed build panics with the go command's output: CDK has no other way to
// fail synthesis from a local bundler, and returning false would make it try
// Docker and hide the compiler's message.
func (b *goBundler) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	cmd := exec.Command("go", goBuildArgs(b.name, *outputDir)...)
	cmd.Dir = b.moduleRoot
	// The go command needs the caller's PATH, HOME and Go caches; the target
	// platform is fixed here.
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		panic(fmt.Sprintf("casefile: building Lambda function %s (%s in %s) failed: %v\n%s",
			b.name, b.name.PackagePath(), b.moduleRoot, err, out))
	}
	return jsii.Bool(true)
}

// code returns the Lambda code of a function, built locally from moduleRoot.
func code(moduleRoot string, name Name) awslambda.Code {
	// Command is never run (local bundling always succeeds or panics); it
	// documents the build and keeps CDK's asset cache key distinct per
	// function, because the cache key cannot see inside the local bundler.
	command := append([]string{"go"}, goBuildArgs(name, "/asset-output")...)
	return awslambda.Code_FromAsset(jsii.String(moduleRoot), &awss3assets.AssetOptions{
		AssetHashType: awscdk.AssetHashType_OUTPUT,
		Exclude:       jsii.Strings(assetExcludes()...),
		Bundling: &awscdk.BundlingOptions{
			Image:   awscdk.DockerImage_FromRegistry(jsii.String("none")),
			Command: jsii.Strings(command...),
			Local:   &goBundler{moduleRoot: moduleRoot, name: name},
		},
	})
}
