package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// discoveryFixture is one in-test server playing an MCP server and its
// authorization server, like a deployment behind one gateway: the MCP
// endpoint at /mcp answers 401 with a Bearer challenge, protected resource
// metadata is at the path-aware well-known URL, and the authorization server
// (issuer URL + "/realms/mcp") serves only the appended OpenID Connect form,
// as Keycloak before 26.4 does. Tests override routes to play other servers.
type discoveryFixture struct {
	srv    *httptest.Server
	mu     sync.Mutex
	routes map[string]http.HandlerFunc
}

func newDiscoveryFixture(t *testing.T) *discoveryFixture {
	t.Helper()
	f := &discoveryFixture{routes: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		h, ok := f.routes[r.Method+" "+r.URL.Path]
		if !ok {
			h, ok = f.routes[r.URL.Path]
		}
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)

	f.route("POST /mcp", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Add("WWW-Authenticate", `Basic realm="gateway"`)
		w.Header().Add("WWW-Authenticate", fmt.Sprintf(`Bearer resource_metadata="%s", scope="mcp:tools mcp:prompts"`, f.prmURL()))
		w.WriteHeader(http.StatusUnauthorized)
	})
	f.route("/.well-known/oauth-protected-resource/mcp", fixtureJSON(fmt.Sprintf(`{
		"resource": %q,
		"authorization_servers": [%q, "https://other-as.example.com"],
		"scopes_supported": ["mcp:tools", "mcp:prompts"],
		"bearer_methods_supported": ["header"],
		"resource_name": "Fixture MCP",
		"x_vendor": {"tier": "gold"}
	}`, f.resourceURL(), f.issuer())))
	f.route("/realms/mcp/.well-known/openid-configuration", fixtureJSON(fixtureServerMetadata(f.issuer())))
	return f
}

func (f *discoveryFixture) route(key string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[key] = h
}

func (f *discoveryFixture) resourceURL() string { return f.srv.URL + "/mcp" }
func (f *discoveryFixture) prmURL() string {
	return f.srv.URL + "/.well-known/oauth-protected-resource/mcp"
}
func (f *discoveryFixture) issuer() string { return f.srv.URL + "/realms/mcp" }

func fixtureServerMetadata(issuer string) string {
	return fmt.Sprintf(`{
		"issuer": %q,
		"authorization_endpoint": "%[1]s/protocol/openid-connect/auth",
		"token_endpoint": "%[1]s/protocol/openid-connect/token",
		"registration_endpoint": "%[1]s/clients-registrations/openid-connect",
		"jwks_uri": "%[1]s/protocol/openid-connect/certs",
		"scopes_supported": ["openid", "mcp:tools"],
		"response_types_supported": ["code"],
		"grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
		"token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
		"code_challenge_methods_supported": ["plain", "S256"],
		"mtls_endpoint_aliases": {"token_endpoint": "%[1]s/mtls/token"}
	}`, issuer)
}

func fixtureJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}
