package pluginserve

import (
	"os"
	"runtime/debug"
)

// A provider process lives for one Terraform command and keeps little: its
// live heap stays near 10 MiB, while every call allocates a few MiB of
// garbage that the framework produces (schema walks, value conversions).
// With Go's defaults the collector then runs several times per resource. A
// higher GOGC lets garbage build up between collections; the memory limit
// keeps the peak bounded however many resources Terraform sends at once.
// GOGC and GOMEMLIMIT set in the environment win.
const (
	gcPercent   = 400
	memoryLimit = 48 << 20
)

func tuneMemory() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
