package media

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func benchmarkMedia(b *testing.B, calls int) {
	for b.Loop() {
		res, err := RunMediaBench(context.Background(), calls, 3*time.Second, nil)
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

func BenchmarkMedia100(b *testing.B)  { benchmarkMedia(b, 100) }
func BenchmarkMedia500(b *testing.B)  { benchmarkMedia(b, 500) }
func BenchmarkMedia1000(b *testing.B) { benchmarkMedia(b, 1000) }

func TestMediaBenchSmall(t *testing.T) {
	var frames atomic.Int64
	res, err := RunMediaBench(context.Background(), 5, time.Second, func(int, []int16) { frames.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	// 5 calls x 50 frames/s: the bench must really move audio.
	// A key press every 3 s per call: at least one per call in the second.
	if res.FramesReceived < 200 || frames.Load() < 200 || res.CPUPerCallSecond <= 0 || res.PacingP99 <= 0 ||
		res.BotCPUPerCallSecond <= 0 || res.FarCPUPerCallSecond <= 0 || res.RepliesReceived < 200 || res.DTMFReceived < 5 {
		t.Fatalf("%+v (perFrame saw %d)", res, frames.Load())
	}
}
