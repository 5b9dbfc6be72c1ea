package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type probeWhoami struct {
	Client string `json:"client_id"`
}

// fakeMCPServer accepts only "Bearer good-token" and offers whoami and echo.
func fakeMCPServer(t *testing.T) string {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "fake-mcp", Version: "9.9"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "whoami"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, probeWhoami, error) {
		return nil, probeWhoami{Client: "c1"}, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.CallToolRequest, in struct {
		Text string `json:"text"`
	}) (*mcp.CallToolResult, struct {
		Text string `json:"text"`
	}, error) {
		return nil, in, nil
	})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer good-token" {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

const probeEcho = `
provider "echo" {
  data = ephemeral.mcp_server_probe.test
}
resource "echo" "test" {}
`

func TestUnitServerProbe_ephemeral(t *testing.T) {
	url := fakeMCPServer(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: echoFactories,
		TerraformVersionChecks:   skipBelowEphemeral,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
ephemeral "mcp_server_probe" "test" {
  server_url     = %q
  access_token   = "good-token"
  required_tools = ["whoami"]
  call_tool      = "echo"
  call_arguments = jsonencode({ text = "hello" })
}
`, url) + probeEcho,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("server_name"), knownvalue.StringExact("fake-mcp")),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("server_version"), knownvalue.StringExact("9.9")),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("protocol_version"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\d$`))),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("tool_names"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("echo"), knownvalue.StringExact("whoami")})),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("tool_output"), knownvalue.StringExact(`{"text":"hello"}`)),
			},
		}},
	})
}

func TestUnitServerProbe_failures(t *testing.T) {
	url := fakeMCPServer(t)
	for name, tc := range map[string]struct {
		body string
		want *regexp.Regexp
	}{
		"refused token": {`access_token = "stolen"`, regexp.MustCompile(`The MCP server refused the access token`)},
		"missing tool": {`access_token = "good-token"
  required_tools = ["whoami", "deploy"]`, regexp.MustCompile(`(?s)Required MCP tool missing.*deploy`)},
		"missing called tool": {`access_token = "good-token"
  call_tool = "nope"`, regexp.MustCompile(`Required MCP tool missing`)},
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: echoFactories,
				TerraformVersionChecks:   skipBelowEphemeral,
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf("ephemeral \"mcp_server_probe\" \"test\" {\n  server_url = %q\n  %s\n}\n", url, tc.body) + probeEcho,
					ExpectError: tc.want,
				}},
			})
		})
	}
}

func TestUnitServerProbe_dataSourceWithProviderToken(t *testing.T) {
	url := fakeMCPServer(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
provider "mcp" {
  access_token = "good-token"
}
data "mcp_server_probe" "test" {
  server_url = %q
  call_tool  = "whoami"
}
output "client" {
  value = jsondecode(data.mcp_server_probe.test.tool_output).client_id
}
`, url),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mcp_server_probe.test", tfjsonpath.New("server_name"), knownvalue.StringExact("fake-mcp")),
					statecheck.ExpectKnownOutputValue("client", knownvalue.StringExact("c1")),
				},
			},
			{
				Config:      fmt.Sprintf("data \"mcp_server_probe\" \"test\" {\n  server_url = %q\n}\n", url),
				ExpectError: regexp.MustCompile(`The MCP server refused the access token`),
			},
		},
	})
}
