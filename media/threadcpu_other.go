//go:build !linux

package media

import "time"

// threadCPU is not measured elsewhere than Linux: the bench then counts
// the simulated callers' CPU as the bot's.
func threadCPU() time.Duration { return 0 }
