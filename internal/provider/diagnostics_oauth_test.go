package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// Each kind of registration failure gets a title and a hint that names the
// argument or setting that fixes it.
func TestRegistrationErrorDiagnostics(t *testing.T) {
	kc := func(code, desc string) string {
		b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
		return string(b)
	}
	tests := []struct {
		name   string
		op     string
		status int
		body   string
		token  string
		title  string
		hint   string
	}{
		{"iat not found", oauth.OpRegister, 401, kc("invalid_token", "Initial Access Token not found"), "tok-123456", "Initial Access Token not accepted", "copied whole"},
		{"iat expired", oauth.OpRegister, 401, kc("invalid_token", "Expired initial access token"), "tok-123456", "Initial Access Token expired", "initial_access_token_wo or MCP_INITIAL_ACCESS_TOKEN"},
		{"iat used up", oauth.OpRegister, 401, kc("invalid_token", "No remaining count on initial access token"), "tok-123456", "used up", "count"},
		{"no token", oauth.OpRegister, 401, `{}`, "", "Initial Access Token required", "initial_access_token_wo or the provider's initial_access_token"},
		{"trusted hosts", oauth.OpRegister, 403, kc("insufficient_scope", "Policy 'Trusted Hosts' rejected request to client-registration service. Details: Host not trusted."), "", `policy "Trusted Hosts"`, "an Initial Access Token usually avoids it"},
		{"redirect", oauth.OpRegister, 400, kc("invalid_redirect_uri", "bad"), "tok-123456", "Redirect URI not accepted", "redirect_uris"},
		{"metadata", oauth.OpRegister, 400, kc("invalid_client_metadata", "bad grant"), "tok-123456", "Client metadata not accepted", "extra_metadata"},
		{"software statement", oauth.OpRegister, 400, kc("unapproved_software_statement", "no"), "tok-123456", "Software statement not accepted", "software_statement"},
		{"no registration here", oauth.OpRegister, 404, ``, "", "Client registration failed", "data source mcp_oauth_discovery"},
		{"other shape", oauth.OpRegister, 422, `{"message":"name too long"}`, "tok-123456", "Client registration failed", "See what the server said"},
		{"unusable answer", oauth.OpRegister, 201, `not json`, "", "Unusable answer", "delete it by hand"},
		{"read 401", oauth.OpRead, 401, ``, "tok-123456", "Registration access token refused", "on_unauthorized"},
		{"read 404", oauth.OpRead, 404, ``, "tok-123456", "Client not found", "deleted"},
		{"read 405", oauth.OpRead, 405, ``, "tok-123456", "Client management not supported", "by hand"},
		{"read 500", oauth.OpRead, 500, `{}`, "tok-123456", "Reading the client failed", "Try again later"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := oauth.NewClient(oauth.Options{})
			if err != nil {
				t.Fatal(err)
			}
			switch tt.op {
			case oauth.OpRegister:
				_, err = c.RegisterClient(context.Background(), srv.URL, oauth.ClientMetadata{}, tt.token)
			case oauth.OpRead:
				_, err = c.ReadClient(context.Background(), srv.URL, tt.token)
			}
			var diags diag.Diagnostics
			addRegistrationError(&diags, err, path.Root("registration_endpoint"), "client-1")
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic, got %v", diags)
			}
			d := diags[0]
			if !strings.Contains(d.Summary(), tt.title) || !strings.Contains(d.Detail(), tt.hint) || !strings.Contains(d.Detail(), "Client: client-1.") {
				t.Errorf("got %q / %q; want title with %q and detail with %q", d.Summary(), d.Detail(), tt.title, tt.hint)
			}
			if tt.token != "" && strings.Contains(d.Detail(), tt.token) {
				t.Errorf("the token leaked: %s", d.Detail())
			}
		})
	}
}

// A mismatch names the HCL setting that would accept the document.
func TestDiscoveryMismatchDiagnosticNamesSetting(t *testing.T) {
	var diags diag.Diagnostics
	addDiscoveryError(&diags, &oauth.MismatchError{Field: "issuer", Expected: "https://as/x", Got: "https://as/x/",
		MetadataURL: "https://as/.well-known/openid-configuration/x", Mode: "exact", RelaxedMode: "allow_trailing_slash"},
		"authorization server", path.Root("issuer"), path.Root("issuer_match"))
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "`issuer_match = \"allow_trailing_slash\"`") {
		t.Fatalf("want the setting named, got %v", diags)
	}
	if !diags[0].(diag.DiagnosticWithPath).Path().Equal(path.Root("issuer_match")) {
		t.Errorf("a relaxable mismatch belongs to the match attribute, got %v", diags[0].(diag.DiagnosticWithPath).Path())
	}
}

func TestTLSSettingsErrorNamesAttribute(t *testing.T) {
	_, err := oauth.NewClient(oauth.Options{CACertPEM: "not a certificate"})
	if got := tlsSettingsError(err); !strings.Contains(got, "ca_cert_pem holds no valid PEM certificate") {
		t.Fatalf("got %q", got)
	}
}

// The not-found hint speaks of what the configured URL is: an issuer for
// authorization server metadata, an MCP endpoint for resource metadata.
func TestDiscoveryNotFoundHintFitsTheURL(t *testing.T) {
	notFound := &oauth.DiscoveryError{Sought: "x", Attempts: []oauth.Attempt{{URL: "https://as/.well-known/oauth-authorization-server", Status: 404}}}
	var diags diag.Diagnostics
	addDiscoveryError(&diags, notFound, "authorization server", path.Root("issuer"), path.Root("issuer_match"))
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "issuer identifier") || strings.Contains(diags[0].Detail(), "endpoint URL itself") {
		t.Fatalf("authorization server hint: %v", diags)
	}
	diags = nil
	addDiscoveryError(&diags, notFound, "protected resource", path.Root("server_url"), path.Root("resource_match"))
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "MCP server's endpoint URL itself") || strings.Contains(diags[0].Detail(), "issuer identifier") {
		t.Fatalf("protected resource hint: %v", diags)
	}
}
