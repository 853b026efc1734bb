package sipua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/vastaa/vastaa/media"
)

// DialConfig configures an outbound call.
type DialConfig struct {
	To              string        // request URI, e.g. sip:bot@127.0.0.1:5060
	From            string        // our user part ("caller") or a SIP URI ("sip:caller@127.0.0.1"); default "caller"
	Transport       string        // udp (default) or tcp
	LocalIP         string        // default 127.0.0.1
	Codecs          []media.Codec // offered in this order, default PCMU, PCMA
	DTMFPayloadType uint8         // telephone-event payload type offered, default 101
	Pacer           *media.Pacer  // must be running; default a private 20 ms pacer for this call
	Logger          *slog.Logger
	RecordPath      string // "" = no recording
	// RTPTimeout hangs up when the peer sends no RTP this long; 0 disables.
	RTPTimeout time.Duration
}

// ErrRejected is returned by Dial when the callee answers with a final
// non-2xx response.
type ErrRejected struct {
	StatusCode int
	Reason     string
	Warning    string // the Warning header, if any
}

func (e *ErrRejected) Error() string {
	if e.Warning != "" {
		return fmt.Sprintf("sipua: call rejected: %d %s (%s)", e.StatusCode, e.Reason, e.Warning)
	}
	return fmt.Sprintf("sipua: call rejected: %d %s", e.StatusCode, e.Reason)
}

