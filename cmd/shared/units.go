package shared

import (
	"fmt"
	"strconv"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/numfmt"
	"github.com/batchctl/batchctl/internal/providers"
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

// Count says a large number for people with its exact figure after it:
// "1.23M (1,234,567)"; under 10,000 it is written as is.
func Count(n int64) string {
	if n < 10_000 {
		return strconv.FormatInt(n, 10)
	}
	return Short(n) + " (" + numfmt.Thousands(n) + ")"
}

// Short says a large number for people where there is no room for its
// exact figure (a table, a line per result): "12.3k", "1.23M"; under
// 10,000 it is written as is.
func Short(n int64) string {
	if n < 10_000 {
		return strconv.FormatInt(n, 10)
	}
	v, unit := float64(n)/1e3, "k"
	if n >= 999_500 {
		v, unit = float64(n)/1e6, "M"
	}
	if n >= 999_500_000 {
		v, unit = float64(n)/1e9, "G"
	}
	switch {
	case v < 9.995:
		return fmt.Sprintf("%.2f%s", v, unit)
	case v < 99.95:
		return fmt.Sprintf("%.1f%s", v, unit)
	}
	return fmt.Sprintf("%.0f%s", v, unit)
}

// Tokens says token usage in a table or a line: input→output in Short
// units, "12.3k→456"; "unknown" when u is nil.
func Tokens(u *providers.Usage) string {
	if u == nil {
		return "unknown"
	}
	return Short(u.InputTokens) + "→" + Short(u.OutputTokens)
}
