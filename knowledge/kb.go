// Package knowledge answers callers' questions from the contact centre's
// own articles only: hybrid retrieval (vector search with a local or
// OpenAI-compatible embedding, fused by reciprocal rank with per-language
// full-text search), then a grounded answer that cites the articles it
// used. When the articles do not answer, it says so (Found false) and the
// bot offers a person: never an invented answer.
//
// Documents live in a Store: PostgreSQL + pgvector in production
// (knowledge/pgstore), SQLite by default (knowledge/sqlitestore). Ingest
// keeps them in step with a directory of Markdown, text and HTML files.
package knowledge

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Passage is a retrieved chunk with its fused score.
type Passage struct {
	ArticleID, Lang, Title, Heading, Text, Source string
	Ord                                           int     // position in its document (0: the lead)
	Score                                         float64 // reciprocal-rank fusion score
	VectorRank, TextRank                          int     // 1-based; 0 when that retriever did not find it
	Coverage                                      float64 // share of the question's content words it holds
	// Asked holds the phrasings that found this passage when it was found
	// as its article's asked passage (knowledge.Chunk.Asked).
	Asked string
}

// Answer is what the bot may say, and where it comes from.
type Answer struct {
	Text       string
	Citations  []string
	Confidence float64 // 0..1: share of the question's content words the best passage covers
	Found      bool
	Passages   []Passage
}

// Composer turns retrieved passages into an answer that uses only them.
type Composer interface {
	Compose(ctx context.Context, question, lang string, passages []Passage) (Answer, error)
}

// MinConfidence is the default coverage below which the base says it does
// not know.
const MinConfidence = 0.5

// KB is a tenant's knowledge base: retrieval over a store and a composer.
type KB struct {
	Store    Store
	Embedder Embedder
	Tenant   string   // DefaultTenant when empty
	Composer Composer // Extractive{} when nil
	// MinConfidence overrides the threshold (0 keeps the default).
	MinConfidence float64
	// Candidates is how many chunks each retriever contributes (default 40).
	Candidates int
}

func (kb *KB) tenant() string {
	if kb.Tenant == "" {
		return DefaultTenant
	}
	return kb.Tenant
}

// rrfK damps the reciprocal-rank fusion. A small k lets the better ranks of each retriever count: with the usual
// 60, rank 1 and rank 10 score almost alike.
const rrfK = 10.0

// textWeight is full-text search's weight in the fusion against vector
// search's 1: the local embedding already holds every word (and the
// lexicon's synonyms), so full text mostly breaks ties and rescues rare
// exact terms (codes, names, numbers).
const textWeight = 0.5

// Search returns the k best passages for query in lang, by reciprocal rank
// fusion of vector and full-text search. A language with no articles at
// all is searched in English.
func (kb *KB) Search(ctx context.Context, query, lang string, k int) ([]Passage, error) {
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("knowledge: empty question")
	}
	model, dim, err := kb.Store.Embedding(ctx, kb.tenant())
	if err != nil {
		return nil, err
	}
	if model == "" {
		return nil, nil // nothing ingested yet
	}
	if model != kb.Embedder.Model() || dim != kb.Embedder.Dim() {
		return nil, MismatchError(kb.tenant(), model, dim, kb.Embedder.Model(), kb.Embedder.Dim())
	}
	vecs, err := embedIn(ctx, kb.Embedder, lang, []string{query})
	if err != nil {
		return nil, fmt.Errorf("knowledge: embedding the question: %w", err)
	}
	n := kb.Candidates
	if n <= 0 {
		n = 40
	}
	// The two retrievers run at once: the latency is the slower of them.
	var vh, th []Hit
	var verr, terr error
	terms := ContentTerms(query, lang)
	done := make(chan struct{})
	go func() {
		defer close(done)
		th, terr = kb.Store.TextSearch(ctx, kb.tenant(), lang, terms, n)
	}()
	vh, verr = kb.Store.VectorSearch(ctx, kb.tenant(), lang, vecs[0], n)
	<-done
	if verr != nil {
		return nil, verr
	}
	if terr != nil {
		return nil, terr
	}
	if len(vh) == 0 && lang != "en" {
		// A language with no articles at all is searched in English.
		lang = "en"
		if _, ok := kb.Embedder.(LangEmbedder); ok {
			if vecs, err = embedIn(ctx, kb.Embedder, lang, []string{query}); err != nil {
				return nil, fmt.Errorf("knowledge: embedding the question: %w", err)
			}
		}
		if vh, err = kb.Store.VectorSearch(ctx, kb.tenant(), lang, vecs[0], n); err != nil {
			return nil, err
		}
		if th, err = kb.Store.TextSearch(ctx, kb.tenant(), lang, ContentTerms(query, lang), n); err != nil {
			return nil, err
		}
	}
	type key struct {
		doc string
		ord int
	}
	byKey := map[key]*Passage{}
	var order []*Passage
	add := func(hits []Hit, vector bool) {
		for i, h := range hits {
			kk := key{h.DocKey, h.Ord}
			p := byKey[kk]
			if p == nil {
				p = &Passage{ArticleID: h.ArticleID, Lang: h.Lang, Title: h.Title, Heading: h.Heading, Text: h.Text, Source: h.Source, Ord: h.Ord, Asked: h.Asked}
				byKey[kk] = p
				order = append(order, p)
			}
			w := 1.0
			if !vector {
				w = textWeight
			}
			p.Score += w / (rrfK + float64(i+1))
			if vector {
				p.VectorRank = i + 1
			} else {
				p.TextRank = i + 1
			}
		}
	}
	add(vh, true)
	add(th, false)
	sort.SliceStable(order, func(i, j int) bool { return order[i].Score > order[j].Score })
	// An asked passage says its article's lead passage: when both are
	// found, they are one passage, at the better rank.
	type said struct{ source, article, lang, text string }
	at := map[said]int{} // index in out
	cov := newCoverer(query, lang)
	out := make([]Passage, 0, min(k, len(order)))
	for _, p := range order {
		if len(out) == k {
			break
		}
		sk := said{p.Source, p.ArticleID, p.Lang, p.Text}
		if i, ok := at[sk]; ok {
			if out[i].Asked == "" {
				out[i].Asked = p.Asked
			}
			continue
		}
		at[sk] = len(out)
		out = append(out, *p)
	}
	for i := range out {
		p := &out[i]
		if p.Asked != "" {
			p.Ord = 0 // what it says is the lead passage
		}
		// Confidence comes from the words that would be said, not from the
		// phrasings: matched by a phrasing alone, a passage is ranked but
		// not trusted. Counting phrasings answered a fifth more answerable
		// questions, but also 9 of 29 questions the articles do not answer
		// instead of 6: the bot prefers a handoff to a wrong answer.
		p.Coverage = cov.of(EmbedText(p.Title, p.Heading, p.Text))
	}
	return out, nil
}

