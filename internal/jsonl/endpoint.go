package jsonl

// EndpointOf is the provider's name for requests of kind k sent to target
// t: "/v1/chat/completions", "/v1/messages", "batchGenerateContent", ...
func EndpointOf(t Target, k Kind) string {
	p := protocolOf(t)
	if p == nil {
		p = &openAI // as the converter's callers take unknown services to be
	}
	return p.endpoint(k)
}
