package jsonl

// checkTextOnly refuses what a text-only target cannot take in a request
// body passed through as it is: a content part that is not text, in a chat
// message (messages[].content[]) or a Responses input item
// (input[].content[]), and a request for non-text output (modalities,
// audio, image_config). OpenRouter's batch validation rejects exactly
// these ("Limitations", https://openrouter.ai/docs/batch-quickstart); a
// batch holding one fails as a whole, so batchctl refuses the line before
// anything is sent.
func (c *Converter) checkTextOnly(body []byte) {
	at := root("body")
	w := walk(body)
	if !w.object() {
		return
	}
	for key, ok := w.key(); ok; key, ok = w.key() {
		switch string(key) {
		case "messages", "input":
			c.checkTextMessages(&w, at.key(string(key)))
		case "modalities", "audio", "image_config":
			c.reportAt(at.key(string(key)), "cannot be sent to "+string(c.rules.name)+" (its batches return text only)")
		}
	}
}

// checkTextMessages checks the content parts of the messages (or input
// items) in the array at w.
func (c *Converter) checkTextMessages(w *walker, at loc) {
	if !w.array() {
		return
	}
	for i := 0; w.elem(); i++ {
		msg := at.elem(i)
		if !w.object() {
			continue
		}
		for key, ok := w.key(); ok; key, ok = w.key() {
			if string(key) == "content" {
				c.checkTextParts(w, msg.key("content"))
			}
		}
	}
}

// checkTextParts reports the content parts in the array at w whose type
// is not a text type.
func (c *Converter) checkTextParts(w *walker, at loc) {
	if !w.array() {
		return
	}
	for i := 0; w.elem(); i++ {
		part := at.elem(i)
		if !w.object() {
			continue
		}
		for key, ok := w.key(); ok; key, ok = w.key() {
			if string(key) != "type" || w.peek() != '"' {
				continue
			}
			typ := w.next()
			switch string(escapedContents(typ)) {
			case "text", "input_text", "output_text", "refusal":
			default:
				c.reportAt(part.key("type"), shorten(typ)+" parts cannot be sent to "+string(c.rules.name)+" (its batches take text only)")
			}
		}
	}
}
