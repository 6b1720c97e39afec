package shared

import (
	"fmt"
	"math"
	"strconv"

	"github.com/batchctl/batchctl/internal/estimate"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/prices"
)

// Prices is the price table jobs' costs are shown at. When the user's
// prices.yaml cannot be read, a warning on standard error says why and
// every cost shows as unknown (nil table), rather than the command failing.
func Prices(ios *iostreams.IOStreams, m *jobs.Manager) *prices.Table {
	t, err := m.Prices()
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "%s %v; costs are shown as unknown\n", ios.ErrColorScheme().Warning("warning:"), err)
		return nil
	}
	return t
}

// Cost says a cost in a table or a line: "$12.35", "$0.0123", or under a
// cent every digit of its billionths ("$0.0000105"), which is what the
// small jobs' bills come to; "—" when it is unknown (nil) on a terminal,
// "unknown" otherwise.
func Cost(usd *float64, tty bool) string {
	switch {
	case usd != nil && *usd < 0.01:
		return "$" + strconv.FormatFloat(math.Round(*usd*1e9)/1e9, 'f', -1, 64)
	case usd != nil:
		return estimate.Money(*usd)
	case tty:
		return "—"
	}
	return "unknown"
}

// Bill says a job's cost as Cost does, with "≈" before it when it is worked
// out at today's prices rather than recorded when the job ended
// (jobs.BasisCurrentPrices).
func Bill(b jobs.Bill, tty bool) string {
	if b.Basis == jobs.BasisCurrentPrices {
		return "≈" + Cost(b.USD, tty)
	}
	return Cost(b.USD, tty)
}
