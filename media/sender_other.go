//go:build !linux

package media

import (
	"errors"
	"net"
	"net/netip"
	"time"
)

// Elsewhere than Linux the pacer's shards send inline.

type rtpSender struct{}

type senderMember struct{ gen uint32 }

var errNoSender = errors.New("media sender threads are only built on Linux")

func newSender(time.Duration, int) (*rtpSender, error, error) { return nil, nil, errNoSender }

func newSenderMember(net.PacketConn) (*senderMember, error) { return nil, errNoSender }

func (*senderMember) free()                                          {}
func (*senderMember) recall() (uint16, bool)                         { return 0, false }
func (*rtpSender) add(*senderMember, []byte, netip.AddrPort, uint32) {}
func (*rtpSender) flush(int64) error                                 { return errNoSender }
func (*rtpSender) retire(*senderMember)                              {}
func (*rtpSender) stop()                                             {}
func (*rtpSender) stats(_, _ *latencyHistogram) senderCounts         { return senderCounts{} }
func (*rtpSender) resetStats()                                       {}
func monoNow() int64                                                 { return time.Now().UnixNano() }
