package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// benchEvidenceID is the evidence ID the disk script is given for the
// image.
const benchEvidenceID = "vol-0be7c4000000000b1"

// options size the disk bench.
type options struct {
	root, work string
	imageGiB   float64
	dataGiB    float64
	files      int
	rounds     int
}

// diskReport is the disk pass's part of the report. Durations are medians
// over the rounds, in seconds.
type diskReport struct {
	ImageBytes int64 `json:"imageBytes"`
	DataBytes  int64 `json:"dataBytes"`
	Files      int   `json:"files"`
	Rounds     int   `json:"rounds"`
	// SequentialRead is (a), NaivePass (b), CasefilePass (c).
	SequentialRead seconds `json:"sequentialReadSeconds"`
	// DirectRead is (a) with O_DIRECT: the same read without the page
	// cache, which the disk pass's device stream also bypasses. It is
	// reported beside (a), not a target.
	DirectRead seconds `json:"directReadSeconds"`
	NaivePass  seconds `json:"naivePassSeconds"`
	// NaiveSteps are (b)'s steps: hash, timeline, inventory.
	NaiveSteps   map[string]seconds `json:"naiveStepSeconds"`
	CasefilePass seconds            `json:"casefilePassSeconds"`
	// PassOverRead is (c)/(a); NaiveOverPass is (b)/(c); PassOverDirectRead
	// is (c) over DirectRead.
	PassOverRead       float64 `json:"passOverRead"`
	NaiveOverPass      float64 `json:"naiveOverPass"`
	PassOverDirectRead float64 `json:"passOverDirectRead"`
	// ReadMiBps is the image size over (a).
	ReadMiBps float64 `json:"sequentialReadMiBps"`
	// Samples are every round's durations, by pass.
	Samples map[string][]seconds `json:"samples"`
}

// seconds is a duration written as seconds with millisecond precision.
type seconds float64

func toSeconds(d time.Duration) seconds { return seconds(float64(d.Milliseconds()) / 1000) }

// benchDisk builds the evidence image and measures the three passes on it.
func benchDisk(ctx context.Context, o options, stdout io.Writer, logger *slog.Logger) (diskReport, error) {
	image := filepath.Join(o.work, "evidence.img")
	logger.Info("building the evidence image", "path", image, "sizeGiB", o.imageGiB, "files", o.files, "dataGiB", o.dataGiB)
	dataBytes, err := buildImage(ctx, o, image)
	if err != nil {
		return diskReport{}, err
	}
	fi, err := os.Stat(image)
	if err != nil {
		return diskReport{}, fmt.Errorf("stat the image: %w", err)
	}
	r := diskReport{ImageBytes: fi.Size(), DataBytes: dataBytes, Files: o.files, Rounds: o.rounds,
		NaiveSteps: map[string]seconds{}, Samples: map[string][]seconds{}}
	fmt.Fprintf(stdout, "evidence image: %.1f GiB ext4, %d files, %.2f GiB of content\n",
		float64(r.ImageBytes)/(1<<30), o.files, float64(dataBytes)/(1<<30))

	scripts := filepath.Join(o.root, "ssm-documents", "scripts")
	var reads, directs, naives, passes []time.Duration
	steps := map[string][]time.Duration{}
	for round := 1; round <= o.rounds; round++ {
		logger.Info("round", "n", round, "of", o.rounds)
		d, err := sequentialRead(ctx, image)
		if err != nil {
			return r, err
		}
		reads = append(reads, d)
		if d, err = sequentialRead(ctx, image, "iflag=direct"); err != nil {
			return r, err
		}
		directs = append(directs, d)
		naive, err := naivePass(ctx, scripts, image, filepath.Join(o.work, fmt.Sprintf("naive-%d", round)))
		if err != nil {
			return r, err
		}
		total := time.Duration(0)
		for _, s := range naive {
			steps[s.name] = append(steps[s.name], s.took)
			total += s.took
		}
		naives = append(naives, total)
		d, err = casefilePass(ctx, scripts, image, filepath.Join(o.work, fmt.Sprintf("pass-%d", round)))
		if err != nil {
			return r, err
		}
		passes = append(passes, d)
		logger.Info("measured", "round", round, "read", reads[len(reads)-1], "directRead", directs[len(directs)-1],
			"naive", total, "casefile", d)
	}
	r.SequentialRead, r.NaivePass, r.CasefilePass = toSeconds(median(reads)), toSeconds(median(naives)), toSeconds(median(passes))
	r.DirectRead = toSeconds(median(directs))
	for name, ds := range steps {
		r.NaiveSteps[name] = toSeconds(median(ds))
	}
	for name, ds := range map[string][]time.Duration{"sequentialRead": reads, "directRead": directs, "naivePass": naives, "casefilePass": passes} {
		for _, d := range ds {
			r.Samples[name] = append(r.Samples[name], toSeconds(d))
		}
	}
	r.PassOverRead = ratio(median(passes), median(reads))
	r.NaiveOverPass = ratio(median(naives), median(passes))
	r.PassOverDirectRead = ratio(median(passes), median(directs))
	r.ReadMiBps = float64(r.ImageBytes) / (1 << 20) / median(reads).Seconds()

	fmt.Fprintf(stdout, "(a) one sequential read:   %6.2f s  (%.0f MiB/s)\n", r.SequentialRead, r.ReadMiBps)
	fmt.Fprintf(stdout, "    the same, O_DIRECT:    %6.2f s  (not a target: (c) over it is %.2f)\n", r.DirectRead, r.PassOverDirectRead)
	fmt.Fprintf(stdout, "(b) naive pass:            %6.2f s  (hash %.2f s, timeline %.2f s, inventory %.2f s)\n",
		r.NaivePass, r.NaiveSteps["hash"], r.NaiveSteps["timeline"], r.NaiveSteps["inventory"])
	fmt.Fprintf(stdout, "(c) Casefile's disk pass:  %6.2f s\n", r.CasefilePass)
	fmt.Fprintf(stdout, "(c)/(a) = %.2f (target at most %.1f)   (b)/(c) = %.2f (target more than %.1f)   medians of %d rounds\n",
		r.PassOverRead, maxPassOverRead, r.NaiveOverPass, minNaiveOverPass, o.rounds)
	return r, nil
}

