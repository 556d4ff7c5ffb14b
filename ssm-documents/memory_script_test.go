package ssmdocuments

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
)

const (
	testRelease = "6.1.0-28-cloud-amd64"
	testBanner  = "Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)"
	otherBanner = "Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1 (2025-01-02)"
)

// memoryResults is the part of the memory script's results.json the tests read.
type memoryResults struct {
	Schema string `json:"schema"`
	Status string `json:"status"`
	Dump   struct {
		SizeBytes int64 `json:"sizeBytes"`
		// ExpectedSizeBytes is a number that may exceed int64.
		ExpectedSizeBytes *json.Number `json:"expectedSizeBytes"`
		SizeVerified      bool         `json:"sizeVerified"`
		SHA256            *string      `json:"sha256"`
		HashVerified      bool         `json:"hashVerified"`
		DetectedFormat    *string      `json:"detectedFormat"`
		Ranges            int          `json:"ranges"`
		// Decompressed is the LiME file an AVML dump was decompressed
		// into, which the checks and plugins read; nil for other dumps.
		Decompressed *struct {
			SourceFormat string `json:"sourceFormat"`
			Format       string `json:"format"`
			SizeBytes    int64  `json:"sizeBytes"`
			SHA256       string `json:"sha256"`
		} `json:"decompressed"`
	} `json:"dump"`
	OS            string  `json:"os"`
	KernelRelease *string `json:"kernelRelease"`
	Symbols       struct {
		File   *string `json:"file"`
		SHA256 *string `json:"sha256"`
	} `json:"symbols"`
	Banner struct {
		// Kind is linux_banner or pdb (a Windows kernel's debug record).
		Kind    string   `json:"kind"`
		Checked bool     `json:"checked"`
		Match   bool     `json:"match"`
		Dump    []string `json:"dump"`
		Table   *string  `json:"table"`
	} `json:"banner"`
	Plugins []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Output string `json:"output"`
	} `json:"plugins"`
	Errors []struct {
		Step    string `json:"step"`
		Message string `json:"message"`
	} `json:"errors"`
}

// limeRange is one LiME range: a 32-byte header (magic, version, start,
// end, reserved) and the range's bytes.
func limeRange(version uint32, start uint64, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, struct {
		Magic, Version uint32
		Start, End     uint64
		Reserved       uint64
	}{0x4C694D45, version, start, start + uint64(len(data)) - 1, 0})
	b.Write(data)
	return b.Bytes()
}

// memoryWithBanner is memory bytes that hold a kernel banner.
func memoryWithBanner(banner string) []byte {
	page := bytes.Repeat([]byte{0x90, 0x31, 0xc0}, 1400)
	out := append([]byte{}, page...)
	out = append(out, banner+"\n\x00"...)
	return append(out, page...)
}

// paddedDump is memory as LiME's format=padded writes it: from physical
// address 0, the page below the first RAM range zero, whole pages.
func paddedDump(banner string) []byte {
	out := append(make([]byte, 4096), memoryWithBanner(banner)...)
	if rest := len(out) % 4096; rest != 0 {
		out = append(out, make([]byte, 4096-rest)...)
	}
	return out
}

// symbolTable writes an ISF-like symbol table whose linux_banner is banner.
func symbolTable(t *testing.T, dir, banner string) {
	t.Helper()
	isf := map[string]any{
		"metadata":   map[string]any{"format": "6.2.0"},
		"base_types": map[string]any{}, "user_types": map[string]any{}, "enums": map[string]any{},
		"symbols": map[string]any{"linux_banner": map[string]any{
			"address": 1, "constant_data": base64.StdEncoding.EncodeToString([]byte(banner + "\n\x00")),
		}},
	}
	b, err := json.Marshal(isf)
	require.NoError(t, err)
	path := filepath.Join(dir, testRelease+".json")
	writeFile(t, path, string(b), 0o644)
	mustRun(t, "xz", "-f", path)
}

// fakeVol installs a stand-in for Volatility 3 that records its arguments,
// the symbol folder it was given and the SHA-256 of the file it was given
// to analyse, and prints a JSON result.
func fakeVol(t *testing.T) (binDir, logFile string) {
	t.Helper()
	binDir = t.TempDir()
	logFile = filepath.Join(binDir, "vol.log")
	writeFile(t, filepath.Join(binDir, "vol"), `#!/bin/bash
if [[ " $* " == *" -h "* ]]; then
	echo "Volatility 3 Framework 2.7.0"
	echo "  --offline  --cache-path CACHE_PATH"
	exit 0
fi
echo "ARGS $*" >>"$FAKE_VOL_LOG"
while [[ $# -gt 1 ]]; do
	if [[ $1 == -s ]]; then (cd "$2" && find . -type f | sort | sed 's/^/SYMBOLS /') >>"$FAKE_VOL_LOG"; fi
	if [[ $1 == -f ]]; then echo "DUMP $(sha256sum <"$2" | cut -c1-64)" >>"$FAKE_VOL_LOG"; fi
	shift
done
echo '[{"PID": 1, "COMM": "systemd", "__children": []}]'
`, 0o755)
	return binDir, logFile
}

