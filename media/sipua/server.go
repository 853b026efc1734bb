package sipua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/vastaa/vastaa/media"
)

// Config configures a Server. Zero values fall back to the defaults named.
type Config struct {
	ListenAddr string   // default 127.0.0.1:5060; port 0 picks a free port (see Server.Addr)
	Transports []string // default udp, tcp
	MediaIP    string   // IP written into SDP, default the host of ListenAddr
	// RTPPortMin and RTPPortMax bound the RTP ports; 0,0 lets the OS pick.
	RTPPortMin, RTPPortMax int
	Codecs                 []media.Codec // in our order of preference, default PCMU, PCMA
	UserAgent              string        // default "vastaa"
	// Pacer is the shared send clock; one given here must already be running
	// (its owner calls Start). Default: a 20 ms pacer run by Serve.
	Pacer      *media.Pacer
	RecordDir  string        // "" = no recording; else <dir>/<call id>.wav
	RTPTimeout time.Duration // hang up after this long without RTP, default 30s; negative disables
	// RingTime is how long we ring (180) before answering; 0 answers at once.
	RingTime time.Duration
	// MaxCalls caps the calls in progress (ringing or answered); beyond it
	// an INVITE gets 503 Service Unavailable with Retry-After, so a proxy
	// or trunk tries elsewhere instead of every call on a saturated machine
	// losing audio. 0: no cap.
	MaxCalls int
	Logger   *slog.Logger
	// OnCallEnd runs once for every answered call after it ended.
	OnCallEnd func(c *Call)
	// OnRejected runs for every INVITE that did not become a call: refused
	// offers (488 with the SDP reason), cancellations and local failures.
	OnRejected func(r Rejection)
}

// Rejection describes an INVITE that never became an answered call.
type Rejection struct {
	CallID     string // ours
	SIPCallID  string
	From, To   string // PERSONAL DATA
	StatusCode int
	Reason     string    // SDPReason or EndReason text
	At         time.Time // when the INVITE arrived
	EndedAt    time.Time
}

// Handler runs after a call is answered and ACKed; ctx is cancelled when the
// call ends for any reason. When Handler returns with the call still up, the
// server hangs up with bot-hangup.
type Handler func(ctx context.Context, c *Call)

// Server is a SIP user agent server answering calls with G.711 audio.
type Server struct {
	cfg     Config
	h       Handler
	log     *slog.Logger
	formats []Format
	// ownPacer: Serve starts and stops the default pacer.
	ownPacer bool

	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client

	ready     chan struct{}
	addr      atomic.Pointer[string]
	dialogUAs map[string]*sipgo.DialogUA // by upper-case transport

	inflight atomic.Int64 // calls admitted and not yet ended (MaxCalls)

	mu       sync.Mutex
	calls    map[string]*serverCall // by dialog id
	closing  bool
	handlers sync.WaitGroup
	nextPort int
}

type serverCall struct {
	call *Call
	dlg  *sipgo.DialogServerSession
	mu   sync.Mutex // serialises re-INVITEs
	neg  Negotiated
	port int
	// ready is closed when the INVITE handler has finished with the call's
	// fields; in-dialog requests racing the answer wait for it.
	ready chan struct{}
	acks  chan uint32 // CSeq numbers of in-dialog ACKs, for re-INVITE 2xx retransmission
}

// allowed is what we answer in Allow headers (RFC 3261 section 20.5).
const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS"

