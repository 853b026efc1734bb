package evals

import (
	"math"
	"sort"
)

// Metrics summarise a set of results (a run, a language or a tag).
// Ratios are 0..1; a ratio with nothing to measure is null (nil).
type Metrics struct {
	Scenarios int      `json:"scenarios"`
	Passed    int      `json:"passed"`
	Success   *float64 `json:"task_success"`
	// IntentAccuracy over turns that name the expected intent.
	IntentAccuracy *float64 `json:"intent_accuracy"`
	IntentTurns    int      `json:"intent_turns"`
	// RouteAccuracy over scenarios that name the expected route.
	RouteAccuracy *float64 `json:"route_accuracy"`
	// Containment: calls that ended without a person.
	Containment *float64 `json:"containment"`
	// HandoffCorrectness: of scenarios that name a route, the share where
	// "handed to a person" was right either way; precision and recall of
	// handing off.
	HandoffCorrectness *float64 `json:"handoff_correctness"`
	HandoffPrecision   *float64 `json:"handoff_precision"`
	HandoffRecall      *float64 `json:"handoff_recall"`
	// CitationPrecision: of the citations in scenarios that name the
	// articles to cite, the share that are among them.
	CitationPrecision *float64 `json:"citation_precision"`
	// AnswerCorrectness: scenarios with answer_cites or answer_contains
	// whose answers met them.
	AnswerCorrectness *float64 `json:"answer_correctness"`
	// WordErrorRate is measured in audio mode only.
	WordErrorRate *float64 `json:"wer"`
	// Latency of turns in milliseconds, by stage.
	Latency map[string]Percentiles `json:"latency_ms"`
	// Confusion[expected][got] counts turns with an expected intent.
	Confusion map[string]map[string]int `json:"intent_confusion,omitempty"`
}

// Percentiles of a latency.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	Max float64 `json:"max"`
}

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// Measure computes the metrics of results.
func Measure(rs []Result) Metrics {
	m := Metrics{Scenarios: len(rs), Confusion: map[string]map[string]int{}, Latency: map[string]Percentiles{}}
	var intentOK, routeN, routeOK, contained, hoN, hoOK, hoTP, hoFP, hoFN, citeN, citeOK, ansN, ansOK int
	lat := map[string][]float64{}
	var werSum float64
	var werN int
	for _, r := range rs {
		if r.Passed {
			m.Passed++
		}
		if r.Route != "handoff" {
			contained++
		}
		for _, t := range r.Turns {
			if t.ExpectIntent != "" {
				m.IntentTurns++
				got := t.Intent
				if got == "" {
					got = "(none)"
				}
				if m.Confusion[t.ExpectIntent] == nil {
					m.Confusion[t.ExpectIntent] = map[string]int{}
				}
				m.Confusion[t.ExpectIntent][got]++
				if t.Intent == t.ExpectIntent {
					intentOK++
				}
			}
			lat["understand"] = append(lat["understand"], t.UnderstandMS)
			lat["decision"] = append(lat["decision"], t.DecisionMS)
			if t.RetrievalMS > 0 {
				lat["retrieval"] = append(lat["retrieval"], t.RetrievalMS)
			}
			lat["total"] = append(lat["total"], t.TotalMS)
			for stage, v := range map[string]float64{"endpointing": t.EndpointingMS, "stt": t.STTMS, "tts": t.TTSMS} {
				if v > 0 {
					lat[stage] = append(lat[stage], v)
				}
			}
			if t.WordErrorRate != nil {
				werSum += *t.WordErrorRate
				werN++
			}
		}
		if want := r.Expect.Route; want != "" {
			routeN++
			if r.Route == want {
				routeOK++
			}
			hoN++
			wantHO, gotHO := want == "handoff", r.Route == "handoff"
			if wantHO == gotHO {
				hoOK++
			}
			switch {
			case wantHO && gotHO:
				hoTP++
			case gotHO:
				hoFP++
			case wantHO:
				hoFN++
			}
		}
		if len(r.Expect.AnswerCites) > 0 {
			for _, t := range r.Turns {
				for _, c := range t.Citations {
					citeN++
					for _, w := range r.Expect.AnswerCites {
						if c == w {
							citeOK++
							break
						}
					}
				}
			}
		}
		if len(r.Expect.AnswerCites) > 0 || len(r.Expect.AnswerContains) > 0 {
			ansN++
			if answerMet(r) {
				ansOK++
			}
		}
	}
	m.Success = ratio(m.Passed, len(rs))
	m.IntentAccuracy = ratio(intentOK, m.IntentTurns)
	m.RouteAccuracy = ratio(routeOK, routeN)
	m.Containment = ratio(contained, len(rs))
	m.HandoffCorrectness = ratio(hoOK, hoN)
	m.HandoffPrecision = ratio(hoTP, hoTP+hoFP)
	m.HandoffRecall = ratio(hoTP, hoTP+hoFN)
	m.CitationPrecision = ratio(citeOK, citeN)
	m.AnswerCorrectness = ratio(ansOK, ansN)
	if werN > 0 {
		v := werSum / float64(werN)
		m.WordErrorRate = &v
	}
	for stage, v := range lat {
		m.Latency[stage] = percentiles(v)
	}
	return m
}

// answerMet: the scenario ran and every answer expectation held.
func answerMet(r Result) bool {
	return r.Error == "" && len(answerFailures(r.Expect, r.Turns)) == 0
}

func percentiles(v []float64) Percentiles {
	if len(v) == 0 {
		return Percentiles{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	at := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return Percentiles{P50: at(0.50), P95: at(0.95), Max: s[len(s)-1]}
}

// Histogram counts values into buckets of width ms (for the report).
func Histogram(v []float64, width float64) []int {
	if len(v) == 0 || width <= 0 {
		return nil
	}
	mx := 0.0
	for _, x := range v {
		mx = max(mx, x)
	}
	out := make([]int, int(mx/width)+1)
	for _, x := range v {
		out[int(x/width)]++
	}
	return out
}
