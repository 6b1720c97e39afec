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
// gpt-4.1-mini, gpt-4.1-nano and o4-mini follow the patch rule instead
// (openaiPatches).
func openaiImage(model, url, detail string) int {
	for prefix, multiplier := range patchMultipliers {
		if strings.HasPrefix(model, prefix) {
			return openaiPatches(url, multiplier)
		}
	}
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

// patchMultipliers are the models of the patch rule and their token
// multipliers. Source: "Calculating costs" of
// https://platform.openai.com/docs/guides/images-vision, as quoted on the
// OpenAI developer forum (community.openai.com threads 1230130, "GPT-4.1
// vision price calculations", and 1377015, whose author also measured
// these multipliers from billed usage: gpt-4.1-mini 1.62, gpt-4.1-nano
// 2.46, o4-mini 1.72). The page itself could not be read from here.
var patchMultipliers = map[string]float64{"gpt-4.1-mini": 1.62, "gpt-4.1-nano": 2.46, "o4-mini": 1.72}

// maxPatches is the most 32px patches an image is billed for.
const maxPatches = 1536

// openaiPatches is an image's input tokens by OpenAI's patch rule: the
// 32x32 patches that cover it; over 1536, the image is first scaled down
// so that at most 1536 cover it (by sqrt(32²·1536/(w·h)), then further so
// that whole patches fit each side: the page's example, 1800x2400,
// becomes 1056x1408, 33x44 = 1452 patches); times the model's multiplier,
// rounded up. Detail does not change it. An image of unknown size counts
// as 1024x1024 (1024 patches).
func openaiPatches(url string, multiplier float64) int {
	w, h, ok := imageSize(url)
	if !ok {
		w, h = 1024, 1024
	}
	patches := func(w, h float64) float64 { return math.Ceil(w/32) * math.Ceil(h/32) }
	fw, fh := float64(w), float64(h)
	if patches(fw, fh) > maxPatches {
		shrink := math.Sqrt(32 * 32 * maxPatches / (fw * fh))
		sw, sh := fw*shrink/32, fh*shrink/32
		shrink *= math.Min(math.Floor(sw)/sw, math.Floor(sh)/sh)
		fw, fh = math.Floor(fw*shrink), math.Floor(fh*shrink)
	}
	return int(math.Ceil(min(patches(fw, fh), maxPatches) * multiplier))
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
