package host

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"strings"
)

// clientToken derives an EC2 idempotency token from parts: the same parts
// give the same token, so a retried step gets back what its first attempt
// created instead of a second copy. Tokens are at most 64 ASCII characters;
// a SHA-256 in hex is exactly that.
func clientToken(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// pickSubnet chooses one of subnets from the forensic ID, so that every
// attempt of a case launches into the same subnet while cases spread over
// all of them. subnets must not be empty.
func pickSubnet(subnets []string, forensicID string) string {
	h := fnv.New32a()
	h.Write([]byte(forensicID))
	return subnets[h.Sum32()%uint32(len(subnets))]
}
