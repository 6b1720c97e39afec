package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/batchctl/batchctl/internal/providers"
)

// Download streams a finished batch's results to w. A batch with a
// responses file (b.OutputFileID) gets that file's lines. Otherwise its
// inlined responses are written one per line, each one's JSON compacted
// but otherwise as the API sent it; they are read from b.Raw, or from the
// batch fetched anew when b.Raw is empty. A batch without results (failed,
// expired, cancelled) writes nothing.
func (c *Client) Download(ctx context.Context, b *providers.Batch, w io.Writer) error {
	if b.OutputFileID != "" {
		return c.downloadFile(ctx, b.OutputFileID, w)
	}
	if len(b.Raw) > 0 {
		return c.downloadOutput(ctx, bytes.NewReader(b.Raw), w)
	}
	const op = "download results"
	name, err := batchName(b.ID)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req, err := c.api.NewRequest(ctx, http.MethodGet, c.base+apiVersion+"/"+name, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	resp, err := c.api.Do(op, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return c.downloadOutput(ctx, c.api.Bounded(op, resp.Body), w)
}

// downloadOutput writes the results of the batch operation read from r:
// its inlined responses, or its responses file.
func (c *Client) downloadOutput(ctx context.Context, r io.Reader, w io.Writer) error {
	file, err := writeInlined(r, w)
	if err != nil {
		return fmt.Errorf("download inlined responses: %w", err)
	}
	if file != "" {
		return c.downloadFile(ctx, file, w)
	}
	return nil
}

// downloadFile streams a responses file ("files/...") to w, ending it with
// '\n'.
func (c *Client) downloadFile(ctx context.Context, file string, w io.Writer) error {
	op := "download " + file
	id, ok := strings.CutPrefix(file, "files/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return fmt.Errorf("%s: invalid file name (want files/<id>)", op)
	}
	rawURL := c.base + "/download" + apiVersion + "/files/" + url.PathEscape(id) + ":download?alt=media"
	req, err := c.api.NewRequest(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return c.api.Download(op, req, w)
}

// writeInlined reads a batch operation from r, one value at a time, and
// writes the inlined responses of the first output it finds (the
// operation's response, or the batch's own metadata.output that repeats
// it) to w, one per line; it returns the responses file that output names
// instead, if any.
func writeInlined(r io.Reader, w io.Writer) (string, error) {
	o := &outputWalker{dec: json.NewDecoder(r), w: w}
	err := o.object(func(key string) error {
		switch key {
		case "response":
			return o.output()
		case "metadata":
			return o.object(func(key string) error {
				if key == "output" {
					return o.output()
				}
				return o.skip()
			})
		}
		return o.skip()
	})
	return o.file, err
}

// outputWalker reads a batch operation with a streaming decoder.
type outputWalker struct {
	dec   *json.Decoder
	w     io.Writer
	found bool   // an output was read; later ones are skipped
	file  string // the responses file of the output found
	line  bytes.Buffer
}

// object reads an object (null reads as empty), calling member with each
// key and the decoder at its value, which member must read.
func (o *outputWalker) object(member func(key string) error) error {
	tok, err := o.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("found %v, want an object", tok)
	}
	for o.dec.More() {
		tok, err := o.dec.Token()
		if err != nil {
			return err
		}
		if err := member(tok.(string)); err != nil {
			return err
		}
	}
	_, err = o.dec.Token() // '}'
	return err
}

// skip reads a value and drops it.
func (o *outputWalker) skip() error {
	var v json.RawMessage
	return o.dec.Decode(&v)
}

// output reads a GenerateContentBatchOutput: {"responsesFile":...} or
// {"inlinedResponses":{"inlinedResponses":[...]}}.
func (o *outputWalker) output() error {
	first := !o.found
	o.found = true
	return o.object(func(key string) error {
		switch key {
		case "responsesFile":
			var file string
			if err := o.dec.Decode(&file); err != nil {
				return err
			}
			if first {
				o.file = file
			}
			return nil
		case "inlinedResponses":
			return o.object(func(key string) error {
				if key != "inlinedResponses" {
					return o.skip()
				}
				return o.responses(first)
			})
		}
		return o.skip()
	})
}

// responses reads the array of inlined responses, writing each as a line
// when write is set.
func (o *outputWalker) responses(write bool) error {
	tok, err := o.dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("inlinedResponses: found %v, want an array", tok)
	}
	var item json.RawMessage
	for o.dec.More() {
		if err := o.dec.Decode(&item); err != nil {
			return err
		}
		if !write {
			continue
		}
		o.line.Reset()
		if err := json.Compact(&o.line, item); err != nil {
			return err
		}
		o.line.WriteByte('\n')
		if _, err := o.w.Write(o.line.Bytes()); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	_, err = o.dec.Token() // ']'
	return err
}
