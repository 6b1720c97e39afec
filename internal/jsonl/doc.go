// Package jsonl reads and writes JSON Lines streams and validates batch
// input one line at a time, so that files of any size are checked with flat
// memory: a Reader hands out lines of any length with their line numbers, a
// Writer emits lines (flushing each one when output is streamed to a
// pipe), and a validator such as OpenAIValidator collects Problems that
// name the file, line and field at fault into a ValidationError.
package jsonl