// NewServer validates cfg and prepares a server; Serve starts it.
func NewServer(cfg Config, h Handler) (*Server, error) {
	if h == nil {
		return nil, errors.New("sipua: nil handler")
	}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:5060"
	}
	host, _, err := net.SplitHostPort(cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("sipua: listen address %q: %w", cfg.ListenAddr, err)
	}
	if len(cfg.Transports) == 0 {
		cfg.Transports = []string{"udp", "tcp"}
	}
	cfg.Transports = append([]string(nil), cfg.Transports...)
	for i, t := range cfg.Transports {
		t = strings.ToLower(t)
		if t != "udp" && t != "tcp" {
			return nil, fmt.Errorf("sipua: unsupported transport %q", t)
		}
		cfg.Transports[i] = t
	}
	if cfg.MediaIP == "" {
		cfg.MediaIP = host
	}
	if ip := net.ParseIP(cfg.MediaIP); ip == nil || ip.IsUnspecified() {
		return nil, fmt.Errorf("sipua: media IP %q must be a concrete IP address", cfg.MediaIP)
	}
	if cfg.RTPPortMin < 0 || cfg.RTPPortMax < cfg.RTPPortMin || cfg.RTPPortMax > 65535 || (cfg.RTPPortMin == 0) != (cfg.RTPPortMax == 0) {
		return nil, fmt.Errorf("sipua: bad RTP port range %d-%d", cfg.RTPPortMin, cfg.RTPPortMax)
	}
	if len(cfg.Codecs) == 0 {
		cfg.Codecs = []media.Codec{media.PCMU, media.PCMA}
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "vastaa"
	}
	ownPacer := cfg.Pacer == nil
	if ownPacer {
		cfg.Pacer = media.NewPacer(20 * time.Millisecond)
	}
	if cfg.RTPTimeout == 0 {
		cfg.RTPTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, h: h, log: cfg.Logger, ready: make(chan struct{}), calls: map[string]*serverCall{},
		formats: formatsOf(cfg.Codecs), nextPort: cfg.RTPPortMin, ownPacer: ownPacer}
	return s, nil
}

// Ready is closed once all listeners are bound.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addr is the bound host:port (the same port for every transport); empty
// before Ready.
func (s *Server) Addr() string {
	if p := s.addr.Load(); p != nil {
		return *p
	}
	return ""
}

// Serve listens and answers calls until ctx is done, then hangs up every
// call with BYE and returns.
func (s *Server) Serve(ctx context.Context) error {
	pc, ln, err := s.listen()
	if err != nil {
		return err
	}
	addr := s.cfg.ListenAddr
	if pc != nil {
		addr = pc.LocalAddr().String()
	} else if ln != nil {
		addr = ln.Addr().String()
	}
	host, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		// Listening on all interfaces: advertise the media IP in Via/Contact.
		host = s.cfg.MediaIP
	}
	s.addr.Store(&addr)

	sipLog := libraryLogger(s.log.With("call", "-"))
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(s.cfg.UserAgent), sipgo.WithUserAgentHostname(host),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(sipLog),
			sip.WithTransactionLayerUnhandledResponseHandler(unhandledResponse(sipLog))),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(sipLog)))
	if err != nil {
		closeListeners(pc, ln)
		return fmt.Errorf("sipua: user agent: %w", err)
	}
	s.ua = ua
	s.srv, _ = sipgo.NewServer(ua, sipgo.WithServerLogger(sipLog))
	s.client, err = sipgo.NewClient(ua, sipgo.WithClientHostname(host), sipgo.WithClientLogger(sipLog))
	if err != nil {
		closeListeners(pc, ln)
		return fmt.Errorf("sipua: client: %w", err)
	}
	s.dialogUAs = map[string]*sipgo.DialogUA{}
	for _, t := range s.cfg.Transports {
		uri := sip.Uri{Scheme: "sip", User: s.cfg.UserAgent, Host: host, Port: port}
		if t == "tcp" {
			uri.UriParams = sip.NewParams()
			uri.UriParams.Add("transport", "tcp")
		}
		// RewriteContact sends in-dialog requests to where the INVITE came
		// from: behind NAT and over TCP that is the only address that works.
		s.dialogUAs[strings.ToUpper(t)] = &sipgo.DialogUA{Client: s.client, ContactHDR: sip.ContactHeader{Address: uri}, RewriteContact: true}
	}
	s.srv.OnInvite(s.onInvite)
	s.srv.OnAck(s.onAck)
	s.srv.OnBye(s.onBye)
	s.srv.OnCancel(s.onCancel)
	s.srv.OnOptions(s.onOptions)
	s.srv.OnNoRoute(s.onNoRoute)

	errc := make(chan error, 2)
	if pc != nil {
		go func() { errc <- s.srv.ServeUDP(pc) }()
	}
	if ln != nil {
		go func() { errc <- s.srv.ServeTCP(ln) }()
	}
	if s.ownPacer {
		s.cfg.Pacer.Start(context.WithoutCancel(ctx))
		defer s.cfg.Pacer.Stop()
	}
	s.log.Info("SIP server listening", "call", "-", "addr", addr, "transports", strings.Join(s.cfg.Transports, ","))
	close(s.ready)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
		s.log.Error("SIP listener failed", "call", "-", "err", serveErr)
	}
	s.shutdown()
	closeListeners(pc, ln)
	_ = ua.Close()
	if serveErr != nil && !errors.Is(serveErr, net.ErrClosed) {
		return fmt.Errorf("sipua: serve: %w", serveErr)
	}
	return nil
}

