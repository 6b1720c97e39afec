package shared

import (
	"fmt"

	"github.com/batchctl/batchctl/internal/cmdutil"
)

// Size says a number of bytes for people, in decimal units with three
// significant figures: "512 bytes", "1.23 MB", "200 MB".
func Size(n int64) string {
	if n < 1000 {
		return cmdutil.Plural(int(n), "byte")
	}
	v, units := float64(n)/1000, []string{"kB", "MB", "GB", "TB"}
	u := 0
	for v >= 999.5 && u < len(units)-1 {
		v /= 1000
		u++
	}
	switch {
	case v < 9.995:
		return fmt.Sprintf("%.2f %s", v, units[u])
	case v < 99.95:
		return fmt.Sprintf("%.1f %s", v, units[u])
	}
	return fmt.Sprintf("%.0f %s", v, units[u])
}