// Answer retrieves and composes a grounded answer. Below the confidence
// threshold nothing is composed: Found is false and the caller is offered
// a person.
func (kb *KB) Answer(ctx context.Context, question, lang string) (Answer, error) {
	ps, err := kb.Search(ctx, question, lang, 5)
	if err != nil {
		return Answer{}, err
	}
	ans := Answer{Passages: ps}
	if len(ps) == 0 {
		return ans, nil
	}
	// The best-covered of the top three passages decides the confidence.
	best := 0
	for i := range ps[:min(3, len(ps))] {
		if ps[i].Coverage > ps[best].Coverage+1e-9 {
			best = i
		}
	}
	ans.Confidence = ps[best].Coverage
	threshold := kb.MinConfidence
	if threshold <= 0 {
		threshold = MinConfidence
	}
	if ans.Confidence < threshold {
		return ans, nil
	}
	// The composer sees the passages in order of trust: the best covered first.
	ordered := append([]Passage{ps[best]}, append(append([]Passage(nil), ps[:best]...), ps[best+1:]...)...)
	comp := kb.Composer
	if comp == nil {
		comp = Extractive{}
	}
	c, err := comp.Compose(ctx, question, ps[0].Lang, ordered)
	if err != nil {
		return ans, fmt.Errorf("knowledge: composing the answer: %w", err)
	}
	// Only citations of retrieved articles count; an answer citing nothing
	// it was given is not grounded and is not said.
	given := map[string]bool{}
	for _, p := range ps {
		given[p.ArticleID] = true
	}
	var cites []string
	for _, id := range c.Citations {
		if given[id] && !contains(cites, id) {
			cites = append(cites, id)
		}
	}
	if !c.Found || len(cites) == 0 || strings.TrimSpace(c.Text) == "" {
		return ans, nil
	}
	ans.Text, ans.Citations, ans.Found = c.Text, cites, true
	return ans, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// coverer judges passages against one question: the question's terms and
// their concepts are worked out once, not per passage. Its of is the share
// of the question's content words found in a text: by four-letter stem, by
// a three-letter stem starting a longer word, or for long words as a
// substring (the parts of compounds).
type coverer struct {
	q        []queryTerm
	concepts [][]string      // per term: its concepts in the lexicon
	want     map[string]bool // all of them: the only concepts looked for in a text
	lang     string
}

func newCoverer(question, lang string) *coverer {
	c := &coverer{q: queryTerms(question, lang), want: map[string]bool{}, lang: lang}
	lx := ShippedLexicon()
	for _, t := range c.q {
		cs := lx.Concepts(t.word)
		c.concepts = append(c.concepts, cs)
		for _, cc := range cs {
			c.want[cc] = true
		}
	}
	return c
}

func (cv *coverer) of(text string) float64 {
	if len(cv.q) == 0 {
		return 0
	}
	c := chunk{lower: strings.ToLower(text), terms: map[string]int{}}
	for _, s := range stems(text, cv.lang) {
		c.terms[s]++
	}
	// Concepts of the passage's words: a question word is covered by a
	// synonym ("pay" by "costs"), in the lexicon's sense. Only the
	// question's concepts matter, so only those are looked for.
	concepts := map[string]bool{}
	if len(cv.want) > 0 {
		lx := ShippedLexicon()
		for _, w := range words(text) {
			for _, cc := range lx.Concepts(w) {
				if cv.want[cc] {
					concepts[cc] = true
				}
			}
		}
	}
	found := 0
	for i, t := range cv.q {
		if c.match(t) > 0 {
			found++
			continue
		}
		for _, cc := range cv.concepts[i] {
			if concepts[cc] {
				found++
				break
			}
		}
	}
	return float64(found) / float64(len(cv.q))
}

// chunk is a passage prepared for word matching.
type chunk struct {
	lower string
	terms map[string]int
}

// match counts how often a query word occurs in the chunk: by stem, by a
// short stem being the start of a longer one ("lab" and "laboratory"), or
// for long words as a substring, which finds the parts of compounds
// ("lääkäri" in "yleislääkärin").
func (c *chunk) match(t queryTerm) int {
	if n := c.terms[t.stem]; n > 0 {
		return n
	}
	if len([]rune(t.stem)) == 3 {
		n := 0
		for term, k := range c.terms {
			if strings.HasPrefix(term, t.stem) {
				n += k
			}
		}
		if n > 0 {
			return n
		}
	}
	if t.core != "" && strings.Contains(c.lower, t.core) {
		return 1
	}
	return 0
}

// Extractive composes answers from the passages' own sentences: the ones
// that share most with the question, at most two, from the best passage
// and (when it says more about the question) the next one; a sentence
// carrying the kind of fact the question asks for (see answerKind) is
// preferred.
type Extractive struct{}

func (Extractive) Compose(ctx context.Context, question, lang string, ps []Passage) (Answer, error) {
	if len(ps) == 0 {
		return Answer{}, nil
	}
	kind := kindOf(question, lang)
	type sent struct {
		p, i  int
		text  string
		stems []string
		prior float64
		fact  bool // carries the kind of fact asked for
	}
	var all []sent
	for pi, p := range ps[:min(3, len(ps))] {
		if pi > 0 && p.Coverage < ps[0].Coverage {
			continue
		}
		for i, s := range splitSentences(p.Text) {
			// Passages lead with their main point, and an article's first
			// passage with the article's: early sentences, the best passage
			// and an article's lead get a head start.
			prior := max(0, 1.5-0.5*float64(i)) - float64(i)*0.01 - float64(pi)*0.75
			if p.Ord == 0 {
				prior += 1
			}
			all = append(all, sent{pi, i, s, stems(s, lang), prior, kind.carries(s)})
		}
	}
	// Pick two sentences; the second scores only the question's words the
	// first did not already cover, so the answer says two things, not one
	// twice.
	covered := map[string]bool{}
	q := map[string]bool{}
	for _, st := range stems(question, lang) {
		q[st] = true
	}
	// A sentence with the kind of fact asked for (a price for "how much")
	// gets a head start until one is kept.
	factKept := false
	var keep []sent
	for len(keep) < 2 && len(all) > 0 {
		best, bestScore := -1, 0.0
		for j, c := range all {
			sc := c.prior
			if !factKept && c.fact {
				sc += factBonus
			}
			seen := map[string]bool{}
			for _, st := range c.stems {
				if q[st] && !covered[st] && !seen[st] {
					sc++
					seen[st] = true
				}
			}
			if best < 0 || sc > bestScore {
				best, bestScore = j, sc
			}
		}
		keep = append(keep, all[best])
		factKept = factKept || all[best].fact
		for _, st := range all[best].stems {
			covered[st] = true
		}
		all = append(all[:best], all[best+1:]...)
	}
	// Read them in the articles' order: an article's lead first.
	sort.SliceStable(keep, func(a, b int) bool {
		pa, pb := ps[keep[a].p], ps[keep[b].p]
		if pa.ArticleID == pb.ArticleID && pa.Ord != pb.Ord {
			return pa.Ord < pb.Ord
		}
		if keep[a].p != keep[b].p {
			return keep[a].p < keep[b].p
		}
		return keep[a].i < keep[b].i
	})
	var texts, cites []string
	for _, s := range keep {
		texts = append(texts, s.text)
		if id := ps[s.p].ArticleID; !contains(cites, id) {
			cites = append(cites, id)
		}
	}
	return Answer{Text: strings.Join(texts, " "), Citations: cites, Found: true}, nil
}

// factBonus is the head start of a sentence carrying the fact asked for:
// about what being an article's first sentence is worth.
const factBonus = 1.5

func splitSentences(text string) []string {
	var out []string
	start := 0
	rs := []rune(text)
	for i, r := range rs {
		if (r == '.' || r == '?' || r == '!') && (i+1 == len(rs) || rs[i+1] == ' ' || rs[i+1] == '\n') {
			// "klo 8.00" and "kl. 8" are not sentence ends: the next word
			// must start with a capital letter.
			if i+2 < len(rs) && !isUpper(rs[i+2]) {
				continue
			}
			if s := strings.TrimSpace(string(rs[start : i+1])); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(string(rs[start:])); s != "" {
		out = append(out, s)
	}
	return out
}
