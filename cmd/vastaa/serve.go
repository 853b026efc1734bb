package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/vastaa/vastaa/evals/kpi"
	"github.com/vastaa/vastaa/knowledge"
	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/media/sipua"
	"github.com/vastaa/vastaa/workflows"
	"github.com/vastaa/vastaa/workflows/booking"
	"github.com/vastaa/vastaa/workflows/callback"
	"github.com/vastaa/vastaa/workflows/callstore"
	"github.com/vastaa/vastaa/workflows/devserver"
	qflow "github.com/vastaa/vastaa/workflows/queues"
	"github.com/vastaa/vastaa/workflows/voicemail"
)

func serveCmd(ctx context.Context, args []string) error {
	var cfg serveConfig
	fs := newFlagSet("serve", "Answer calls over SIP on the embedded defaults (in-process Temporal, SQLite,\npocketsphinx, espeak-ng, local models), or against production services.")
	cfg.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := startApp(ctx, cfg)
	if err != nil {
		return err
	}
	a.log.Info("vastaa serving", "sip", a.sipAddr, "http", a.httpAddr, "data", cfg.DataDir, "temporal", a.temporalHostPort)
	<-ctx.Done()
	return a.stop()
}

// app is a running Vastaa: SIP, HTTP, Temporal worker and providers.
type app struct {
	cfg              serveConfig
	log              *slog.Logger
	store            *callstore.Store
	tasks            *voicemail.Store
	queues           queueStore
	kb               *knowledge.KB
	providers        *providers
	temporal         *devserver.Server // nil with an external cluster
	temporalHostPort string
	tc               client.Client
	worker           worker.Worker
	decider          *workflows.Decider
	desk             *booking.Desk
	pacer            *media.Pacer
	sip              *sipua.Server
	http             *http.Server
	sipAddr          string
	httpAddr         string
	cancel           context.CancelFunc
	sipDone          chan error
}

