package ssmdocuments

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// windowsKernel is a Windows kernel as its debug record names it: the PDB's
// file name, GUID and age.
type windowsKernel struct {
	PDB   string
	Data1 uint32
	Data2 uint16
	Data3 uint16
	Data4 [8]byte
	Age   uint32
}

var (
	testKernel  = windowsKernel{"ntkrnlmp.pdb", 0x3844e0e1, 0xba6a, 0x4e3a, [8]byte{0xb3, 0xd6, 0xe1, 0xe8, 0xd8, 0xc2, 0xa0, 0xc1}, 1}
	otherKernel = windowsKernel{"ntkrnlmp.pdb", 0x8b11040a, 0x5928, 0x757b, [8]byte{0x11, 0x39, 0x0a, 0xc7, 0x8f, 0x6b, 0x69, 0x25}, 2}
)

// GUIDAge is the kernel's GUID and age as Volatility names its symbol
// table: the GUID's fields in order, upper-case hex, then "-" and the age.
func (k windowsKernel) GUIDAge() string {
	return fmt.Sprintf("%08X%04X%04X%X-%d", k.Data1, k.Data2, k.Data3, k.Data4[:], k.Age)
}

// ID is <pdb>/<GUID>-<age>, the table's path under symbols/windows/.
func (k windowsKernel) ID() string { return k.PDB + "/" + k.GUIDAge() }

// record is the CodeView debug record a kernel image carries: "RSDS", the
// GUID (its first three fields little-endian), the age, the PDB's name.
func (k windowsKernel) record() []byte {
	var b bytes.Buffer
	b.WriteString("RSDS")
	_ = binary.Write(&b, binary.LittleEndian, struct {
		Data1        uint32
		Data2, Data3 uint16
		Data4        [8]byte
		Age          uint32
	}{k.Data1, k.Data2, k.Data3, k.Data4, k.Age})
	b.WriteString(k.PDB + "\x00")
	return b.Bytes()
}

// windowsMemory is memory bytes that hold the debug records of kernels.
func windowsMemory(kernels ...windowsKernel) []byte {
	page := bytes.Repeat([]byte{0x4d, 0x5a, 0x90, 0x00, 0x03}, 1000)
	out := append([]byte{}, page...)
	for _, k := range kernels {
		out = append(out, k.record()...)
		out = append(out, page...)
	}
	return out
}

// crashDump is a Windows 64-bit crash dump: the PAGEDU64 header page, then
// memory.
func crashDump(memory []byte) []byte {
	header := make([]byte, 8192)
	copy(header, "PAGEDU64")
	return append(header, memory...)
}

// windowsSymbolTable writes, at the path of kernel at, an ISF table whose
// PDB metadata names kernel named.
func windowsSymbolTable(t *testing.T, symbols string, at, named windowsKernel) {
	t.Helper()
	guid, age, _ := strings.Cut(named.GUIDAge(), "-")
	isf := map[string]any{
		"metadata": map[string]any{"format": "6.1.0", "windows": map[string]any{"pdb": map[string]any{
			"GUID": guid, "age": json.Number(age), "database": named.PDB, "machine_type": 34404,
		}}},
		"base_types": map[string]any{}, "user_types": map[string]any{}, "enums": map[string]any{}, "symbols": map[string]any{},
	}
	b, err := json.Marshal(isf)
	require.NoError(t, err)
	path := filepath.Join(symbols, "windows", at.PDB, at.GUIDAge()+".json")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	writeFile(t, path, string(b), 0o644)
	mustRun(t, "xz", "-f", path)
}

// windowsPlugins are the Volatility plugins of a Windows dump: processes,
// their tree and command lines, network, services and injected code.
var windowsPlugins = []string{"windows.pslist", "windows.pstree", "windows.cmdline", "windows.netscan",
	"windows.svcscan", "windows.malfind"}

