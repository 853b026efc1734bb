// Package sipua is Vastaa's SIP user agent: a UAS that answers calls over UDP
// and TCP (sipgo), a UAC used by the test caller, and the SDP offer/answer
// (RFC 4566, RFC 3264) that sets up their G.711 RTP sessions from package media.
//
// Offers the bot cannot accept are answered with 488 Not Acceptable Here and a
// Warning header whose text is the classified reason (see SDPReason), so call
// records can say why a call failed before it was answered.
package sipua
