package mcpprobe_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/mcpprobe"
	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

type whoOut struct {
	Client string `json:"client"`
}

type empty struct{}

// server is an MCP server that accepts only Bearer "good" (401 otherwise,
// 403 for "narrow") and offers whoami and fail.
func server(t *testing.T) string {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "probe-test", Version: "1.2.3"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "whoami"}, func(context.Context, *mcp.CallToolRequest, empty) (*mcp.CallToolResult, whoOut, error) {
		return nil, whoOut{Client: "c1"}, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "fail"}, func(context.Context, *mcp.CallToolRequest, empty) (*mcp.CallToolResult, whoOut, error) {
		return nil, whoOut{}, errors.New("broken on purpose")
	})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") {
		case "Bearer good":
			h.ServeHTTP(w, r)
		case "Bearer narrow":
			w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="mcp:read"`)
			w.WriteHeader(http.StatusForbidden)
		default:
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", resource_metadata="http://x/.well-known/oauth-protected-resource"`)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp"
}

func TestProbe(t *testing.T) {
	url := server(t)
	c, _ := oauth.NewClient(oauth.Options{})
	res, err := mcpprobe.Probe(context.Background(), c, mcpprobe.Request{
		ServerURL: url, AccessToken: "good", RequiredTools: []string{"whoami"}, CallTool: "whoami", CallArguments: []byte(`{}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ServerName != "probe-test" || res.ServerVersion != "1.2.3" || res.ProtocolVersion == "" ||
		strings.Join(res.ToolNames, ",") != "fail,whoami" || res.ToolOutput != `{"client":"c1"}` {
		t.Errorf("%+v", res)
	}
}

func TestProbeFailures(t *testing.T) {
	url := server(t)
	c, _ := oauth.NewClient(oauth.Options{})
	for _, tc := range []struct {
		name string
		req  mcpprobe.Request
		kind mcpprobe.Kind
		text string
	}{
		{"refused token", mcpprobe.Request{ServerURL: url, AccessToken: "bad"}, mcpprobe.KindTokenRefused, "invalid_token"},
		{"no token", mcpprobe.Request{ServerURL: url}, mcpprobe.KindTokenRefused, "HTTP 401"},
		{"insufficient scope", mcpprobe.Request{ServerURL: url, AccessToken: "narrow"}, mcpprobe.KindForbidden, "insufficient_scope"},
		{"missing tool", mcpprobe.Request{ServerURL: url, AccessToken: "good", RequiredTools: []string{"whoami", "deploy"}}, mcpprobe.KindMissingTools, "deploy; it offers: fail, whoami"},
		{"missing called tool", mcpprobe.Request{ServerURL: url, AccessToken: "good", CallTool: "nope"}, mcpprobe.KindMissingTools, "nope"},
		{"failing tool", mcpprobe.Request{ServerURL: url, AccessToken: "good", CallTool: "fail"}, mcpprobe.KindToolFailed, "broken on purpose"},
		{"bad arguments", mcpprobe.Request{ServerURL: url, AccessToken: "good", CallTool: "whoami", CallArguments: []byte(`[1]`)}, mcpprobe.KindRequest, "JSON object"},
		{"plain http", mcpprobe.Request{ServerURL: "http://mcp.example.com/mcp"}, mcpprobe.KindRequest, "loopback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mcpprobe.Probe(context.Background(), c, tc.req)
			var pe *mcpprobe.Error
			if !errors.As(err, &pe) || pe.Kind != tc.kind || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %v (%+v), want kind %s with %q", err, pe, tc.kind, tc.text)
			}
			if tc.req.AccessToken != "" && strings.Contains(err.Error(), "Bearer "+tc.req.AccessToken) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}