func closeListeners(pc net.PacketConn, ln net.Listener) {
	if pc != nil {
		_ = pc.Close()
	}
	if ln != nil {
		_ = ln.Close()
	}
}

// listen binds UDP and TCP on the same port. With port 0 the UDP port is
// picked first and TCP tries to follow it, retrying when another process
// already holds that TCP port.
func (s *Server) listen() (net.PacketConn, net.Listener, error) {
	wantUDP, wantTCP := false, false
	for _, t := range s.cfg.Transports {
		wantUDP = wantUDP || t == "udp"
		wantTCP = wantTCP || t == "tcp"
	}
	var lastErr error
	for attempt := 0; attempt < 10; attempt++ {
		addr := s.cfg.ListenAddr
		var pc net.PacketConn
		if wantUDP {
			var err error
			pc, err = net.ListenPacket("udp", addr)
			if err != nil {
				return nil, nil, fmt.Errorf("sipua: listen udp %s: %w", addr, err)
			}
			addr = pc.LocalAddr().String()
		}
		if !wantTCP {
			return pc, nil, nil
		}
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			return pc, ln, nil
		}
		lastErr = err
		if pc != nil {
			_ = pc.Close()
		}
		if _, p, _ := net.SplitHostPort(s.cfg.ListenAddr); p != "0" {
			break
		}
	}
	return nil, nil, fmt.Errorf("sipua: listen tcp: %w", lastErr)
}

// shutdown hangs up every call politely and waits for handlers to return.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.closing = true
	calls := make([]*serverCall, 0, len(s.calls))
	for _, sc := range s.calls {
		calls = append(calls, sc)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, sc := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-sc.ready:
			case <-time.After(5 * time.Second):
				// Still waiting for an ACK: onInvite sees closing and hangs up.
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if err := sc.call.hangup(ctx, EndShutdown, "shutdown"); err != nil {
				sc.call.log.Warn("BYE at shutdown failed", "err", err)
			}
		}()
	}
	wg.Wait()
	s.handlers.Wait()
}

func formatsOf(codecs []media.Codec) []Format {
	out := make([]Format, 0, len(codecs))
	for _, c := range codecs {
		out = append(out, formatOf(c))
	}
	return out
}

func codecFor(codecs []media.Codec, f Format) (media.Codec, bool) {
	for _, c := range codecs {
		if strings.EqualFold(formatOf(c).Name, f.Name) {
			return c, true
		}
	}
	return media.Codec{}, false
}

// respond sends a stateful response; failures only matter for the log.
func (s *Server) respond(log *slog.Logger, req *sip.Request, tx sip.ServerTransaction, code int, reason string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if err := tx.Respond(res); err != nil {
		log.Debug("sending response failed", "code", code, "err", err)
	}
}

func userOf(u *sip.Uri) string {
	if u == nil {
		return ""
	}
	if u.User != "" {
		return u.User
	}
	return u.Host
}

// validRequest checks the headers every dialog request needs; sipgo parses
// leniently, so a hostile message can lack them.
func validRequest(req *sip.Request) bool {
	return req.From() != nil && req.To() != nil && req.CallID() != nil && req.CSeq() != nil && req.Via() != nil
}

