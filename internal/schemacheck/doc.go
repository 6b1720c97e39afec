// Package schemacheck checks the answers of a job against the JSON Schema
// its requests asked for (issue 17): it compiles schemas (draft 2020-12
// unless a schema names another, with github.com/santhosh-tekuri/jsonschema),
// reads the answer's JSON out of a result's text, validates it, and fills
// the parsed, valid and output_error keys of the result line. It also keeps
// the schemas a job's requests ask for in the job's directory (Recorder,
// Load), one copy of each distinct schema, with a per-request record only
// for the requests that differ from the first.
package schemacheck
