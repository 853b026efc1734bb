package main

import (
	"net"
	"strconv"
)

// freePort asks the kernel for a free port on loopback (UDP and TCP are
// checked, since SIP listens on both).
func freePort() int {
	for {
		l, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0
		}
		port := l.LocalAddr().(*net.UDPAddr).Port
		l.Close()
		t, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		t.Close()
		return port
	}
}
