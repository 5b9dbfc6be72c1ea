// Command conformance-client is the MCP client that tools/conformance.sh runs
// under the official MCP conformance suite (npm @modelcontextprotocol/conformance).
//
// Everything discovery and registration decide comes from the provider, used
// through the Terraform or OpenTofu CLI exactly as a user would use it: the
// client writes a small configuration with data "mcp_oauth_discovery" and
// resource "mcp_dynamic_client", applies it and reads its outputs. The rest of
// an MCP client's flow is done here: the authorization request (PKCE S256,
// resource, scope), the RFC 9207 iss check, the token request with the
// registered client authentication method, the MCP calls with the token, step-up
// on 403 insufficient_scope and re-discovery on a 401 that answers a token.
//
// Usage (the suite appends the server URL and sets MCP_CONFORMANCE_*):
//
//	conformance-client SERVER_URL
//
// Environment: CONFORMANCE_TF_CLI (path of terraform or tofu; its
// TF_CLI_CONFIG_FILE must hold dev_overrides for the freshly built provider),
// CONFORMANCE_WORK_DIR (optional parent for the per-run Terraform directory).
package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: conformance-client SERVER_URL")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := run(ctx, os.Args[len(os.Args)-1]); err != nil {
		fmt.Fprintln(os.Stderr, "conformance-client:", err)
		os.Exit(1)
	}
}
