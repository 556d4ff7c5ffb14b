// Command bench measures Casefile's evidence processing and orchestration
// on this machine, side by side in one run:
//
//   - the disk pass: on one generated multi-GiB ext4 evidence image, (a) one
//     sequential read of the image (the physical limit), (b) the naive pass
//     (a full hash, then the Sleuth Kit timeline, then the hashed inventory,
//     each reading the evidence on its own) and (c) Casefile's disk script,
//     each with the page cache dropped first, repeated and reported as
//     medians and the ratios (c)/(a) and (b)/(c);
//   - the Lambda functions: the size of each deployed (arm64) binary from
//     the synthesized cloud assembly, and each handler's start-up time to
//     its first request for an invocation under the local Lambda Runtime API
//     stand-in, from one DISK investigation run through the synthesized
//     state machine against moto;
//   - the state transitions of that investigation, and what they become for
//     other analysis times and wait settings.
//
// It writes out/bench.json and exits non-zero when the disk pass misses its
// targets: (c) at most 1.5 times (a), and faster than (b). It needs root
// (loop devices, mounts, dropping the page cache).
//
// Usage: go run ./test/bench [-out DIR] [-image-gib N] [-files N] [-data-gib N] [-rounds N] [-skip-orchestration]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/casefile-forensics/casefile/test/localaws/repo"
)

// Targets of the disk pass.
const (
	// maxPassOverRead is the most the disk pass may take, as a multiple of
	// one sequential read of the image.
	maxPassOverRead = 1.5
	// minNaiveOverPass is the least the naive pass must take, as a multiple
	// of the disk pass.
	minNaiveOverPass = 1.0
)

// report is what out/bench.json holds.
type report struct {
	GeneratedAt   string               `json:"generatedAt"`
	Machine       machine              `json:"machine"`
	Disk          diskReport           `json:"disk"`
	Orchestration *orchestrationReport `json:"orchestration,omitempty"`
	TargetsMet    bool                 `json:"targetsMet"`
}

type machine struct {
	CPUs      int    `json:"cpus"`
	MemoryGiB int    `json:"memoryGiB"`
	Kernel    string `json:"kernel"`
	GoVersion string `json:"goVersion"`
}

func main() {
	opts := options{}
	outDir := flag.String("out", "out", "folder for bench.json and the work files (under bench/)")
	flag.Float64Var(&opts.imageGiB, "image-gib", 4, "size of the evidence image, GiB")
	flag.Float64Var(&opts.dataGiB, "data-gib", 2.5, "bytes of file content in the image, GiB")
	flag.IntVar(&opts.files, "files", 40000, "regular files in the image")
	flag.IntVar(&opts.rounds, "rounds", 5, "measurements of each pass; the median is reported")
	skipOrch := flag.Bool("skip-orchestration", false, "measure the disk pass only")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(context.Background(), *outDir, opts, *skipOrch, os.Stdout, logger); err != nil {
		logger.Error("bench failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, outDir string, opts options, skipOrch bool, stdout io.Writer, logger *slog.Logger) error {
	if os.Geteuid() != 0 {
		return errors.New("the bench must run as root: it attaches loop devices, mounts the image and drops the page cache")
	}
	root, err := repo.Root()
	if err != nil {
		return err
	}
	if !filepath.IsAbs(outDir) {
		outDir = filepath.Join(root, outDir)
	}
	work := filepath.Join(outDir, "bench")
	if err := os.RemoveAll(work); err != nil {
		return fmt.Errorf("clear %s: %w", work, err)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", work, err)
	}
	opts.root, opts.work = root, work

	r := report{GeneratedAt: time.Now().UTC().Format(time.RFC3339), Machine: describeMachine()}
	fmt.Fprintf(stdout, "machine: %d CPUs, %d GiB, Linux %s, %s\n", r.Machine.CPUs, r.Machine.MemoryGiB, r.Machine.Kernel, r.Machine.GoVersion)
	if r.Disk, err = benchDisk(ctx, opts, stdout, logger); err != nil {
		return err
	}
	if !skipOrch {
		o, err := benchOrchestration(ctx, root, filepath.Join(work, "orchestration"), stdout, logger)
		if err != nil {
			return err
		}
		r.Orchestration = &o
	}
	r.TargetsMet = r.Disk.PassOverRead <= maxPassOverRead && r.Disk.NaiveOverPass > minNaiveOverPass

	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the report: %w", err)
	}
	path := filepath.Join(outDir, "bench.json")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(stdout, "report: %s\n", path)
	if !r.TargetsMet {
		return fmt.Errorf("the disk pass missed its targets: (c)/(a) = %.2f (at most %.1f), (b)/(c) = %.2f (more than %.1f)",
			r.Disk.PassOverRead, maxPassOverRead, r.Disk.NaiveOverPass, minNaiveOverPass)
	}
	return nil
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.MemoryGiB = memoryGiB()
	return m
}

// memoryGiB returns the machine's memory in GiB, 0 when unknown.
func memoryGiB() int {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	var kib int64
	for _, line := range strings.Split(string(b), "\n") {
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kib); err == nil {
			return int((kib + 1<<19) >> 20)
		}
	}
	return 0
}
