package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/vastaa/vastaa/media"
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
