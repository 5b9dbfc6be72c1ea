package testenv

// EnvBenchFloorKeep, a comma-separated list of mcp_dynamic_client attribute
// names, makes the scale benchmark's framework floor
// (internal/testenv/cmd/benchfloor) serve the schema cut down to those
// attributes; benchscale sets it from -floor-keep.
const EnvBenchFloorKeep = "BENCHFLOOR_KEEP"
