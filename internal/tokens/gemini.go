package tokens

import (
	"encoding/json"
)

// geminiLine is a Gemini batch line; members may be camelCase (as
// batchctl writes them) or snake_case (as a passed-through line may).
type geminiLine struct {
	Request struct {
		Contents           []geminiContent   `json:"contents"`
		SystemInstruction  *geminiContent    `json:"systemInstruction"`
		SystemInstruction2 *geminiContent    `json:"system_instruction"`
		Content            *geminiContent    `json:"content"` // embeddings
		GenerationConfig   geminiGenConfig   `json:"generationConfig"`
		GenerationConfig2  geminiGenConfig   `json:"generation_config"`
		Tools              []json.RawMessage `json:"tools"`
	} `json:"request"`
}

type geminiGenConfig struct {
	MaxOutputTokens  *int `json:"maxOutputTokens"`
	MaxOutputTokens2 *int `json:"max_output_tokens"`
}

type geminiContent struct {
	Role  string `json:"role"`
	Parts []struct {
		Text        *string         `json:"text"`
		InlineData  *geminiBlob     `json:"inlineData"`
		InlineData2 *geminiBlob     `json:"inline_data"`
		FileData    json.RawMessage `json:"fileData"`
		FileData2   json.RawMessage `json:"file_data"`
		Other       json.RawMessage `json:"functionCall"`
	} `json:"parts"`
}

type geminiBlob struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

// gemini approximates a Gemini batch request: Gemini's tokenizer is not
// published for offline use, so text is counted with o200k_base, images by
// Gemini's documented rule; the error of the text count is unmeasured.
func (c *Counter) gemini(line []byte) (Line, error) {
	var l geminiLine
	if err := json.Unmarshal(line, &l); err != nil {
		return Line{}, badLine(err)
	}
	r := l.Request
	t := newTally(GetEncoding(O200kBase))
	defer t.release()
	if r.Content != nil {
		geminiParts(t, r.Content)
		return Line{Input: t.n, NoOutput: true, Estimated: t.estimated}, nil
	}
	sys := r.SystemInstruction
	if sys == nil {
		sys = r.SystemInstruction2
	}
	if sys != nil {
		geminiParts(t, sys)
	}
	for i := range r.Contents {
		geminiParts(t, &r.Contents[i])
	}
	for _, tool := range r.Tools {
		t.estimate(t.enc.Count(string(tool)))
	}
	out := Line{Input: t.n, Estimated: t.estimated}
	out.MaxOutput, out.HasMax = firstOf(r.GenerationConfig.MaxOutputTokens, r.GenerationConfig.MaxOutputTokens2,
		r.GenerationConfig2.MaxOutputTokens, r.GenerationConfig2.MaxOutputTokens2)
	return out, nil
}

func geminiParts(t *tally, c *geminiContent) {
	for _, p := range c.Parts {
		switch {
		case p.Text != nil:
			t.text(*p.Text)
		case p.InlineData != nil || p.InlineData2 != nil:
			blob := p.InlineData
			if blob == nil {
				blob = p.InlineData2
			}
			t.estimate(geminiImage(blob.Data))
		case len(p.FileData) > 0 || len(p.FileData2) > 0:
			t.estimate(258)
		case len(p.Other) > 0:
			t.estimate(t.enc.Count(string(p.Other)))
		}
	}
}