// castagnoli is the CRC-32C table of the Snappy framing format.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// snappyBlock compresses src as one Snappy block: its length as a varint,
// then literals and copies of earlier bytes (overlapping ones included),
// found through the last position of each 4-byte sequence.
func snappyBlock(src []byte) []byte {
	out := binary.AppendUvarint(nil, uint64(len(src)))
	last := map[uint32]int{}
	lit := 0
	for i := 0; i+4 <= len(src); {
		key := binary.LittleEndian.Uint32(src[i:])
		prev, seen := last[key]
		last[key] = i
		if !seen || i-prev > 0xffff {
			i++
			continue
		}
		n := 4
		for i+n < len(src) && src[prev+n] == src[i+n] {
			n++
		}
		out = appendSnappyLiteral(out, src[lit:i])
		for left := n; left > 0; left -= 64 { // a copy with a 2-byte offset holds 1 to 64 bytes
			l := min(left, 64)
			out = append(out, byte(l-1)<<2|2, byte(i-prev), byte((i-prev)>>8))
		}
		i += n
		lit = i
	}
	return appendSnappyLiteral(out, src[lit:])
}

// appendSnappyLiteral appends a Snappy literal of at most 64 KiB.
func appendSnappyLiteral(out, lit []byte) []byte {
	switch n := len(lit) - 1; {
	case n < 0:
		return out
	case n < 60:
		out = append(out, byte(n)<<2)
	case n < 1<<8:
		out = append(out, 60<<2, byte(n))
	default:
		out = append(out, 61<<2, byte(n), byte(n>>8))
	}
	return append(out, lit...)
}

// snappyFramed is src as a Snappy framing-format stream: the stream
// identifier, then a chunk per 64 KiB, each with the masked CRC-32C of its
// bytes: a compressed chunk (type 0x00), or an uncompressed one (type 0x01)
// when compression does not make the bytes smaller, as AVML's encoder does
// with data that does not compress.
func snappyFramed(src []byte) []byte {
	out := []byte("\xff\x06\x00\x00sNaPpY")
	for len(src) > 0 {
		n := min(len(src), 64<<10)
		crc := crc32.Checksum(src[:n], castagnoli)
		kind, body := byte(0x00), snappyBlock(src[:n])
		if len(body) >= n {
			kind, body = 0x01, src[:n]
		}
		size := 4 + len(body)
		out = append(out, kind, byte(size), byte(size>>8), byte(size>>16))
		out = binary.LittleEndian.AppendUint32(out, (crc>>15|crc<<17)+0xa282ead8)
		out = append(out, body...)
		src = src[n:]
	}
	return out
}

// snappyChunkKinds is the type of every chunk of a Snappy framing-format
// stream after its identifier, in order.
func snappyChunkKinds(framed []byte) []byte {
	var kinds []byte
	for off := 10; off+4 <= len(framed); {
		kinds = append(kinds, framed[off])
		off += 4 + (int(framed[off+1]) | int(framed[off+2])<<8 | int(framed[off+3])<<16)
	}
	return kinds
}

// avmlRange is one range as AVML writes it compressed: a 32-byte header
// (magic "AVML", version 2, first and last address, zero) that announces
// announced bytes, data as a Snappy framing-format stream, and the
// stream's length as a little-endian u64.
func avmlRange(start uint64, announced int, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, struct {
		Magic, Version uint32
		Start, End     uint64
		Reserved       uint64
	}{0x4C4D5641, 2, start, start + uint64(announced) - 1, 0})
	framed := snappyFramed(data)
	b.Write(framed)
	_ = binary.Write(&b, binary.LittleEndian, uint64(len(framed)))
	return b.Bytes()
}

// noise is n bytes that do not compress (xorshift), the same on every run.
func noise(n int) []byte {
	b := make([]byte, n)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x >> 32)
	}
	return b
}

// pythonImports reports whether the first python3 on PATH or the system
// one imports the modules, the two the scripts try.
func pythonImports(modules ...string) bool {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import "+strings.Join(modules, ", ")).Run() == nil {
			return true
		}
	}
	return false
}

// requireAVMLDecoder skips (or, under make test, fails) a test that needs
// the Python modules the AVML decoder imports.
func requireAVMLDecoder(t *testing.T) {
	t.Helper()
	if !pythonImports("crc32c", "snappy") {
		testenv.Missing(t, "missing Python's snappy and crc32c modules (apt-get install -y python3-snappy python3-crc32c)")
	}
}

// sha256Hex is the SHA-256 of b in hex.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// linuxPlugins are the Volatility plugins of a Linux dump: processes,
// their tree and command lines, kernel modules and hidden ones, shell
// history, sockets, open files and injected code.
var linuxPlugins = []string{"linux.pslist", "linux.pstree", "linux.psaux", "linux.lsmod", "linux.check_modules",
	"linux.bash", "linux.sockstat", "linux.lsof", "linux.malfind"}