func (s *Server) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	log := s.log.With("call", "-")
	if !validRequest(req) {
		s.respond(log, req, tx, 400, "Bad Request")
		return
	}
	if _, ok := req.To().Params.Get("tag"); ok {
		s.onReinvite(req, tx)
		return
	}
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing {
		s.respond(log, req, tx, 503, "Service Unavailable")
		return
	}
	dua := s.dialogUAs[strings.ToUpper(req.Transport())]
	if dua == nil {
		s.respond(log, req, tx, 400, "Bad Request")
		return
	}
	call := newCall(s.log, true)
	call.SIPCallID = req.CallID().Value()
	call.From = userOf(&req.From().Address)
	call.To = userOf(&req.To().Address)
	log = call.log
	log.Info("incoming call", "transport", req.Transport())
	log.Debug("incoming call parties", "from", call.From, "to", call.To, "sip_call_id", call.SIPCallID)

	// Admission (MaxCalls): a slot is taken here and given back once, when
	// the call ends, is rejected, or this handler returns without a call.
	release := sync.OnceFunc(func() {
		if s.cfg.MaxCalls > 0 {
			s.inflight.Add(-1)
		}
	})
	handedOver := false
	defer func() {
		if !handedOver {
			release()
		}
	}()
	reject := func(code int, reason string) {
		release()
		now := time.Now()
		log.Info("call rejected", "code", code, "reason", reason)
		if s.cfg.OnRejected != nil {
			s.cfg.OnRejected(Rejection{CallID: call.ID, SIPCallID: call.SIPCallID, From: call.From, To: call.To,
				StatusCode: code, Reason: reason, At: call.StartedAt, EndedAt: now})
		}
	}
	if max := s.cfg.MaxCalls; max > 0 && s.inflight.Add(1) > int64(max) {
		log.Warn("call refused: at capacity", "max_calls", max)
		s.respond(log, req, tx, 503, "Service Unavailable", sip.NewHeader("Retry-After", "30"))
		reject(503, "at-capacity")
		return
	}

	dlg, err := dua.ReadInvite(req, tx)
	if err != nil {
		log.Info("unusable INVITE", "err", err)
		s.respond(log, req, tx, 400, "Bad Request")
		reject(400, "bad-request")
		return
	}
	defer func() {
		if call.AnsweredAt.IsZero() {
			_ = dlg.Close()
		}
	}()
	if err := dlg.Respond(100, "Trying", nil); err != nil {
		log.Debug("100 Trying failed", "err", err)
	}

	neg, err := s.negotiateRequest(req)
	if err != nil {
		var se *SDPError
		if !errors.As(err, &se) {
			se = &SDPError{Reason: ReasonMalformedSDP, Detail: err.Error()}
		}
		// Recorded first: the final response below blocks until the ACK.
		reject(488, string(se.Reason))
		// RFC 3261 section 21.4.26: 488 with a Warning saying what was wrong.
		if err := dlg.Respond(488, "Not Acceptable Here", nil,
			sip.NewHeader("Warning", se.Warning(s.cfg.UserAgent)), sip.NewHeader("Accept", "application/sdp")); err != nil {
			log.Debug("488 failed", "err", err)
		}
		return
	}
	codec, _ := codecFor(s.cfg.Codecs, neg.Format)

	conn, port, err := s.allocRTP()
	if err != nil {
		log.Error("no RTP port", "err", err)
		reject(503, "no-rtp-port")
		_ = dlg.Respond(503, "Service Unavailable", nil)
		return
	}
	var rec *media.Recorder
	if s.cfg.RecordDir != "" {
		rec, err = media.NewRecorder(filepath.Join(s.cfg.RecordDir, call.ID+".wav"))
		if err != nil {
			log.Warn("recording disabled for this call", "err", err)
			rec = nil
		} else {
			call.recPath = rec.Path()
		}
	}
	sess, err := media.NewSession(media.SessionConfig{Conn: conn, Remote: sendTarget(neg.Remote), Codec: codec,
		DTMFPayloadType: neg.DTMFPayloadType, Pacer: s.cfg.Pacer, Logger: log, Recorder: rec})
	if err != nil {
		_ = conn.Close()
		log.Error("media session", "err", err)
		reject(500, "media-error")
		_ = dlg.Respond(500, "Server Internal Error", nil)
		return
	}
	call.Media, call.Codec, call.HasDTMF, call.DTMFPayloadType = sess, codec, neg.HasDTMF, neg.DTMFPayloadType
	call.setRemote(neg.Remote)
	call.onHold.Store(neg.OnHold())
	sc := &serverCall{call: call, dlg: dlg, neg: neg.Negotiated, port: port, ready: make(chan struct{}), acks: make(chan uint32, 4)}
	defer close(sc.ready)

	s.mu.Lock()
	s.calls[dlg.ID] = sc
	s.mu.Unlock()
	call.cleanup = func() {
		s.mu.Lock()
		delete(s.calls, dlg.ID)
		s.mu.Unlock()
		_ = dlg.Close()
		release()
	}
	handedOver = true
	call.sendBye = func(ctx context.Context, reason string) error { return s.bye(ctx, sc, reason) }
	call.onEnded = s.cfg.OnCallEnd

	failBeforeAnswer := func(code int, why string) {
		call.onEnded = nil
		call.end(EndReason(why), "")
		reject(code, why)
	}

	if s.cfg.RingTime > 0 {
		if err := dlg.Respond(180, "Ringing", nil); err != nil {
			log.Debug("180 failed", "err", err)
		}
		t := time.NewTimer(s.cfg.RingTime)
		select {
		case <-t.C:
		case <-dlg.Context().Done():
			t.Stop()
			failBeforeAnswer(487, string(EndCancelled))
			return
		}
	}

	answer := BuildAnswer(neg.offer, neg.Negotiated, s.localMedia(port, call))
	if err := dlg.RespondSDP(answer.Marshal()); err != nil {
		if dlg.Context().Err() != nil || errors.Is(err, sip.ErrTransactionCanceled) {
			failBeforeAnswer(487, string(EndCancelled))
			return
		}
		call.AnsweredAt = time.Now()
		if dlg.LoadState() == sip.DialogStateEnded {
			// BYE before ACK: onBye ends the call once we are done here.
			return
		}
		log.Info("call not confirmed", "err", err)
		// We sent 2xx, so the dialog exists for the peer: end it with BYE.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_ = call.hangup(ctx, EndNoACK, "")
		cancel()
		return
	}
	call.AnsweredAt = time.Now()
	// A BYE can arrive between ACK and here.
	select {
	case <-call.done:
		return
	default:
	}
	sess.Start(call.ctx)
	log.Info("call answered", "codec", neg.Format.Name, "dtmf_pt", neg.DTMFPayloadType)
	go call.watchRTP(s.cfg.RTPTimeout)

	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_ = call.hangup(ctx, EndShutdown, "shutdown")
		cancel()
		return
	}
	s.handlers.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.handlers.Done()
		s.h(call.ctx, call)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := call.Hangup(ctx, "handler returned"); err != nil {
			log.Warn("BYE after handler failed", "err", err)
		}
	}()
}

