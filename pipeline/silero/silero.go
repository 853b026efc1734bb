// Package silero is the voice activity detector: the Silero VAD v5 neural
// network (MIT) run with ONNX Runtime through github.com/yalue/onnxruntime_go.
// Unlike an energy threshold it tells speech from steady noise and music.
//
// One ONNX session is shared by every call (ONNX Runtime's Run is safe for
// concurrent use); each call's VAD carries only its own recurrent state and
// the last samples of context, so a VAD costs a few kilobytes.
package silero

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/vastaa/vastaa/pipeline"
)

// Config locates the model and the runtime.
type Config struct {
	ModelPath   string // silero_vad.onnx (v5)
	LibraryPath string // libonnxruntime.so
	SampleRate  int    // 8000 or 16000
	Threads     int    // intra-op threads of the shared session (default 1)
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
	return f, nil
}

// Name implements pipeline.VADFactory.
func (f *Factory) Name() string { return "silero-v5" }

// Close frees the session.
func (f *Factory) Close() error { return f.session.Destroy() }

// NewVAD implements pipeline.VADFactory.
func (f *Factory) NewVAD() (pipeline.VAD, error) {
	v := &VAD{f: f, buf: make([]float32, f.context+f.window)}
	var err error
	if v.input, err = ort.NewTensor(ort.NewShape(1, int64(f.context+f.window)), v.buf); err != nil {
		return nil, err
	}
	if v.state, err = ort.NewEmptyTensor[float32](ort.NewShape(2, 1, 128)); err != nil {
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
	buf    []float32 // context followed by the window: the input tensor's memory
	input  *ort.Tensor[float32]
	state  *ort.Tensor[float32]
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
	copy(v.buf[v.f.context:], samples)
	if err := v.f.session.Run([]ort.Value{v.input, v.state, v.sr}, []ort.Value{v.out, v.stateN}); err != nil {
		return 0, fmt.Errorf("silero vad: %w", err)
	}
	copy(v.state.GetData(), v.stateN.GetData())
	// The next window's context is the end of this one (v5 expects it).
	copy(v.buf[:v.f.context], v.buf[len(v.buf)-v.f.context:])
	return v.out.GetData()[0], nil
}

// Reset forgets the stream.
func (v *VAD) Reset() {
	clear(v.state.GetData())
	clear(v.buf)
}

// Close frees the tensors.
func (v *VAD) Close() error {
	var errs []error
	if v.input != nil {
		errs = append(errs, v.input.Destroy())
	}
	if v.state != nil {
		errs = append(errs, v.state.Destroy())
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
