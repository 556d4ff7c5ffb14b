package forensichost

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

//go:embed vol-standin.sh
var volStandIn []byte

// The scripts in ssm-documents/scripts that the documents run.
const (
	ProbeScript  = "probe.sh"
	DiskScript   = "disk-forensics.sh"
	MemoryScript = "memory-forensics.sh"
)

// Scripts runs Casefile's forensic scripts in their --local mode on this
// machine, in place of the forensic instance, and puts their results in S3
// where the instance would have.
type Scripts struct {
	// Dir is ssm-documents/scripts.
	Dir string
	// WorkDir receives each run's files.
	WorkDir string
	EC2     EC2API
	S3      S3API
	// Images maps a snapshot ID to the image file of the disk it was taken
	// of: what a volume created from the snapshot holds.
	Images map[string]string
	// Volatility is the vol executable to offer the memory script when
	// the machine has none on its PATH; empty means the built-in
	// stand-in.
	Volatility string
}

// RequiredTools returns the commands the scripts need on this machine:
// those the readiness probe checks (but vol, which has a stand-in) and
// those the local runs use.
func RequiredTools() []string {
	return []string{
		"bash", "sha256sum", "openssl", "blockdev", "lsblk", "blkid", "findmnt", "losetup", "sfdisk", "mount", "umount", "find",
		"fls", "mactime", "icat", "debugfs", "xfs_db", "ntfs-3g", "lvm", "hivexget", "jq", "xz", "aws", "python3", "base64",
	}
}

// Check reports what the scripts need and this machine lacks: root (for
// loop devices and read-only mounts), the tools and the scripts.
func (s Scripts) Check() error {
	var problems []string
	if os.Geteuid() != 0 {
		problems = append(problems, "the forensic scripts must run as root (loop devices, read-only mounts)")
	}
	for _, t := range RequiredTools() {
		if _, err := exec.LookPath(t); err != nil {
			problems = append(problems, "missing tool "+t)
		}
	}
	for _, sc := range []string{ProbeScript, DiskScript, MemoryScript} {
		if _, err := os.Stat(filepath.Join(s.Dir, sc)); err != nil {
			problems = append(problems, "missing script "+filepath.Join(s.Dir, sc))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the local forensic host cannot run the SSM scripts: %s (make debian-deps installs the tools)", strings.Join(problems, "; "))
	}
	return nil
}

// binDir returns a folder holding the vol stand-in (or the configured
// Volatility), appended to the scripts' PATH. Commands run at the same
// time, each calling binDir while others may be running vol, so vol is
// replaced by a rename, never rewritten in place: a running vol keeps its
// file, and none sees it half written (or gets "text file busy").
func (s Scripts) binDir() (string, error) {
	dir := filepath.Join(s.WorkDir, "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	vol := filepath.Join(dir, "vol")
	if s.installed(vol) {
		// Writing it again would race with the commands running it: a
		// file this process has open for writing, even a temporary one a
		// fork inherits for a moment, cannot be executed (text file busy).
		return dir, nil
	}
	tmp, err := os.CreateTemp(dir, ".vol-*")
	if err != nil {
		return "", fmt.Errorf("stage vol in %s: %w", dir, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // gone after the rename; left only on failure
	if s.Volatility != "" {
		tmp.Close()
		if err := os.Remove(name); err != nil {
			return "", fmt.Errorf("stage the link to %s: %w", s.Volatility, err)
		}
		if err := os.Symlink(s.Volatility, name); err != nil {
			return "", fmt.Errorf("link %s: %w", s.Volatility, err)
		}
	} else {
		_, werr := tmp.Write(volStandIn)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr, os.Chmod(name, 0o755)); err != nil {
			return "", fmt.Errorf("write the vol stand-in: %w", err)
		}
	}
	if err := os.Rename(name, vol); err != nil {
		return "", fmt.Errorf("install %s: %w", vol, err)
	}
	return dir, nil
}

// installed reports whether vol is already the Volatility that binDir
// installs: the link to s.Volatility, or the executable stand-in.
func (s Scripts) installed(vol string) bool {
	if s.Volatility != "" {
		target, err := os.Readlink(vol)
		return err == nil && target == s.Volatility
	}
	info, err := os.Lstat(vol)
	if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
		return false
	}
	got, err := os.ReadFile(vol)
	return err == nil && bytes.Equal(got, volStandIn)
}

// run runs one script with bash, its output to the step's stdout and
// stderr, and returns its exit code.
func (s Scripts) run(ctx context.Context, stdout, stderr io.Writer, script string, args ...string) (int, error) {
	bin, err := s.binDir()
	if err != nil {
		return -1, err
	}
	cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(s.Dir, script)}, args...)...)
	cmd.Env = append(os.Environ(), "PATH="+os.Getenv("PATH")+string(os.PathListSeparator)+bin)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return -1, fmt.Errorf("run %s: %w", script, err)
	}
	return 0, nil
}

