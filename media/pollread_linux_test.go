//go:build linux

package media

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

// The poll reader takes every waiting datagram in one go, with its sender
// and a kernel arrival time, never blocks, and reports a closed socket.
func TestPollReaderTakesWhatIsWaiting(t *testing.T) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	r := newPollReader(conn)
	if r == nil {
		t.Fatal("no poll reader for a UDP socket")
	}
	tx, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	type got struct {
		b    string
		from netip.AddrPort
		at   time.Time
	}
	var seen []got
	collect := func(b []byte, from netip.AddrPort, at time.Time) { seen = append(seen, got{string(b), from, at}) }

	start := time.Now()
	if !r.read(collect) || len(seen) != 0 {
		t.Fatalf("empty socket: %v", seen)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Fatalf("read of an empty socket took %v", d)
	}
	// The kernel turns receive timestamps on for the whole stack a moment
	// after the first socket asks (a deferred static key); until then it
	// stamps datagrams when they are read.
	time.Sleep(100 * time.Millisecond)
	const n = pollBatch*2 + 3 // more than one syscall's worth
	for i := 0; i < n; i++ {
		tx.WriteToUDP([]byte{byte('a' + i)}, conn.LocalAddr().(*net.UDPAddr))
	}
	sent := time.Now()
	time.Sleep(20 * time.Millisecond) // loopback delivers at once; give it slack
	if !r.read(collect) || len(seen) != n {
		t.Fatalf("read %d datagrams, want %d", len(seen), n)
	}
	want := tx.LocalAddr().(*net.UDPAddr).AddrPort()
	for i, g := range seen {
		if g.b != string(rune('a'+i)) || g.from != want {
			t.Fatalf("datagram %d: %q from %v, want %q from %v", i, g.b, g.from, string(rune('a'+i)), want)
		}
		// The kernel's time, from before the read, not the read's time.
		if g.at.Before(start) || g.at.After(sent.Add(5*time.Millisecond)) {
			t.Fatalf("datagram %d arrived at %v, sent by %v", i, g.at, sent)
		}
	}
	conn.Close()
	if r.read(collect) {
		t.Fatal("closed socket read as open")
	}
}
