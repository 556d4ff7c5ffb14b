package ssmdocuments

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// scriptDirective is the runCommand line that Render replaces by the lines
// that write the named script from scripts/ to "$CASEFILE_DIR/<name>" on
// the instance.
const scriptDirective = "#casefile:script "

// heredocEnd ends the here-document that carries a script. It holds '_',
// which base64 never does, so no script line can end it early.
const heredocEnd = "CASEFILE_SCRIPT_END"

// base64LineLength is the length of the base64 lines of an inlined script.
const base64LineLength = 76

var scriptNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Script is a script as a rendered document delivers it.
type Script struct {
	// Name is the script's file name in scripts/.
	Name string
	// SHA256 is the hex SHA-256 of the script's text, checked on the
	// instance before the script runs.
	SHA256 string
}

// inlineScripts returns runCommand with each directive replaced by the
// lines that write its script, and the scripts it inlined.
func inlineScripts(runCommand []string) ([]string, []Script, error) {
	out := make([]string, 0, len(runCommand))
	var scripts []Script
	for _, line := range runCommand {
		name, ok := strings.CutPrefix(line, scriptDirective)
		if !ok {
			out = append(out, line)
			continue
		}
		lines, script, err := scriptLines(strings.TrimSpace(name))
		if err != nil {
			return nil, nil, err
		}
		out = append(out, lines...)
		scripts = append(scripts, script)
	}
	return out, scripts, nil
}

// scriptLines returns the lines that write scripts/<name> on the instance:
// the script gzip-compressed and base64-encoded in a quoted here-document
// (SSM limits a document to 64 KiB), then a SHA-256 check of the result so
// that a damaged script never runs.
func scriptLines(name string) ([]string, Script, error) {
	if !scriptNamePattern.MatchString(name) {
		return nil, Script{}, fmt.Errorf("script name %q is not a plain file name", name)
	}
	text, err := files.ReadFile("scripts/" + name)
	if err != nil {
		return nil, Script{}, fmt.Errorf("reading script %s: %w", name, err)
	}
	var packed bytes.Buffer
	zw, err := gzip.NewWriterLevel(&packed, gzip.BestCompression)
	if err != nil {
		return nil, Script{}, fmt.Errorf("compressing script %s: %w", name, err)
	}
	if _, err := zw.Write(text); err != nil {
		return nil, Script{}, fmt.Errorf("compressing script %s: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		return nil, Script{}, fmt.Errorf("compressing script %s: %w", name, err)
	}
	sum := sha256.Sum256(text)
	script := Script{Name: name, SHA256: hex.EncodeToString(sum[:])}

	encoded := base64.StdEncoding.EncodeToString(packed.Bytes())
	target := `"$CASEFILE_DIR/` + name + `"`
	lines := []string{
		fmt.Sprintf("# %s sha256:%s", name, script.SHA256),
		fmt.Sprintf("base64 -d <<'%s' | gzip -dc > %s", heredocEnd, target),
	}
	for len(encoded) > base64LineLength {
		lines = append(lines, encoded[:base64LineLength])
		encoded = encoded[base64LineLength:]
	}
	lines = append(lines, encoded, heredocEnd,
		fmt.Sprintf(`echo "%s  $CASEFILE_DIR/%s" | sha256sum -c --quiet -`, script.SHA256, name))
	return lines, script, nil
}
