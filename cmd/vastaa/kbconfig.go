package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/vastaa/vastaa/examples"
	"github.com/vastaa/vastaa/knowledge"
	"github.com/vastaa/vastaa/knowledge/pgstore"
	"github.com/vastaa/vastaa/knowledge/sqlitestore"
	"github.com/vastaa/vastaa/pipeline/langid"
	"github.com/vastaa/vastaa/pipeline/openaicompat"
)

// kbConfig chooses the knowledge store, embedding and answer composer.
type kbConfig struct {
	Store         string // sqlite | postgres
	DatabaseURL   string
	SQLitePath    string // default: <data-dir>/knowledge.db
	Tenant        string
	Embedding     string // local | openai
	Answers       string // extractive | openai
	MinConfidence float64
	Demo          string // auto | true | false: ingest the shipped demo clinic

	EmbeddingModel string
	EmbeddingDim   int
	AnswerModel    string

	// Shared with serve's OpenAI-compatible settings (kb commands register their own).
	OpenAIBaseURL string
	OpenAIAPIKey  string
}

func (c *kbConfig) register(fs *flag.FlagSet, withOpenAI bool) {
	fs.StringVar(&c.Store, "kb-store", "sqlite", "knowledge store: sqlite (embedded file in the data directory) or postgres (needs --database-url)")
	fs.StringVar(&c.DatabaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL for --kb-store=postgres (default: $DATABASE_URL)")
	fs.StringVar(&c.SQLitePath, "kb-sqlite", "", "SQLite file of the embedded store (default: knowledge.db in the data directory)")
	fs.StringVar(&c.Tenant, "kb-tenant", knowledge.DefaultTenant, "knowledge base (tenant) to use; tenants never see each other's articles")
	fs.StringVar(&c.Embedding, "kb-embedding", "local", "embedding: local (deterministic, no model file) or openai")
	fs.StringVar(&c.Answers, "kb-answers", "extractive", "answers: extractive (sentences of the retrieved passages) or openai (chat model grounded in the passages)")
	fs.Float64Var(&c.MinConfidence, "kb-min-confidence", knowledge.MinConfidence, "retrieval confidence below which the bot says it does not know and offers a person")
	fs.StringVar(&c.Demo, "kb-demo", "auto", "ingest the shipped demo clinic articles: auto (when serve starts with the sqlite store), true or false")
	fs.StringVar(&c.EmbeddingModel, "openai-embedding-model", "text-embedding-3-small", "embedding model for --kb-embedding=openai")
	fs.IntVar(&c.EmbeddingDim, "openai-embedding-dim", 1536, "dimension of that embedding model")
	fs.StringVar(&c.AnswerModel, "openai-answer-model", "", "chat model for --kb-answers=openai (default: --openai-chat-model)")
	if withOpenAI {
		fs.StringVar(&c.OpenAIBaseURL, "openai-base-url", "", "base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1")
		fs.StringVar(&c.OpenAIAPIKey, "openai-api-key", "", "API key for the OpenAI-compatible server (may be empty for local servers)")
	}
}

func (c *kbConfig) validate() error {
	switch c.Store {
	case "sqlite":
	case "postgres":
		if c.DatabaseURL == "" {
			return errors.New("--kb-store=postgres needs --database-url (or DATABASE_URL)")
		}
	default:
		return fmt.Errorf("--kb-store must be sqlite or postgres, not %q", c.Store)
	}
	for name, v := range map[string]string{"kb-embedding": c.Embedding, "kb-answers": c.Answers} {
		ok := v == "openai" || (name == "kb-embedding" && v == "local") || (name == "kb-answers" && v == "extractive")
		if !ok {
			return fmt.Errorf("--%s: unknown value %q", name, v)
		}
		if v == "openai" && c.OpenAIBaseURL == "" {
			return fmt.Errorf("--%s=openai needs --openai-base-url", name)
		}
	}
	switch c.Demo {
	case "auto", "true", "false":
	default:
		return fmt.Errorf("--kb-demo must be auto, true or false, not %q", c.Demo)
	}
	if c.MinConfidence < 0 || c.MinConfidence > 1 {
		return fmt.Errorf("--kb-min-confidence must be between 0 and 1")
	}
	return nil
}

// openStore opens the configured store.
func (c *kbConfig) openStore(ctx context.Context, dataDir string) (knowledge.Store, string, error) {
	if c.Store == "postgres" {
		s, err := pgstore.Open(ctx, c.DatabaseURL)
		return s, "postgres", err
	}
	path := c.SQLitePath
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, "", fmt.Errorf("data directory: %w", err)
		}
		path = filepath.Join(dataDir, "knowledge.db")
	}
	s, err := sqlitestore.Open(ctx, path)
	return s, "sqlite", err
}

