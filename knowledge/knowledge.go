// Package knowledge holds the contact centre's own articles and answers
// callers' questions from them only: retrieval over paragraphs, then an
// extractive answer that cites the article it came from. When nothing
// matches well enough, it says so (Found false) and the bot offers a person:
// never an invented answer.
//
// This first version keeps the articles in memory (the demo clinic is
// embedded in the binary); the Base type is the seam where the PostgreSQL
// + pgvector and SQLite stores plug in.
package knowledge

import (
	"bufio"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
)

//go:embed clinic
var clinicFS embed.FS

// Article is one document of the knowledge base.
type Article struct {
	ID, Lang, Title, Body string
}

// Passage is a retrieved paragraph with its score.
type Passage struct {
	ArticleID, Lang, Title, Text string
	Score                        float64
}

// Answer is what the bot may say, and where it comes from.
type Answer struct {
	Text       string
	Citations  []string
	Confidence float64 // 0..1: share of the question's content words the passage covers
	Found      bool
	Passages   []Passage
}

// MinConfidence is the coverage below which the base says it does not know.
const MinConfidence = 0.5

// Base is an in-memory knowledge base.
type Base struct {
	articles []Article
	chunks   map[string][]chunk // by language
	idf      map[string]map[string]float64
	avgLen   map[string]float64
}

type chunk struct {
	article Article
	text    string
	lower   string         // title and paragraph, lower-cased, for compound matches
	terms   map[string]int // stem -> count
	length  int
	grams   map[string]float64
	gnorm   float64
}

// LoadEmbedded loads the demo clinic's articles shipped in the binary.
func LoadEmbedded() (*Base, error) { return Load(clinicFS, "clinic") }