// buildImage makes an ext4 file system in image and fills it through a
// read-write mount with populate.py. It returns the bytes of content.
func buildImage(ctx context.Context, o options, image string) (int64, error) {
	size := int64(o.imageGiB * (1 << 30))
	data := int64(o.dataGiB * (1 << 30))
	if data <= 0 || data > size*3/4 {
		return 0, fmt.Errorf("-data-gib %.2f must be more than 0 and at most three quarters of -image-gib %.2f", o.dataGiB, o.imageGiB)
	}
	if o.files < 1000 {
		return 0, fmt.Errorf("-files %d: the bench needs at least 1000 files", o.files)
	}
	if err := runCmd(ctx, "truncate", "-s", fmt.Sprint(size), image); err != nil {
		return 0, err
	}
	if err := runCmd(ctx, "mke2fs", "-q", "-F", "-t", "ext4", "-L", "bench-evidence", image); err != nil {
		return 0, err
	}
	mnt := filepath.Join(o.work, "populate")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		return 0, fmt.Errorf("create %s: %w", mnt, err)
	}
	if err := runCmd(ctx, "mount", "-o", "loop", image, mnt); err != nil {
		return 0, err
	}
	populate := exec.CommandContext(ctx, "python3", filepath.Join(o.root, "test", "bench", "populate.py"), mnt,
		"--files", fmt.Sprint(o.files), "--bytes", fmt.Sprint(data))
	out, popErr := populate.CombinedOutput()
	if err := runCmd(ctx, "umount", mnt); err != nil {
		return 0, err
	}
	if popErr != nil {
		return 0, fmt.Errorf("populate the image: %w\n%s", popErr, out)
	}
	return data, nil
}

// dropCaches writes back and drops the page cache, so that the next pass
// reads the image from the disk.
func dropCaches() error {
	if err := exec.Command("sync").Run(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o200); err != nil {
		return fmt.Errorf("drop the page cache (the bench must run as root on a machine that allows it): %w", err)
	}
	return nil
}

