package silero

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	ort "github.com/yalue/onnxruntime_go"
)

// request is one call's window waiting for a batched run. The window is in
// vad.buf (context then samples); the run writes the probability and the
// new state back before signalling done.
type request struct {
	vad  *VAD
	prob float32
	err  error
	done chan struct{}
}

// batcher scores windows from many calls in one ONNX run. Silero v5 takes
// input [batch, context+window], state [2, batch, 128] and gives output
// [batch, 1] and the new state [2, batch, 128], each row independent, so a
// batch is the calls' rows stacked. A worker takes the first waiting
// window, then collects others for up to BatchWait (or until every open
// VAD has one waiting, so a lone call waits for nobody), runs them
// together and hands each call its own row back.
type batcher struct {
	f       *Factory
	reqs    chan *request
	stop    chan struct{}
	wg      sync.WaitGroup
	open    atomic.Int64 // VADs not closed: no point waiting for more windows than that
	mu      sync.RWMutex // closed and the sends on reqs
	closed  bool
	workers []*batchWorker
}

func newBatcher(f *Factory) *batcher {
	b := &batcher{f: f, reqs: make(chan *request, 8192), stop: make(chan struct{})}
	for i := 0; i < f.cfg.BatchWorkers; i++ {
		w := &batchWorker{b: b, sizes: map[int]*batchTensors{}}
		n := f.cfg.MaxBatch
		w.in = make([]float32, n*(f.context+f.window))
		w.state = make([]float32, n*stateSize)
		w.out = make([]float32, n)
		w.stateN = make([]float32, n*stateSize)
		b.workers = append(b.workers, w)
		b.wg.Add(1)
		go w.loop()
	}
	return b
}

var errClosed = errors.New("silero vad: factory closed")

// run scores one window and waits for the result.
func (b *batcher) run(r *request) (float32, error) {
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return 0, errClosed
	}
	b.reqs <- r
	b.mu.RUnlock()
	<-r.done
	return r.prob, r.err
}

func (b *batcher) close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	close(b.stop)
	b.wg.Wait()
	for _, w := range b.workers {
		w.destroy()
	}
}

// batchWorker owns the memory of the largest batch; the tensors of each
// batch size it has run are views of that memory, made once.
type batchWorker struct {
	b                      *batcher
	in, state, out, stateN []float32
	sr                     *ort.Scalar[int64]
	sizes                  map[int]*batchTensors
	batch                  []*request
}

type batchTensors struct {
	in, state, out, stateN *ort.Tensor[float32]
}

func (w *batchWorker) loop() {
	b := w.b
	defer b.wg.Done()
	max := b.f.cfg.MaxBatch
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var first *request
		select {
		case first = <-b.reqs:
		case <-b.stop:
			// Nothing can be queued any more (close holds the lock first):
			// answer whatever is left.
			for {
				select {
				case r := <-b.reqs:
					r.err = errClosed
					r.done <- struct{}{}
				default:
					return
				}
			}
		}
		batch := append(w.batch[:0], first)
	queued:
		for len(batch) < max {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break queued
			}
		}
		if len(batch) < max && int64(len(batch)) < b.open.Load() {
			timer.Reset(b.f.cfg.BatchWait)
		collect:
			for len(batch) < max && int64(len(batch)) < b.open.Load() {
				select {
				case r := <-b.reqs:
					batch = append(batch, r)
				case <-timer.C:
					break collect
				}
			}
			timer.Stop()
		}
		w.batch = batch
		w.run(batch)
	}
}

// run scores a batch and answers every request in it.
func (w *batchWorker) run(batch []*request) {
	f := w.b.f
	n := len(batch)
	t, err := w.tensors(n)
	if err == nil {
		row := f.context + f.window
		for i, r := range batch {
			v := r.vad
			copy(w.in[i*row:(i+1)*row], v.buf)
			// state is [2, n, 128]: layer l of call i at (l*n + i)*128.
			copy(w.state[i*128:(i+1)*128], v.state[:128])
			copy(w.state[(n+i)*128:(n+i+1)*128], v.state[128:])
		}
		f.runs.Add(1)
		err = f.session.Run([]ort.Value{t.in, t.state, w.sr}, []ort.Value{t.out, t.stateN})
	}
	for i, r := range batch {
		if err != nil {
			r.err = fmt.Errorf("silero vad: %w", err)
		} else {
			v := r.vad
			copy(v.state[:128], w.stateN[i*128:(i+1)*128])
			copy(v.state[128:], w.stateN[(n+i)*128:(n+i+1)*128])
			r.prob, r.err = w.out[i], nil
		}
		r.done <- struct{}{}
	}
	clear(w.batch) // drop the references to the calls' VADs
}

// tensors returns the tensors for a batch of n, made on first use.
func (w *batchWorker) tensors(n int) (*batchTensors, error) {
	if t := w.sizes[n]; t != nil {
		return t, nil
	}
	f := w.b.f
	var err error
	if w.sr == nil {
		if w.sr, err = ort.NewScalar(int64(f.cfg.SampleRate)); err != nil {
			return nil, err
		}
	}
	t := &batchTensors{}
	row := int64(f.context + f.window)
	if t.in, err = ort.NewTensor(ort.NewShape(int64(n), row), w.in[:int64(n)*row]); err != nil {
		return nil, err
	}
	if t.state, err = ort.NewTensor(ort.NewShape(2, int64(n), 128), w.state[:n*stateSize]); err != nil {
		t.in.Destroy()
		return nil, err
	}
	if t.out, err = ort.NewTensor(ort.NewShape(int64(n), 1), w.out[:n]); err != nil {
		t.in.Destroy()
		t.state.Destroy()
		return nil, err
	}
	if t.stateN, err = ort.NewTensor(ort.NewShape(2, int64(n), 128), w.stateN[:n*stateSize]); err != nil {
		t.in.Destroy()
		t.state.Destroy()
		t.out.Destroy()
		return nil, err
	}
	w.sizes[n] = t
	return t, nil
}

func (w *batchWorker) destroy() {
	for _, t := range w.sizes {
		t.in.Destroy()
		t.state.Destroy()
		t.out.Destroy()
		t.stateN.Destroy()
	}
	if w.sr != nil {
		w.sr.Destroy()
	}
}
