package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Byte size units: decimal (KB, MB, GB) and binary (KiB, MiB, GiB).
const (
	KB  int64 = 1000
	MB        = 1000 * KB
	GB        = 1000 * MB
	KiB int64 = 1024
	MiB       = 1024 * KiB
	GiB       = 1024 * MiB
)

var units = []struct {
	suffix string
	mult   int64
}{
	{"kib", KiB}, {"mib", MiB}, {"gib", GiB},
	{"kb", KB}, {"mb", MB}, {"gb", GB},
	{"k", KB}, {"m", MB}, {"g", GB}, {"b", 1},
}

// ParseBytes parses a size such as "200MB", "1.5 GiB" or "1024".
func ParseBytes(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("invalid size %q (want e.g. 200MB, 1GiB or a number of bytes)", s)
	}
	return int64(f * float64(mult)), nil
}
