package pluginserve

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// watchPeakHeap writes heappeak-PID.pprof (the in-use heap) each time the
// live heap after a collection reaches a new high, at most every 250 ms, so
// the profile shows what was live at the process's peak, not at its exit.
func watchPeakHeap(dir string, pid int) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	for range time.Tick(250 * time.Millisecond) {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		live := sample[0].Value.Uint64()
		if live <= peak+peak/10 {
			continue
		}
		peak = live
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("heappeak-%d.pprof", pid))) //nolint:gosec // a directory the developer names
		if err != nil {
			return
		}
		_ = pprof.Lookup("heap").WriteTo(f, 0)
		_ = f.Close()
	}
}
