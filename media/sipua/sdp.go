package sipua

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// maxSDPSize bounds what we are willing to parse; a real audio offer is a few
// hundred bytes, so anything far larger is a mistake or an attack.
const maxSDPSize = 64 << 10

// SDPReason classifies why an offer could not be accepted. It travels from the
// place of failure to the 488 Warning header and the call record unchanged.
type SDPReason string

const (
	ReasonMalformedSDP     SDPReason = "malformed-sdp"
	ReasonNoAudio          SDPReason = "no-audio"
	ReasonNoCommonCodec    SDPReason = "no-common-codec"
	ReasonUnsupportedProto SDPReason = "unsupported-transport"
	ReasonNoSDP            SDPReason = "no-sdp"
)

// SDPError is an offer/answer failure that knows its own classification.
type SDPError struct {
	Reason SDPReason
	Detail string
}

func (e *SDPError) Error() string {
	if e.Detail == "" {
		return "sdp: " + string(e.Reason)
	}
	return "sdp: " + string(e.Reason) + ": " + e.Detail
}

// WarnCode maps the reason onto the warn-code of RFC 3261 section 20.43.
func (e *SDPError) WarnCode() int {
	switch e.Reason {
	case ReasonNoAudio:
		return 304 // Media type not available
	case ReasonNoCommonCodec:
		return 305 // Incompatible media format
	case ReasonUnsupportedProto:
		return 302 // Incompatible transport protocol
	case ReasonMalformedSDP:
		return 399 // Miscellaneous warning
	}
	return 399
}

// Warning renders a Warning header value (RFC 3261 section 20.43) for agent.
func (e *SDPError) Warning(agent string) string {
	if agent == "" {
		agent = "-"
	}
	text := string(e.Reason)
	if e.Detail != "" {
		text += ": " + e.Detail
	}
	// warn-text is a quoted-string: escape what would end it early.
	text = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", " ", "\n", " ").Replace(text)
	return fmt.Sprintf("%d %s \"%s\"", e.WarnCode(), agent, text)
}

// ReasonOf returns the classification of err, or "" when err is not an SDPError.
func ReasonOf(err error) SDPReason {
	var se *SDPError
	if errors.As(err, &se) {
		return se.Reason
	}
	return ""
}

func sdpErrorf(reason SDPReason, format string, args ...any) error {
	return &SDPError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Origin is the o= line (RFC 4566 section 5.2).
type Origin struct {
	Username       string
	SessionID      uint64
	SessionVersion uint64
	NetType        string
	AddrType       string
	Address        string
}

// Connection is a c= line (RFC 4566 section 5.7).
type Connection struct {
	NetType  string
	AddrType string
	Address  string
}

// IP returns the connection address as an IP, or nil for a host name.
func (c *Connection) IP() net.IP {
	if c == nil {
		return nil
	}
	return net.ParseIP(c.Address)
}

// Attribute is an a= line; Value is empty for property attributes.
type Attribute struct {
	Key   string
	Value string
}

// MediaDescription is one m= section (RFC 4566 section 5.14).
type MediaDescription struct {
	Type       string
	Port       int
	NumPorts   int
	Proto      string
	Formats    []string
	Connection *Connection
	Attributes []Attribute
}

// Attr returns the first value of attribute key and whether it exists.
func (m *MediaDescription) Attr(key string) (string, bool) {
	return findAttr(m.Attributes, key)
}

// SessionDescription is a parsed SDP body. Only what audio calls need is kept;
// unknown lines are skipped as RFC 4566 section 5 allows.
type SessionDescription struct {
	Origin     Origin
	Name       string
	Connection *Connection
	Attributes []Attribute
	Media      []MediaDescription
}

func findAttr(attrs []Attribute, key string) (string, bool) {
	for _, a := range attrs {
		if strings.EqualFold(a.Key, key) {
			return a.Value, true
		}
	}
	return "", false
}

// ParseSDP parses an SDP body. Both CRLF and bare LF line ends are accepted
// because real peers send both.
func ParseSDP(b []byte) (*SessionDescription, error) {
	if len(b) == 0 {
		return nil, &SDPError{Reason: ReasonNoSDP, Detail: "empty body"}
	}
	if len(b) > maxSDPSize {
		return nil, sdpErrorf(ReasonMalformedSDP, "body of %d bytes is too large", len(b))
	}
	sd := &SessionDescription{}
	var cur *MediaDescription
	sawVersion, sawOrigin := false, false
	lines := strings.Split(string(b), "\n")
	for i, raw := range lines {
		line := strings.TrimRight(raw, "\r")
		if line == "" {
			continue
		}
		if len(line) < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z' {
			return nil, sdpErrorf(ReasonMalformedSDP, "line %d is not <type>=<value>", i+1)
		}
		typ, val := line[0], line[2:]
		if !sawVersion {
			if typ != 'v' {
				return nil, sdpErrorf(ReasonMalformedSDP, "first line must be v=")
			}
			if strings.TrimSpace(val) != "0" {
				return nil, sdpErrorf(ReasonMalformedSDP, "unsupported version %q", val)
			}
			sawVersion = true
			continue
		}
		switch typ {
		case 'v':
			return nil, sdpErrorf(ReasonMalformedSDP, "repeated v= on line %d", i+1)
		case 'o':
			o, err := parseOrigin(val)
			if err != nil {
				return nil, err
			}
			sd.Origin = o
			sawOrigin = true
		case 's':
			if cur == nil {
				sd.Name = val
			}
		case 'c':
			c, err := parseConnection(val)
			if err != nil {
				return nil, err
			}
			if cur != nil {
				cur.Connection = c
			} else {
				sd.Connection = c
			}
		case 'a':
			a := parseAttribute(val)
			if cur != nil {
				cur.Attributes = append(cur.Attributes, a)
			} else {
				sd.Attributes = append(sd.Attributes, a)
			}
		case 'm':
			m, err := parseMedia(val)
			if err != nil {
				return nil, err
			}
			sd.Media = append(sd.Media, m)
			cur = &sd.Media[len(sd.Media)-1]
		}
	}
	if !sawVersion {
		return nil, sdpErrorf(ReasonMalformedSDP, "no v= line")
	}
	if !sawOrigin {
		return nil, sdpErrorf(ReasonMalformedSDP, "no o= line")
	}
	return sd, nil
}

