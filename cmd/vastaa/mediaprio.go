package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/workflows"
)

const mediaPriorityHelp = `scheduling of the media sender threads (one per core, each writing its calls' RTP packets at their due times): realtime[:1-99] (SCHED_RR, priority 20 by default, as telephony media servers run their timing threads; needs root or CAP_SYS_NICE, else they stay normal and a warning says so) or normal`

// parseMediaPriority turns --media-priority into Pacer.Realtime.
func parseMediaPriority(s string) (int, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch {
	case s == "" || s == "normal":
		return 0, nil
	case s == "realtime":
		return 20, nil
	case strings.HasPrefix(s, "realtime:"):
		n, err := strconv.Atoi(strings.TrimPrefix(s, "realtime:"))
		if err != nil || n < 1 || n > 99 {
			return 0, fmt.Errorf("--media-priority %q: the real-time priority must be 1 to 99", s)
		}
		return n, nil
	}
	return 0, fmt.Errorf("--media-priority %q: want normal, realtime or realtime:N", s)
}

// warnNotRealtime logs once the pacer has started whether its sender
// threads got their real-time priority.
func warnNotRealtime(log *slog.Logger, p *media.Pacer) {
	n, err := p.RealtimeShards()
	if err != nil {
		log.Warn("media sender threads run at normal priority: packet timing suffers under load; run as root or grant CAP_SYS_NICE (setcap cap_sys_nice+ep), or pass --media-priority normal to silence this", "err", err, "realtime_shards", n)
		return
	}
	log.Info("media sender threads run at real-time priority", "priority", p.Realtime, "shards", n)
}

// clockStats is GET /api/media: how punctual the media clock has been since
// the start, for ops to watch (a late p99 over a few ms, skipped periods or
// send errors mean the machine carries too many calls).
type clockStats struct {
	Calls           int     `json:"calls"`
	SenderThreads   int     `json:"sender_threads"`
	RealtimeThreads int     `json:"realtime_threads"`
	RealtimeError   string  `json:"realtime_error,omitempty"`
	PacketsSent     uint64  `json:"packets_sent"`
	SendErrors      uint64  `json:"send_errors"`
	Recalled        uint64  `json:"recalled"`
	LateP50Ms       float64 `json:"late_p50_ms"`
	LateP99Ms       float64 `json:"late_p99_ms"`
	LateMaxMs       float64 `json:"late_max_ms"`
	GapP99Ms        float64 `json:"gap_p99_ms"`
	SkippedPeriods  uint64  `json:"skipped_periods"`
	Overruns        uint64  `json:"overruns"`
}

func mediaHandler(p *media.Pacer) http.HandlerFunc {
	msec := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return func(w http.ResponseWriter, r *http.Request) {
		st := p.Stats()
		n, err := p.RealtimeShards()
		out := clockStats{
			Calls: p.Members(), SenderThreads: p.Shards(), RealtimeThreads: n,
			PacketsSent: st.ThreadSent, SendErrors: st.SendErrors, Recalled: st.Recalled,
			LateP50Ms: msec(st.LatenessP50), LateP99Ms: msec(st.LatenessP99), LateMaxMs: msec(st.LatenessMax),
			GapP99Ms: msec(st.SpacingP99), SkippedPeriods: st.Skipped, Overruns: st.Overruns,
		}
		if err != nil && p.Realtime > 0 {
			out.RealtimeError = err.Error()
		}
		workflows.WriteJSON(w, http.StatusOK, out)
	}
}
