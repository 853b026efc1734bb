package openaicompat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/vastaa/vastaa/knowledge"
)

// Embedder is the knowledge base's embedding on an OpenAI-compatible
// /embeddings endpoint: texts are sent in batches, retried with backoff on
// rate limits, server errors and unreachable hosts, and every vector is
// checked for the configured dimension and normalised.
type Embedder struct {
	cfg    Config
	client *openai.Client
	// Batch is how many texts go in one request (default 64).
	Batch int
}

// NewEmbedder needs BaseURL, EmbeddingModel and EmbeddingDim.
func NewEmbedder(cfg Config) (*Embedder, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if cfg.EmbeddingModel == "" || cfg.EmbeddingDim <= 0 {
		return nil, errors.New("openai-compatible embeddings: the model and its dimension must be configured")
	}
	return &Embedder{cfg: cfg, client: newClient(cfg), Batch: 64}, nil
}

func (e *Embedder) Model() string { return e.cfg.EmbeddingModel }
func (e *Embedder) Dim() int      { return e.cfg.EmbeddingDim }

func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.Batch {
		batch := texts[start:min(len(texts), start+e.Batch)]
		resp, err := withRetry(ctx, e.cfg, "embeddings", func() (openai.EmbeddingResponse, error) {
			return e.client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: batch, Model: openai.EmbeddingModel(e.cfg.EmbeddingModel)})
		})
		if err != nil {
			return nil, err
		}
		if len(resp.Data) != len(batch) {
			return nil, fmt.Errorf("embeddings at %s: asked for %d vectors, got %d", e.cfg.BaseURL, len(batch), len(resp.Data))
		}
		vecs := make([][]float32, len(batch))
		for _, d := range resp.Data {
			if d.Index < 0 || d.Index >= len(batch) || vecs[d.Index] != nil {
				return nil, fmt.Errorf("embeddings at %s: bad index %d in the reply", e.cfg.BaseURL, d.Index)
			}
			if len(d.Embedding) != e.cfg.EmbeddingDim {
				return nil, fmt.Errorf("embeddings at %s: model %s returned dimension %d, configured %d", e.cfg.BaseURL, e.cfg.EmbeddingModel, len(d.Embedding), e.cfg.EmbeddingDim)
			}
			vecs[d.Index] = normalise(d.Embedding)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func normalise(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return v
	}
	n = math.Sqrt(n)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / n)
	}
	return out
}

// Composer writes grounded answers with a chat model that may use only the
// retrieved passages and must cite them (JSON-schema output). The
// knowledge base drops any citation of an article it did not retrieve and
// says nothing when none remains.
type Composer struct {
	cfg    Config
	client *openai.Client
}

// NewComposer needs BaseURL and AnswerModel (or ChatModel).
func NewComposer(cfg Config) (*Composer, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if cfg.AnswerModel == "" {
		cfg.AnswerModel = cfg.ChatModel
	}
	if cfg.AnswerModel == "" {
		return nil, errors.New("openai-compatible answers: no chat model configured")
	}
	return &Composer{cfg: cfg, client: newClient(cfg)}, nil
}

type answerSchema struct{}

func (answerSchema) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"type": "object",
		"properties": map[string]any{
			"found":     map[string]any{"type": "boolean"},
			"answer":    map[string]any{"type": "string"},
			"citations": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		},
		"required":             []string{"found", "answer", "citations"},
		"additionalProperties": false,
	})
}

var languageNames = map[string]string{"en": "English", "fi": "Finnish", "sv": "Swedish", "lv": "Latvian"}

const answerInstructions = `You answer a caller on a health clinic's phone line, using ONLY the passages given.
Rules: use no knowledge of your own; if the passages do not answer the question, set found to false and
leave the answer empty. Otherwise answer in one or two short spoken sentences (no lists, no markdown) in
%s, and put the id of every passage you used in citations. Never cite an id that is not listed.`

// Compose asks the model for an answer from the passages.
func (c *Composer) Compose(ctx context.Context, question, lang string, ps []knowledge.Passage) (knowledge.Answer, error) {
	var sb strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&sb, "[id: %s] %s", p.ArticleID, p.Title)
		if p.Heading != "" {
			sb.WriteString(" / " + p.Heading)
		}
		sb.WriteString("\n" + p.Text + "\n\n")
	}
	name := languageNames[lang]
	if name == "" {
		name = "the caller's language"
	}
	req := openai.ChatCompletionRequest{
		Model:       c.cfg.AnswerModel,
		Temperature: 0,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: fmt.Sprintf(answerInstructions, name)},
			{Role: openai.ChatMessageRoleUser, Content: "Passages:\n\n" + sb.String() + "Question: " + question},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type:       openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: "grounded_answer", Schema: answerSchema{}, Strict: true},
		},
	}
	resp, err := withRetry(ctx, c.cfg, "answer", func() (openai.ChatCompletionResponse, error) {
		return c.client.CreateChatCompletion(ctx, req)
	})
	if err != nil {
		return knowledge.Answer{}, err
	}
	if len(resp.Choices) == 0 {
		return knowledge.Answer{}, fmt.Errorf("answer at %s: no choices in the reply", c.cfg.BaseURL)
	}
	var out struct {
		Found     bool     `json:"found"`
		Answer    string   `json:"answer"`
		Citations []string `json:"citations"`
	}
	if err := json.Unmarshal([]byte(resp.Choices[0].Message.Content), &out); err != nil {
		return knowledge.Answer{}, fmt.Errorf("answer at %s: reply is not the requested JSON: %w", c.cfg.BaseURL, err)
	}
	return knowledge.Answer{Text: strings.TrimSpace(out.Answer), Citations: out.Citations, Found: out.Found}, nil
}