func parseOrigin(v string) (Origin, error) {
	f := strings.Fields(v)
	if len(f) != 6 {
		return Origin{}, sdpErrorf(ReasonMalformedSDP, "o= needs 6 fields, has %d", len(f))
	}
	id, err1 := strconv.ParseUint(f[1], 10, 64)
	ver, err2 := strconv.ParseUint(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return Origin{}, sdpErrorf(ReasonMalformedSDP, "o= session id or version is not a number")
	}
	return Origin{Username: f[0], SessionID: id, SessionVersion: ver, NetType: f[3], AddrType: f[4], Address: f[5]}, nil
}

func parseConnection(v string) (*Connection, error) {
	f := strings.Fields(v)
	if len(f) != 3 {
		return nil, sdpErrorf(ReasonMalformedSDP, "c= needs 3 fields, has %d", len(f))
	}
	if f[0] != "IN" {
		return nil, sdpErrorf(ReasonMalformedSDP, "c= network type %q", f[0])
	}
	if f[1] != "IP4" && f[1] != "IP6" {
		return nil, sdpErrorf(ReasonMalformedSDP, "c= address type %q", f[1])
	}
	addr := f[2]
	// Multicast TTL and address count (RFC 4566 section 5.7) do not apply to
	// unicast calls; keep only the address.
	if i := strings.IndexByte(addr, '/'); i >= 0 {
		addr = addr[:i]
	}
	if addr == "" {
		return nil, sdpErrorf(ReasonMalformedSDP, "c= empty address")
	}
	return &Connection{NetType: f[0], AddrType: f[1], Address: addr}, nil
}

func parseAttribute(v string) Attribute {
	if i := strings.IndexByte(v, ':'); i >= 0 {
		return Attribute{Key: v[:i], Value: v[i+1:]}
	}
	return Attribute{Key: v}
}

