// Package sphinx is the embedded speech-to-text provider: CMU pocketsphinx
// (Debian's 0.8+5prealpha, US English) through cgo. Decoding is streaming:
// audio is fed while the caller speaks, so at the end of the utterance only
// the final search remains.
package sphinx

/*
#cgo pkg-config: pocketsphinx sphinxbase
#include <stdlib.h>
#include <pocketsphinx.h>

// vastaa_ps_init builds a decoder from an argv-style list: cmd_ln_init is
// variadic, which cgo cannot call directly.
static ps_decoder_t *vastaa_ps_init(int argc, char **argv) {
	cmd_ln_t *cfg = cmd_ln_parse_r(NULL, ps_args(), argc, argv, TRUE);
	if (cfg == NULL) return NULL;
	ps_decoder_t *ps = ps_init(cfg);
	cmd_ln_free_r(cfg);
	return ps;
}
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"unsafe"

	"github.com/vastaa/vastaa/pipeline"
)

// Config locates the model.
type Config struct {
	HMM, LM, Dict string
	JSGF          string // optional grammar instead of the language model
	// Corpus, when set, replaces the generic language model with a trigram
	// model of these domain sentences (see WriteDomainLM).
	Corpus     []string
	PoolSize   int // decoders kept for concurrent utterances (default 4)
	SampleRate int // 16000 (the en-us model's rate)
}

const modelDir = "/usr/share/pocketsphinx/model/en-us"

// DefaultConfig uses Debian's pocketsphinx-en-us model.
func DefaultConfig() Config {
	return Config{
		HMM: modelDir + "/en-us", LM: modelDir + "/en-us.lm.bin", Dict: modelDir + "/cmudict-en-us.dict",
		PoolSize: 4, SampleRate: 16000,
	}
}

// Recognizer is a pool of decoders.
type Recognizer struct {
	cfg    Config
	args   []string
	pool   chan *decoder // idle decoders
	sem    chan struct{} // one token per decoder that may exist
	mu     sync.Mutex
	all    []*decoder
	lmFile string // generated domain model, removed on Close
}

type decoder struct {
	ps *C.ps_decoder_t
}

// New checks the model files and makes the first decoder, so a broken
// installation fails at start-up, not on the first call.
func New(cfg Config) (*Recognizer, error) {
	def := DefaultConfig()
	if cfg.HMM == "" {
		cfg.HMM = def.HMM
	}
	if cfg.LM == "" && cfg.JSGF == "" {
		cfg.LM = def.LM
	}
	if cfg.Dict == "" {
		cfg.Dict = def.Dict
	}
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = def.PoolSize
	}
	if cfg.SampleRate == 0 {
		cfg.SampleRate = 16000
	}
	for _, p := range []string{cfg.HMM, cfg.LM, cfg.Dict, cfg.JSGF} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("pocketsphinx model: %w (install the Debian packages pocketsphinx-en-us and libpocketsphinx-dev)", err)
		}
	}
	var lmFile string
	if len(cfg.Corpus) > 0 && cfg.JSGF == "" {
		lm, err := domainLMFile(cfg.Corpus, cfg.Dict)
		if err != nil {
			return nil, err
		}
		// Decoders are made on demand and read the model then: it lives
		// as long as the Recognizer.
		lmFile, cfg.LM = lm, lm
	}
	args := []string{"vastaa", "-hmm", cfg.HMM, "-dict", cfg.Dict, "-samprate", fmt.Sprint(cfg.SampleRate),
		"-logfn", "/dev/null",
		// Wider beams than the defaults: telephone audio upsampled from
		// 8 kHz loses the top band, and narrow beams then prune the right
		// words early (PLATFORM.md).
		"-beam", "1e-60", "-wbeam", "1e-50", "-pbeam", "1e-60"}
	if lmFile != "" {
		// A small domain model deserves more trust than the acoustic
		// evidence of telephone audio, and extra short words are the
		// usual error: raise the LM weight and the insertion penalty.
		args = append(args, "-lw", "10", "-wip", "0.2")
	}
	if cfg.JSGF != "" {
		args = append(args, "-jsgf", cfg.JSGF)
	} else {
		args = append(args, "-lm", cfg.LM)
	}
	r := &Recognizer{cfg: cfg, args: args, lmFile: lmFile, pool: make(chan *decoder, cfg.PoolSize), sem: make(chan struct{}, cfg.PoolSize)}
	d, err := r.newDecoder()
	if err != nil {
		if lmFile != "" {
			os.Remove(lmFile)
		}
		return nil, err
	}
	r.sem <- struct{}{}
	r.pool <- d
	return r, nil
}

func (r *Recognizer) newDecoder() (*decoder, error) {
	argv := make([]*C.char, len(r.args))
	for i, a := range r.args {
		argv[i] = C.CString(a)
	}
	defer func() {
		for _, p := range argv {
			C.free(unsafe.Pointer(p))
		}
	}()
	ps := C.vastaa_ps_init(C.int(len(argv)), &argv[0])
	if ps == nil {
		return nil, errors.New("pocketsphinx: decoder initialisation failed (check the model paths)")
	}
	d := &decoder{ps: ps}
	r.mu.Lock()
	r.all = append(r.all, d)
	r.mu.Unlock()
	return d, nil
}

// Name implements pipeline.STT.
func (r *Recognizer) Name() string { return "pocketsphinx-en-us" }

// SampleRate implements pipeline.STT.
func (r *Recognizer) SampleRate() int { return r.cfg.SampleRate }

// acquire takes an idle decoder, makes a new one if the pool may grow, or
// waits for one to come back.
func (r *Recognizer) acquire(ctx context.Context) (*decoder, error) {
	select {
	case d := <-r.pool:
		return d, nil
	default:
	}
	select {
	case d := <-r.pool:
		return d, nil
	case r.sem <- struct{}{}:
		d, err := r.newDecoder()
		if err != nil {
			<-r.sem
		}
		return d, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// NewStream starts one utterance. Only English is recognised; lang is ignored.
func (r *Recognizer) NewStream(ctx context.Context, lang pipeline.Language) (pipeline.RecognizerStream, error) {
	d, err := r.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("pocketsphinx: no decoder free: %w", err)
	}
	if C.ps_start_utt(d.ps) < 0 {
		r.pool <- d
		return nil, errors.New("pocketsphinx: cannot start an utterance")
	}
	return &stream{r: r, d: d, rng: rand.New(rand.NewPCG(1, 2))}, nil
}

// Close frees every decoder. Streams must be closed first.
func (r *Recognizer) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range r.all {
		C.ps_free(d.ps)
	}
	r.all = nil
	if r.lmFile != "" {
		os.Remove(r.lmFile)
		r.lmFile = ""
	}
	return nil
}

type stream struct {
	r        *Recognizer
	d        *decoder
	rng      *rand.Rand
	mu       sync.Mutex
	finished bool
	closed   bool
	buf      []C.int16
}

// noiseFloor is the amplitude of the dither added before decoding (about
// -50 dBFS): digital silence between words makes the acoustic model's
// feature normalisation misbehave (PLATFORM.md measured better accuracy).
const noiseFloor = 100

func (s *stream) Write(pcm []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished || s.closed {
		return errors.New("pocketsphinx: write after the utterance ended")
	}
	if len(pcm) == 0 {
		return nil
	}
	s.buf = s.buf[:0]
	for _, v := range pcm {
		n := int32(v) + int32(s.rng.IntN(2*noiseFloor+1)-noiseFloor)
		n = max(-32768, min(32767, n))
		s.buf = append(s.buf, C.int16(n))
	}
	if C.ps_process_raw(s.d.ps, &s.buf[0], C.size_t(len(s.buf)), 0, 0) < 0 {
		return errors.New("pocketsphinx: decoding failed")
	}
	return nil
}

func (s *stream) Partial() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished || s.closed {
		return ""
	}
	return hyp(s.d.ps)
}

func hyp(ps *C.ps_decoder_t) string {
	var score C.int32
	h := C.ps_get_hyp(ps, &score)
	if h == nil {
		return ""
	}
	return strings.TrimSpace(C.GoString(h))
}

func (s *stream) Finish(ctx context.Context) (pipeline.Transcript, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished || s.closed {
		return pipeline.Transcript{}, errors.New("pocketsphinx: utterance already finished")
	}
	s.finished = true
	if C.ps_end_utt(s.d.ps) < 0 {
		return pipeline.Transcript{}, errors.New("pocketsphinx: cannot end the utterance")
	}
	text := cleanHyp(hyp(s.d.ps))
	return pipeline.Transcript{Text: text, Language: pipeline.English}, nil
}

// cleanHyp drops filler markers such as <sil> or [NOISE] and pronunciation
// variants such as "hours(2)".
func cleanHyp(h string) string {
	var out []string
	for _, w := range strings.Fields(h) {
		if strings.HasPrefix(w, "<") || strings.HasPrefix(w, "[") || strings.HasPrefix(w, "++") {
			continue
		}
		if i := strings.IndexByte(w, '('); i > 0 {
			w = w[:i]
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

func (s *stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if !s.finished {
		C.ps_end_utt(s.d.ps)
	}
	s.r.pool <- s.d
	return nil
}

// domainLMFile writes the corpus's language model to a temporary file.
func domainLMFile(corpus []string, dict string) (string, error) {
	words, err := DictWords(dict)
	if err != nil {
		return "", fmt.Errorf("pocketsphinx dictionary: %w", err)
	}
	f, err := os.CreateTemp("", "vastaa-domain-*.lm")
	if err != nil {
		return "", err
	}
	if _, err := WriteDomainLM(f, corpus, words); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), f.Close()
}
