package providers

import "github.com/batchctl/batchctl/internal/jsonscan"

// Count is a token count a provider may or may not report: Known is false
// when the provider's usage did not carry it (or carried null).
type Count struct {
	N     int64
	Known bool
}

// ReadCount reads an integer into c; null leaves c unknown.
func (c *Count) ReadCount(s *jsonscan.Scanner) error {
	if s.Null() {
		*c = Count{}
		return nil
	}
	n, err := s.Int()
	*c = Count{N: n, Known: err == nil}
	return err
}

// usageBlock holds a Usage and the detail counts its pointers point to, so
// that a normalized usage is one allocation.
type usageBlock struct {
	usage  Usage
	counts [3]int64
}

// NewUsage returns a usage in the normalized terms of the result line:
// input counts every input token, those read from and written to a cache
// included; output counts every output token, reasoning included. The
// detail counts are nil where they are not Known. It allocates once.
func NewUsage(input, output int64, cacheRead, cacheCreation, reasoning Count) *Usage {
	b := &usageBlock{usage: Usage{InputTokens: input, OutputTokens: output}}
	if cacheRead.Known {
		b.counts[0] = cacheRead.N
		b.usage.CacheReadInputTokens = &b.counts[0]
	}
	if cacheCreation.Known {
		b.counts[1] = cacheCreation.N
		b.usage.CacheCreationInputTokens = &b.counts[1]
	}
	if reasoning.Known {
		b.counts[2] = reasoning.N
		b.usage.ReasoningTokens = &b.counts[2]
	}
	return &b.usage
}

// Add adds v to u. A detail count of u becomes known (non-nil) when v
// knows it; a count neither knows stays nil. The detail counts u points to
// are u's own: Add never shares v's.
func (u *Usage) Add(v *Usage) {
	if v == nil {
		return
	}
	u.InputTokens += v.InputTokens
	u.OutputTokens += v.OutputTokens
	addCount(&u.CacheReadInputTokens, v.CacheReadInputTokens)
	addCount(&u.CacheCreationInputTokens, v.CacheCreationInputTokens)
	addCount(&u.ReasoningTokens, v.ReasoningTokens)
	u.CacheCreation1hInputTokens += v.CacheCreation1hInputTokens
}

func addCount(dst **int64, n *int64) {
	if n == nil {
		return
	}
	if *dst == nil {
		*dst = new(int64)
	}
	**dst += *n
}
