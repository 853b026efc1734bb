// Package langid identifies which served language (en, fi, sv, lv) a
// transcript is in, with github.com/pemistahl/lingua-go restricted to those
// four, so a caller who switches language mid-call is answered in the new one.
package langid

import (
	"strings"
	"unicode"

	"github.com/pemistahl/lingua-go"

	"github.com/vastaa/vastaa/pipeline"
)

// Detector wraps a lingua detector. Safe for concurrent use.
type Detector struct {
	d lingua.LanguageDetector
}

var served = map[lingua.Language]pipeline.Language{
	lingua.English: pipeline.English, lingua.Finnish: pipeline.Finnish,
	lingua.Swedish: pipeline.Swedish, lingua.Latvian: pipeline.Latvian,
}

// New builds the detector with the four models preloaded, so the first
// caller does not wait for them to load.
func New() (*Detector, error) {
	d := lingua.NewLanguageDetectorBuilder().
		FromLanguages(lingua.English, lingua.Finnish, lingua.Swedish, lingua.Latvian).
		WithPreloadedLanguageModels().
		Build()
	return &Detector{d: d}, nil
}

// Detect implements pipeline.LanguageID. ok is false for text without
// letters (empty, digits, punctuation).
func (d *Detector) Detect(text string) (pipeline.Language, float64, bool) {
	if !strings.ContainsFunc(text, unicode.IsLetter) {
		return "", 0, false
	}
	vals := d.d.ComputeLanguageConfidenceValues(text)
	if len(vals) == 0 {
		return "", 0, false
	}
	best := vals[0]
	l, ok := served[best.Language()]
	if !ok {
		return "", 0, false
	}
	return l, best.Value(), true
}
