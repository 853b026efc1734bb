package openaicompat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/vastaa/vastaa/pipeline"
)

// IntentClassifier asks a chat model for the intent, constrained by a JSON
// schema so the reply is always {intent, confidence} with a known intent.
type IntentClassifier struct {
	cfg Config
	c   *openai.Client
}

// NewIntentClassifier makes the provider.
func NewIntentClassifier(cfg Config) (*IntentClassifier, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if cfg.ChatModel == "" {
		return nil, errors.New("openai-compatible intents: no chat model configured")
	}
	return &IntentClassifier{cfg: cfg, c: newClient(cfg)}, nil
}

func (ic *IntentClassifier) Name() string { return "openai:" + ic.cfg.ChatModel }

// intentSchema is the JSON schema of the model's reply.
type intentSchema struct{}

func (intentSchema) MarshalJSON() ([]byte, error) {
	var names []string
	for _, in := range pipeline.Intents {
		names = append(names, string(in))
	}
	return json.Marshal(map[string]any{
		"type": "object",
		"properties": map[string]any{
			"intent":     map[string]any{"type": "string", "enum": names},
			"confidence": map[string]any{"type": "number", "minimum": 0, "maximum": 1},
		},
		"required":             []string{"intent", "confidence"},
		"additionalProperties": false,
	})
}

const intentInstructions = `You classify one utterance of a caller to a health clinic's phone line.
Intents: question (a question the clinic's information could answer), booking (book a new appointment),
reschedule (move an existing appointment), cancel (cancel one), voicemail (leave a message),
human (talk to a person), urgent (an urgent or emergency matter), yes, no, goodbye,
unknown (none of these). The utterance may be English, Finnish, Swedish or Latvian and may contain
speech-recognition errors. Reply with the intent and your confidence from 0 to 1.`

// Classify returns the model's intent for text.
func (ic *IntentClassifier) Classify(ctx context.Context, text string, lang pipeline.Language) (pipeline.IntentResult, error) {
	if strings.TrimSpace(text) == "" {
		return pipeline.IntentResult{Intent: pipeline.IntentUnknown}, nil
	}
	req := openai.ChatCompletionRequest{
		Model: ic.cfg.ChatModel,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: intentInstructions},
			{Role: openai.ChatMessageRoleUser, Content: fmt.Sprintf("Language hint: %s\nUtterance: %s", lang, text)},
		},
		Temperature: 0,
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type:       openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: "intent", Schema: intentSchema{}, Strict: true},
		},
	}
	resp, err := withRetry(ctx, ic.cfg, "intent chat completion", func() (openai.ChatCompletionResponse, error) {
		return ic.c.CreateChatCompletion(ctx, req)
	})
	if err != nil {
		return pipeline.IntentResult{}, err
	}
	if len(resp.Choices) == 0 {
		return pipeline.IntentResult{}, errors.New("intent chat completion: no choices in the reply")
	}
	var out struct {
		Intent     string   `json:"intent"`
		Confidence *float64 `json:"confidence"`
	}
	if err := json.Unmarshal([]byte(resp.Choices[0].Message.Content), &out); err != nil {
		return pipeline.IntentResult{}, fmt.Errorf("intent chat completion: reply is not the expected JSON: %w", err)
	}
	in := pipeline.Intent(out.Intent)
	known := false
	for _, k := range pipeline.Intents {
		known = known || k == in
	}
	if !known {
		return pipeline.IntentResult{}, fmt.Errorf("intent chat completion: unknown intent %q", out.Intent)
	}
	if out.Confidence == nil || *out.Confidence < 0 || *out.Confidence > 1 {
		return pipeline.IntentResult{}, errors.New("intent chat completion: confidence missing or outside 0..1")
	}
	return pipeline.IntentResult{Intent: in, Confidence: *out.Confidence}, nil
}