func TestMemoryForensicsLocal(t *testing.T) {
	requireTools(t, "jq", "xz", "od", "cmp", "sha256sum", "base64")
	_, realVol := exec.LookPath("vol")
	lime := append(limeRange(1, 0x1000, memoryWithBanner(testBanner)), limeRange(1, 0x100000, make([]byte, 8192))...)
	// An AVML dump of three ranges (one of them zero, one of several
	// chunks) and the LiME dump it decompresses to.
	mem, zero, big := memoryWithBanner(testBanner), make([]byte, 8192), append(noise(150<<10), bytes.Repeat([]byte("casefile"), 8<<10)...)
	avmlLime := bytes.Join([][]byte{limeRange(1, 0x1000, mem), limeRange(1, 0x100000, zero), limeRange(1, 0x200000, big)}, nil)
	avml := bytes.Join([][]byte{avmlRange(0x1000, len(mem), mem), avmlRange(0x100000, len(zero), zero), avmlRange(0x200000, len(big), big)}, nil)
	// The big range starts with noise, which goes in uncompressed chunks:
	// the decoder's other path.
	require.Equal(t, []byte{0x01, 0x01, 0x00, 0x00}, snappyChunkKinds(snappyFramed(big)), "chunk types of the big range")
	bigAt := len(avmlRange(0x1000, len(mem), mem)) + len(avmlRange(0x100000, len(zero), zero))
	incompressible := noise(70000)
	// corrupt returns a copy of the AVML dump with one byte changed.
	corrupt := func(at int) []byte {
		b := bytes.Clone(avml)
		b[at] ^= 0x5a
		return b
	}
	avmlArgs := func(d string) []string {
		return []string{"--dump-sha256", sha256File(t, d), "--dump-format", "avml", "--kernel-release", testRelease}
	}

	tests := []struct {
		name        string
		dump        []byte
		args        func(dump string) []string // beyond --dump/--symbols-dir/--output-dir
		table       string                     // banner of the symbol table; "" for none
		fakeVol     bool
		wantStatus  string
		wantCode    int
		wantFormat  string
		wantMatch   bool
		wantPlugins bool
		// wantSize is the expectedSizeBytes results.json records; "" when
		// none was given.
		wantSize string
		wantMsg  string // in the first error
		avml     bool   // needs the AVML decoder
		// wantAnalysed is the file Volatility must be given: nil for the
		// dump itself, else the LiME file an AVML dump decompresses to.
		wantAnalysed []byte
	}{
		{
			name: "lime with matching banner and Volatility", dump: lime, table: testBanner, fakeVol: true,
			args: func(d string) []string {
				return []string{"--dump-sha256", sha256File(t, d), "--dump-format", "lime", "--kernel-release", testRelease}
			},
			wantStatus: "SUCCEEDED", wantCode: 0, wantFormat: "lime", wantMatch: true, wantPlugins: true,
		},
		{
			name: "lime with matching banner without Volatility", dump: lime, table: testBanner,
			args:       func(d string) []string { return []string{"--dump-sha256", sha256File(t, d), "--dump-format", "lime"} },
			wantStatus: "VOLATILITY_UNAVAILABLE", wantCode: 1, wantFormat: "lime", wantMatch: true,
		},
		{
			name: "banner mismatch stops before any plugin", dump: lime, table: otherBanner, fakeVol: true,
			args: func(d string) []string {
				return []string{"--dump-sha256", sha256File(t, d), "--kernel-release", testRelease}
			},
			wantStatus: "SYMBOLS_MISMATCH", wantCode: 1, wantFormat: "lime",
		},
		{
			name: "no symbol table", dump: lime, fakeVol: true,
			args:       func(d string) []string { return []string{"--kernel-release", testRelease} },
			wantStatus: "SYMBOLS_MISSING", wantCode: 1, wantFormat: "lime",
		},
		{
			name: "size matches when given with leading zeros", dump: lime, table: testBanner, fakeVol: true,
			args: func(d string) []string {
				return []string{"--dump-size-bytes", "000" + strconv.Itoa(len(lime)), "--dump-sha256", sha256File(t, d), "--kernel-release", testRelease}
			},
			wantStatus: "SUCCEEDED", wantCode: 0, wantFormat: "lime", wantMatch: true, wantPlugins: true, wantSize: strconv.Itoa(len(lime)),
		},
		{
			name: "size mismatch stops before the hash", dump: lime, table: testBanner, fakeVol: true,
			args: func(d string) []string {
				return []string{"--dump-size-bytes", strconv.Itoa(len(lime) + 1), "--dump-sha256", sha256File(t, d)}
			},
			wantStatus: "SIZE_MISMATCH", wantCode: 1, wantSize: strconv.Itoa(len(lime) + 1),
		},
		{
			name: "size beyond 64 bits", dump: lime, table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-size-bytes", "99999999999999999999"} },
			wantStatus: "SIZE_MISMATCH", wantCode: 1, wantSize: "1e+20", // jq keeps it as a double
		},
		{
			name: "hash mismatch", dump: lime, table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-sha256", strings.Repeat("ab", 32)} },
			wantStatus: "HASH_MISMATCH", wantCode: 1,
		},
		{
			name: "truncated lime", dump: lime[:len(lime)-100], table: testBanner, fakeVol: true,
			args:       func(string) []string { return nil },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1, wantFormat: "lime",
		},
		{
			name: "lime whose ranges are all zero", dump: limeRange(1, 0, make([]byte, 4096)), table: testBanner, fakeVol: true,
			args:       func(string) []string { return nil },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1, wantFormat: "lime",
		},
		{
			name: "zero-filled dump", dump: make([]byte, 1<<20), table: testBanner, fakeVol: true,
			args:       func(string) []string { return nil },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1,
		},
		{
			name: "empty dump", dump: []byte{}, table: testBanner, fakeVol: true,
			args:       func(string) []string { return nil },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1,
		},
		{
			name: "declared raw but lime", dump: lime, table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-format", "raw"} },
			wantStatus: "FORMAT_MISMATCH", wantCode: 1, wantFormat: "lime",
		},
		{
			name: "raw dump with release from its banner", dump: memoryWithBanner(testBanner), table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-format", "raw"} },
			wantStatus: "SUCCEEDED", wantCode: 0, wantFormat: "raw", wantMatch: true, wantPlugins: true,
		},
		{
			name: "padded LiME declared raw", dump: paddedDump(testBanner), table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-format", "raw", "--kernel-release", testRelease} },
			wantStatus: "SUCCEEDED", wantCode: 0, wantFormat: "lime-padded", wantMatch: true, wantPlugins: true,
		},
		{
			name: "padded LiME declared lime", dump: paddedDump(testBanner), table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-format", "lime"} },
			wantStatus: "SUCCEEDED", wantCode: 0, wantFormat: "lime-padded", wantMatch: true, wantPlugins: true,
		},
		{
			name: "padded LiME declared avml", dump: paddedDump(testBanner), table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-format", "avml"} },
			wantStatus: "FORMAT_MISMATCH", wantCode: 1, wantFormat: "lime-padded",
		},
		{
			name: "mostly zero-filled dump", dump: append(memoryWithBanner(testBanner), make([]byte, 8<<20)...), table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-format", "raw"} },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1, wantFormat: "raw",
		},
		{
			name: "AVML decompressed then checked and analysed as LiME", dump: avml, table: testBanner, fakeVol: true, avml: true,
			args:       avmlArgs,
			wantStatus: "SUCCEEDED", wantCode: 0, wantFormat: "avml", wantMatch: true, wantPlugins: true, wantAnalysed: avmlLime,
		},
		{
			name: "AVML whose banner does not match", dump: avml, table: otherBanner, fakeVol: true, avml: true,
			args:       avmlArgs,
			wantStatus: "SYMBOLS_MISMATCH", wantCode: 1, wantFormat: "avml", wantAnalysed: avmlLime,
		},
		{
			name: "AVML with a corrupt chunk CRC", dump: corrupt(32 + 10 + 4), table: testBanner, fakeVol: true, avml: true,
			args:       func(string) []string { return []string{"--dump-format", "avml"} },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1, wantFormat: "avml", wantMsg: "CRC-32C mismatch in the Snappy chunk at byte 42",
		},
		{
			name: "AVML with a corrupt uncompressed chunk", dump: corrupt(bigAt + 32 + 10 + 8 + 100), table: testBanner, fakeVol: true, avml: true,
			args:       func(string) []string { return []string{"--dump-format", "avml"} },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1, wantFormat: "avml",
			wantMsg: "CRC-32C mismatch in the Snappy chunk at byte " + strconv.Itoa(bigAt+32+10),
		},
		{
			name: "AVML with uncompressed chunks longer than its header says", table: testBanner, fakeVol: true, avml: true,
			dump:       avmlRange(0x1000, len(incompressible)-1, incompressible),
			args:       func(string) []string { return nil },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1, wantFormat: "avml", wantMsg: "decompresses to more than",
		},
		{
			name: "AVML with a corrupt compressed length", dump: corrupt(len(avml) - 8), table: testBanner, fakeVol: true, avml: true,
			args:       func(string) []string { return nil },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1, wantFormat: "avml", wantMsg: "compressed length is",
		},
		{
			name: "AVML range longer than its header says", dump: avmlRange(0x1000, len(mem)-1, mem), table: testBanner, fakeVol: true, avml: true,
			args:       func(string) []string { return nil },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1, wantFormat: "avml", wantMsg: "decompresses to more than",
		},
		{
			name: "truncated AVML", dump: avml[:len(avml)-100], table: testBanner, fakeVol: true, avml: true,
			args:       func(string) []string { return nil },
			wantStatus: "EVIDENCE_INCOMPLETE", wantCode: 1, wantFormat: "avml", wantMsg: "truncated",
		},
		{
			name: "ELF core", dump: append([]byte("\x7fELF\x02\x01\x01\x00"), mem...), table: testBanner, fakeVol: true,
			args:       func(string) []string { return nil },
			wantStatus: "UNSUPPORTED_FORMAT", wantCode: 1, wantFormat: "elf", wantMsg: "the dump is elf",
		},
		{
			name: "LiME version 2 is not AVML", dump: limeRange(2, 0x1000, mem), table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-format", "avml"} },
			wantStatus: "UNSUPPORTED_FORMAT", wantCode: 1, wantFormat: "lime-v2",
		},
		{
			name: "headerless dump declared lime", dump: mem, table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-format", "lime"} },
			wantStatus: "UNSUPPORTED_FORMAT", wantCode: 1, wantFormat: "unknown", wantMsg: "declared lime, but the dump has no header",
		},
		{
			name: "headerless dump with nothing declared is raw", dump: mem, table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--kernel-release", testRelease} },
			wantStatus: "SUCCEEDED", wantCode: 0, wantFormat: "raw", wantMatch: true, wantPlugins: true,
		},
		{
			name: "gzip-compressed dump", dump: append([]byte{0x1f, 0x8b, 0x08, 0}, mem...), table: testBanner, fakeVol: true,
			args:       func(string) []string { return []string{"--dump-format", "raw"} },
			wantStatus: "UNSUPPORTED_FORMAT", wantCode: 1, wantFormat: "gzip",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.fakeVol && realVol == nil {
				t.Skip("skipped: a real vol is installed, so Volatility is not unavailable here")
			}
			if tt.avml {
				requireAVMLDecoder(t)
			}
			dir := t.TempDir()
			dump := filepath.Join(dir, "mem.dump")
			writeFile(t, dump, string(tt.dump), 0o600)
			before := sha256File(t, dump)
			symbols := filepath.Join(dir, "symbols")
			require.NoError(t, os.MkdirAll(symbols, 0o755))
			if tt.table != "" {
				symbolTable(t, symbols, tt.table)
			}
			out := filepath.Join(dir, "out")
			var env []string
			volLog := filepath.Join(dir, "vol.log")
			if tt.fakeVol {
				bin, _ := fakeVol(t)
				env = []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "FAKE_VOL_LOG=" + volLog}
			} else {
				env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
			}
			args := append([]string{script(t, "memory-forensics.sh"), "--local", "--dump", dump,
				"--symbols-dir", symbols, "--output-dir", out, "--scratch-dir", dir}, tt.args(dump)...)

			r := run(t, env, "bash", args...)

			assert.Equal(t, tt.wantCode, r.code, "exit code; stderr:\n%s", r.stderr)
			assert.Contains(t, r.lastLine(), `"status":"`+tt.wantStatus+`"`, "summary line")
			assert.Equal(t, before, sha256File(t, dump), "the dump is unchanged")
			var res memoryResults
			readJSON(t, filepath.Join(out, ResultsFileName), &res)
			assert.Equal(t, "casefile.memory-results/v1", res.Schema)
			assert.Equal(t, tt.wantStatus, res.Status)
			if tt.wantStatus != "SUCCEEDED" {
				assert.NotEmpty(t, res.Errors, "the failure is recorded")
			}
			if tt.wantMsg != "" && assert.NotEmpty(t, res.Errors) {
				assert.Contains(t, res.Errors[0].Message, tt.wantMsg, "first error")
			}
			analysed := tt.dump
			if tt.wantAnalysed == nil {
				assert.Nil(t, res.Dump.Decompressed, "nothing decompressed")
			} else if assert.NotNil(t, res.Dump.Decompressed, "the decompression is recorded") {
				analysed = tt.wantAnalysed
				assert.Equal(t, "avml", res.Dump.Decompressed.SourceFormat)
				assert.Equal(t, "lime", res.Dump.Decompressed.Format)
				assert.Equal(t, int64(len(tt.wantAnalysed)), res.Dump.Decompressed.SizeBytes, "decompressed size")
				assert.Equal(t, sha256Hex(tt.wantAnalysed), res.Dump.Decompressed.SHA256, "decompressed SHA-256")
				assert.Equal(t, 3, res.Dump.Ranges, "ranges walked in the decompressed file")
				assert.True(t, res.Banner.Checked, "the banner is checked before any plugin")
			}
			assert.Equal(t, int64(len(tt.dump)), res.Dump.SizeBytes, "size recorded")
			if tt.wantSize == "" {
				assert.Nil(t, res.Dump.ExpectedSizeBytes, "no expected size recorded")
				assert.False(t, res.Dump.SizeVerified, "size verified")
			} else if assert.NotNil(t, res.Dump.ExpectedSizeBytes, "expected size recorded") {
				assert.Equal(t, tt.wantSize, res.Dump.ExpectedSizeBytes.String(), "expected size recorded")
				assert.Equal(t, tt.wantStatus != "SIZE_MISMATCH", res.Dump.SizeVerified, "size verified")
			}
			if tt.wantStatus == "SIZE_MISMATCH" {
				assert.Nil(t, res.Dump.SHA256, "no hash before the size is right")
				assert.Contains(t, res.Errors[0].Message, "size is "+strconv.Itoa(len(tt.dump))+" bytes, expected")
			}
			if tt.wantFormat != "" && assert.NotNil(t, res.Dump.DetectedFormat) {
				assert.Equal(t, tt.wantFormat, *res.Dump.DetectedFormat)
			}
			assert.Equal(t, tt.wantMatch, res.Banner.Match, "banner match")
			if tt.wantStatus == "SYMBOLS_MISMATCH" {
				assert.Contains(t, res.Banner.Dump, testBanner, "dump banner recorded")
				if assert.NotNil(t, res.Banner.Table) {
					assert.Equal(t, otherBanner, *res.Banner.Table, "table banner recorded")
				}
			}
			volRan := fileExists(volLog)
			assert.Equal(t, tt.wantPlugins, volRan, "Volatility plugins ran")
			if tt.wantPlugins {
				var ran []string
				for _, p := range res.Plugins {
					ran = append(ran, p.Name)
				}
				assert.ElementsMatch(t, linuxPlugins, ran, "the Linux plugin set")
				for _, p := range res.Plugins {
					assert.Equal(t, "SUCCEEDED", p.Status, p.Name)
					assert.FileExists(t, filepath.Join(out, p.Output))
				}
				log, err := os.ReadFile(volLog)
				require.NoError(t, err)
				assert.Contains(t, string(log), "--offline", "Volatility never fetches symbols")
				assert.Contains(t, string(log), "-r json")
				assert.Contains(t, string(log), "linux.pslist")
				for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
					if strings.HasPrefix(line, "SYMBOLS ") {
						assert.Equal(t, "SYMBOLS ./linux/"+testRelease+".json.xz", line, "the symbol folder holds only the case's table")
					}
					if strings.HasPrefix(line, "DUMP ") {
						assert.Equal(t, "DUMP "+sha256Hex(analysed), line, "the file Volatility analyses")
					}
				}
				m := assertManifest(t, out)
				e, ok := manifestEntry(m, "volatility/linux.pslist.json")
				if assert.True(t, ok, "plugin output in the manifest") {
					assert.Equal(t, "vol", e.Tool)
					assert.Equal(t, "2.7.0", e.ToolVersion)
				}
			} else {
				assertManifest(t, out)
			}
		})
	}
}