// negotiated keeps the parsed offer next to its outcome so the answer can
// mirror the offer's m= lines.
type negotiated struct {
	Negotiated
	offer *SessionDescription
}

func (s *Server) negotiateRequest(req *sip.Request) (negotiated, error) {
	body := req.Body()
	// We do not support offer-in-200 (RFC 3261 section 13.2.1 lets us
	// refuse): an INVITE without SDP is answered 488 no-sdp.
	if len(body) == 0 {
		return negotiated{}, &SDPError{Reason: ReasonNoSDP, Detail: "INVITE carries no offer"}
	}
	if ct := req.ContentType(); ct != nil && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct.Value())), "application/sdp") {
		return negotiated{}, &SDPError{Reason: ReasonNoSDP, Detail: "body is not application/sdp"}
	}
	sd, err := ParseSDP(body)
	if err != nil {
		return negotiated{}, err
	}
	n, err := Negotiate(sd, s.formats)
	if err != nil {
		return negotiated{}, err
	}
	if n.Remote.IP.To4() == nil && net.ParseIP(s.cfg.MediaIP).To4() != nil && !n.Remote.IP.IsUnspecified() {
		return negotiated{}, &SDPError{Reason: ReasonMalformedSDP, Detail: "IPv6 media address on an IPv4 server"}
	}
	return negotiated{Negotiated: n, offer: sd}, nil
}

// sendTarget is where RTP goes for a negotiated remote address: nil (learn
// from the first packet) when the peer gave the RFC 2543 hold address.
func sendTarget(a *net.UDPAddr) *net.UDPAddr {
	if a == nil || a.IP.IsUnspecified() {
		return nil
	}
	return a
}

func (s *Server) localMedia(port int, c *Call) LocalMedia {
	return LocalMedia{IP: net.ParseIP(s.cfg.MediaIP), Port: port, SessionID: uint64(c.StartedAt.Unix()),
		Version: c.sdpVer.Add(1), Username: s.cfg.UserAgent}
}