// sequentialRead is (a): the image read once, start to end, in large
// reads with dd, with nothing done with the bytes; flags are dd's extra
// operands (iflag=direct for the read that bypasses the page cache).
func sequentialRead(ctx context.Context, image string, flags ...string) (time.Duration, error) {
	if err := dropCaches(); err != nil {
		return 0, err
	}
	return timed(func() error {
		return runCmd(ctx, "dd", append([]string{"if=" + image, "of=/dev/null", "bs=16M", "status=none"}, flags...)...)
	})
}

// naiveDeviceHash is the naive pass's device hash: the file read start to
// end in 8 MiB reads through the page cache, hashed as the disk script's
// stream hashes (Python's hashlib, OpenSSL's SHA-256).
const naiveDeviceHash = `
import hashlib, os, sys
h, buf = hashlib.sha256(), bytearray(8 << 20)
view, fd = memoryview(buf), os.open(sys.argv[1], os.O_RDONLY)
while n := os.readv(fd, [buf]):
    h.update(view[:n])
print(h.hexdigest())
`

// step is one step of the naive pass and how long it took.
type step struct {
	name string
	took time.Duration
}

// naivePass is (b): the device hashed, then the Sleuth Kit timeline, then
// the inventory of the read-only mount with every file hashed by one
// thread, each step on its own with the page cache dropped before it, as
// the steps meet the evidence when it is larger than the memory. It uses
// the same tools as the disk script (OpenSSL's SHA-256 through Python's
// hashlib, fls and mactime, the same walk), so that the difference is in
// how they share the reads and the cores.
func naivePass(ctx context.Context, scripts, image, dir string) ([]step, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	loop, err := output(ctx, "losetup", "--find", "--show", "--read-only", image)
	if err != nil {
		return nil, err
	}
	defer func() { _ = runCmd(context.Background(), "losetup", "-d", loop) }()
	mnt := filepath.Join(dir, "mnt")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", mnt, err)
	}
	commands := []struct {
		name string
		run  func() error
	}{
		{"hash", func() error {
			return runShell(ctx, `python3 -c "$1" "$2" >"$3/device.sha256"`, naiveDeviceHash, image, dir)
		}},
		{"timeline", func() error {
			return runShell(ctx, `fls -r -m / "$1" >"$2/bodyfile.txt" && mactime -b "$2/bodyfile.txt" -d -y -z UTC >"$2/timeline.csv"`, loop, dir)
		}},
		{"inventory", func() error {
			if err := runCmd(ctx, "mount", "-t", "ext4", "-o", "ro,noload,noexec,nodev,nosuid", loop, mnt); err != nil {
				return err
			}
			defer func() { _ = runCmd(context.Background(), "umount", mnt) }()
			return runShell(ctx, `python3 "$1/disk_triage.py" walk "$2" --workers 1 >"$3/inventory.jsonl"`, scripts, mnt, dir)
		}},
	}
	var steps []step
	for _, c := range commands {
		if err := dropCaches(); err != nil {
			return nil, err
		}
		d, err := timed(c.run)
		if err != nil {
			return nil, fmt.Errorf("naive pass, %s: %w", c.name, err)
		}
		steps = append(steps, step{name: c.name, took: d})
	}
	return steps, nil
}

// casefilePass is (c): the disk script in local mode on the image, as an
// analyst or the end-to-end tests run it; it must succeed.
func casefilePass(ctx context.Context, scripts, image, outDir string) (time.Duration, error) {
	if err := dropCaches(); err != nil {
		return 0, err
	}
	return timed(func() error {
		cmd := exec.CommandContext(ctx, "bash", filepath.Join(scripts, "disk-forensics.sh"), "--local",
			"--device", image, "--evidence-id", benchEvidenceID, "--output-dir", outDir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("disk-forensics.sh: %w\n%s", err, tail(out, 2000))
		}
		return nil
	})
}

func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

func runCmd(ctx context.Context, name string, args ...string) error {
	_, err := output(ctx, name, args...)
	return err
}

// runShell runs a bash script with positional arguments (never formatted
// into the script text).
func runShell(ctx context.Context, script string, args ...string) error {
	return runCmd(ctx, "bash", append([]string{"-euo", "pipefail", "-c", script, "bench"}, args...)...)
}

func output(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, tail([]byte(stderr.String()), 1000))
	}
	return strings.TrimSpace(string(out)), nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
