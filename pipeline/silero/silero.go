// Package silero is the voice activity detector: the Silero VAD v5 neural
// network (MIT) run with ONNX Runtime through github.com/yalue/onnxruntime_go.
// Unlike an energy threshold it tells speech from steady noise and music.
//
// One ONNX session is shared by every call; each call's VAD carries only its
// own recurrent state and the last samples of context, so a VAD costs a few
// kilobytes. Two things keep a thousand calls affordable on a small machine:
// windows from many calls are scored in one batched run (batch.go), and
// windows that are only the line's quiet background never reach the network
// (gate.go).
package silero

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/vastaa/vastaa/pipeline"
)

// Config locates the model and the runtime and says how windows are run.
// The zero values of the tuning fields are the defaults.
type Config struct {
	ModelPath   string // silero_vad.onnx (v5)
	LibraryPath string // libonnxruntime.so
	SampleRate  int    // 8000 or 16000
	Threads     int    // intra-op threads of the shared session (default 1)

	// BatchWait is how long a window waits for other calls' windows to
	// join one ONNX run (default 2 ms). Silero takes a batch dimension,
	// and one run over 64 windows costs about a third per window of 64
	// runs over one (the fixed cost of a run is most of a single window's).
	// Negative: no batching, every window is its own run on the caller's
	// goroutine (the old behaviour).
	BatchWait time.Duration
	// MaxBatch caps the windows in one run (default 64). Bigger batches
	// cost no less per window (about 20 µs from 32 up, against 60 µs for
	// one alone), and a shorter cgo call holds its Go P for less time: 64
	// windows run in about 1.3 ms.
	MaxBatch int
	// BatchWorkers is how many runs may go at once (default 2, or 1 on a
	// single core). One worker fills bigger batches, but on a loaded host
	// (other tenants, a slow spell) it fell behind at 1,000 calls on two
	// cores and callers' audio was dropped before the VAD; two kept up
	// (vastaa bench media --contend 1: 0 frames dropped against 5%).
	BatchWorkers int
	// NoGate sends every window to the network. By default quiet windows
	// are not (see energyGate).
	NoGate bool
}

// ModelsDir is where scripts/install-models.sh puts the files.
func ModelsDir() string {
	if d := os.Getenv("VASTAA_MODELS_DIR"); d != "" {
		return d
	}
	h, _ := os.UserHomeDir()
	return filepath.Join(h, ".cache", "vastaa", "models")
}

// DefaultConfig takes paths from VASTAA_SILERO_MODEL and
// VASTAA_ONNXRUNTIME_LIB, else the models directory; 8 kHz.
func DefaultConfig() Config {
	c := Config{ModelPath: os.Getenv("VASTAA_SILERO_MODEL"), LibraryPath: os.Getenv("VASTAA_ONNXRUNTIME_LIB"), SampleRate: 8000, Threads: 1}
	if c.ModelPath == "" {
		c.ModelPath = filepath.Join(ModelsDir(), "silero_vad.onnx")
	}
	if c.LibraryPath == "" {
		c.LibraryPath = filepath.Join(ModelsDir(), "libonnxruntime.so")
	}
	return c
}

// The ONNX Runtime environment is process-global in the C library: it can
// be initialised once, with one library path. These guard that.
var runtime struct {
	once sync.Once
	path string
	err  error
}

func initRuntime(lib string) error {
	runtime.once.Do(func() {
		runtime.path = lib
		ort.SetSharedLibraryPath(lib)
		if err := ort.InitializeEnvironment(); err != nil {
			runtime.err = fmt.Errorf("onnx runtime %s: %w", lib, err)
		}
	})
	if runtime.err != nil {
		return runtime.err
	}
	if runtime.path != lib {
		return fmt.Errorf("onnx runtime already loaded from %s; cannot load %s too", runtime.path, lib)
	}
	return nil
}

// Factory makes per-call VADs over one shared session.
type Factory struct {
	cfg     Config
	session *ort.DynamicAdvancedSession
	window  int
	context int
	batch   *batcher // nil when BatchWait < 0

	windows  atomic.Uint64 // windows given to Process
	inferred atomic.Uint64 // windows that reached the network
	runs     atomic.Uint64 // ONNX runs
}

// NewFactory loads the model.
func NewFactory(cfg Config) (*Factory, error) {
	if cfg.SampleRate == 0 {
		cfg.SampleRate = 8000
	}
	if cfg.SampleRate != 8000 && cfg.SampleRate != 16000 {
		return nil, fmt.Errorf("silero vad: sample rate %d (want 8000 or 16000)", cfg.SampleRate)
	}
	if cfg.Threads <= 0 {
		cfg.Threads = 1
	}
	if cfg.BatchWait == 0 {
		cfg.BatchWait = 2 * time.Millisecond
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 64
	}
	if cfg.BatchWorkers <= 0 {
		cfg.BatchWorkers = min(2, goruntime.GOMAXPROCS(0))
	}
	for what, p := range map[string]string{"model": cfg.ModelPath, "onnx runtime library": cfg.LibraryPath} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("silero vad: %s not found at %s (scripts/install-models.sh installs it)", what, p)
		}
	}
	if err := initRuntime(cfg.LibraryPath); err != nil {
		return nil, err
	}
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	opts.SetIntraOpNumThreads(cfg.Threads)
	opts.SetInterOpNumThreads(1)
	s, err := ort.NewDynamicAdvancedSession(cfg.ModelPath, []string{"input", "state", "sr"}, []string{"output", "stateN"}, opts)
	if err != nil {
		return nil, fmt.Errorf("silero vad: loading %s: %w", cfg.ModelPath, err)
	}
	f := &Factory{cfg: cfg, session: s, window: 256, context: 32}
	if cfg.SampleRate == 16000 {
		f.window, f.context = 512, 64
	}
	if cfg.BatchWait > 0 {
		f.batch = newBatcher(f)
	}
	return f, nil
}