// TestMemoryForensicsRunsPluginsInParallel gives the script a stand-in vol
// that takes a while and records when each plugin starts and ends: the
// plugins overlap, at most nproc at once (nproc as the script sees it,
// under taskset for the one-core case).
func TestMemoryForensicsRunsPluginsInParallel(t *testing.T) {
	requireTools(t, "jq", "xz", "od", "cmp", "nproc", "taskset")
	dump := append(limeRange(1, 0x1000, memoryWithBanner(testBanner)), limeRange(1, 0x100000, make([]byte, 8192))...)
	tests := []struct {
		name string
		cpus string // taskset's CPU list; "" for every CPU the test may use
	}{
		{name: "every core"},
		{name: "one core", cpus: "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "mem.lime")
			writeFile(t, path, string(dump), 0o600)
			symbols := filepath.Join(dir, "symbols")
			require.NoError(t, os.MkdirAll(symbols, 0o755))
			symbolTable(t, symbols, testBanner)
			bin := t.TempDir()
			writeFile(t, filepath.Join(bin, "vol"), `#!/bin/bash
if [[ " $* " == *" -h "* ]]; then
	echo "Volatility 3 Framework 2.7.0"
	exit 0
fi
echo "START $(date +%s%N) ${*: -1}" >>"$FAKE_VOL_TIMELINE"
sleep 0.5
echo "END $(date +%s%N) ${*: -1}" >>"$FAKE_VOL_TIMELINE"
echo '[]'
`, 0o755)
			timeline := filepath.Join(dir, "timeline.log")
			env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "FAKE_VOL_TIMELINE=" + timeline}
			under := func(name string, args ...string) result {
				if tt.cpus == "" {
					return run(t, env, name, args...)
				}
				return run(t, env, "taskset", append([]string{"-c", tt.cpus, name}, args...)...)
			}
			nproc, err := strconv.Atoi(strings.TrimSpace(under("nproc").stdout))
			require.NoError(t, err, "nproc")

			r := under("bash", script(t, "memory-forensics.sh"), "--local", "--dump", path, "--symbols-dir", symbols,
				"--output-dir", filepath.Join(dir, "out"), "--scratch-dir", dir, "--kernel-release", testRelease)

			require.Equal(t, 0, r.code, "exit code; stderr:\n%s", r.stderr)
			log, err := os.ReadFile(timeline)
			require.NoError(t, err)
			type event struct {
				at    int64
				delta int // +1 a plugin starts, -1 one ends
			}
			var events []event
			var started []string
			for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
				f := strings.Fields(line)
				require.Len(t, f, 3, "timeline line %q", line)
				at, err := strconv.ParseInt(f[1], 10, 64)
				require.NoError(t, err, "timeline line %q", line)
				if f[0] == "START" {
					events = append(events, event{at, +1})
					started = append(started, f[2])
				} else {
					events = append(events, event{at, -1})
				}
			}
			assert.ElementsMatch(t, linuxPlugins, started, "every plugin ran once")
			// At the same instant an end comes before a start: the script
			// starts a plugin only once another has ended.
			sort.Slice(events, func(i, j int) bool {
				if events[i].at != events[j].at {
					return events[i].at < events[j].at
				}
				return events[i].delta < events[j].delta
			})
			running, most := 0, 0
			for _, e := range events {
				running += e.delta
				most = max(most, running)
			}
			assert.LessOrEqual(t, most, nproc, "plugins at once, with nproc %d", nproc)
			if nproc > 1 {
				assert.Greater(t, most, 1, "plugins at once, with nproc %d", nproc)
			} else {
				assert.Equal(t, 1, most, "plugins at once, with nproc 1")
			}
		})
	}
}

