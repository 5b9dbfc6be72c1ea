package oauth

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Benchmarks for the parsers and a whole discovery against a local server.
// Run with: go test -run '^$' -bench . -benchmem ./internal/oauth

func BenchmarkParseWWWAuthenticate(b *testing.B) {
	headers := []string{
		`Basic realm="gateway"`,
		`Bearer realm="mcp", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:read mcp:write", error="invalid_token", error_description="the \"token\" expired"`,
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseWWWAuthenticate(headers); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeServerMetadata(b *testing.B) {
	body := []byte(fixtureServerMetadataJSON("https://as.example.com/realms/mcp"))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeServerMetadata(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeClientInformation(b *testing.B) {
	body := []byte(`{"client_id":"c","client_secret":"s","client_id_issued_at":1700000000,"client_secret_expires_at":0,
		"registration_access_token":"t","registration_client_uri":"https://as.example.com/reg/c",
		"redirect_uris":["http://127.0.0.1:8888/callback","http://localhost:8888/callback"],
		"grant_types":["authorization_code","client_credentials"],"response_types":["code"],
		"scope":"mcp:read mcp:write","token_endpoint_auth_method":"client_secret_post","client_name":"bench",
		"vendor":{"nested":[1,2,3]}}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeClientInformation(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiscover measures the whole chain (probe, resource metadata,
// authorization server metadata over three URLs) against a loopback server.
func BenchmarkDiscover(b *testing.B) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	issuer := srv.URL + "/realms/mcp"
	mux.HandleFunc("/mcp", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer resource_metadata="%s/.well-known/oauth-protected-resource/mcp"`, srv.URL))
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.HandleFunc("/.well-known/oauth-protected-resource/mcp", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `{"resource":%q,"authorization_servers":[%q]}`, srv.URL+"/mcp", issuer)
	})
	mux.HandleFunc("/realms/mcp/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(fixtureServerMetadataJSON(issuer)))
	})
	c, err := NewClient(Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Discover(ctx, DiscoveryRequest{ResourceURL: srv.URL + "/mcp"})
		if err != nil {
			b.Fatal(err)
		}
		if res.Server.Metadata.Issuer != issuer {
			b.Fatalf("issuer %q", res.Server.Metadata.Issuer)
		}
	}
}

func fixtureServerMetadataJSON(issuer string) string {
	return fmt.Sprintf(`{
		"issuer": %q,
		"authorization_endpoint": "%[1]s/protocol/openid-connect/auth",
		"token_endpoint": "%[1]s/protocol/openid-connect/token",
		"registration_endpoint": "%[1]s/clients-registrations/openid-connect",
		"jwks_uri": "%[1]s/protocol/openid-connect/certs",
		"scopes_supported": ["openid", "mcp:read", "mcp:write"],
		"response_types_supported": ["code"],
		"grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
		"token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
		"code_challenge_methods_supported": ["plain", "S256"]
	}`, issuer)
}