func parseMedia(v string) (MediaDescription, error) {
	f := strings.Fields(v)
	if len(f) < 4 {
		return MediaDescription{}, sdpErrorf(ReasonMalformedSDP, "m= needs at least 4 fields, has %d", len(f))
	}
	m := MediaDescription{Type: f[0], Proto: f[2], Formats: append([]string(nil), f[3:]...), NumPorts: 1}
	port := f[1]
	if i := strings.IndexByte(port, '/'); i >= 0 {
		n, err := strconv.Atoi(port[i+1:])
		if err != nil || n < 1 {
			return MediaDescription{}, sdpErrorf(ReasonMalformedSDP, "m= port count %q", port[i+1:])
		}
		m.NumPorts = n
		port = port[:i]
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return MediaDescription{}, sdpErrorf(ReasonMalformedSDP, "m= port %q", port)
	}
	m.Port = p
	return m, nil
}

// Marshal renders sd in the field order RFC 4566 section 5 requires, with
// CRLF line ends.
func (sd *SessionDescription) Marshal() []byte {
	var b strings.Builder
	b.WriteString("v=0\r\n")
	o := sd.Origin
	fmt.Fprintf(&b, "o=%s %d %d %s %s %s\r\n", orDash(o.Username), o.SessionID, o.SessionVersion,
		orDefault(o.NetType, "IN"), orDefault(o.AddrType, "IP4"), orDefault(o.Address, "0.0.0.0"))
	fmt.Fprintf(&b, "s=%s\r\n", orDash(sd.Name))
	writeConn(&b, sd.Connection)
	b.WriteString("t=0 0\r\n")
	writeAttrs(&b, sd.Attributes)
	for _, m := range sd.Media {
		port := strconv.Itoa(m.Port)
		if m.NumPorts > 1 {
			port += "/" + strconv.Itoa(m.NumPorts)
		}
		fmt.Fprintf(&b, "m=%s %s %s %s\r\n", m.Type, port, m.Proto, strings.Join(m.Formats, " "))
		writeConn(&b, m.Connection)
		writeAttrs(&b, m.Attributes)
	}
	return []byte(b.String())
}

func writeConn(b *strings.Builder, c *Connection) {
	if c == nil {
		return
	}
	fmt.Fprintf(b, "c=%s %s %s\r\n", orDefault(c.NetType, "IN"), orDefault(c.AddrType, "IP4"), c.Address)
}

func writeAttrs(b *strings.Builder, attrs []Attribute) {
	for _, a := range attrs {
		if a.Value == "" {
			fmt.Fprintf(b, "a=%s\r\n", a.Key)
		} else {
			fmt.Fprintf(b, "a=%s:%s\r\n", a.Key, a.Value)
		}
	}
}

func orDash(s string) string { return orDefault(s, "-") }

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// Direction is the media direction attribute (RFC 3264 section 5.1).
type Direction string

const (
	SendRecv Direction = "sendrecv"
	SendOnly Direction = "sendonly"
	RecvOnly Direction = "recvonly"
	Inactive Direction = "inactive"
)

// Reverse is the direction an answerer takes for an offered direction
// (RFC 3264 section 6.1).
func (d Direction) Reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	case Inactive:
		return Inactive
	}
	return SendRecv
}

// Sends reports whether the side holding this direction sends media.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

func directionOf(attrs []Attribute) (Direction, bool) {
	for _, a := range attrs {
		switch d := Direction(strings.ToLower(a.Key)); d {
		case SendRecv, SendOnly, RecvOnly, Inactive:
			return d, true
		}
	}
	return "", false
}

// Format is an RTP payload format we can send and receive.
type Format struct {
	Name        string // encoding name as in a=rtpmap, e.g. "PCMU"
	PayloadType uint8  // static payload type (RFC 3551 table 4)
	ClockRate   uint32
}

// telephoneEvent is the RFC 4733 DTMF payload format name.
const telephoneEvent = "telephone-event"

// staticFormats are the RFC 3551 static payload types an offer may use
// without an a=rtpmap line.
var staticFormats = map[int]struct {
	name string
	rate uint32
}{
	0: {"PCMU", 8000}, 3: {"GSM", 8000}, 4: {"G723", 8000}, 8: {"PCMA", 8000},
	9: {"G722", 8000}, 18: {"G729", 8000},
}

