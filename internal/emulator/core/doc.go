// Package core is what the emulator's protocols share: the batch timeline
// (Timeline), the deterministic answers and the markers in prompts
// (Reply, Embedding, FindMarker), the server faults (ParseFaults), state
// files written atomically (WriteAtomic, ForEachLine), ids, tallies,
// paging, the front door every call goes through, and what the
// synchronous endpoints share: Host.Send, which applies the latency and
// rate limits (Limits) and records Stats, and the markers' synchronous
// answers (sync.go).
//
// A protocol is a package that implements Protocol, which says where the
// vendor carries the API key and how its errors look, and registers its
// routes through Host.Door. The door gives each call a request id, checks
// its credentials, applies the server faults of its operation (see Fault)
// and answers the error its handler returns in the vendor's shape, so a
// protocol's handlers hold only what is particular to it.
//
// A new kind of server fault is a case in parseFault and one in
// serveFault; a new operation is a constant in faultOps and the Op its
// routes pass to Door.Handle.
package core