// Dial places a call: INVITE with our offer, waits through 1xx for 200,
// ACKs and returns the call with its media started. Cancelling ctx before the
// answer sends CANCEL. A BYE from the far end ends the call (caller-hangup).
func Dial(ctx context.Context, cfg DialConfig) (*Call, error) {
	if cfg.To == "" {
		return nil, errors.New("sipua: Dial needs To")
	}
	var recipient sip.Uri
	if err := sip.ParseUri(cfg.To, &recipient); err != nil {
		return nil, fmt.Errorf("sipua: bad To %q: %w", cfg.To, err)
	}
	if cfg.From == "" {
		cfg.From = "caller"
	}
	if strings.HasPrefix(cfg.From, "sip:") || strings.HasPrefix(cfg.From, "sips:") {
		var u sip.Uri
		if err := sip.ParseUri(cfg.From, &u); err != nil || u.User == "" {
			return nil, fmt.Errorf("sipua: bad From %q", cfg.From)
		}
		cfg.From = u.User
	}
	cfg.Transport = strings.ToLower(cfg.Transport)
	if cfg.Transport == "" {
		cfg.Transport = "udp"
	}
	if cfg.Transport != "udp" && cfg.Transport != "tcp" {
		return nil, fmt.Errorf("sipua: unsupported transport %q", cfg.Transport)
	}
	if cfg.LocalIP == "" {
		cfg.LocalIP = "127.0.0.1"
	}
	localIP := net.ParseIP(cfg.LocalIP)
	if localIP == nil || localIP.IsUnspecified() {
		return nil, fmt.Errorf("sipua: local IP %q must be a concrete IP", cfg.LocalIP)
	}
	if len(cfg.Codecs) == 0 {
		cfg.Codecs = []media.Codec{media.PCMU, media.PCMA}
	}
	if cfg.DTMFPayloadType == 0 {
		cfg.DTMFPayloadType = 101
	}
	var ownPacer *media.Pacer
	if cfg.Pacer == nil {
		ownPacer = media.NewPacer(20 * time.Millisecond)
		cfg.Pacer = ownPacer
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}

	call := newCall(cfg.Logger, false)
	log := call.log
	sipLog := libraryLogger(log)
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(cfg.From), sipgo.WithUserAgentHostname(cfg.LocalIP),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(sipLog),
			sip.WithTransactionLayerUnhandledResponseHandler(unhandledResponse(sipLog))),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(sipLog)))
	if err != nil {
		return nil, fmt.Errorf("sipua: user agent: %w", err)
	}
	fail := func(err error) (*Call, error) {
		_ = ua.Close()
		return nil, err
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(cfg.LocalIP), sipgo.WithClientLogger(sipLog))
	if err != nil {
		return fail(fmt.Errorf("sipua: client: %w", err))
	}
	// In-dialog requests from the callee (BYE) arrive over the client's own
	// connection and need a server-side handler.
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(sipLog))
	if err != nil {
		return fail(fmt.Errorf("sipua: server: %w", err))
	}

	// Handlers are registered before any traffic: sipgo's handler map is not
	// safe to change while requests arrive.
	var dlgRef atomic.Pointer[sipgo.DialogClientSession]
	// setupDone is closed when Dial stops touching the call's fields; a BYE
	// racing the set-up waits for it before ending the call.
	setupDone := make(chan struct{})
	defer close(setupDone)
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		d := dlgRef.Load()
		if cid := req.CallID(); d == nil || cid == nil || cid.Value() != d.InviteRequest.CallID().Value() {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
			return
		}
		if err := d.ReadBye(req, tx); err != nil {
			log.Debug("BYE failed", "err", err)
		}
		<-setupDone
		call.end(EndCallerHangup, "")
	})
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		// Re-INVITEs towards the test caller are not needed; refuse politely.
		_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {})

	rtpConn, err := net.ListenPacket("udp", net.JoinHostPort(cfg.LocalIP, "0"))
	if err != nil {
		return fail(fmt.Errorf("sipua: RTP socket: %w", err))
	}
	rtpPort := rtpConn.LocalAddr().(*net.UDPAddr).Port
	formats := formatsOf(cfg.Codecs)
	offer := BuildOffer(formats, cfg.DTMFPayloadType, LocalMedia{IP: localIP, Port: rtpPort,
		SessionID: uint64(time.Now().Unix()), Version: 1, Username: "vastaa"})

	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: cfg.From, Host: cfg.LocalIP}}
	if cfg.Transport == "tcp" {
		contact.Address.UriParams = sip.NewParams()
		contact.Address.UriParams.Add("transport", "tcp")
	}
	dua := &sipgo.DialogUA{Client: client, ContactHDR: contact, RewriteContact: true}
	req := sip.NewRequest(sip.INVITE, recipient)
	req.SetTransport(strings.ToUpper(cfg.Transport))
	from := sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: cfg.From, Host: cfg.LocalIP}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(&from)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	req.SetBody(offer.Marshal())

	call.From = cfg.From
	call.To = recipient.User
	dlg, err := dua.WriteInvite(ctx, req)
	if err != nil {
		_ = rtpConn.Close()
		return fail(fmt.Errorf("sipua: INVITE: %w", err))
	}
	call.SIPCallID = req.CallID().Value()
	dlgRef.Store(dlg)
	log.Info("outgoing call", "transport", cfg.Transport)

	if err := dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		_ = rtpConn.Close()
		_ = dlg.Close()
		var dr *sipgo.ErrDialogResponse
		if errors.As(err, &dr) {
			rej := &ErrRejected{StatusCode: dr.Res.StatusCode, Reason: dr.Res.Reason}
			if w := dr.Res.GetHeader("Warning"); w != nil {
				rej.Warning = w.Value()
			}
			return fail(rej)
		}
		return fail(fmt.Errorf("sipua: waiting for answer: %w", err))
	}
	res := dlg.InviteResponse
	byeCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 3*time.Second)
	}
	// A 2xx must be ACKed even when we cannot use its answer (RFC 3261
	// section 13.2.2.4), and then ended with BYE.
	if err := dlg.Ack(ctx); err != nil {
		_ = rtpConn.Close()
		return fail(fmt.Errorf("sipua: ACK: %w", err))
	}
	abandon := func(err error) (*Call, error) {
		bctx, cancel := byeCtx()
		_ = dlg.Bye(bctx)
		cancel()
		_ = rtpConn.Close()
		return fail(err)
	}
	sd, err := ParseSDP(res.Body())
	if err != nil {
		return abandon(fmt.Errorf("sipua: answer: %w", err))
	}
	neg, err := Negotiate(sd, formats)
	if err != nil {
		return abandon(fmt.Errorf("sipua: answer: %w", err))
	}
	codec, _ := codecFor(cfg.Codecs, neg.Format)
	dtmfPT := cfg.DTMFPayloadType
	if neg.HasDTMF {
		dtmfPT = neg.DTMFPayloadType
	}
	var rec *media.Recorder
	if cfg.RecordPath != "" {
		if rec, err = media.NewRecorder(cfg.RecordPath); err != nil {
			log.Warn("recording disabled", "err", err)
			rec = nil
		} else {
			call.recPath = rec.Path()
		}
	}
	sess, err := media.NewSession(media.SessionConfig{Conn: rtpConn, Remote: sendTarget(neg.Remote), Codec: codec,
		DTMFPayloadType: dtmfPT, Pacer: cfg.Pacer, Logger: log, Recorder: rec})
	if err != nil {
		return abandon(fmt.Errorf("sipua: media: %w", err))
	}
	call.Media, call.Codec, call.HasDTMF, call.DTMFPayloadType = sess, codec, neg.HasDTMF, dtmfPT
	call.setRemote(neg.Remote)
	call.AnsweredAt = time.Now()
	call.sendBye = func(ctx context.Context, reason string) error { return dlg.Bye(ctx) }
	call.cleanup = func() {
		_ = dlg.Close()
		if ownPacer != nil {
			ownPacer.Stop()
		}
		// Closing the UA right away could cut the 200 to a BYE we just
		// answered; the transaction layer needs a moment to send it.
		go func() {
			time.Sleep(200 * time.Millisecond)
			_ = ua.Close()
		}()
	}
	if ownPacer != nil {
		ownPacer.Start(context.Background())
	}
	sess.Start(call.ctx)
	log.Info("call answered", "codec", neg.Format.Name, "dtmf_pt", dtmfPT)
	go call.watchRTP(cfg.RTPTimeout)
	return call, nil
}