// rtpmaps reads a=rtpmap lines into pt -> (name, rate).
func rtpmaps(attrs []Attribute) map[int]struct {
	name string
	rate uint32
} {
	out := map[int]struct {
		name string
		rate uint32
	}{}
	for _, a := range attrs {
		if !strings.EqualFold(a.Key, "rtpmap") {
			continue
		}
		ptStr, enc, ok := strings.Cut(strings.TrimSpace(a.Value), " ")
		if !ok {
			continue
		}
		pt, err := strconv.Atoi(ptStr)
		if err != nil || pt < 0 || pt > 127 {
			continue
		}
		parts := strings.Split(strings.TrimSpace(enc), "/")
		if len(parts) < 2 {
			continue
		}
		rate, err := strconv.ParseUint(parts[1], 10, 32)
		if err != nil {
			continue
		}
		out[pt] = struct {
			name string
			rate uint32
		}{parts[0], uint32(rate)}
	}
	return out
}

// Negotiated is the outcome of offer/answer for one audio stream.
type Negotiated struct {
	Format          Format // the chosen codec, PayloadType as offered
	MediaIndex      int    // index of the chosen m= line in the offer
	HasDTMF         bool
	DTMFPayloadType uint8
	Remote          *net.UDPAddr // where the peer wants RTP; IP is unspecified when on hold
	Ptime           time.Duration
	Direction       Direction // the peer's direction as written in its SDP
}

// OnHold reports whether the peer asked us not to send media, either with a
// direction attribute or with the RFC 2543 zero address (RFC 3264 section 8.4).
func (n Negotiated) OnHold() bool {
	return !n.Direction.Reverse().Sends() || n.Remote == nil || n.Remote.IP.IsUnspecified()
}

// Negotiate picks the first audio stream with a codec from supported, in the
// order of the peer's preference (RFC 3264 section 6.1), and reads the
// telephone-event payload type the peer chose, whatever its number.
func Negotiate(sd *SessionDescription, supported []Format) (Negotiated, error) {
	if sd == nil {
		return Negotiated{}, &SDPError{Reason: ReasonNoSDP}
	}
	sawAudio, sawAVP := false, false
	var offered []string
	for i := range sd.Media {
		m := &sd.Media[i]
		if !strings.EqualFold(m.Type, "audio") || m.Port == 0 {
			continue
		}
		sawAudio = true
		if !strings.EqualFold(m.Proto, "RTP/AVP") && !strings.EqualFold(m.Proto, "RTP/AVPF") {
			continue
		}
		sawAVP = true
		maps := rtpmaps(m.Attributes)
		var chosen *Format
		n := Negotiated{MediaIndex: i}
		for _, f := range m.Formats {
			pt, err := strconv.Atoi(f)
			if err != nil || pt < 0 || pt > 127 {
				continue
			}
			enc, ok := maps[pt]
			if !ok {
				enc, ok = staticFormats[pt]
			}
			if !ok {
				offered = append(offered, f)
				continue
			}
			if strings.EqualFold(enc.name, telephoneEvent) {
				if enc.rate == 8000 && !n.HasDTMF {
					n.HasDTMF, n.DTMFPayloadType = true, uint8(pt)
				}
				continue
			}
			offered = append(offered, enc.name)
			if chosen != nil {
				continue
			}
			for _, s := range supported {
				if strings.EqualFold(s.Name, enc.name) && s.ClockRate == enc.rate {
					chosen = &Format{Name: s.Name, PayloadType: uint8(pt), ClockRate: s.ClockRate}
					break
				}
			}
		}
		if chosen == nil {
			continue
		}
		n.Format = *chosen
		conn := m.Connection
		if conn == nil {
			conn = sd.Connection
		}
		if conn == nil {
			return Negotiated{}, sdpErrorf(ReasonMalformedSDP, "no c= line for audio stream")
		}
		ip := conn.IP()
		if ip == nil {
			return Negotiated{}, sdpErrorf(ReasonMalformedSDP, "c= address %q is not an IP", conn.Address)
		}
		n.Remote = &net.UDPAddr{IP: ip, Port: m.Port}
		n.Ptime = 20 * time.Millisecond
		if v, ok := findAttrIn(m.Attributes, sd.Attributes, "ptime"); ok {
			if ms, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && ms > 0 && ms <= 1000 {
				n.Ptime = time.Duration(ms) * time.Millisecond
			}
		}
		n.Direction = SendRecv
		if d, ok := directionOf(m.Attributes); ok {
			n.Direction = d
		} else if d, ok := directionOf(sd.Attributes); ok {
			n.Direction = d
		}
		return n, nil
	}
	switch {
	case !sawAudio:
		return Negotiated{}, sdpErrorf(ReasonNoAudio, "offer has no active audio stream")
	case !sawAVP:
		return Negotiated{}, sdpErrorf(ReasonUnsupportedProto, "audio is not offered over RTP/AVP")
	}
	return Negotiated{}, sdpErrorf(ReasonNoCommonCodec, "offered %s", strings.Join(offered, ","))
}

