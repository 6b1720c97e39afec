package jsonl

// simpleKind tells the kind of a simple line from its conversation member
// and the --endpoint default, and returns the member's name.
func (c *Converter) simpleKind() (Kind, string, bool) {
	t := &c.top
	switch {
	case t.messages != nil && t.prompt != nil:
		c.report("prompt", "cannot be used together with messages")
		return "", "", false
	case t.input != nil && t.messages != nil:
		c.report("input", "cannot be used together with messages")
		return "", "", false
	case t.input != nil && t.prompt != nil:
		c.report("input", "cannot be used together with prompt")
		return "", "", false
	}
	want := c.def.endpoint
	if t.input != nil {
		if want != "" && want != KindEmbeddings {
			c.report("input", "is input to embed, but --endpoint is "+string(want)+" (use messages or prompt)")
			return "", "", false
		}
		return KindEmbeddings, "input", true
	}
	field := "messages"
	if t.prompt != nil {
		field = "prompt"
	}
	switch want {
	case "":
		return KindChat, field, true
	case KindEmbeddings:
		c.report(field, "cannot be embedded (--endpoint embeddings takes input)")
		return "", "", false
	}
	return want, field, true
}

// simpleLine reads a simple line of kind.
func (c *Converter) simpleLine(kind Kind) {
	f := &c.top.simple
	if f.model != nil {
		c.setModel(f.model, root("model"))
	}
	if kind == KindEmbeddings {
		c.simpleEmbeddings()
		return
	}
	c.notFor(kind, namedValue{"dimensions", f.dimensions}, namedValue{"task_type", f.taskType},
		namedValue{"encoding_format", f.encodingFormat})
	c.simpleConversation(kind)
	if f.maxTokens != nil {
		c.setMaxTokens(f.maxTokens, root(""), "max_tokens")
	}
	if f.temperature != nil {
		c.setTemperature(f.temperature, root("temperature"))
	}
	if f.topP != nil {
		c.setTopP(f.topP, root("top_p"))
	}
	if f.topK != nil {
		c.setTopK(f.topK, root("top_k"))
	}
	if f.stop != nil {
		c.setStop(f.stop, root("stop"), false)
	}
}

// simpleConversation reads the system prompt and the messages or prompt
// of a simple line.
func (c *Converter) simpleConversation(kind Kind) {
	t := &c.top
	if t.simple.system != nil {
		if kind == KindCompletions {
			c.report("system", "cannot be converted to /v1/completions (it has no system prompt)")
		} else {
			c.textPart(t.simple.system, root("system"), true)
		}
	}
	switch {
	case t.messages != nil && kind == KindCompletions:
		c.report("messages", "cannot be converted to /v1/completions (it takes a prompt)")
	case t.messages != nil:
		w := walk(t.messages)
		c.openAIMessages(&w, root("messages"))
	default:
		c.req.conversation = true
		if _, ok := c.stringAt(t.prompt, root("prompt")); ok {
			c.req.begin(roleUser)
			c.req.add(part{kind: partText, text: t.prompt}, false)
		}
	}
}

// simpleEmbeddings reads the members of a simple embeddings line.
func (c *Converter) simpleEmbeddings() {
	f := &c.top.simple
	c.notFor(KindEmbeddings, namedValue{"system", f.system}, namedValue{"max_tokens", f.maxTokens},
		namedValue{"temperature", f.temperature}, namedValue{"top_p", f.topP}, namedValue{"top_k", f.topK},
		namedValue{"stop", f.stop})
	c.embeddingsInput(c.top.input, root("input"))
	if f.dimensions != nil {
		c.setDimensions(f.dimensions, root("dimensions"))
	}
	if f.encodingFormat != nil {
		c.setEncodingFormat(f.encodingFormat, root("encoding_format"))
	}
	if f.taskType != nil {
		c.setTaskType(f.taskType, root("task_type"))
	}
}

// notFor reports the members of a simple line that requests of kind do
// not have.
func (c *Converter) notFor(kind Kind, members ...namedValue) {
	for _, m := range members {
		if m.raw != nil {
			c.report(m.name, "does not apply to "+string(kind)+" requests")
		}
	}
}
