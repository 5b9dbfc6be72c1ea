// Package conformance runs the official MCP authorization conformance suite
// (npm @modelcontextprotocol/conformance) against this provider and judges the
// result.
//
// The client under test is cmd/conformance-client: it takes everything
// discovery and registration decide from the provider, through the Terraform
// or OpenTofu CLI, and does the rest of an MCP client's flow itself.
// cmd/conformance-run runs every scenario, reads each run's checks.json, and
// applies the rule in [Judge]. tools/conformance.sh installs Node.js 22 and the
// pinned suite and builds both programs; `make conformance` and `make test`
// call it.
//
// Which checks the provider decides is the list in checks.go; which known
// failures are tolerated until their fix lands is expected-failures.txt.
package conformance
