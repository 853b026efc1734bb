// Package espeak is the embedded speech synthesis provider: espeak-ng
// through cgo, in English, Finnish, Swedish and Latvian. It sounds robotic
// but needs no model files beyond Debian's espeak-ng-data and answers in a
// few milliseconds.
package espeak

/*
#cgo LDFLAGS: -lespeak-ng
#include <stdlib.h>
#include <string.h>
#include <espeak-ng/speak_lib.h>

extern int vastaaSynthCallback(short *wav, int n, espeak_EVENT *events);

static int vastaa_init(void) {
	int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, NULL, espeakINITIALIZE_DONT_EXIT);
	if (rate > 0) espeak_SetSynthCallback((t_espeak_callback *)vastaaSynthCallback);
	return rate;
}

static int vastaa_synth(const char *text) {
	return espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
}
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"unsafe"

	"github.com/vastaa/vastaa/pipeline"
)

// engine is espeak-ng itself. The C library keeps one global synthesiser
// with one callback, so this package must too: it is initialised once per
// process and every synthesis holds the lock. The callback appends to
// engine.buf, which only the lock holder touches.
var engine struct {
	once sync.Once
	rate int
	err  error
	mu   sync.Mutex
	buf  []int16
}

//export vastaaSynthCallback
func vastaaSynthCallback(wav *C.short, n C.int, events *C.espeak_EVENT) C.int {
	if wav != nil && n > 0 {
		engine.buf = append(engine.buf, unsafe.Slice((*int16)(unsafe.Pointer(wav)), int(n))...)
	}
	return 0
}

func initEngine() {
	// espeak-ng may try to reach a sound server through the user's home
	// directory; point it at a private one if the environment has none.
	if os.Getenv("XDG_RUNTIME_DIR") == "" {
		if dir, err := os.MkdirTemp("", "vastaa-espeak-"); err == nil {
			os.Setenv("XDG_RUNTIME_DIR", dir)
		}
	}
	rate := int(C.vastaa_init())
	if rate <= 0 {
		engine.err = errors.New("espeak-ng: initialisation failed (install the Debian packages espeak-ng and libespeak-ng-dev)")
		return
	}
	engine.rate = rate
}

// Config tunes the voice.
type Config struct {
	Rate int // words per minute; 0 = 160
}

// TTS speaks with espeak-ng.
type TTS struct {
	cfg Config
}

// voices maps served languages to espeak-ng voice names.
var voices = map[pipeline.Language]string{
	pipeline.English: "en-us", pipeline.Finnish: "fi", pipeline.Swedish: "sv", pipeline.Latvian: "lv",
}

// New initialises espeak-ng (once per process).
func New(cfg Config) (*TTS, error) {
	engine.once.Do(initEngine)
	if engine.err != nil {
		return nil, engine.err
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 160
	}
	return &TTS{cfg: cfg}, nil
}

// Name implements pipeline.TTS.
func (t *TTS) Name() string { return "espeak-ng" }

// Close releases nothing: the engine lives as long as the process.
func (t *TTS) Close() error { return nil }

// Synthesize speaks text in lang.
func (t *TTS) Synthesize(ctx context.Context, text string, lang pipeline.Language) (pipeline.Speech, error) {
	if strings.TrimSpace(text) == "" {
		return pipeline.Speech{}, errors.New("espeak-ng: empty text")
	}
	voice, ok := voices[lang]
	if !ok {
		return pipeline.Speech{}, fmt.Errorf("espeak-ng: no voice for language %q", lang)
	}
	if err := ctx.Err(); err != nil {
		return pipeline.Speech{}, err
	}
	cvoice := C.CString(voice)
	defer C.free(unsafe.Pointer(cvoice))
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))

	engine.mu.Lock()
	defer engine.mu.Unlock()
	if C.espeak_SetVoiceByName(cvoice) != C.EE_OK {
		return pipeline.Speech{}, fmt.Errorf("espeak-ng: voice %q not installed", voice)
	}
	C.espeak_SetParameter(C.espeakRATE, C.int(t.cfg.Rate), 0)
	engine.buf = engine.buf[:0]
	if rc := C.vastaa_synth(ctext); rc != C.EE_OK {
		return pipeline.Speech{}, fmt.Errorf("espeak-ng: synthesis failed (code %d)", int(rc))
	}
	pcm := make([]int16, len(engine.buf))
	copy(pcm, engine.buf)
	return pipeline.Speech{PCM: pcm, SampleRate: engine.rate}, nil
}
