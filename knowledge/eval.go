package knowledge

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Question is one labelled retrieval question: Article answers it, or it is
// "-" when the knowledge base cannot answer (the bot must say so).
type Question struct {
	Lang, Article, Kind, Text string
}

// ReadQuestions reads a tab-separated file with the header
// "lang article kind question".
func ReadQuestions(r io.Reader) ([]Question, error) {
	sc := bufio.NewScanner(r)
	var out []Question
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		f := strings.Split(t, "\t")
		if line == 1 && f[0] == "lang" {
			continue
		}
		if len(f) != 4 || f[0] == "" || f[1] == "" || strings.TrimSpace(f[3]) == "" {
			return nil, fmt.Errorf("questions line %d: want lang, article, kind and question separated by tabs", line)
		}
		out = append(out, Question{Lang: f[0], Article: f[1], Kind: f[2], Text: strings.TrimSpace(f[3])})
	}
	return out, sc.Err()
}

// EvalResult is retrieval quality for one language (or all: Lang "all").
type EvalResult struct {
	Lang       string
	Questions  int     // answerable questions
	RecallAt1  float64 // share whose article is the first retrieved
	RecallAt5  float64 // share whose article is among the first five distinct articles
	MRR        float64 // mean reciprocal rank of the article (0 beyond 20 passages)
	Answered   float64 // share of answerable questions answered, citing the right article
	Unanswer   int     // questions the base cannot answer
	FalseFound float64 // share of those it answered anyway (should be 0)
	// Misses are the answerable questions whose article was not in the top five.
	Misses []string
}

// EvalReport is a whole evaluation run.
type EvalReport struct {
	Store     string
	Embedding string
	ByLang    []EvalResult // sorted by language, then "all"
	Elapsed   time.Duration
}

// Evaluate asks every question and scores the ranking of articles (each
// article ranked by its best passage) and the answers.
func Evaluate(ctx context.Context, kb *KB, qs []Question) (EvalReport, error) {
	start := time.Now()
	type acc struct {
		n, r1, r5, un, ff, ans int
		mrr                    float64
		misses                 []string
	}
	by := map[string]*acc{}
	get := func(l string) *acc {
		if by[l] == nil {
			by[l] = &acc{}
		}
		return by[l]
	}
	for _, q := range qs {
		a, all := get(q.Lang), get("all")
		ans, err := kb.Answer(ctx, q.Text, q.Lang)
		if err != nil {
			return EvalReport{}, fmt.Errorf("%s %q: %w", q.Lang, q.Text, err)
		}
		if q.Article == "-" {
			a.un++
			all.un++
			if ans.Found {
				a.ff++
				all.ff++
			}
			continue
		}
		ps, err := kb.Search(ctx, q.Text, q.Lang, 20)
		if err != nil {
			return EvalReport{}, err
		}
		rank := 0
		var seen []string
		for _, p := range ps {
			if contains(seen, p.ArticleID) {
				continue
			}
			seen = append(seen, p.ArticleID)
			if p.ArticleID == q.Article {
				rank = len(seen)
				break
			}
		}
		for _, x := range []*acc{a, all} {
			x.n++
			if rank == 1 {
				x.r1++
			}
			if rank >= 1 && rank <= 5 {
				x.r5++
			}
			if rank > 0 {
				x.mrr += 1 / float64(rank)
			}
			if ans.Found && len(ans.Citations) > 0 && ans.Citations[0] == q.Article {
				x.ans++
			}
		}
		if rank == 0 || rank > 5 {
			a.misses = append(a.misses, fmt.Sprintf("%s (%s, %s): got %v", q.Text, q.Article, q.Kind, seen[:min(3, len(seen))]))
		}
	}
	rep := EvalReport{Embedding: kb.Embedder.Model()}
	var langs []string
	for l := range by {
		if l != "all" {
			langs = append(langs, l)
		}
	}
	sort.Strings(langs)
	for _, l := range append(langs, "all") {
		a := by[l]
		r := EvalResult{Lang: l, Questions: a.n, Unanswer: a.un, Misses: a.misses}
		if a.n > 0 {
			r.RecallAt1 = float64(a.r1) / float64(a.n)
			r.RecallAt5 = float64(a.r5) / float64(a.n)
			r.MRR = a.mrr / float64(a.n)
			r.Answered = float64(a.ans) / float64(a.n)
		}
		if a.un > 0 {
			r.FalseFound = float64(a.ff) / float64(a.un)
		}
		rep.ByLang = append(rep.ByLang, r)
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// WriteTable prints a report as an aligned table.
func (r EvalReport) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "store %s, embedding %s\n", r.Store, r.Embedding)
	fmt.Fprintf(w, "%-4s %9s %9s %9s %7s %9s %11s\n", "lang", "questions", "recall@1", "recall@5", "MRR", "answered", "false-found")
	for _, l := range r.ByLang {
		fmt.Fprintf(w, "%-4s %9d %9.3f %9.3f %7.3f %9.3f %6d/%-4s\n", l.Lang, l.Questions, l.RecallAt1, l.RecallAt5, l.MRR, l.Answered,
			int(l.FalseFound*float64(l.Unanswer)+0.5), fmt.Sprint(l.Unanswer))
	}
}
