package jsonl

// EndpointOf is the provider's name for requests of kind k sent to target
// t: "/v1/chat/completions", "/v1/messages", "batchGenerateContent", ...
func EndpointOf(t Target, k Kind) string { return endpointOf(t, k) }
