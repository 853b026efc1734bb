//go:build linux

package media

import (
	"encoding/binary"
	"net"
	"net/netip"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pollReader takes whatever datagrams are waiting on a UDP socket without
// blocking: one recvmmsg(2) with MSG_DONTWAIT for up to pollBatch of them.
// The pacer calls it once per call per tick, just before playout, instead
// of a goroutine per call blocked in ReadFrom. That goroutine cost two
// receive syscalls per packet (the read and the EAGAIN after it), a netpoll
// wake-up and a trip through the scheduler; with a thousand calls it was
// fifty thousand wake-ups a second, all competing with the pacer's sends.
// Playout happens on the tick anyway, so a packet read at the tick plays
// exactly when it would have. Arrival times come from the kernel
// (SO_TIMESTAMPNS), so jitter and last-packet times stay exact.
type pollReader struct {
	rc    syscall.RawConn
	hdrs  [pollBatch]mmsghdr
	iovs  [pollBatch]unix.Iovec
	names [pollBatch]unix.RawSockaddrInet6
	oobs  [pollBatch][64]byte
	bufs  [pollBatch][1500]byte
	dirty int // headers the last call filled
	recv  func(fd uintptr) bool
	n     int // what the last recvmmsg returned
	errno syscall.Errno
}

const pollBatch = 4 // datagrams per syscall: a tick's worth at 10 ms ptime, twice over at 20

// mmsghdr is struct mmsghdr of recvmmsg(2).
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
	_   [4]byte
}

// newPollReader makes a reader for conn, or returns nil when the socket
// cannot be polled this way (not UDP, timestamps refused): the session
// then keeps a blocking read loop.
func newPollReader(conn net.PacketConn) *pollReader {
	uc, ok := conn.(*net.UDPConn)
	if !ok {
		return nil
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return nil
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return nil
	}
	r := &pollReader{rc: rc, dirty: pollBatch}
	r.recv = r.recvmmsg
	for i := range r.hdrs {
		r.iovs[i].Base = &r.bufs[i][0]
		r.iovs[i].SetLen(len(r.bufs[i]))
	}
	return r
}

// recv is the one recvmmsg call, made once as a method value so that
// passing it to RawConn.Read allocates nothing.
func (r *pollReader) recvmmsg(fd uintptr) bool {
	m, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])), pollBatch, unix.MSG_DONTWAIT, 0, 0)
	r.n, r.errno = int(m), e
	return true // never wait: the next tick will look again
}

func (r *pollReader) resetHeader(i int) {
	h := &r.hdrs[i].hdr
	h.Name = (*byte)(unsafe.Pointer(&r.names[i]))
	h.Namelen = uint32(unsafe.Sizeof(r.names[i]))
	h.Iov = &r.iovs[i]
	h.SetIovlen(1)
	h.Control = &r.oobs[i][0]
	h.SetControllen(len(r.oobs[i]))
	h.Flags = 0
	r.hdrs[i].n = 0
}

// read calls fn for every datagram waiting, with the sender and the
// kernel's arrival time. The buffer passed to fn is reused after fn
// returns. It returns false once the socket is closed.
func (r *pollReader) read(fn func(b []byte, from netip.AddrPort, at time.Time)) bool {
	for {
		// The kernel rewrites the lengths of the headers it fills: reset
		// those (all of them the first time).
		for i := range r.dirty {
			r.resetHeader(i)
		}
		r.dirty = 0
		if err := r.rc.Read(r.recv); err != nil {
			return false // closed
		}
		n, errno := r.n, r.errno
		if errno != 0 {
			return errno == unix.EAGAIN || errno == unix.EINTR || errno == unix.ECONNREFUSED
		}
		r.dirty = n
		now := time.Now()
		for i := 0; i < n; i++ {
			h := &r.hdrs[i]
			fn(r.bufs[i][:h.n], r.sender(i), r.arrival(i, now))
		}
		if n < pollBatch {
			return true
		}
	}
}

func (r *pollReader) sender(i int) netip.AddrPort {
	sa := &r.names[i]
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa4.Port))[:])
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), port)
	case unix.AF_INET6:
		port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:])
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), port)
	}
	return netip.AddrPort{}
}

// arrival finds the SCM_TIMESTAMPNS control message of datagram i.
func (r *pollReader) arrival(i int, fallback time.Time) time.Time {
	oob := r.oobs[i][:r.hdrs[i].hdr.Controllen]
	hdrLen := unix.CmsgLen(0)
	for len(oob) >= hdrLen {
		c := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		if int(c.Len) < hdrLen || int(c.Len) > len(oob) {
			break
		}
		if c.Level == unix.SOL_SOCKET && c.Type == unix.SCM_TIMESTAMPNS && int(c.Len) >= unix.CmsgLen(int(unsafe.Sizeof(unix.Timespec{}))) {
			ts := (*unix.Timespec)(unsafe.Pointer(&oob[hdrLen]))
			return time.Unix(ts.Sec, ts.Nsec)
		}
		oob = oob[min(len(oob), unix.CmsgSpace(int(c.Len)-hdrLen)):]
	}
	return fallback
}