func findAttrIn(media, session []Attribute, key string) (string, bool) {
	if v, ok := findAttr(media, key); ok {
		return v, true
	}
	return findAttr(session, key)
}

// LocalMedia is what we put into our own SDP.
type LocalMedia struct {
	IP          net.IP
	Port        int
	SessionID   uint64
	Version     uint64 // must grow with each changed SDP in a dialog (RFC 3264 section 8)
	Username    string
	SessionName string
}

func (l LocalMedia) base() *SessionDescription {
	addrType := "IP4"
	if l.IP.To4() == nil {
		addrType = "IP6"
	}
	return &SessionDescription{
		Origin: Origin{Username: orDefault(l.Username, "vastaa"), SessionID: l.SessionID, SessionVersion: l.Version,
			NetType: "IN", AddrType: addrType, Address: l.IP.String()},
		Name:       orDefault(l.SessionName, "vastaa"),
		Connection: &Connection{NetType: "IN", AddrType: addrType, Address: l.IP.String()},
	}
}

func audioAttrs(f Format, dtmf bool, dtmfPT uint8, dir Direction) []Attribute {
	attrs := []Attribute{{Key: "rtpmap", Value: fmt.Sprintf("%d %s/%d", f.PayloadType, f.Name, f.ClockRate)}}
	if dtmf {
		attrs = append(attrs,
			Attribute{Key: "rtpmap", Value: fmt.Sprintf("%d %s/8000", dtmfPT, telephoneEvent)},
			Attribute{Key: "fmtp", Value: fmt.Sprintf("%d 0-16", dtmfPT)})
	}
	return append(attrs, Attribute{Key: "ptime", Value: "20"}, Attribute{Key: string(dir)})
}

// BuildAnswer makes the answer to offer for the negotiated stream: every
// other m= line is rejected with port 0, as RFC 3264 section 6 requires the
// answer to keep the offer's m= lines in order.
func BuildAnswer(offer *SessionDescription, n Negotiated, local LocalMedia) *SessionDescription {
	sd := local.base()
	for i, om := range offer.Media {
		if i != n.MediaIndex {
			formats := om.Formats
			if len(formats) == 0 {
				formats = []string{"0"}
			}
			sd.Media = append(sd.Media, MediaDescription{Type: om.Type, Port: 0, Proto: om.Proto, Formats: formats})
			continue
		}
		formats := []string{strconv.Itoa(int(n.Format.PayloadType))}
		if n.HasDTMF {
			formats = append(formats, strconv.Itoa(int(n.DTMFPayloadType)))
		}
		sd.Media = append(sd.Media, MediaDescription{
			Type: "audio", Port: local.Port, Proto: om.Proto, Formats: formats,
			Attributes: audioAttrs(n.Format, n.HasDTMF, n.DTMFPayloadType, n.Direction.Reverse()),
		})
	}
	return sd
}

// BuildOffer makes an audio offer listing formats in our order of preference
// and telephone-event on dtmfPT.
func BuildOffer(formats []Format, dtmfPT uint8, local LocalMedia) *SessionDescription {
	sd := local.base()
	m := MediaDescription{Type: "audio", Port: local.Port, Proto: "RTP/AVP"}
	for _, f := range formats {
		m.Formats = append(m.Formats, strconv.Itoa(int(f.PayloadType)))
		m.Attributes = append(m.Attributes, Attribute{Key: "rtpmap", Value: fmt.Sprintf("%d %s/%d", f.PayloadType, f.Name, f.ClockRate)})
	}
	m.Formats = append(m.Formats, strconv.Itoa(int(dtmfPT)))
	m.Attributes = append(m.Attributes,
		Attribute{Key: "rtpmap", Value: fmt.Sprintf("%d %s/8000", dtmfPT, telephoneEvent)},
		Attribute{Key: "fmtp", Value: fmt.Sprintf("%d 0-16", dtmfPT)},
		Attribute{Key: "ptime", Value: "20"},
		Attribute{Key: string(SendRecv)})
	sd.Media = []MediaDescription{m}
	return sd
}
