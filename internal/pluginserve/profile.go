package pluginserve

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// EnvProfileDir names a directory where the provider process writes a CPU
// profile (cpu-PID.pprof, the whole life of the process), a heap profile
// at exit (heap-PID.pprof, allocations) and the in-use heap at its peak
// (heappeak-PID.pprof, see watchPeakHeap). For the scale benchmark
// (internal/testenv/cmd/benchscale -profile DIR); unset, nothing is done.
const EnvProfileDir = "MCP_PROVIDER_PROFILE_DIR"

// startProfiling starts the CPU profile when EnvProfileDir is set and
// returns the function that stops it and writes the heap profile.
func startProfiling() (stop func()) {
	dir := os.Getenv(EnvProfileDir)
	if dir == "" {
		return func() {}
	}
	pid := os.Getpid()
	cpu, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", pid))) //nolint:gosec // a directory the developer names

	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		_ = cpu.Close()
		return func() {}
	}
	go watchPeakHeap(dir, pid)
	return func() {
		pprof.StopCPUProfile()
		_ = cpu.Close()
		heap, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", pid))) //nolint:gosec // a directory the developer names
		if err != nil {
			return
		}
		defer heap.Close()
		runtime.GC()
		_ = pprof.Lookup("allocs").WriteTo(heap, 0)
	}
}
