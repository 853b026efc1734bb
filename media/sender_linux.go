//go:build linux

package media

/*
#cgo CFLAGS: -O2 -Wall
#include "rtpsend_linux.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rtpSender is one pacer shard's sender thread (rtpsend_linux.c): a thread
// of the process's own, outside the Go scheduler, that writes each batch of
// packets the shard made one interval ahead at the batch's due time. A Go
// goroutine, even one locked to a real-time thread, needs a P to run, and
// when every P is busy (the machine loaded, or the host stealing the CPU
// from the thread that holds one) it waits its turn: that wait was the
// whole tail of the send lateness. The thread needs no P, only the kernel,
// which wakes it at once at real-time priority (and within tens of
// microseconds without it).
type rtpSender struct {
	s       *C.vs_sender
	entries []C.vs_entry
	data    []byte
}

// senderMember is a call's socket as its shard's sender thread holds it: a
// close-on-exec duplicate, so that the session may close its own at any
// time while the thread still has packets queued for it; the duplicate is
// closed by the thread when it reaches the member's retirement.
type senderMember struct {
	p *C.vs_member
	// gen is the generation stamped on the member's packets; its session
	// changes it (recall) under its own lock, as it makes its packets.
	gen uint32
}

// newSender starts a sender thread; priority above 0 asks for SCHED_RR at
// that priority, and prioErr says why it was refused.
func newSender(interval time.Duration, priority int) (s *rtpSender, prioErr, err error) {
	var perr, cerr C.int
	cs := C.vs_sender_new(C.int64_t(interval), C.int(priority), &perr, &cerr)
	if cs == nil {
		return nil, nil, fmt.Errorf("media sender thread: %w", syscall.Errno(cerr))
	}
	if perr != 0 {
		prioErr = fmt.Errorf("real-time priority %d refused: %w", priority, syscall.Errno(perr))
	}
	return &rtpSender{s: cs}, prioErr, nil
}

// newSenderMember duplicates conn's socket for the sender thread; an error
// (not a UDP socket) means the member sends inline.
func newSenderMember(conn net.PacketConn) (*senderMember, error) {
	uc, ok := conn.(*net.UDPConn)
	if !ok {
		return nil, errors.New("not a UDP socket")
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var m *C.vs_member
	var cerr C.int
	if err := rc.Control(func(fd uintptr) { m = C.vs_member_new(C.int(fd), &cerr) }); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, syscall.Errno(cerr)
	}
	return &senderMember{p: m}, nil
}

// free closes a member the thread does not know of (its pacer never ran,
// or has stopped).
func (m *senderMember) free() { C.vs_member_free(m.p) }

// recall cancels m's packets still queued and returns the sequence number
// of the last one written (ok false: none yet).
func (m *senderMember) recall() (last uint16, ok bool) {
	var have C.int
	var seq C.uint16_t
	m.gen = uint32(C.vs_member_recall(m.p, &have, &seq))
	return uint16(seq), have != 0
}

// add puts a packet for m to to, made in generation gen, in the batch
// being made.
func (s *rtpSender) add(m *senderMember, pkt []byte, to netip.AddrPort, gen uint32) {
	e := C.vs_entry{member: m.p, off: C.uint32_t(len(s.data)), len: C.uint32_t(len(pkt)), port: C.uint16_t(to.Port()), gen: C.uint32_t(gen)}
	a := to.Addr()
	if a.Is4() || a.Is4In6() {
		e.v4 = 1
		a = netip.AddrFrom16(a.As16()) // the IPv4 address in the last four bytes
	}
	b := a.As16()
	for i := range b {
		e.addr[i] = C.uint8_t(b[i])
	}
	s.entries = append(s.entries, e)
	s.data = append(s.data, pkt...)
}

// flush hands the batch made so far to the thread, due at due (CLOCK_MONOTONIC
// nanoseconds; 0 at once).
func (s *rtpSender) flush(due int64) error {
	if len(s.entries) == 0 {
		return nil
	}
	var data *C.uint8_t
	if len(s.data) > 0 {
		data = (*C.uint8_t)(unsafe.Pointer(&s.data[0]))
	}
	rc := C.vs_push(s.s, C.int64_t(due), &s.entries[0], C.int(len(s.entries)), data, C.uint32_t(len(s.data)))
	s.entries, s.data = s.entries[:0], s.data[:0]
	if rc != 0 {
		return syscall.Errno(rc)
	}
	return nil
}

// retire queues the end of m after every packet already queued for it; the
// thread then closes m's socket. It gives up (and leaks m rather than free
// it under the thread) only if the thread stays a quarter second behind.
func (s *rtpSender) retire(m *senderMember) {
	e := C.vs_entry{member: m.p, retire: 1}
	for i := 0; i < 250; i++ {
		if C.vs_push(s.s, 0, &e, 1, nil, 0) == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// stop ends the thread; members still queued for retirement are freed.
func (s *rtpSender) stop() { C.vs_sender_stop(s.s) }

// stats adds the thread's figures to late (its worst lateness included) and
// gap, and returns its counts.
func (s *rtpSender) stats(late, gap *latencyHistogram) senderCounts {
	var st C.vs_stats
	C.vs_sender_stats(s.s, &st)
	for i := range late.buckets {
		late.buckets[i].Add(uint64(st.late[i]))
		gap.buckets[i].Add(uint64(st.gap[i]))
	}
	late.noteMax(time.Duration(st.late_max))
	return senderCounts{uint64(st.sent), uint64(st.errors), uint64(st.recalled)}
}

func (s *rtpSender) resetStats() { C.vs_sender_reset(s.s) }

// monoNow is CLOCK_MONOTONIC, the clock of the sender threads' due times.
func monoNow() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