func TestMemoryForensicsRejectsBadArguments(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "pwned")
	valid := []string{
		"--forensic-id", "case-001", "--dump-s3-uri", "s3://evidence/d/mem.lime", "--dump-sha256", strings.Repeat("a", 64),
		"--dump-size-bytes", "4096",
		"--dump-format", "lime", "--os", "linux", "--kernel-release", testRelease, "--symbols-s3-uri", "s3://symbols",
		"--results-bucket", "results-bucket", "--results-prefix", "cases/case-001/memory/",
		"--kms-key-arn", "arn:aws:kms:eu-west-1:123456789012:key/k-1", "--scratch-volume-id", scratchVolumeID,
	}
	with := func(flag, value string) []string {
		out := append([]string{}, valid...)
		for i := range out {
			if out[i] == flag {
				out[i+1] = value
			}
		}
		return out
	}
	local := func(extra ...string) []string {
		return append([]string{"--local", "--dump", filepath.Join(dir, "mem.lime"), "--symbols-dir", dir, "--output-dir", filepath.Join(dir, "o")}, extra...)
	}
	writeFile(t, filepath.Join(dir, "mem.lime"), "dump", 0o600)
	tests := []struct {
		name    string
		args    []string
		wantMsg string
	}{
		{"no arguments", nil, "--forensic-id is required"},
		{"no size", with("--dump-size-bytes", ""), "--dump-size-bytes is required"},
		{"padded is not a format", with("--dump-format", "padded"), "--dump-format does not match"},
		{"quote in kernel release", with("--kernel-release", "6.1'; touch "+marker+"; '"), "--kernel-release does not match"},
		{"upper-case hash", with("--dump-sha256", strings.Repeat("A", 64)), "--dump-sha256 does not match"},
		{"negative size", with("--dump-size-bytes", "-1"), "--dump-size-bytes does not match"},
		{"size in another notation", with("--dump-size-bytes", "4e3"), "--dump-size-bytes does not match"},
		{"size of 21 digits", with("--dump-size-bytes", strings.Repeat("9", 21)), "--dump-size-bytes does not match"},
		{"not an S3 URI", with("--dump-s3-uri", "https://evidence/mem.lime"), "--dump-s3-uri does not match"},
		{"command substitution in symbols URI", with("--symbols-s3-uri", "s3://symbols/$(touch "+marker+")"), "--symbols-s3-uri does not match"},
		{"local dump missing", []string{"--local", "--dump", filepath.Join(dir, "none"), "--symbols-dir", dir, "--output-dir", filepath.Join(dir, "o")}, "--dump must be a file"},
		{"local without dump", []string{"--local", "--symbols-dir", dir, "--output-dir", filepath.Join(dir, "o")}, "--dump is required"},
		{"local bad hash", local("--dump-sha256", "abc"), "--dump-sha256 does not match"},
		{"local bad size", local("--dump-size-bytes", "1 0"), "--dump-size-bytes does not match"},
		{"local dot-dot in results prefix", local("--results-prefix", "cases/../other"), "--results-prefix must not contain '..'"},
		{"local quote in dump URI", local("--dump-s3-uri", "s3://evidence/web-01's-dump.lime"), "--dump-s3-uri does not match"},
		{"local bad KMS ARN", local("--kms-key-arn", "alias/casefile"), "--kms-key-arn does not match"},
		{"no operating system", with("--os", ""), "--os is required"},
		{"unknown operating system", with("--os", "macos"), "--os does not match"},
		{"no kernel release for Linux", with("--kernel-release", ""), "--kernel-release is required"},
		{"Windows with a kernel release", append(with("--os", "windows"), "--dump-format", "raw"), "--kernel-release is for Linux"},
		{"Windows declared lime", append(with("--os", "windows"), "--kernel-release", ""), "--dump-format lime is a Linux format"},
		{"Linux declared crashdump", with("--dump-format", "crashdump"), "--dump-format crashdump is a Windows format"},
		{"local Windows declared avml", local("--os", "windows", "--dump-format", "avml"), "--dump-format avml is a Linux format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, "bash", append([]string{script(t, "memory-forensics.sh")}, tt.args...)...)
			assert.Equal(t, 2, r.code, "exit code; stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, "usage error: "+tt.wantMsg)
			assert.NoFileExists(t, marker, "nothing ran")
		})
	}
}

