package media

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func benchmarkMedia(b *testing.B, calls int, farSessions bool) {
	for b.Loop() {
		res, err := RunMediaBenchConfig(context.Background(), MediaBenchConfig{Calls: calls, Duration: 3 * time.Second, FarSessions: farSessions})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.CPUPerCallSecond*1000, "cpu-ms/call-s")
		b.ReportMetric(res.BotCPUPerCallSecond*1000, "bot-cpu-ms/call-s")
		b.ReportMetric(float64(res.PacingP50.Microseconds())/1000, "pacing-p50-ms")
		b.ReportMetric(float64(res.PacingP99.Microseconds())/1000, "pacing-p99-ms")
		b.ReportMetric(float64(res.SpacingP99.Microseconds())/1000, "spacing-p99-ms")
		b.ReportMetric(float64(res.PacingSkipped), "ticks-skipped")
		b.ReportMetric(float64(res.PacketsLost), "lost")
		b.ReportMetric(float64(res.DTMFReceived), "dtmf")
	}
}

// Bot sessions against light simulated callers.
func BenchmarkMedia100(b *testing.B)  { benchmarkMedia(b, 100, false) }
func BenchmarkMedia500(b *testing.B)  { benchmarkMedia(b, 500, false) }
func BenchmarkMedia1000(b *testing.B) { benchmarkMedia(b, 1000, false) }

// Pairs of full sessions: two sockets and two paced legs per call.
func BenchmarkMediaPairs100(b *testing.B)  { benchmarkMedia(b, 100, true) }
func BenchmarkMediaPairs500(b *testing.B)  { benchmarkMedia(b, 500, true) }
func BenchmarkMediaPairs1000(b *testing.B) { benchmarkMedia(b, 1000, true) }

func TestMediaBenchSmall(t *testing.T) {
	for _, far := range []bool{false, true} {
		var frames atomic.Int64
		res, err := RunMediaBenchConfig(context.Background(), MediaBenchConfig{Calls: 5, Duration: time.Second, FarSessions: far,
			PerFrame: func(int, []int16) { frames.Add(1) }})
		if err != nil {
			t.Fatal(err)
		}
		// 5 calls x 50 frames/s for a second (plus the warm-up): the bench
		// must really move audio both ways, and key presses (one per call
		// in the first ticks, then every 3 s).
		if res.FramesReceived < 150 || frames.Load() < 150 || res.RepliesReceived < 150 || res.DTMFReceived < 5 ||
			res.CPUPerCallSecond <= 0 || res.BotCPUPerCallSecond <= 0 || res.FarCPUPerCallSecond <= 0 || res.PacingP99 <= 0 {
			t.Fatalf("far sessions %v: %+v (perFrame saw %d)", far, res, frames.Load())
		}
	}
	if _, err := RunMediaBench(context.Background(), 0, time.Second, nil); err == nil {
		t.Fatal("zero calls accepted")
	}
}