func TestMemoryForensicsWindows(t *testing.T) {
	requireTools(t, "jq", "xz", "od", "cmp", "sha256sum", "python3")
	memory := windowsMemory(testKernel)
	// A record across the scanner's 16 MiB reads, in memory that is data
	// throughout.
	straddling := bytes.Repeat([]byte{0xcc, 0x48, 0x89}, (16<<20)/3)
	straddling = append(straddling[:16<<20-10], testKernel.record()...)
	straddling = append(straddling, bytes.Repeat([]byte{0xcc}, 1<<20)...)

	type table struct{ at, named windowsKernel }
	tests := []struct {
		name       string
		dump       []byte
		format     string // --dump-format; "" for none
		tables     []table
		wantStatus string
		wantFormat string
		// wantKernel is the kernel the run took the table of; "" for none.
		wantKernel string
		wantDump   []string // the kernels results.json records as in the dump
		wantMsg    string   // in the first error
	}{
		{
			name: "raw dump with its kernel's table", dump: memory, format: "raw",
			tables:     []table{{testKernel, testKernel}},
			wantStatus: "SUCCEEDED", wantFormat: "raw", wantKernel: testKernel.GUIDAge(), wantDump: []string{testKernel.ID()},
		},
		{
			name: "crash dump", dump: crashDump(memory), format: "crashdump",
			tables:     []table{{testKernel, testKernel}},
			wantStatus: "SUCCEEDED", wantFormat: "crashdump", wantKernel: testKernel.GUIDAge(), wantDump: []string{testKernel.ID()},
		},
		{
			name: "two kernels in the dump: the one with a table", dump: windowsMemory(otherKernel, testKernel), format: "raw",
			tables:     []table{{testKernel, testKernel}},
			wantStatus: "SUCCEEDED", wantFormat: "raw", wantKernel: testKernel.GUIDAge(), wantDump: []string{otherKernel.ID(), testKernel.ID()},
		},
		{
			name: "record across the scanner's reads", dump: straddling,
			tables:     []table{{testKernel, testKernel}},
			wantStatus: "SUCCEEDED", wantFormat: "raw", wantKernel: testKernel.GUIDAge(), wantDump: []string{testKernel.ID()},
		},
		{
			name: "table whose metadata names another kernel", dump: memory, format: "raw",
			tables:     []table{{testKernel, otherKernel}},
			wantStatus: "SYMBOLS_MISMATCH", wantFormat: "raw", wantKernel: testKernel.GUIDAge(), wantDump: []string{testKernel.ID()},
			wantMsg: "the symbol table is of " + otherKernel.ID() + ", the dump's kernel is " + testKernel.ID(),
		},
		{
			name: "no table for the dump's kernel", dump: memory, format: "raw",
			tables:     []table{{otherKernel, otherKernel}},
			wantStatus: "SYMBOLS_MISSING", wantFormat: "raw", wantDump: []string{testKernel.ID()},
			wantMsg: "no symbol table for the dump's kernel (" + testKernel.ID() + ")",
		},
		{
			name: "no kernel record in the dump", dump: memoryWithBanner(testBanner), format: "raw",
			tables:     []table{{testKernel, testKernel}},
			wantStatus: "SYMBOLS_MISMATCH", wantFormat: "raw",
			wantMsg: "no Windows kernel debug record",
		},
		{
			name: "a LiME dump is not of Windows", dump: limeRange(1, 0x1000, memory),
			tables:     []table{{testKernel, testKernel}},
			wantStatus: "FORMAT_MISMATCH", wantFormat: "lime", wantMsg: "a lime dump is not of windows",
		},
		{
			name: "crash dump declared raw", dump: crashDump(memory), format: "raw",
			tables:     []table{{testKernel, testKernel}},
			wantStatus: "FORMAT_MISMATCH", wantFormat: "crashdump", wantMsg: "declared raw, found crashdump",
		},
		{
			name: "zero-filled dump", dump: make([]byte, 1<<20), format: "raw",
			tables:     []table{{testKernel, testKernel}},
			wantStatus: "EVIDENCE_INCOMPLETE", wantMsg: "the dump is zero-filled",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dump := filepath.Join(dir, "mem.raw")
			writeFile(t, dump, string(tt.dump), 0o600)
			before := sha256File(t, dump)
			symbols := filepath.Join(dir, "symbols")
			require.NoError(t, os.MkdirAll(symbols, 0o755))
			for _, tb := range tt.tables {
				windowsSymbolTable(t, symbols, tb.at, tb.named)
			}
			out := filepath.Join(dir, "out")
			volLog := filepath.Join(dir, "vol.log")
			bin, _ := fakeVol(t)
			env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "FAKE_VOL_LOG=" + volLog}
			args := []string{script(t, "memory-forensics.sh"), "--local", "--os", "windows", "--dump", dump,
				"--symbols-dir", symbols, "--output-dir", out, "--scratch-dir", dir, "--dump-sha256", before}
			if tt.format != "" {
				args = append(args, "--dump-format", tt.format)
			}

			r := run(t, env, "bash", args...)

			succeeded := tt.wantStatus == "SUCCEEDED"
			assert.Equal(t, map[bool]int{true: 0, false: 1}[succeeded], r.code, "exit code; stderr:\n%s", r.stderr)
			assert.Equal(t, before, sha256File(t, dump), "the dump is unchanged")
			var res memoryResults
			readJSON(t, filepath.Join(out, ResultsFileName), &res)
			assert.Equal(t, tt.wantStatus, res.Status)
			assert.Equal(t, "windows", res.OS)
			if tt.wantFormat != "" && assert.NotNil(t, res.Dump.DetectedFormat) {
				assert.Equal(t, tt.wantFormat, *res.Dump.DetectedFormat)
			}
			if tt.wantMsg != "" && assert.NotEmpty(t, res.Errors) {
				assert.Contains(t, res.Errors[0].Message, tt.wantMsg)
			}
			if tt.wantDump != nil {
				assert.Equal(t, tt.wantDump, res.Banner.Dump, "the dump's kernels, in the order found")
			}
			if tt.wantKernel == "" {
				assert.Nil(t, res.Symbols.File, "no table taken")
			} else {
				if assert.NotNil(t, res.KernelRelease) {
					assert.Equal(t, tt.wantKernel, *res.KernelRelease, "the kernel is recorded")
				}
				if assert.NotNil(t, res.Symbols.File) {
					assert.Equal(t, "windows/ntkrnlmp.pdb/"+tt.wantKernel+".json.xz", *res.Symbols.File)
				}
				assert.NotNil(t, res.Symbols.SHA256, "the table's hash is recorded")
				assert.Equal(t, "pdb", res.Banner.Kind)
				assert.True(t, res.Banner.Checked, "the table was checked against the dump")
			}
			assert.Equal(t, succeeded, res.Banner.Match, "kernel match")
			if tt.wantStatus == "SYMBOLS_MISMATCH" && tt.wantKernel != "" && assert.NotNil(t, res.Banner.Table) {
				assert.Equal(t, otherKernel.ID(), *res.Banner.Table, "the table's kernel is recorded")
			}
			assert.Equal(t, succeeded, fileExists(volLog), "Volatility ran")
			if !succeeded {
				return
			}
			var ran []string
			for _, p := range res.Plugins {
				ran = append(ran, p.Name)
				assert.Equal(t, "SUCCEEDED", p.Status, p.Name)
				assert.FileExists(t, filepath.Join(out, p.Output))
			}
			assert.ElementsMatch(t, windowsPlugins, ran, "the Windows plugin set")
			log, err := os.ReadFile(volLog)
			require.NoError(t, err)
			assert.Contains(t, string(log), "--offline", "Volatility never fetches symbols")
			for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
				if strings.HasPrefix(line, "SYMBOLS ") {
					assert.Equal(t, "SYMBOLS ./windows/ntkrnlmp.pdb/"+tt.wantKernel+".json.xz", line,
						"the symbol folder holds only the case's table, where Volatility looks for it")
				}
			}
			assertManifest(t, out)
		})
	}
}
