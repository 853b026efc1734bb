package media

import (
	"runtime"
	"sync"
)

// Real-time pacer shards each add a P to GOMAXPROCS while they run (see
// Pacer.Realtime); base is GOMAXPROCS without them.
var procs struct {
	sync.Mutex
	base, extra int
}

// addProcs adds n Ps (or removes -n) for real-time shards.
func addProcs(n int) {
	procs.Lock()
	defer procs.Unlock()
	if procs.extra == 0 {
		procs.base = runtime.GOMAXPROCS(0)
	}
	procs.extra += n
	runtime.GOMAXPROCS(procs.base + procs.extra)
}

// baseProcs is GOMAXPROCS less the Ps real-time shards added.
func baseProcs() int {
	procs.Lock()
	defer procs.Unlock()
	if procs.extra > 0 {
		return procs.base
	}
	return runtime.GOMAXPROCS(0)
}
