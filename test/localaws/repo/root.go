// Package repo finds the Casefile module's root folder, where the tests and
// the demo find the handlers, the SSM scripts and the pinned tools.
package repo

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ModulePath is the Casefile Go module.
const ModulePath = "github.com/casefile-forensics/casefile"

// Root returns the folder of Casefile's go.mod, searching upwards from the
// working directory.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find the module root: %w", err)
	}
	for {
		if isCasefileModule(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find the module root: no go.mod of " + ModulePath + " above the working directory")
		}
		dir = parent
	}
}

func isCasefileModule(goMod string) bool {
	f, err := os.Open(goMod)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if mod, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.TrimSpace(mod) == ModulePath
		}
	}
	return false
}

// ToolsDir returns the folder of the pinned npm tools (.tools).
func ToolsDir(root string) string { return filepath.Join(root, ".tools") }
