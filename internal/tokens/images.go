package tokens

import (
	"bufio"
	"encoding/base64"
	"image"
	_ "image/gif"  // image.DecodeConfig reads the sizes of GIF,
	_ "image/jpeg" // JPEG
	_ "image/png"  // and PNG images
	"io"
	"math"
	"strings"
)

// imageSize reads the width and height of an image in a data: URL, or of
// base64 data, from its header. ok is false for URLs and for formats the
// standard library does not read (WebP).
func imageSize(data string) (w, h int, ok bool) {
	if strings.HasPrefix(data, "data:") {
		_, b64, found := strings.Cut(data, ",")
		if !found {
			return 0, 0, false
		}
		data = b64
	} else if strings.HasPrefix(data, "http://") || strings.HasPrefix(data, "https://") {
		return 0, 0, false
	}
	r := base64.NewDecoder(base64.StdEncoding, strings.NewReader(data))
	cfg, _, err := image.DecodeConfig(bufio.NewReader(io.LimitReader(r, 1<<20)))
	if err != nil {
		return 0, 0, false
	}
	return cfg.Width, cfg.Height, true
}

// openaiImage is an image's input tokens by OpenAI's rule ("Calculating
// costs" in https://platform.openai.com/docs/guides/images-vision): detail
// low costs the base (85); otherwise the image is scaled to fit in
// 2048x2048, then down so that its shortest side is 768, and each 512px
// tile costs 170 on top of the base. gpt-4o-mini has base 2833 and 5667 a
// tile. An image whose size cannot be read (a URL, WebP) is counted as
// 1024x1024 at high detail, the page's example: 765 tokens, or 4 tiles.
// The patch-based rule of gpt-4.1-mini, gpt-4.1-nano and o4-mini is not
// implemented: they are counted by the tile rule.
func openaiImage(model, url, detail string) int {
	base, tile := 85, 170
	if strings.HasPrefix(model, "gpt-4o-mini") {
		base, tile = 2833, 5667
	}
	if detail == "low" {
		return base
	}
	w, h, ok := imageSize(url)
	if !ok {
		w, h = 1024, 1024
	}
	fw, fh := float64(w), float64(h)
	if s := 2048 / math.Max(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	if s := 768 / math.Min(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	tiles := int(math.Ceil(fw/512) * math.Ceil(fh/512))
	return base + tile*tiles
}

// anthropicImage is an image's input tokens by Anthropic's rule
// (https://docs.claude.com/en/docs/build-with-claude/vision, "Calculate
// image costs"): width*height/750, for an image that is first scaled down
// to fit 1568px on its long edge, and further when it would take more than
// about 1,600 tokens: at most 1,600, which is also the count of an image of
// unknown size.
func anthropicImage(data string) int {
	w, h, ok := imageSize(data)
	if !ok {
		return 1600
	}
	fw, fh := float64(w), float64(h)
	if s := 1568 / math.Max(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	return min(int(math.Ceil(fw*fh/750)), 1600)
}

// geminiImage is an image's input tokens by Gemini's rule
// (https://ai.google.dev/gemini-api/docs/tokens, "Multimodal tokens"): 258
// for an image of at most 384px on both sides, else 258 for each 768x768
// tile. An image of unknown size counts 258.
func geminiImage(data string) int {
	w, h, ok := imageSize(data)
	if !ok || (w <= 384 && h <= 384) {
		return 258
	}
	return 258 * int(math.Ceil(float64(w)/768)*math.Ceil(float64(h)/768))
}