// allocRTP binds an RTP socket in the configured range (RFC 3550 section 11
// recommends even ports for RTP, so odd ones are skipped).
func (s *Server) allocRTP() (net.PacketConn, int, error) {
	if s.cfg.RTPPortMin == 0 {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(s.cfg.MediaIP, "0"))
		if err != nil {
			return nil, 0, err
		}
		return pc, pc.LocalAddr().(*net.UDPAddr).Port, nil
	}
	span := s.cfg.RTPPortMax - s.cfg.RTPPortMin + 1
	var lastErr error
	for i := 0; i < span; i++ {
		s.mu.Lock()
		port := s.nextPort
		s.nextPort++
		if s.nextPort > s.cfg.RTPPortMax {
			s.nextPort = s.cfg.RTPPortMin
		}
		s.mu.Unlock()
		if port%2 == 1 && span > 1 {
			continue
		}
		pc, err := net.ListenPacket("udp", net.JoinHostPort(s.cfg.MediaIP, strconv.Itoa(port)))
		if err == nil {
			return pc, port, nil
		}
		lastErr = err
	}
	return nil, 0, fmt.Errorf("all RTP ports %d-%d busy: %w", s.cfg.RTPPortMin, s.cfg.RTPPortMax, lastErr)
}

func (s *Server) findCall(req *sip.Request) *serverCall {
	id, err := sip.DialogIDFromRequestUAS(req)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[id]
}

// onReinvite handles a target refresh or hold inside an answered call
// (RFC 3261 section 14.2, RFC 3264 section 8).
func (s *Server) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	sc := s.findCall(req)
	if sc == nil {
		s.respond(s.log.With("call", "-"), req, tx, 481, "Call/Transaction Does Not Exist")
		return
	}
	c := sc.call
	if !sc.mu.TryLock() {
		// RFC 3261 section 14.2: a second offer while one is pending gets 491.
		s.respond(c.log, req, tx, 491, "Request Pending")
		return
	}
	defer sc.mu.Unlock()
	if err := sc.dlg.ReadRequest(req, tx); err != nil {
		s.respond(c.log, req, tx, 500, "Server Internal Error")
		return
	}
	var answer *SessionDescription
	if len(req.Body()) == 0 {
		// Offer-less re-INVITE: we offer our current stream in the 200 and
		// take the ACK's answer as unchanged media.
		answer = BuildOffer([]Format{sc.neg.Format}, sc.neg.DTMFPayloadType, s.localMedia(sc.port, c))
	} else {
		n, err := s.negotiateRequest(req)
		if err == nil && !strings.EqualFold(n.Format.Name, sc.neg.Format.Name) {
			err = &SDPError{Reason: ReasonNoCommonCodec, Detail: "codec change inside a call is not supported"}
		}
		if err != nil {
			var se *SDPError
			if !errors.As(err, &se) {
				se = &SDPError{Reason: ReasonMalformedSDP, Detail: err.Error()}
			}
			// The call goes on with the old session (RFC 3261 section 14.2).
			s.respond(c.log, req, tx, 488, "Not Acceptable Here", sip.NewHeader("Warning", se.Warning(s.cfg.UserAgent)))
			c.log.Info("re-INVITE refused", "reason", string(se.Reason))
			return
		}
		hold := n.OnHold()
		if !n.Remote.IP.IsUnspecified() {
			c.Media.SetRemote(n.Remote)
			c.setRemote(n.Remote)
		}
		if hold {
			c.Media.StopPlayback()
		}
		c.onHold.Store(hold)
		n.Format.PayloadType = sc.neg.Format.PayloadType
		sc.neg = n.Negotiated
		answer = BuildAnswer(n.offer, n.Negotiated, s.localMedia(sc.port, c))
		c.log.Info("re-INVITE accepted", "hold", hold, "direction", string(n.Direction))
	}
	res := sip.NewSDPResponseFromRequest(req, answer.Marshal())
	dua := s.dialogUAs[strings.ToUpper(req.Transport())]
	if dua != nil {
		res.AppendHeader(sip.HeaderClone(&dua.ContactHDR))
	}
	if err := tx.Respond(res); err != nil {
		c.log.Debug("re-INVITE 200 failed", "err", err)
		return
	}
	if !sip.IsReliable(req.Transport()) {
		s.retransmitUntilACK(sc, tx, res, req.CSeq().SeqNo)
	}
}