// runDir makes a fresh folder for one command's files.
func (s Scripts) runDir(cmd Command) (string, error) {
	dir, err := os.MkdirTemp(s.WorkDir, "command-"+cmd.CommandID[:8]+"-")
	if err != nil {
		return "", fmt.Errorf("create a folder for command %s: %w", cmd.CommandID, err)
	}
	return dir, nil
}

// Probe runs probe.sh, the readiness probe.
func (s Scripts) Probe() RunFunc {
	return func(ctx context.Context, _ Command, stdout, stderr io.Writer) (int, error) {
		return s.run(ctx, stdout, stderr, ProbeScript)
	}
}

// Disk runs disk-forensics.sh --local once on the images behind all the
// evidence volumes attached to the instance, as the SSM mode runs once on
// all their devices, checks that no evidence was changed, and uploads the
// output folder under the command's results prefix: one results.json and
// manifest.json at its top, each volume's files in its own folder.
func (s Scripts) Disk() RunFunc {
	return func(ctx context.Context, cmd Command, stdout, stderr io.Writer) (int, error) {
		dir, err := s.runDir(cmd)
		if err != nil {
			return -1, err
		}
		volumes := strings.Split(cmd.Param("volumeIds"), ",")
		images := make([]string, len(volumes))
		before := make([]string, len(volumes))
		args := []string{"--local"}
		for i, vol := range volumes {
			if images[i], err = s.attachedImage(ctx, cmd.InstanceID, vol); err != nil {
				fmt.Fprintf(stderr, "%v\n", err)
				return 1, nil
			}
			if before[i], err = fileSHA256(images[i]); err != nil {
				return -1, err
			}
			args = append(args, "--device", images[i], "--evidence-id", vol)
		}
		out := filepath.Join(dir, "output")
		args = append(append(args, "--output-dir", out), passed(cmd, diskFlags)...)
		code, err := s.run(ctx, stdout, stderr, DiskScript, args...)
		if err != nil {
			return -1, err
		}
		for i, vol := range volumes {
			after, err := fileSHA256(images[i])
			if err != nil {
				return -1, err
			}
			if after != before[i] {
				fmt.Fprintf(stderr, "the evidence image of %s changed during the analysis: SHA-256 %s before, %s after\n", vol, before[i], after)
				code = 1
			}
		}
		upload := uploadTarget{bucket: cmd.Param("resultsBucket"), prefix: cmd.Param("resultsPrefix"), kmsKey: cmd.Param("kmsKeyArn")}
		if err := s.uploadDir(ctx, out, upload); err != nil {
			fmt.Fprintf(stderr, "upload the disk results: %v\n", err)
			code = 1
		}
		return code, nil
	}
}

// attachedImage returns the image behind volume vol, which must be
// attached to the instance (else the script would not find its device).
func (s Scripts) attachedImage(ctx context.Context, instanceID, vol string) (string, error) {
	v, err := s.attachedVolume(ctx, instanceID, vol, "evidence")
	if err != nil {
		return "", err
	}
	image, ok := s.Images[aws.ToString(v.SnapshotId)]
	if !ok {
		return "", fmt.Errorf("volume %s was created from snapshot %q, which has no local image", vol, aws.ToString(v.SnapshotId))
	}
	return image, nil
}

// attachedVolume returns volume vol (of the given kind, for messages),
// which must be attached to the instance.
func (s Scripts) attachedVolume(ctx context.Context, instanceID, vol, kind string) (ec2types.Volume, error) {
	out, err := s.EC2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{vol}})
	if err != nil {
		return ec2types.Volume{}, fmt.Errorf("describe %s volume %s: %w", kind, vol, err)
	}
	if len(out.Volumes) != 1 {
		return ec2types.Volume{}, fmt.Errorf("%s volume %s not found", kind, vol)
	}
	v := out.Volumes[0]
	for _, a := range v.Attachments {
		if aws.ToString(a.InstanceId) == instanceID && a.State == ec2types.VolumeAttachmentStateAttached {
			return v, nil
		}
	}
	return ec2types.Volume{}, fmt.Errorf("no device with serial %s: volume %s is not attached to %s", strings.ReplaceAll(vol, "-", ""), vol, instanceID)
}