func (c *kbConfig) openAI(chatModel string) openaicompat.Config {
	return openaicompat.Config{BaseURL: c.OpenAIBaseURL, APIKey: c.OpenAIAPIKey, ChatModel: chatModel,
		EmbeddingModel: c.EmbeddingModel, EmbeddingDim: c.EmbeddingDim, AnswerModel: c.AnswerModel}
}

func (c *kbConfig) embedder() (knowledge.Embedder, error) {
	if c.Embedding == "openai" {
		return openaicompat.NewEmbedder(c.openAI(""))
	}
	return knowledge.NewLocalEmbedder(0), nil
}

// openKB opens the store, embedding and composer; with the demo on, the
// shipped clinic articles are ingested first (only changes are written, so
// a restart takes milliseconds).
//
// Only serve ingests the demo on "auto"; the kb commands work on what is
// there (or with --kb-demo=true).
func (c *kbConfig) openKB(ctx context.Context, dataDir, chatModel string, log *slog.Logger, serving bool) (*knowledge.KB, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	st, _, err := c.openStore(ctx, dataDir)
	if err != nil {
		return nil, fmt.Errorf("knowledge store: %w", err)
	}
	emb, err := c.embedder()
	if err != nil {
		st.Close()
		return nil, err
	}
	kb := &knowledge.KB{Store: st, Embedder: emb, Tenant: c.Tenant, MinConfidence: c.MinConfidence}
	if c.Answers == "openai" {
		if kb.Composer, err = openaicompat.NewComposer(c.openAI(chatModel)); err != nil {
			st.Close()
			return nil, err
		}
	}
	if c.Demo == "true" || (c.Demo == "auto" && c.Store == "sqlite" && serving) {
		if err := c.resetDemo(ctx, st, emb, log); err != nil {
			st.Close()
			return nil, err
		}
		in := &knowledge.Ingester{Store: st, Embedder: emb, Tenant: c.Tenant, Log: log}
		rep, err := in.IngestFS(ctx, examples.KB, "kb", "embedded:")
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("ingesting the demo knowledge base: %w", err)
		}
		log.Info("demo knowledge base ready", "added", rep.Added, "updated", rep.Updated, "unchanged", rep.Unchanged, "deleted", rep.Deleted, "took", rep.Elapsed.Round(1e6))
	}
	return kb, nil
}

// resetDemo drops a tenant that holds only the shipped demo articles
// embedded with another model (a new release changed the local
// embedding), so they are ingested again; a tenant with articles of its
// own is left alone and the mismatch is reported.
func (c *kbConfig) resetDemo(ctx context.Context, st knowledge.Store, emb knowledge.Embedder, log *slog.Logger) error {
	model, dim, err := st.Embedding(ctx, c.Tenant)
	if err != nil || model == "" || (model == emb.Model() && dim == emb.Dim()) {
		return err
	}
	docs, err := st.Docs(ctx, c.Tenant)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if !strings.HasPrefix(d.Source, "embedded:") {
			return knowledge.MismatchError(c.Tenant, model, dim, emb.Model(), emb.Dim())
		}
	}
	log.Info("demo knowledge base was embedded with another model: ingesting it again", "was", model, "now", emb.Model())
	return st.DropTenant(ctx, c.Tenant)
}

// detectLanguage names a document's language for ingest (en, fi, sv, lv).
func detectLanguage() (func(string) string, error) {
	d, err := langid.New()
	if err != nil {
		return nil, err
	}
	return func(text string) string {
		l, _, ok := d.Detect(text)
		if !ok {
			return ""
		}
		return string(l)
	}, nil
}
