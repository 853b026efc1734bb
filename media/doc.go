// Package media carries a call's audio: G.711 µ-law and A-law (ITU-T G.711),
// RTP sessions over UDP (RFC 3550, packets by github.com/pion/rtp) with a
// jitter buffer and one shared send clock for all calls, RFC 4733 DTMF both
// ways, resampling, WAV files and time-aligned stereo call recording.
//
// It knows nothing about intents or workflows; SIP signalling lives in the
// sipua subpackage.
package media
