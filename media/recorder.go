package media

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// Recorder writes both directions of a call to one stereo 8 kHz WAV: left
// is what the caller sent (in), right what the bot sent (out). Each chunk is
// placed by the wall-clock time it passed the pacer, and gaps (the bot not
// talking, lost audio) are filled with silence, so the channels line up.
// Samples are streamed to disk as both channels pass a point; memory stays
// bounded at about one second per channel.
type Recorder struct {
	mu    sync.Mutex
	f     *os.File
	w     *WAVWriter
	start time.Time
	ch    [2][]int16 // pending samples per channel, from `written` on
	// written is the number of stereo frames already on disk.
	written int
	err     error
	closed  bool
}

const recRate = 8000

// NewRecorder creates the WAV file at path.
func NewRecorder(path string) (*Recorder, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	w, err := NewWAVWriter(f, recRate, 2)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("recording: %w", err)
	}
	return &Recorder{f: f, w: w}, nil
}

// Path is the file being written.
func (r *Recorder) Path() string { return r.f.Name() }

// WriteIn records caller audio that passed at time at.
func (r *Recorder) WriteIn(pcm []int16, at time.Time) { r.write(0, pcm, at) }

// WriteOut records bot audio that passed at time at.
func (r *Recorder) WriteOut(pcm []int16, at time.Time) { r.write(1, pcm, at) }

func (r *Recorder) write(c int, pcm []int16, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.err != nil {
		return
	}
	if r.start.IsZero() {
		r.start = at
	}
	pos := int(at.Sub(r.start)*recRate/time.Second) - r.written
	have := len(r.ch[c])
	switch {
	case pos > have:
		r.ch[c] = append(r.ch[c], make([]int16, pos-have)...)
	case pos < have-frameSamples:
		// Chunks for one channel arrive in order; a small overlap is clock
		// rounding and is appended, anything earlier than that is dropped.
		if pos+len(pcm) <= r.written {
			return
		}
	}
	r.ch[c] = append(r.ch[c], pcm...)
	// A silent channel must not hold the other one in memory: pad it once
	// the talking one is a second ahead.
	o := 1 - c
	if lag := len(r.ch[c]) - recRate; len(r.ch[o]) < lag {
		r.ch[o] = append(r.ch[o], make([]int16, lag-len(r.ch[o]))...)
	}
	r.flush(min(len(r.ch[0]), len(r.ch[1])))
}

// flush writes n stereo frames. Called with r.mu held.
func (r *Recorder) flush(n int) {
	if n <= 0 {
		return
	}
	buf := make([]int16, 2*n)
	for i := 0; i < n; i++ {
		buf[2*i], buf[2*i+1] = r.ch[0][i], r.ch[1][i]
	}
	if err := r.w.Write(buf); err != nil {
		r.err = err
		return
	}
	r.ch[0] = append(r.ch[0][:0], r.ch[0][n:]...)
	r.ch[1] = append(r.ch[1][:0], r.ch[1][n:]...)
	r.written += n
}

// Close writes what is pending (padding the shorter channel) and finishes
// the file. Safe to call twice.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return r.err
	}
	r.closed = true
	n := max(len(r.ch[0]), len(r.ch[1]))
	for c := range r.ch {
		r.ch[c] = append(r.ch[c], make([]int16, n-len(r.ch[c]))...)
	}
	r.flush(n)
	if err := r.w.Close(); err != nil && r.err == nil {
		r.err = err
	}
	if err := r.f.Close(); err != nil && r.err == nil {
		r.err = err
	}
	return r.err
}
