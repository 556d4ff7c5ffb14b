// Package moto starts and stops a local moto server, the AWS API emulator the
// end-to-end tests and the demo run against.
package moto

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"time"
)

// Command is the moto server executable, found on PATH.
const Command = "moto_server"

// startTimeout bounds how long Start waits for the server to answer.
const startTimeout = 60 * time.Second

// Server is a running moto server on the loopback interface.
type Server struct {
	// URL is the server's endpoint, such as http://127.0.0.1:45123.
	URL string
	// LogPath is the file that holds the server's output.
	LogPath string

	cmd    *exec.Cmd
	exited chan struct{}
	client *http.Client
}

// Available reports whether moto_server can be started, with a message that
// says what is missing when it cannot.
func Available() error {
	if _, err := exec.LookPath(Command); err != nil {
		return fmt.Errorf("%s is not on PATH (pip install 'moto[server]'): %w", Command, err)
	}
	return nil
}

// Start runs moto_server on a loopback port it picks itself (-p 0), in
// its own process group, with its output in logDir, and waits until it
// answers. Stop ends it. The port is read from the server's own start-up
// line, so no other process's server can be taken for this one (as a port
// found free and handed over could be, when two start at once).
func Start(ctx context.Context, logDir string) (*Server, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	logPath := filepath.Join(logDir, "moto.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create moto log %s: %w", logPath, err)
	}
	defer logFile.Close()

	cmd := exec.Command(Command, "-H", "127.0.0.1", "-p", "0")
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", Command, err)
	}
	s := &Server{
		LogPath: logPath,
		cmd:     cmd,
		exited:  make(chan struct{}),
		client:  &http.Client{Timeout: 10 * time.Second},
	}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// listening matches the line in which the server says where it listens.
var listening = regexp.MustCompile(`Running on (http://127\.0\.0\.1:[0-9]+)`)

// waitReady waits for the server's start-up line, then for its API to
// answer there.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.URL == "" {
			if log, err := os.ReadFile(s.LogPath); err == nil {
				if m := listening.FindSubmatch(log); m != nil {
					s.URL = string(m[1])
				}
			}
		}
		if s.URL != "" && s.answers(ctx) {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited before answering; see %s", Command, s.LogPath)
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer within %s (endpoint %q); see %s: %w", Command, startTimeout, s.URL, s.LogPath, ctx.Err())
		case <-tick.C:
		}
	}
}

// answers reports whether the server's API answers at s.URL.
func (s *Server) answers(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/", nil)
	if err != nil {
		return false
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode < http.StatusInternalServerError
}

// Reset empties every emulated service (POST /moto-api/reset).
func (s *Server) Reset(ctx context.Context) error {
	return s.post(ctx, "/moto-api/reset", nil)
}

// Configure posts moto's runtime configuration (POST /moto-api/config),
// such as {"stepfunctions":{"execute_state_machine":true}}.
func (s *Server) Configure(ctx context.Context, config []byte) error {
	return s.post(ctx, "/moto-api/config", config)
}

func (s *Server) post(ctx context.Context, path string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build moto request %s: %w", path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("moto %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("moto %s: HTTP %s", path, resp.Status)
	}
	return nil
}

// Stop ends the server's whole process group and waits for it to exit.
func (s *Server) Stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	pgid := s.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.exited
	}
}
