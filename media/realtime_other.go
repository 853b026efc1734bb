//go:build !linux

package media

import (
	"errors"
	"runtime"
	"time"
)

func realtimeThread(int) error {
	runtime.LockOSThread()
	return errors.New("real-time scheduling is only supported on Linux")
}

func ordinaryThread() {}

func sleepThread(at time.Time) { time.Sleep(time.Until(at)) }