// Name implements pipeline.VADFactory.
func (f *Factory) Name() string { return "silero-v5" }

// Close stops the batch workers and frees the session. No VAD of the
// factory may be used after.
func (f *Factory) Close() error {
	if f.batch != nil {
		f.batch.close()
	}
	return f.session.Destroy()
}

// Stats are a factory's counters over all its VADs.
type Stats struct {
	Windows  uint64 // windows scored
	Inferred uint64 // of which the network saw (the rest the energy gate answered)
	Runs     uint64 // ONNX runs (Inferred / Runs is the mean batch)
}

// Stats returns the counters so far.
func (f *Factory) Stats() Stats {
	return Stats{Windows: f.windows.Load(), Inferred: f.inferred.Load(), Runs: f.runs.Load()}
}

// stateSize is Silero v5's recurrent state: 2 x batch x 128.
const stateSize = 2 * 128

// NewVAD implements pipeline.VADFactory.
func (f *Factory) NewVAD() (pipeline.VAD, error) {
	v := &VAD{f: f, buf: make([]float32, f.context+f.window), state: make([]float32, stateSize)}
	v.gate.disabled = f.cfg.NoGate
	v.req.done = make(chan struct{}, 1)
	v.req.vad = v
	if f.batch != nil {
		f.batch.open.Add(1)
		return v, nil
	}
	// Unbatched: the VAD's own tensors over its own memory.
	var err error
	if v.input, err = ort.NewTensor(ort.NewShape(1, int64(f.context+f.window)), v.buf); err != nil {
		return nil, err
	}
	if v.stateT, err = ort.NewTensor(ort.NewShape(2, 1, 128), v.state); err != nil {
		v.Close()
		return nil, err
	}
	if v.sr, err = ort.NewScalar(int64(f.cfg.SampleRate)); err != nil {
		v.Close()
		return nil, err
	}
	if v.out, err = ort.NewEmptyTensor[float32](ort.NewShape(1, 1)); err != nil {
		v.Close()
		return nil, err
	}
	if v.stateN, err = ort.NewEmptyTensor[float32](ort.NewShape(2, 1, 128)); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

// VAD is one call's detector state. Not safe for concurrent use.
type VAD struct {
	f      *Factory
	buf    []float32 // context followed by the window (the context is the end of the previous window)
	state  []float32 // the recurrent state, 2 x 128
	gate   energyGate
	req    request // reused for every batched window
	closed bool

	// Unbatched mode only.
	input  *ort.Tensor[float32]
	stateT *ort.Tensor[float32]
	sr     *ort.Scalar[int64]
	out    *ort.Tensor[float32]
	stateN *ort.Tensor[float32]
}

func (v *VAD) SampleRate() int { return v.f.cfg.SampleRate }
func (v *VAD) WindowSize() int { return v.f.window }

// Process scores one window.
func (v *VAD) Process(samples []float32) (float32, error) {
	if len(samples) != v.f.window {
		return 0, fmt.Errorf("silero vad: window of %d samples, want %d", len(samples), v.f.window)
	}
	v.f.windows.Add(1)
	copy(v.buf[v.f.context:], samples)
	if p, quiet := v.gate.check(samples); quiet {
		// The network does not see this window; its samples still become
		// the next window's context, as they would have.
		copy(v.buf[:v.f.context], v.buf[len(v.buf)-v.f.context:])
		return p, nil
	}
	v.f.inferred.Add(1)
	var p float32
	if v.f.batch != nil {
		var err error
		if p, err = v.f.batch.run(&v.req); err != nil {
			return 0, err
		}
	} else {
		v.f.runs.Add(1)
		if err := v.f.session.Run([]ort.Value{v.input, v.stateT, v.sr}, []ort.Value{v.out, v.stateN}); err != nil {
			return 0, fmt.Errorf("silero vad: %w", err)
		}
		copy(v.state, v.stateN.GetData())
		p = v.out.GetData()[0]
	}
	// The next window's context is the end of this one (v5 expects it).
	copy(v.buf[:v.f.context], v.buf[len(v.buf)-v.f.context:])
	v.gate.scored(p)
	return p, nil
}

// Reset forgets the stream.
func (v *VAD) Reset() {
	clear(v.state)
	clear(v.buf)
	v.gate.reset()
}

// Close frees the tensors.
func (v *VAD) Close() error {
	if v.closed {
		return nil
	}
	v.closed = true
	if v.f.batch != nil {
		v.f.batch.open.Add(-1)
	}
	var errs []error
	if v.input != nil {
		errs = append(errs, v.input.Destroy())
	}
	if v.stateT != nil {
		errs = append(errs, v.stateT.Destroy())
	}
	if v.sr != nil {
		errs = append(errs, v.sr.Destroy())
	}
	if v.out != nil {
		errs = append(errs, v.out.Destroy())
	}
	if v.stateN != nil {
		errs = append(errs, v.stateN.Destroy())
	}
	return errors.Join(errs...)
}