func fileSize(t *testing.T, path string) int {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	return int(info.Size())
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// smallScratch mounts an 8 MiB file system of the kind given (tmpfs, or
// ext4 on a loop device) for a test's --scratch-dir, and unmounts it when
// the test ends, checking that nothing is left mounted there.
func smallScratch(t *testing.T, kind string) string {
	t.Helper()
	dir := t.TempDir()
	mnt := filepath.Join(dir, "scratch")
	require.NoError(t, os.Mkdir(mnt, 0o700))
	image := filepath.Join(dir, "scratch.img")
	switch kind {
	case "tmpfs":
		mustRun(t, "mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "casefile-test", mnt)
	case "ext4":
		mustRun(t, "truncate", "-s", "8M", image)
		mustRun(t, "mkfs.ext4", "-q", "-F", "-m", "0", image)
		mustRun(t, "mount", "-o", "loop", image, mnt)
	default:
		t.Fatalf("unknown scratch kind %q", kind)
	}
	t.Cleanup(func() {
		for run(t, nil, "findmnt", "-rn", mnt).code == 0 {
			if r := run(t, nil, "umount", mnt); r.code != 0 {
				t.Errorf("umount %s: %s", mnt, r.stderr)
				return
			}
		}
		if kind == "ext4" {
			assert.Empty(t, strings.TrimSpace(run(t, nil, "losetup", "-j", image).stdout), "no loop device left over %s", image)
		}
	})
	return mnt
}

// TestMemoryAVMLScratchTooSmall runs the script locally with an 8 MiB
// scratch file system: an AVML dump whose ranges declare more than that
// fails SCRATCH_TOO_SMALL before anything is decompressed, with both sizes
// in the message and results.json; one that fits is decompressed, the
// sizes recorded all the same.
func TestMemoryAVMLScratchTooSmall(t *testing.T) {
	requireRoot(t)
	requireTools(t, "jq", "xz", "od", "cmp", "python3", "mount", "umount", "findmnt", "losetup", "truncate", "mkfs.ext4")
	requireAVMLDecoder(t)
	mem := memoryWithBanner(testBanner)
	// 16 MiB of zeros compress to well under a MiB: the dump's copy fits
	// in the scratch space, its decompressed form does not.
	large := make([]byte, 16<<20)
	tooLarge := append(avmlRange(0x1000, len(mem), mem), avmlRange(0x100000, len(large), large)...)
	tooLargeLime := int64(32 + len(mem) + 32 + len(large))
	small := noise(100 << 10)
	fits := append(avmlRange(0x1000, len(mem), mem), avmlRange(0x100000, len(small), small)...)
	fitsLime := int64(32 + len(mem) + 32 + len(small))
	tests := []struct {
		name       string
		kind       string // of the scratch file system
		dump       []byte
		wantNeeded int64
		wantStatus string
	}{
		{name: "tmpfs too small", kind: "tmpfs", dump: tooLarge, wantNeeded: tooLargeLime, wantStatus: "SCRATCH_TOO_SMALL"},
		{name: "ext4 too small", kind: "ext4", dump: tooLarge, wantNeeded: tooLargeLime, wantStatus: "SCRATCH_TOO_SMALL"},
		{name: "tmpfs large enough", kind: "tmpfs", dump: fits, wantNeeded: fitsLime, wantStatus: "SUCCEEDED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Less(t, len(tt.dump), 4<<20, "the dump's copy fits in the scratch space")
			dir := t.TempDir()
			dump := filepath.Join(dir, "mem.avml")
			writeFile(t, dump, string(tt.dump), 0o600)
			symbols := filepath.Join(dir, "symbols")
			require.NoError(t, os.Mkdir(symbols, 0o755))
			symbolTable(t, symbols, testBanner)
			scratch := smallScratch(t, tt.kind)
			bin, _ := fakeVol(t)
			volLog := filepath.Join(dir, "vol.log")
			out := filepath.Join(dir, "out")

			r := run(t, []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "FAKE_VOL_LOG=" + volLog}, "bash",
				script(t, "memory-forensics.sh"), "--local", "--dump", dump, "--symbols-dir", symbols, "--output-dir", out,
				"--scratch-dir", scratch, "--dump-format", "avml", "--kernel-release", testRelease)

			assert.Contains(t, r.lastLine(), `"status":"`+tt.wantStatus+`"`, "summary; stderr:\n%s", r.stderr)
			var res memoryResults
			readJSON(t, filepath.Join(out, ResultsFileName), &res)
			assert.Equal(t, tt.wantStatus, res.Status, "results.json status")
			var facts scratchResults
			readJSON(t, filepath.Join(out, ResultsFileName), &facts)
			if assert.NotNil(t, facts.Scratch.NeededBytes, "scratch.neededBytes") {
				assert.Equal(t, tt.wantNeeded, *facts.Scratch.NeededBytes, "scratch.neededBytes: the decompressed file's size")
			}
			require.NotNil(t, facts.Scratch.FreeBytes, "scratch.freeBytes")
			free := *facts.Scratch.FreeBytes
			assert.Positive(t, free, "scratch.freeBytes")
			assert.Less(t, free, int64(8<<20), "scratch.freeBytes is the 8 MiB file system's")
			left, err := os.ReadDir(scratch)
			require.NoError(t, err)
			for _, e := range left {
				assert.Equal(t, "lost+found", e.Name(), "nothing of the run left in the scratch space")
			}
			if tt.wantStatus == "SUCCEEDED" {
				assert.Equal(t, 0, r.code, "exit code; stderr:\n%s", r.stderr)
				if assert.NotNil(t, res.Dump.Decompressed, "the decompression is recorded") {
					assert.Equal(t, tt.wantNeeded, res.Dump.Decompressed.SizeBytes, "decompressed size")
				}
				assert.FileExists(t, volLog, "Volatility ran")
				return
			}
			assert.Equal(t, 1, r.code, "exit code; stderr:\n%s", r.stderr)
			assert.Greater(t, tt.wantNeeded, free, "the dump needs more than the scratch space has")
			if assert.NotEmpty(t, res.Errors, "the failure is recorded") {
				assert.Equal(t, "scratch", res.Errors[0].Step)
				msg := res.Errors[0].Message
				assert.Contains(t, msg, "decompresses to "+strconv.FormatInt(tt.wantNeeded, 10)+" bytes", "the size needed")
				assert.Contains(t, msg, strconv.FormatInt(free, 10)+" bytes free", "the size free")
				assert.Contains(t, msg, "nothing was decompressed", "found by the pre-pass")
			}
			assert.Nil(t, res.Dump.Decompressed, "nothing decompressed")
			assert.NoFileExists(t, volLog, "Volatility did not run")
		})
	}
}
