package provider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

// TestAccReal_registeredClientCallsMCPServer closes the loop the provider
// exists for: a client registered through mcp_dynamic_client, at the
// registration endpoint found by discovery, gets a Keycloak token for the
// MCP server's scopes and really calls a tool on it.
func TestAccReal_registeredClientCallsMCPServer(t *testing.T) {
	env := requireRealServers(t)
	iat, err := env.Keycloak.MintInitialAccessToken(context.Background(), time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`
variable "iat" {
  type      = string
  sensitive = true
  ephemeral = true
}

data "mcp_oauth_discovery" "server" {
  server_url = %q
}

resource "mcp_dynamic_client" "test" {
  registration_endpoint      = data.mcp_oauth_discovery.server.registration_endpoint
  initial_access_token_wo    = var.iat
  client_name                = "tf-acc caller %s"
  redirect_uris              = ["http://127.0.0.1:8888/callback"]
  grant_types                = ["client_credentials"]
  scope                      = data.mcp_oauth_discovery.server.scope
  token_endpoint_auth_method = "client_secret_post"
}
`, env.MCPServer.URL, randomSuffix())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		Steps: []resource.TestStep{{
			Config:          config,
			ConfigVariables: iatVariable(iat),
			Check:           checkClientCallsTool(env, dcName),
		}},
	})
}

func checkClientCallsTool(env *testenv.Env, address string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s not in state", address)
		}
		clientID := rs.Primary.Attributes["client_id"]
		tok, err := env.Keycloak.ClientCredentialsToken(context.Background(), clientID,
			rs.Primary.Attributes["client_secret"], rs.Primary.Attributes["scope"])
		if err != nil {
			return fmt.Errorf("client_credentials token for the registered client: %w", err)
		}
		accessToken, _ := tok["access_token"].(string)
		if accessToken == "" {
			return fmt.Errorf("token response has no access_token")
		}

		status, header, body, err := mcpPost(env.MCPServer.URL, accessToken, "",
			`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"tf-acc","version":"1"}}}`)
		if err := expectStatus("initialize", status, err, body, http.StatusOK); err != nil {
			return err
		}
		session := header.Get("Mcp-Session-Id")
		status, _, body, err = mcpPost(env.MCPServer.URL, accessToken, session, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
		if err := expectStatus("initialized notification", status, err, body, http.StatusAccepted); err != nil {
			return err
		}
		status, _, body, err = mcpPost(env.MCPServer.URL, accessToken, session,
			`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`)
		if err := expectStatus("tools/call whoami", status, err, body, http.StatusOK); err != nil {
			return err
		}
		if !strings.Contains(body, clientID) || !strings.Contains(body, "mcp:read") {
			return fmt.Errorf("whoami did not report client %s with mcp:read: %s", clientID, body)
		}
		// And without the token, the server still refuses.
		if status, _, _, _ = mcpPost(env.MCPServer.URL, "", "", `{"jsonrpc":"2.0","id":3,"method":"ping"}`); status != http.StatusUnauthorized {
			return fmt.Errorf("a request without a token got %d, want 401", status)
		}
		return nil
	}
}

// mcpPost sends one JSON-RPC message over MCP's streamable HTTP transport and
// returns the whole answer (JSON, or an event stream the server closes).
func mcpPost(url, token, session, body string) (int, http.Header, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(body)))
	if err != nil {
		return 0, nil, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, string(raw), err
}

func expectStatus(what string, status int, err error, body string, want int) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if status != want {
		return fmt.Errorf("%s: status %d, want %d; body %s", what, status, want, body)
	}
	return nil
}
