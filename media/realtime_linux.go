//go:build linux

package media

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// realtimeThread pins the calling goroutine to its OS thread and gives the
// thread round-robin real-time priority (SCHED_RR), as telephony media
// servers do with their timing threads, so that a pacer shard due to send
// preempts speech inference and other ordinary work. It needs CAP_SYS_NICE
// (root, or the capability granted to the binary); without it the thread
// stays an ordinary one and the error says why. The caller must not
// unlock the thread: when its goroutine ends, the locked thread ends too,
// instead of going back to run other goroutines at real-time priority.
func realtimeThread(priority int) error {
	runtime.LockOSThread()
	// Threads it starts (Go may start one to hand its P to) begin as
	// ordinary threads again.
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_RR, Priority: uint32(priority), Flags: unix.SCHED_FLAG_RESET_ON_FORK}
	return unix.SchedSetAttr(0, &attr, 0)
}

// ordinaryThread puts the calling thread back to normal scheduling.
func ordinaryThread() {
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_NORMAL}
	_ = unix.SchedSetAttr(0, &attr, 0)
}

// sleepThread sleeps the calling OS thread until at, without the Go timer
// machinery: a real-time thread wakes straight from the kernel.
func sleepThread(at time.Time) {
	d := time.Until(at)
	if d <= 0 {
		return
	}
	ts := unix.NsecToTimespec(int64(d))
	for {
		var rem unix.Timespec
		if err := unix.Nanosleep(&ts, &rem); err != unix.EINTR {
			return
		}
		ts = rem
	}
}