// retransmitUntilACK resends a 2xx to a re-INVITE over UDP until its ACK
// arrives: the UAS core, not the transaction, owns this (RFC 3261 section
// 13.3.1.4, RFC 6026).
func (s *Server) retransmitUntilACK(sc *serverCall, tx sip.ServerTransaction, res *sip.Response, cseq uint32) {
	interval := sip.T1
	deadline := time.NewTimer(64 * sip.T1)
	defer deadline.Stop()
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case n := <-sc.acks:
			if n == cseq {
				return
			}
		case <-t.C:
			if err := tx.Respond(res); err != nil {
				return
			}
			interval = min(2*interval, sip.T2)
			t.Reset(interval)
		case <-deadline.C:
			sc.call.log.Info("re-INVITE 200 never acknowledged")
			return
		case <-sc.call.done:
			return
		}
	}
}

func (s *Server) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if !validRequest(req) {
		return
	}
	sc := s.findCall(req)
	if sc == nil {
		return
	}
	if err := sc.dlg.ReadAck(req, tx); err != nil {
		sc.call.log.Debug("ACK not matched", "err", err)
		return
	}
	select {
	case sc.acks <- req.CSeq().SeqNo:
	default:
	}
}

func (s *Server) onBye(req *sip.Request, tx sip.ServerTransaction) {
	log := s.log.With("call", "-")
	if !validRequest(req) {
		s.respond(log, req, tx, 400, "Bad Request")
		return
	}
	sc := s.findCall(req)
	if sc == nil {
		s.respond(log, req, tx, 481, "Call/Transaction Does Not Exist")
		return
	}
	if err := sc.dlg.ReadBye(req, tx); err != nil {
		sc.call.log.Debug("BYE failed", "err", err)
		s.respond(sc.call.log, req, tx, 500, "Server Internal Error")
	}
	<-sc.ready
	sc.call.end(EndCallerHangup, "")
}

// onCancel only sees CANCELs that matched no INVITE: sipgo's transaction
// layer answers matching ones with 200 and the INVITE with 487 itself.
func (s *Server) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	s.respond(s.log.With("call", "-"), req, tx, 481, "Call/Transaction Does Not Exist")
}

func (s *Server) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	s.respond(s.log.With("call", "-"), req, tx, 200, "OK",
		sip.NewHeader("Allow", allowed), sip.NewHeader("Accept", "application/sdp"))
}

// knownMethods are RFC 3261 and extension methods we recognise but do not
// serve: they get 405 with Allow; anything else 501 (RFC 3261 section 8.2.1).
var knownMethods = map[string]bool{
	"REGISTER": true, "SUBSCRIBE": true, "NOTIFY": true, "REFER": true, "INFO": true,
	"MESSAGE": true, "PRACK": true, "UPDATE": true, "PUBLISH": true,
}

func (s *Server) onNoRoute(req *sip.Request, tx sip.ServerTransaction) {
	log := s.log.With("call", "-")
	log.Debug("unsupported method", "method", string(req.Method))
	if knownMethods[strings.ToUpper(string(req.Method))] {
		s.respond(log, req, tx, 405, "Method Not Allowed", sip.NewHeader("Allow", allowed))
		return
	}
	s.respond(log, req, tx, 501, "Not Implemented", sip.NewHeader("Allow", allowed))
}

// bye ends the dialog from our side; reason travels in a Reason header
// (RFC 3326) so the far end's logs say why.
func (s *Server) bye(ctx context.Context, sc *serverCall, reason string) error {
	inv := sc.dlg.InviteRequest
	target := inv.Contact()
	if target == nil {
		return errors.New("no Contact to send BYE to")
	}
	bye := sip.NewRequest(sip.BYE, *target.Address.Clone())
	bye.SetTransport(inv.Transport())
	if reason != "" {
		bye.AppendHeader(sip.NewHeader("Reason", fmt.Sprintf("SIP;cause=200;text=%q", reason)))
	}
	return sc.dlg.WriteBye(ctx, bye)
}
