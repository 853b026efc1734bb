//go:build !linux

package media

import (
	"net"
	"net/netip"
	"time"
)

// pollReader is Linux-only (recvmmsg); elsewhere sessions keep a blocking
// read loop.
type pollReader struct{}

func newPollReader(net.PacketConn) *pollReader { return nil }

func (*pollReader) read(func([]byte, netip.AddrPort, time.Time)) bool { return false }
