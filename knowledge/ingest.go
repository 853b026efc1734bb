package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Source is one document to ingest.
type Source struct {
	Name string // recorded as the document's source; also names it in errors
	Size int64
	Open func() (io.ReadCloser, error)
}

// Ingester keeps a tenant's store in step with a set of documents: new and
// changed documents are chunked and embedded (only their changed chunks),
// unchanged ones are skipped, and documents gone from an ingested
// directory are removed. Each document is written in one transaction:
// all or nothing.
type Ingester struct {
	Store    Store
	Embedder Embedder
	Tenant   string
	// DetectLang names the language of a text without front matter ("" if unsure).
	DetectLang func(text string) string
	Chunking   ChunkOptions
	// BatchSize is how many chunks are embedded and written at once (default 64).
	BatchSize int
	// Workers ingest that many documents at once (default 1). With more
	// than one, which of two identical documents is kept may vary.
	Workers int
	// Progress is told the bytes done and the total after each document.
	Progress func(doneBytes, totalBytes int64, doneDocs, totalDocs int)
	Log      *slog.Logger
}

// Report says what an ingest run did.
type Report struct {
	Added, Updated, Unchanged, Deleted, Duplicates int
	ChunksAdded, ChunksKept, ChunksRemoved         int
	Failed                                         []DocError
	Elapsed                                        time.Duration
}

// DocError is a document that was not ingested, and why.
type DocError struct {
	Source string
	Err    error
}

func (e DocError) Error() string { return e.Source + ": " + e.Err.Error() }

func (in *Ingester) tenant() string {
	if in.Tenant == "" {
		return DefaultTenant
	}
	return in.Tenant
}

func (in *Ingester) log() *slog.Logger {
	if in.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return in.Log
}

// IngestPaths ingests files and directories (walked recursively for .md,
// .txt and .html files). Documents previously ingested from a directory
// that are no longer in it are removed.
func (in *Ingester) IngestPaths(ctx context.Context, paths []string) (Report, error) {
	var srcs []Source
	var prune []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return Report{}, err
		}
		st, err := os.Stat(abs)
		if err != nil {
			return Report{}, err
		}
		if !st.IsDir() {
			srcs = append(srcs, fileSource(abs, st.Size()))
			continue
		}
		prune = append(prune, abs+string(filepath.Separator))
		err = filepath.WalkDir(abs, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if strings.HasPrefix(d.Name(), ".") && fp != abs {
					return filepath.SkipDir
				}
				return nil
			}
			if _, ok := FormatOf(fp); !ok {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			srcs = append(srcs, fileSource(fp, info.Size()))
			return nil
		})
		if err != nil {
			return Report{}, err
		}
	}
	return in.Ingest(ctx, srcs, prune)
}

func fileSource(p string, size int64) Source {
	return Source{Name: p, Size: size, Open: func() (io.ReadCloser, error) { return os.Open(p) }}
}

// IngestFS ingests every document under root in fsys, recording sources
// as prefix+path; documents with that prefix no longer present are removed.
func (in *Ingester) IngestFS(ctx context.Context, fsys fs.FS, root, prefix string) (Report, error) {
	var srcs []Source
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if _, ok := FormatOf(p); !ok {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		srcs = append(srcs, Source{Name: prefix + p, Size: info.Size(), Open: func() (io.ReadCloser, error) { return fsys.Open(p) }})
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	return in.Ingest(ctx, srcs, []string{prefix + root + "/"})
}

// Ingest ingests srcs, then removes the tenant's documents whose source
// starts with one of prune but was not among srcs. The error is for the run
// as a whole (the store or the embedding failed for good); documents that
// could not be read are listed in Report.Failed and the rest still land.
func (in *Ingester) Ingest(ctx context.Context, srcs []Source, prune []string) (Report, error) {
	start := time.Now()
	var rep Report
	if err := in.Store.UseEmbedding(ctx, in.tenant(), in.Embedder.Model(), in.Embedder.Dim()); err != nil {
		return rep, err
	}
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].Name < srcs[j].Name })
	var total, done int64
	for _, s := range srcs {
		total += s.Size
	}
	seenSource := map[string]bool{}
	for _, s := range srcs {
		seenSource[s.Name] = true
	}
	run := &runState{byHash: map[string]string{}, byKey: map[string]string{}, rep: &rep}
	workers := max(1, in.Workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan Source)
	var wg sync.WaitGroup
	var fatalErr error
	var docs int
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range next {
				err := in.one(ctx, s, run)
				run.mu.Lock()
				done += s.Size
				docs++
				if in.Progress != nil {
					in.Progress(done, total, docs, len(srcs))
				}
				var fatal fatalError
				switch {
				case err == nil:
				case errors.As(err, &fatal):
					if fatalErr == nil {
						fatalErr = fmt.Errorf("%s: %w", s.Name, fatal.err)
						cancel()
					}
				case ctx.Err() != nil:
				default:
					rep.Failed = append(rep.Failed, DocError{Source: s.Name, Err: err})
					in.log().Warn("document not ingested", "source", s.Name, "err", err)
				}
				run.mu.Unlock()
			}
		}()
	}