// diskFlags and memoryFlags map each document parameter to the script
// option that takes it: every parameter the script's SSM mode checks and
// its local mode accepts, so that the script's own checks run on what the
// command carries.
var (
	diskFlags = []paramFlag{
		{"forensicId", "--forensic-id"}, {"resultsBucket", "--results-bucket"},
		{"resultsPrefix", "--results-prefix"}, {"kmsKeyArn", "--kms-key-arn"},
	}
	memoryFlags = []paramFlag{
		{"forensicId", "--forensic-id"}, {"dumpS3Uri", "--dump-s3-uri"}, {"dumpSha256", "--dump-sha256"},
		{"dumpSizeBytes", "--dump-size-bytes"}, {"dumpFormat", "--dump-format"}, {"operatingSystem", "--os"},
		{"kernelRelease", "--kernel-release"},
		{"symbolsS3Uri", "--symbols-s3-uri"}, {"resultsBucket", "--results-bucket"},
		{"resultsPrefix", "--results-prefix"}, {"kmsKeyArn", "--kms-key-arn"},
	}
)

type paramFlag struct{ param, flag string }

// scratchVolumeParam is the memory document's scratch volume, which the
// local run checks is attached instead of passing it to the script.
const scratchVolumeParam = "scratchVolumeId"

// passed returns the options for the parameters cmd carries.
func passed(cmd Command, flags []paramFlag) []string {
	var args []string
	for _, p := range flags {
		if v := cmd.Param(p.param); v != "" {
			args = append(args, p.flag, v)
		}
	}
	return args
}

// Memory downloads the dump and the symbol table from S3 as the document
// would, runs memory-forensics.sh --local on them with every parameter of
// the command, and uploads the results. The command's scratch volume must
// be attached to the instance, as the SSM mode would find no device
// otherwise; the local run copies the dump into a scratch folder instead
// (--scratch-dir).
func (s Scripts) Memory() RunFunc {
	return func(ctx context.Context, cmd Command, stdout, stderr io.Writer) (int, error) {
		if _, err := s.attachedVolume(ctx, cmd.InstanceID, cmd.Param(scratchVolumeParam), "scratch"); err != nil {
			fmt.Fprintf(stderr, "SCRATCH_UNAVAILABLE: %v\n", err)
			return 1, nil
		}
		dir, err := s.runDir(cmd)
		if err != nil {
			return -1, err
		}
		dump := filepath.Join(dir, "dump.bin")
		out := filepath.Join(dir, "out")
		symbols := filepath.Join(dir, "symbols")
		args := append([]string{"--local", "--dump", dump, "--symbols-dir", symbols, "--output-dir", out, "--scratch-dir", dir},
			passed(cmd, memoryFlags)...)
		if err := s.download(ctx, cmd.Param("dumpS3Uri"), dump); err != nil {
			// The script checks its arguments before it copies the dump:
			// a value it refuses is its usage error, not a failed copy.
			if code, usage, err := s.usageError(ctx, args); err != nil || code != 0 {
				_, _ = io.WriteString(stderr, usage)
				return code, err
			}
			fmt.Fprintf(stderr, "DUMP_COPY_FAILED: %v\n", err)
			return 1, nil
		}
		if err := os.MkdirAll(symbols, 0o755); err != nil {
			return -1, fmt.Errorf("create %s: %w", symbols, err)
		}
		// The script reports SYMBOLS_MISSING when a table is not there.
		if err := s.downloadSymbols(ctx, cmd, symbols); err != nil {
			fmt.Fprintf(stderr, "symbol tables: %v\n", err)
		}
		code, err := s.run(ctx, stdout, stderr, MemoryScript, args...)
		if err != nil {
			return -1, err
		}
		upload := uploadTarget{bucket: cmd.Param("resultsBucket"), prefix: cmd.Param("resultsPrefix"), kmsKey: cmd.Param("kmsKeyArn")}
		if err := s.uploadDir(ctx, out, upload); err != nil {
			fmt.Fprintf(stderr, "UPLOAD_FAILED: %v\n", err)
			code = max(code, 1)
		}
		return code, nil
	}
}