// Load reads every *.md file under dir: front matter (id, lang, title)
// between "---" lines, then the body.
func Load(fsys fs.FS, dir string) (*Base, error) {
	var arts []Article
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".md" {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		a, err := parseArticle(string(b))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		arts = append(arts, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("knowledge base: %w", err)
	}
	if len(arts) == 0 {
		return nil, fmt.Errorf("knowledge base: no articles under %s", dir)
	}
	return New(arts), nil
}

func parseArticle(s string) (Article, error) {
	var a Article
	sc := bufio.NewScanner(strings.NewReader(s))
	if !sc.Scan() || strings.TrimSpace(sc.Text()) != "---" {
		return a, errors.New("no front matter")
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "---" {
			var body strings.Builder
			for sc.Scan() {
				body.WriteString(sc.Text())
				body.WriteByte('\n')
			}
			a.Body = strings.TrimSpace(body.String())
			if a.ID == "" || a.Lang == "" || a.Body == "" {
				return a, errors.New("front matter needs id and lang, and the body must not be empty")
			}
			return a, nil
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "id":
			a.ID = strings.TrimSpace(v)
		case "lang":
			a.Lang = strings.TrimSpace(v)
		case "title":
			a.Title = strings.TrimSpace(v)
		}
	}
	return a, errors.New("front matter not closed")
}

// New indexes articles, one chunk per paragraph with the title prepended.
func New(arts []Article) *Base {
	b := &Base{articles: arts, chunks: map[string][]chunk{}, idf: map[string]map[string]float64{}, avgLen: map[string]float64{}}
	for _, a := range arts {
		for _, para := range strings.Split(a.Body, "\n\n") {
			para = strings.TrimSpace(para)
			if para == "" {
				continue
			}
			text := a.Title + ". " + para
			c := chunk{article: a, text: para, lower: strings.ToLower(text), terms: map[string]int{}}
			for _, s := range stems(text, a.Lang) {
				c.terms[s]++
				c.length++
			}
			c.grams, c.gnorm = trigrams(text)
			b.chunks[a.Lang] = append(b.chunks[a.Lang], c)
		}
	}
	for lang, cs := range b.chunks {
		df := map[string]int{}
		total := 0
		for _, c := range cs {
			total += c.length
			for t := range c.terms {
				df[t]++
			}
		}
		b.avgLen[lang] = float64(total) / float64(len(cs))
		idf := map[string]float64{}
		for t, n := range df {
			idf[t] = math.Log(1 + (float64(len(cs))-float64(n)+0.5)/(float64(n)+0.5))
		}
		b.idf[lang] = idf
	}
	return b
}

// Languages returns the languages that have articles.
func (b *Base) Languages() []string {
	var out []string
	for l := range b.chunks {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// searchLang picks the caller's language, or English when it has no articles.
func (b *Base) searchLang(lang string) string {
	if _, ok := b.chunks[lang]; ok {
		return lang
	}
	return "en"
}

type scored struct {
	c        *chunk
	score    float64
	coverage float64
}

// rank scores every chunk of the language: BM25 over stems plus a little
// character-trigram similarity (which survives misrecognised word endings).
// coverage is the idf-weighted share of the question's content words the
// chunk contains.
func (b *Base) rank(query, lang string) ([]scored, error) {
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("knowledge: empty question")
	}
	q := queryTerms(query, lang)
	qg, qn := trigrams(query)
	idf := b.idf[lang]
	cs := b.chunks[lang]
	const k1, bb = 1.2, 0.75
	var qIDF float64
	for _, t := range q {
		qIDF += idfOr(idf, t.stem)
	}
	out := make([]scored, 0, len(cs))
	for i := range cs {
		c := &cs[i]
		var s, covered float64
		for _, t := range q {
			tf := float64(c.match(t))
			if tf == 0 {
				continue
			}
			w := idfOr(idf, t.stem)
			covered += w
			s += w * tf * (k1 + 1) / (tf + k1*(1-bb+bb*float64(c.length)/b.avgLen[lang]))
		}
		cov := 0.0
		if qIDF > 0 {
			cov = covered / qIDF
		}
		s += 2 * cosine(qg, qn, c.grams, c.gnorm)
		out = append(out, scored{c: c, score: s, coverage: cov})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out, nil
}

// match counts how often a query word occurs in the chunk: by stem, by a
// short stem being the start of a longer one ("lab" and "laboratory"), or
// for long words as a substring, which finds the parts of compounds
// ("lääkärikäynti" in "yleislääkärin").
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

// idfOr gives words the base has never seen a high weight, so a question
// about something else ("capital of mongolia") is mostly uncovered.
func idfOr(idf map[string]float64, t string) float64 {
	if v, ok := idf[t]; ok {
		return v
	}
	return 3
}

// Search returns the k best passages for query in lang.
func (b *Base) Search(ctx context.Context, query, lang string, k int) ([]Passage, error) {
	lang = b.searchLang(lang)
	ranked, err := b.rank(query, lang)
	if err != nil {
		return nil, err
	}
	var out []Passage
	for _, r := range ranked[:min(k, len(ranked))] {
		out = append(out, Passage{ArticleID: r.c.article.ID, Lang: r.c.article.Lang, Title: r.c.article.Title, Text: r.c.text, Score: r.score})
	}
	return out, nil
}

// Answer composes an extractive answer: the sentences of the best passage
// that share most with the question (at most two), citing its article.
func (b *Base) Answer(ctx context.Context, question, lang string) (Answer, error) {
	slang := b.searchLang(lang)
	ranked, err := b.rank(question, slang)
	if err != nil {
		return Answer{}, err
	}
	if len(ranked) == 0 {
		return Answer{}, nil
	}
	best := ranked[0]
	var ans Answer
	for _, r := range ranked[:min(3, len(ranked))] {
		ans.Passages = append(ans.Passages, Passage{ArticleID: r.c.article.ID, Lang: r.c.article.Lang, Title: r.c.article.Title, Text: r.c.text, Score: r.score})
	}
	ans.Confidence = best.coverage
	if best.coverage < MinConfidence {
		return ans, nil
	}
	ans.Found = true
	ans.Citations = []string{best.c.article.ID}
	ans.Text = bestSentences(best.c.article.Body, question, slang, 2)
	return ans, nil
}

// bestSentences keeps up to n sentences of the article that share most
// stems with the question, in their original order. Articles lead with
// their main point, so early sentences get a head start.
func bestSentences(text, question, lang string, n int) string {
	sents := splitSentences(strings.ReplaceAll(text, "\n\n", " "))
	if len(sents) <= n {
		return strings.Join(sents, " ")
	}
	q := map[string]bool{}
	for _, s := range stems(question, lang) {
		q[s] = true
	}
	type ss struct {
		i     int
		score float64
	}
	var scoredS []ss
	for i, s := range sents {
		sc := 0.0
		for _, t := range stems(s, lang) {
			if q[t] {
				sc++
			}
		}
		sc += max(0, 1.5-0.5*float64(i)) - float64(i)*0.01
		scoredS = append(scoredS, ss{i, sc})
	}
	sort.SliceStable(scoredS, func(a, b int) bool { return scoredS[a].score > scoredS[b].score })
	keep := scoredS[:n]
	sort.Slice(keep, func(a, b int) bool { return keep[a].i < keep[b].i })
	var out []string
	for _, k := range keep {
		out = append(out, sents[k.i])
	}
	return strings.Join(out, " ")
}

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

// Articles returns every article (for building speech-recognition
// vocabularies and listings).
func (b *Base) Articles() []Article { return append([]Article(nil), b.articles...) }
