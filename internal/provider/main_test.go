package provider

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

// realServers holds Keycloak, Hydra, node-oidc-provider and our MCP server
// while acceptance tests run. Nil when TF_ACC is unset.
var realServers *testenv.Env

// EnvAccServers set to "none" skips starting the real servers, for a quick
// acceptance run against the in-test fakes only (never in CI: real-server
// tests then fail rather than skip).
const EnvAccServers = "MCP_ACC_SERVERS"

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	defer setUpCLI()()
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	if os.Getenv(EnvAccServers) == "none" {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, EnvAccServers+"=none is not allowed in CI: acceptance tests run against real servers there")
			return 1
		}
		return m.Run()
	}
	defer testenv.StopOnSignal()()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	env, err := testenv.StartAll(ctx, "")
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting the real servers for acceptance tests failed:\n%v\n", err)
		if env != nil {
			env.Stop()
		}
		return 1
	}
	defer env.Stop()
	fmt.Fprintf(os.Stderr, "real servers up (logs in %s): Keycloak %s, Hydra %s, node-oidc-provider %s, MCP server %s\n",
		env.LogDir, env.Keycloak.BaseURL, env.Hydra.PublicURL, env.OIDCProvider.Issuer, env.MCPServer.URL)
	realServers = env
	return m.Run()
}

// requireRealServers returns the running servers, failing the test (not
// skipping it) when they were not started.
func requireRealServers(t *testing.T) *testenv.Env {
	t.Helper()
	// Like resource.Test: acceptance tests run only under TF_ACC, and there
	// every missing piece is a failure.
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: runs with TF_ACC=1 (make testacc, make test)")
	}
	testAccPreCheck(t)
	if realServers == nil {
		t.Fatalf("the real servers are not running (TF_ACC unset or %s=none); run `make testacc`", EnvAccServers)
	}
	return realServers
}
