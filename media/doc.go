// Package media carries a call's audio: G.711 µ-law and A-law (ITU-T G.711),
// RTP sessions over UDP (RFC 3550, packets by github.com/pion/rtp) with a
// jitter buffer and one shared send clock for all calls, RFC 4733 DTMF both
// ways, resampling, WAV files and time-aligned stereo call recording.
//
// One Pacer drives every call: each 20 ms tick, at the call's own phase
// within the period, every Session makes at most one packet (queued audio
// from Play, or DTMF from SendDTMF), reads what arrived on its socket
// (on Linux without a goroutine of its own, see pollReader) and hands one
// decoded frame from its jitter buffer to Frames. On Linux the packets are
// made 60 ms ahead and written at their due time by a sender thread per
// shard outside the Go scheduler (rtpsend_linux.c, see rtpSender), at
// real-time priority if Pacer.Realtime asks for it. Typical use:
//
//	pacer := media.NewPacer(20 * time.Millisecond)
//	pacer.Start(ctx)
//	s, err := media.NewSession(media.SessionConfig{Conn: udp, Remote: addr,
//		Codec: media.PCMU, DTMFPayloadType: 101, Pacer: pacer})
//	s.Start(ctx)
//	frame := <-s.Frames()                 // 160 samples at 8 kHz, one per tick
//	pb := s.Play(prompt)                  // 8 kHz PCM, paced out
//	s.StopPlayback()                      // barge-in
//
// It knows nothing about intents or workflows; SIP signalling lives in the
// sipua subpackage.
package media
