package openai

import (
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// EndpointModerations is the moderation endpoint of a batch.
const EndpointModerations = "/v1/moderations"

// moderationCategories are the categories of a moderation result, in the
// order of CreateModerationResponse.results[].categories in
// specs/openai-openapi.yaml (every one required).
var moderationCategories = []string{
	"hate", "hate/threatening", "harassment", "harassment/threatening", "illicit", "illicit/violent",
	"self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence", "violence/graphic",
}

// defaultModerationModel is the model of a request without one, as in
// CreateModerationRequest.model of the spec.
const defaultModerationModel = "omni-moderation-latest"

// flagPattern is the moderation marker: [flag] flags an input as
// violence, [flag:CATEGORY] as that category.
var flagPattern = regexp.MustCompile(`\[flag(?::([a-z/-]+))?\]`)

// moderationRequest is a /v1/moderations body.
type moderationRequest struct {
	Model  string          `json:"model"`
	Input  json.RawMessage `json:"input"`
	inputs []string
}

func parseModerations(body []byte) (endpointRequest, *apiError) {
	var req moderationRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if req.Input == nil {
		return nil, missingParam("input")
	}
	var ok bool
	if req.inputs, ok = stringOrStrings(req.Input); !ok {
		return nil, invalidType("input", "a string or a non-empty array of strings (the emulator does not take images)")
	}
	if req.Model == "" {
		req.Model = defaultModerationModel
	}
	for _, text := range req.inputs {
		for _, m := range flagPattern.FindAllStringSubmatch(text, -1) {
			if m[1] != "" && !slices.Contains(moderationCategories, m[1]) {
				return nil, invalidRequest("input", "invalid_value", "Unknown moderation category '%s' in [flag:...] (emulator): want one of %s.",
					m[1], strings.Join(moderationCategories, ", "))
			}
		}
	}
	return &req, nil
}

func (r *moderationRequest) markerText() string { return strings.Join(r.inputs, "\n") }

func (r *moderationRequest) usage() (int64, int64) { return core.CountTokens(r.inputs...), 0 }

type moderationResponse struct {
	ID      string             `json:"id"`
	Model   string             `json:"model"`
	Results []moderationResult `json:"results"`
}

// moderationResult is one input's result; the category objects keep the
// spec's order (encoding/json would sort a map's keys).
type moderationResult struct {
	Flagged                   bool          `json:"flagged"`
	Categories                orderedObject `json:"categories"`
	CategoryScores            orderedObject `json:"category_scores"`
	CategoryAppliedInputTypes orderedObject `json:"category_applied_input_types"`
}

// orderedObject is a JSON object of the moderation categories, in order,
// with one value each.
type orderedObject []any

func (o orderedObject) MarshalJSON() ([]byte, error) {
	return core.MarshalOrdered(moderationCategories, o)
}

// answer flags each input carrying a [flag] marker, in the category it
// names (violence by default), with score 0.99; every other score is 0.
func (r *moderationRequest) answer(m core.AnswerMeta) any {
	results := make([]moderationResult, len(r.inputs))
	for i, text := range r.inputs {
		flagged := map[string]bool{}
		for _, mk := range flagPattern.FindAllStringSubmatch(text, -1) {
			flagged[cmp.Or(mk[1], "violence")] = true
		}
		res := moderationResult{Flagged: len(flagged) > 0}
		// Every category is applied to text, the only input taken.
		for _, c := range moderationCategories {
			score := 0.0
			if flagged[c] {
				score = 0.99
			}
			res.Categories = append(res.Categories, flagged[c])
			res.CategoryScores = append(res.CategoryScores, score)
			res.CategoryAppliedInputTypes = append(res.CategoryAppliedInputTypes, []string{"text"})
		}
		results[i] = res
	}
	return moderationResponse{ID: m.ID("modr-"), Model: r.Model, Results: results}
}