feed:
	for _, s := range srcs {
		select {
		case next <- s:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if fatalErr != nil {
		rep.Elapsed = time.Since(start)
		return rep, fatalErr
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	if len(prune) > 0 {
		docs, err := in.Store.Docs(ctx, in.tenant())
		if err != nil {
			return rep, err
		}
		for _, d := range docs {
			if seenSource[d.Source] {
				continue
			}
			for _, p := range prune {
				if strings.HasPrefix(d.Source, p) {
					if err := in.Store.Delete(ctx, in.tenant(), d.Key); err != nil {
						return rep, err
					}
					rep.Deleted++
					rep.ChunksRemoved += d.Chunks
					break
				}
			}
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// fatalError stops the whole run: the store or the embedding service is
// failing, so every further document would fail too.
type fatalError struct{ err error }

func (f fatalError) Error() string { return f.err.Error() }

var errStopSample = errors.New("sample complete")

// runState is what the workers of one run share.
type runState struct {
	mu     sync.Mutex
	byHash map[string]string // content hash -> first source with it
	byKey  map[string]string // document key -> source
	rep    *Report
}

func (in *Ingester) one(ctx context.Context, s Source, run *runState) error {
	format, ok := FormatOf(s.Name)
	if !ok {
		return fmt.Errorf("unsupported file type %q (want .md, .txt or .html)", path.Ext(s.Name))
	}
	hash, err := scanSource(s)
	if err != nil {
		return err
	}
	run.mu.Lock()
	other, dup := run.byHash[hash]
	if dup {
		run.rep.Duplicates++
	} else {
		run.byHash[hash] = s.Name
	}
	run.mu.Unlock()
	if dup {
		in.log().Info("duplicate document skipped", "source", s.Name, "same_as", other)
		return nil
	}

	// First pass over the head of the document: its id, language and title.
	meta, err := in.meta(s, format)
	if err != nil {
		return err
	}
	key := DocKey(meta.Lang, meta.ID)
	run.mu.Lock()
	other, dup = run.byKey[key]
	if !dup {
		run.byKey[key] = s.Name
	}
	run.mu.Unlock()
	if dup {
		return fmt.Errorf("document id %q in language %s is also used by %s", meta.ID, meta.Lang, other)
	}
	old, exists, err := in.Store.Doc(ctx, in.tenant(), key)
	if err != nil {
		return fatalError{err}
	}
	if exists && old.Hash == hash && old.Source == s.Name {
		run.mu.Lock()
		run.rep.Unchanged++
		run.mu.Unlock()
		return nil
	}

	doc := DocInfo{Key: key, ArticleID: meta.ID, Lang: meta.Lang, Title: meta.Title, Source: s.Name, Hash: hash}
	w, err := in.Store.Begin(ctx, in.tenant(), doc)
	if err != nil {
		return fatalError{err}
	}
	committed := false
	defer func() {
		if !committed {
			_ = w.Rollback(context.WithoutCancel(ctx))
		}
	}()
	existing := w.Existing()
	batch := in.BatchSize
	if batch <= 0 {
		batch = 64
	}
	var pending []Chunk
	var added, kept int
	seen := map[string]bool{}
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		var texts []string
		var idx []int
		for i, c := range pending {
			if !existing[c.Hash] {
				texts = append(texts, IndexText(meta.Title, c))
				idx = append(idx, i)
			}
		}
		if len(texts) > 0 {
			vecs, err := embedIn(ctx, in.Embedder, meta.Lang, texts)
			if err != nil {
				return fatalError{fmt.Errorf("embedding: %w", err)}
			}
			if len(vecs) != len(texts) {
				return fatalError{fmt.Errorf("embedding: asked for %d vectors, got %d", len(texts), len(vecs))}
			}
			for j, i := range idx {
				if len(vecs[j]) != in.Embedder.Dim() {
					return fatalError{fmt.Errorf("embedding: got a vector of dimension %d, want %d", len(vecs[j]), in.Embedder.Dim())}
				}
				pending[i].Embedding = vecs[j]
			}
		}
		added += len(idx)
		kept += len(pending) - len(idx)
		if err := w.Put(ctx, pending); err != nil {
			return fatalError{err}
		}
		pending = pending[:0]
		return nil
	}
	ch := NewChunker(meta.Title, in.Chunking)
	var lead *Chunk
	nextOrd := 0
	emit := func(c Chunk) error {
		nextOrd = max(nextOrd, c.Ord+1)
		if lead == nil {
			l := c
			lead = &l
		}
		// The same passage twice in one document is stored once.
		if seen[c.Hash] {
			return nil
		}
		seen[c.Hash] = true
		pending = append(pending, c)
		if len(pending) >= batch {
			return flush()
		}
		return nil
	}
	r, err := s.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = Parse(r, format, func(_ Meta, b Block) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return ch.Add(b, emit)
	})
	if err == nil {
		err = ch.Flush(emit)
	}
	if err == nil && lead != nil && len(meta.Asked) > 0 {
		err = emit(AskedChunk(meta.Title, *lead, nextOrd, meta.Asked))
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	if added+kept == 0 {
		return ErrEmpty
	}
	if err := w.Commit(ctx); err != nil {
		return fatalError{err}
	}
	committed = true
	removed := len(existing) - kept
	run.mu.Lock()
	rep := run.rep
	rep.ChunksAdded += added
	rep.ChunksKept += kept
	rep.ChunksRemoved += max(0, removed)
	if exists {
		rep.Updated++
	} else {
		rep.Added++
	}
	run.mu.Unlock()
	in.log().Debug("document ingested", "source", s.Name, "key", key, "chunks_added", added, "chunks_kept", kept)
	return nil
}

func scanSource(s Source) (string, error) {
	r, err := s.Open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	h, _, err := Scan(r)
	return h, err
}

// meta reads the head of a document for its id, language and title; the
// language is detected from the first few thousand characters when the
// document does not say it.
func (in *Ingester) meta(s Source, format Format) (Meta, error) {
	r, err := s.Open()
	if err != nil {
		return Meta{}, err
	}
	defer r.Close()
	var sample strings.Builder
	var firstHeading string
	meta, err := Parse(r, format, func(m Meta, b Block) error {
		if firstHeading == "" {
			firstHeading = b.Heading
		}
		sample.WriteString(b.Text)
		sample.WriteByte(' ')
		if sample.Len() > 4000 {
			return errStopSample
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopSample) {
		return meta, err
	}
	if meta.ID == "" {
		base := path.Base(filepath.ToSlash(s.Name))
		meta.ID = strings.TrimSuffix(base, path.Ext(base))
	}
	if meta.Title == "" {
		meta.Title = firstHeading
	}
	if meta.Title == "" {
		meta.Title = meta.ID
	}
	if meta.Lang == "" && in.DetectLang != nil {
		meta.Lang = in.DetectLang(sample.String())
	}
	if meta.Lang == "" {
		return meta, errors.New("cannot tell the document's language: add \"lang: xx\" to its front matter")
	}
	if strings.TrimSpace(sample.String()) == "" {
		return meta, ErrEmpty
	}
	return meta, nil
}

// Article is a whole document as text (for speech-recognition vocabularies
// and listings).
type Article struct {
	ID, Lang, Title, Body string
}

// ReadArticles parses every document under root in fsys.
func ReadArticles(fsys fs.FS, root string) ([]Article, error) {
	var out []Article
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		format, ok := FormatOf(p)
		if !ok {
			return nil
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		var body strings.Builder
		meta, err := Parse(f, format, func(_ Meta, b Block) error {
			if b.Heading != "" {
				body.WriteString(b.Heading + ".\n\n")
			}
			body.WriteString(b.Text + "\n\n")
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, Article{ID: meta.ID, Lang: meta.Lang, Title: meta.Title, Body: strings.TrimSpace(body.String())})
		return nil
	})
	return out, err
}