// usageError runs the memory script with args, whose --dump does not
// exist, and returns its exit code and usage error when it refuses an
// argument before it would look at the dump; 0 means it refuses none.
func (s Scripts) usageError(ctx context.Context, args []string) (int, string, error) {
	var stderr strings.Builder
	code, err := s.run(ctx, io.Discard, &stderr, MemoryScript, args...)
	if err != nil || code != 2 || strings.Contains(stderr.String(), "usage error: --dump must be a file") {
		return 0, "", err
	}
	return code, stderr.String(), nil
}

// downloadSymbols copies the symbol tables the command's dump may need
// from its symbolsS3Uri into dir: a Linux dump's <kernelRelease>.json.xz;
// for a Windows dump, whose kernel the script finds in the dump, every
// table under windows/.
func (s Scripts) downloadSymbols(ctx context.Context, cmd Command, dir string) error {
	uri := strings.TrimSuffix(cmd.Param("symbolsS3Uri"), "/")
	if uri == "" {
		return nil
	}
	if cmd.Param("operatingSystem") != "windows" {
		release := cmd.Param("kernelRelease")
		if release == "" {
			return nil
		}
		return s.download(ctx, uri+"/"+release+".json.xz", filepath.Join(dir, release+".json.xz"))
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(uri, "s3://"), "/")
	if prefix != "" {
		prefix += "/"
	}
	pages := s3.NewListObjectsV2Paginator(s.S3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix + "windows/")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s/windows/: %w", uri, err)
		}
		for _, obj := range page.Contents {
			rel := strings.TrimPrefix(aws.ToString(obj.Key), prefix)
			if !filepath.IsLocal(rel) {
				return fmt.Errorf("symbol table key %q is outside %s", aws.ToString(obj.Key), uri)
			}
			path := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
			}
			if err := s.download(ctx, "s3://"+bucket+"/"+aws.ToString(obj.Key), path); err != nil {
				return err
			}
		}
	}
	return nil
}

// download copies s3://bucket/key to path.
func (s Scripts) download(ctx context.Context, uri, path string) error {
	bucket, key, ok := strings.Cut(strings.TrimPrefix(uri, "s3://"), "/")
	if !strings.HasPrefix(uri, "s3://") || !ok {
		return fmt.Errorf("%q is not an s3:// URI", uri)
	}
	obj, err := s.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("get %s: %w", uri, err)
	}
	defer obj.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := io.Copy(f, obj.Body); err != nil {
		f.Close()
		return fmt.Errorf("download %s: %w", uri, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

type uploadTarget struct {
	bucket, prefix, kmsKey string
}

// uploadDir puts every file under dir at s3://bucket/prefix/<path> with
// a SHA-256 checksum and SSE-KMS, manifest.json last so that its presence
// means the upload is whole (as the script's SSM mode does).
func (s Scripts) uploadDir(ctx context.Context, dir string, t uploadTarget) error {
	if t.bucket == "" {
		return errors.New("the command names no results bucket")
	}
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("the script wrote no results: %w", err)
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	manifest := filepath.Join(dir, "manifest.json")
	ordered := make([]string, 0, len(files))
	for _, f := range files {
		if f != manifest {
			ordered = append(ordered, f)
		}
	}
	if len(ordered) < len(files) {
		ordered = append(ordered, manifest)
	}
	prefix := strings.TrimSuffix(t.prefix, "/") + "/"
	for _, path := range ordered {
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return fmt.Errorf("name %s: %w", path, err)
		}
		if err := s.putFile(ctx, path, t, prefix+filepath.ToSlash(rel)); err != nil {
			return err
		}
	}
	return nil
}

func (s Scripts) putFile(ctx context.Context, path string, t uploadTarget, key string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	in := &s3.PutObjectInput{
		Bucket: aws.String(t.bucket), Key: aws.String(key), Body: f,
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
	}
	if t.kmsKey != "" {
		in.ServerSideEncryption = s3types.ServerSideEncryptionAwsKms
		in.SSEKMSKeyId = aws.String(t.kmsKey)
	}
	if _, err := s.S3.PutObject(ctx, in); err != nil {
		return fmt.Errorf("upload s3://%s/%s: %w", t.bucket, key, err)
	}
	return nil
}