// startApp brings everything up; on error everything already started is
// stopped again.
func startApp(parent context.Context, cfg serveConfig) (_ *app, err error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log, err := newLogger(cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(parent)
	a := &app{cfg: cfg, log: log, cancel: cancel}
	defer func() {
		if err != nil {
			a.stop()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if a.store, err = callstore.Open(ctx, filepath.Join(cfg.DataDir, "calls.db")); err != nil {
		return nil, err
	}
	if a.tasks, err = voicemail.Open(ctx, filepath.Join(cfg.DataDir, "tasks.db")); err != nil {
		return nil, err
	}
	if a.kb, err = cfg.KB.openKB(ctx, cfg.DataDir, cfg.OpenAIChatModel, log, true); err != nil {
		return nil, fmt.Errorf("knowledge base: %w", err)
	}
	if a.providers, err = newProviders(cfg, log); err != nil {
		return nil, err
	}

	a.temporalHostPort = cfg.TemporalAddress
	if a.temporalHostPort == "" {
		a.temporal, err = devserver.Start(ctx, devserver.Config{
			DBPath: filepath.Join(cfg.DataDir, "temporal.db"), Namespace: cfg.TemporalNamespace, Logger: log,
		})
		if err != nil {
			return nil, fmt.Errorf("embedded temporal: %w", err)
		}
		a.temporalHostPort = a.temporal.HostPort()
	}
	a.tc, err = client.Dial(client.Options{
		HostPort: a.temporalHostPort, Namespace: cfg.TemporalNamespace,
		Logger: newTemporalLogger(log),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal at %s: %w", a.temporalHostPort, err)
	}
	a.worker = worker.New(a.tc, workflows.TaskQueue, worker.Options{})
	dq := &durableQueues{c: a.tc, log: log, waiting: map[string]bool{}}
	hours, _ := parseOpenHours(cfg.OpenHours, cfg.TimeZone) // checked by validate
	if a.desk, err = bookingSetup(a.worker, a.tc, cfg, log); err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	workflows.Register(a.worker, &workflows.Activities{Knowledge: knowledgeAdapter{a.kb}, Queues: queueAdapter{q: dq, hours: hours},
		Bookings: a.desk, Contacts: contactsAdapter{a.store}})
	qflow.Register(a.worker, &qflow.Activities{Listener: dq})
	var vmNotify voicemail.Notifier = voicemail.LogNotifier{Log: log}
	if cfg.NotifyWebhook != "" {
		vmNotify = voicemail.Notifiers{voicemail.LogNotifier{Log: log}, voicemail.WebhookNotifier{URL: cfg.NotifyWebhook, Client: &http.Client{Timeout: 10 * time.Second}}}
	}
	voicemail.Register(a.worker, &voicemail.Activities{Store: a.tasks, Transcriber: voicemail.STTTranscriber{STT: a.providers.stt}, Notifier: vmNotify})
	callback.Register(a.worker, &callback.Activities{Dialer: newSIPDialer(cfg.Callback, callbackLocalIP(cfg), ttsSpeaker(a.providers.tts), nil, log)})
	if err := a.worker.Start(); err != nil {
		return nil, fmt.Errorf("temporal worker: %w", err)
	}
	if err := startQueuesWorkflow(ctx, a.tc); err != nil {
		return nil, err
	}
	a.queues = dq
	a.decider = workflows.NewDecider(a.tc, workflows.TaskQueue)

	a.pacer = media.NewPacer(20 * time.Millisecond)
	if a.pacer.Realtime, err = parseMediaPriority(cfg.MediaPriority); err != nil {
		return nil, err
	}
	a.pacer.Start(ctx)
	if a.pacer.Realtime > 0 {
		go warnNotRealtime(log, a.pacer)
	}
	recordDir := ""
	if cfg.Record {
		recordDir = filepath.Join(cfg.DataDir, "recordings")
		if err := os.MkdirAll(recordDir, 0o750); err != nil {
			return nil, fmt.Errorf("recordings directory: %w", err)
		}
	}
	a.sip, err = sipua.NewServer(sipua.Config{
		ListenAddr: cfg.SIPAddr, Transports: strings.Split(cfg.SIPTransports, ","), MediaIP: cfg.MediaIP, MaxCalls: cfg.MaxCalls,
		RTPPortMin: cfg.RTPPortMin, RTPPortMax: cfg.RTPPortMax, UserAgent: "vastaa/" + version,
		Pacer: a.pacer, RecordDir: recordDir, Logger: log,
		OnRejected: a.recordRejected,
	}, a.handleCall)
	if err != nil {
		return nil, fmt.Errorf("sip: %w", err)
	}
	a.sipDone = make(chan error, 1)
	go func() { a.sipDone <- a.sip.Serve(ctx) }()
	select {
	case <-a.sip.Ready():
	case err := <-a.sipDone:
		a.sipDone <- err
		return nil, fmt.Errorf("sip: %w", err)
	case <-time.After(10 * time.Second):
		return nil, errors.New("sip: listeners did not come up in 10 s")
	}
	a.sipAddr = cfg.SIPAddr

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	a.httpAddr = ln.Addr().String()
	a.http = &http.Server{Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second}
	go a.http.Serve(ln)
	return a, nil
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	calls := a.store.Handler()
	mux.Handle("/api/calls", calls)
	mux.Handle("/api/calls/", calls)
	mux.Handle("/api/queues", a.queues.Handler())
	mux.Handle("/api/agents/", a.queues.Handler())
	mux.Handle("GET /api/bookings/", bookingsICS(a.desk))
	tasks := a.tasks.Handler()
	mux.Handle("/api/tasks", tasks)
	mux.Handle("/api/tasks/", tasks)
	mux.Handle("/kpis", kpi.Handler(func(ctx context.Context, since time.Time) ([]callstore.Call, error) {
		return kpi.LoadCalls(ctx, a.store, since)
	}))
	mux.Handle("/evals", evalsHandler(a.cfg.DataDir))
	mux.Handle("/evals/", evalsHandler(a.cfg.DataDir))
	mux.Handle("GET /api/media", mediaHandler(a.pacer))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// stop shuts down in reverse order; calls in progress get a BYE.
func (a *app) stop() error {
	if a.cancel != nil {
		a.cancel()
	}
	var errs []error
	if a.sipDone != nil {
		select {
		case err := <-a.sipDone:
			if err != nil && !errors.Is(err, context.Canceled) {
				errs = append(errs, err)
			}
		case <-time.After(10 * time.Second):
			errs = append(errs, errors.New("sip server did not stop in 10 s"))
		}
	}
	if a.http != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		a.http.Shutdown(sctx)
		cancel()
	}
	if a.worker != nil {
		a.worker.Stop()
	}
	if a.tc != nil {
		a.tc.Close()
	}
	if a.temporal != nil {
		if err := a.temporal.Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	if a.providers != nil {
		a.providers.Close()
	}
	if a.store != nil {
		a.store.Close()
	}
	if a.tasks != nil {
		a.tasks.Close()
	}
	if a.kb != nil {
		a.kb.Store.Close()
	}
	return errors.Join(errs...)
}
