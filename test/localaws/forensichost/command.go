package forensichost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// SSM command statuses and details, as GetCommandInvocation reports them.
const (
	StatusInProgress = "InProgress"
	StatusSuccess    = "Success"
	StatusFailed     = "Failed"
	StatusTimedOut   = "TimedOut"
	StatusCancelled  = "Cancelled"

	detailsTimedOut = "Execution Timed Out"
)

// SSM truncates command output in its API responses to these lengths.
const (
	maxStdoutChars = 24000
	maxStderrChars = 8000
)

// defaultCommandTimeout is SSM's default execution timeout.
const defaultCommandTimeout = time.Hour

// Command is one SSM command as the agent on one instance receives it.
type Command struct {
	CommandID    string
	InstanceID   string
	DocumentName string
	Parameters   map[string][]string
	// OutputS3Bucket and OutputS3KeyPrefix are where the command's output
	// goes, when set.
	OutputS3Bucket    string
	OutputS3KeyPrefix string
}

// Param returns the first value of the named document parameter, matched
// case-insensitively, or "".
func (c Command) Param(name string) string {
	for k, v := range c.Parameters {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// RunFunc runs a command on this machine in place of the forensic
// instance, writing what the document's step prints, and returns its exit
// code. An error means the command could not run (the agent reports it as
// failed).
type RunFunc func(ctx context.Context, cmd Command, stdout, stderr io.Writer) (int, error)

// Document is what running one SSM document means here.
type Document struct {
	// Step is the name of the document's step, used in the output keys.
	Step string
	Run  RunFunc
	// Stalled says Run never ends (Host.Stall): a status check answers
	// at once, without the StatusWait that lets a command finish.
	Stalled bool
}

// command is the record of one command on one instance.
type command struct {
	Command
	step   string
	cancel context.CancelFunc
	done   chan struct{}

	mu           sync.Mutex
	status       string
	details      string
	responseCode int
	stdout       bytes.Buffer
	stderr       bytes.Buffer
	started      time.Time
	ended        time.Time
}

// Invocation is a command's state as GetCommandInvocation reports it.
type Invocation struct {
	Command
	Status        string
	StatusDetails string
	ResponseCode  int
	Stdout        string
	Stderr        string
	Started       time.Time
	Ended         time.Time
}

func (c *command) snapshot() Invocation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Invocation{
		Command: c.Command, Status: c.status, StatusDetails: c.details, ResponseCode: c.responseCode,
		Stdout: truncate(c.stdout.String(), maxStdoutChars), Stderr: truncate(c.stderr.String(), maxStderrChars),
		Started: c.started, Ended: c.ended,
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// startCommand runs cmd in the background with doc, as the agent would.
func (h *Host) startCommand(cmd Command, doc Document, timeout time.Duration) *command {
	if timeout <= 0 {
		timeout = defaultCommandTimeout
	}
	ctx, cancel := context.WithTimeout(h.ctx, timeout)
	c := &command{
		Command: cmd, step: doc.Step, cancel: cancel, done: make(chan struct{}),
		status: StatusInProgress, details: StatusInProgress, responseCode: -1, started: time.Now(),
	}
	h.mu.Lock()
	h.commands[cmd.CommandID+"/"+cmd.InstanceID] = c
	h.mu.Unlock()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		defer cancel()
		defer close(c.done)
		h.execute(ctx, c, doc)
	}()
	return c
}

// lockedWriter lets the runner write while GetCommandInvocation reads.
type lockedWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (h *Host) execute(ctx context.Context, c *command, doc Document) {
	log := h.opts.Logger.With("commandId", c.CommandID, "instanceId", c.InstanceID, "document", c.DocumentName)
	log.Info("command started")
	code, err := doc.Run(ctx, c.Command, lockedWriter{&c.mu, &c.stdout}, lockedWriter{&c.mu, &c.stderr})

	c.mu.Lock()
	c.ended = time.Now()
	c.responseCode = code
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		c.status, c.details, c.responseCode = StatusTimedOut, detailsTimedOut, -1
	case errors.Is(ctx.Err(), context.Canceled):
		c.status, c.details, c.responseCode = StatusCancelled, StatusCancelled, -1
	case err != nil:
		fmt.Fprintf(&c.stderr, "\n%v\n", err)
		c.status, c.details = StatusFailed, StatusFailed
		if c.responseCode == 0 {
			c.responseCode = 1
		}
	case code != 0:
		c.status, c.details = StatusFailed, StatusFailed
	default:
		c.status, c.details = StatusSuccess, StatusSuccess
	}
	stdout, stderr := c.stdout.String(), c.stderr.String()
	status := c.status
	c.mu.Unlock()
	log.Info("command ended", "status", status, "responseCode", code, "error", err)

	if c.OutputS3Bucket != "" {
		if err := h.writeOutput(c, stdout, stderr); err != nil {
			log.Error("command output not stored", "error", err)
		}
	}
}

// writeOutput stores the step's output where SSM would:
// <prefix>/<commandId>/<instanceId>/awsrunShellScript/<step>/stdout|stderr.
func (h *Host) writeOutput(c *command, stdout, stderr string) error {
	prefix := strings.TrimSuffix(c.OutputS3KeyPrefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	base := prefix + c.CommandID + "/" + c.InstanceID + "/awsrunShellScript/" + c.step + "/"
	for name, content := range map[string]string{"stdout": stdout, "stderr": stderr} {
		if content == "" {
			continue
		}
		_, err := h.opts.S3.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(c.OutputS3Bucket), Key: aws.String(base + name),
			Body: strings.NewReader(content), ChecksumAlgorithm: "SHA256",
		})
		if err != nil {
			return fmt.Errorf("store the %s of command %s in s3://%s/%s: %w", name, c.CommandID, c.OutputS3Bucket, base+name, err)
		}
	}
	return nil
}

// Commands returns every command the host ran or is running.
func (h *Host) Commands() []Invocation {
	h.mu.Lock()
	cmds := make([]*command, 0, len(h.commands))
	for _, c := range h.commands {
		cmds = append(cmds, c)
	}
	h.mu.Unlock()
	out := make([]Invocation, 0, len(cmds))
	for _, c := range cmds {
		out = append(out, c.snapshot())
	}
	return out
}

// Wait waits until no command is running, or ctx ends.
func (h *Host) Wait(ctx context.Context) error {
	h.mu.Lock()
	cmds := make([]*command, 0, len(h.commands))
	for _, c := range h.commands {
		cmds = append(cmds, c)
	}
	h.mu.Unlock()
	for _, c := range cmds {
		select {
		case <-c.done:
		case <-ctx.Done():
			return fmt.Errorf("wait for command %s: %w", c.CommandID, ctx.Err())
		}
	}
	return nil
}
