package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

const discoveryAddress = "data.mcp_oauth_discovery.test"

func TestAccOAuthDiscoveryDataSource_chain(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url = %q
}

output "registration_endpoint" {
  value = data.mcp_oauth_discovery.test.authorization_server_metadata.registration_endpoint
}`, f.resourceURL()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("authorization_server"), knownvalue.StringExact(f.issuer())),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("scope"), knownvalue.StringExact("mcp:tools mcp:prompts")),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("resource"), knownvalue.StringExact(f.resourceURL())),
				// The fixture's authorization server does not list offline_access.
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("offline_access_supported"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("scope_with_offline_access"), knownvalue.StringExact("mcp:tools mcp:prompts")),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("resource_metadata").AtMapKey("resource"),
					knownvalue.StringExact(f.resourceURL())),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("resource_metadata").AtMapKey("metadata_url"),
					knownvalue.StringExact(f.prmURL())),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("authorization_server_metadata").AtMapKey("pkce_s256_supported"),
					knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("authorization_server_metadata").AtMapKey("attempts"),
					knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownOutputValue("registration_endpoint",
					knownvalue.StringExact(f.issuer()+"/clients-registrations/openid-connect")),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("registration_endpoint"),
					knownvalue.StringExact(f.issuer()+"/clients-registrations/openid-connect")),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("token_endpoint"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("authorization_endpoint"), knownvalue.NotNull()),
			},
		}},
	})
}

// A server publishing its metadata only at the root well-known URL may name
// its origin as resource (RFC 9728 section 3.3): discovery accepts it, and
// resource reports the origin as published, for RFC 8707.
func TestAccOAuthDiscoveryDataSource_rootMetadataNamesOrigin(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	f.route("POST /mcp", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	f.route("/.well-known/oauth-protected-resource/mcp", http.NotFound)
	f.route("/.well-known/oauth-protected-resource", fixtureJSON(fmt.Sprintf(`{"resource":%q,"authorization_servers":[%q]}`, f.srv.URL, f.issuer())))
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url = %q
}`, f.resourceURL()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("resource"), knownvalue.StringExact(f.srv.URL)),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("resource_metadata").AtMapKey("metadata_url"),
					knownvalue.StringExact(f.srv.URL+"/.well-known/oauth-protected-resource")),
			},
		}},
	})
}

func TestAccOAuthDiscoveryDataSource_chooseAuthorizationServer(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	config := func(as string) string {
		return fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url           = %q
  authorization_server = %q
}`, f.resourceURL(), as)
	}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config("https://unlisted.example.com"),
				ExpectError: regexp.MustCompile(`(?s)No usable authorization server.*unlisted\.example\.com.*other-as\.example\.com`),
			},
			{
				Config: config(f.issuer()),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("authorization_server_metadata").AtMapKey("metadata_issuer"),
						knownvalue.StringExact(f.issuer())),
				},
			},
		},
	})
}

func TestAccOAuthDiscoveryDataSource_issuerMismatch(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	f.route("/realms/mcp/.well-known/openid-configuration", fixtureJSON(fixtureServerMetadata(f.issuer()+"/")))
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url = %q
}`, f.resourceURL()),
			ExpectError: regexp.MustCompile(`(?s)authorization server metadata names another issuer.*issuer_match = "allow_trailing_slash"`),
		}},
	})
}

func TestAccOAuthDiscoveryDataSource_badInput(t *testing.T) {
	t.Parallel()
	config := func(attrs string) string {
		return fmt.Sprintf("data \"mcp_oauth_discovery\" \"test\" {\n%s\n}\n", attrs)
	}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(``), ExpectError: regexp.MustCompile(`server_url`)},
			{Config: config(`server_url = "https://mcp.example.com/mcp#top"`), ExpectError: regexp.MustCompile(`has a fragment`)},
			{Config: config(`server_url = "http://mcp.internal/mcp"`), ExpectError: regexp.MustCompile(`(?s)Plain http is not allowed.*allow_insecure_http`)},
			{Config: config(`server_url = "https://mcp.example.com/mcp"
authorization_server = "not a url"`), ExpectError: regexp.MustCompile(`not an absolute URL`)},
		},
	})
}

// A resource listing no authorization server is the server's problem, shown
// on server_url, unless the user picked an authorization server.
func TestAccOAuthDiscoveryDataSource_noAuthorizationServersAttribute(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	f.route("/.well-known/oauth-protected-resource/mcp", fixtureJSON(fmt.Sprintf(`{"resource":%q,"authorization_servers":[]}`, f.resourceURL())))
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url = %q
}`, f.resourceURL()),
				ExpectError: regexp.MustCompile(`(?s)No usable authorization server.*in data "mcp_oauth_discovery" "test":\s+\d+:\s+server_url\s+=`),
			},
			{
				Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url           = %q
  authorization_server = %q
}`, f.resourceURL(), f.issuer()),
				ExpectError: regexp.MustCompile(`(?s)No usable authorization server.*in data "mcp_oauth_discovery" "test":\s+\d+:\s+authorization_server\s+=`),
			},
		},
	})
}

func TestAddPKCEDiagnostic(t *testing.T) {
	tests := []struct {
		name     string
		methods  []string
		required bool
		want     string // substring of the detail; "" for no diagnostic
		isError  bool
	}{
		{"S256 advertised", []string{"plain", "S256"}, true, "", false},
		{"only plain, required", []string{"plain"}, true, "lists plain in code_challenge_methods_supported", true},
		{"nothing advertised, required", nil, true, "require_pkce_s256 = false", true},
		{"only plain, opted out", []string{"plain"}, false, "lists plain in code_challenge_methods_supported", false},
		{"nothing advertised, opted out", nil, false, "lists nothing in code_challenge_methods_supported", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			addPKCEDiagnostic(&diags, "https://as.example.com", oauth.AuthorizationServerMetadata{CodeChallengeMethodsSupported: tt.methods}, tt.required)
			if tt.want == "" {
				if len(diags) != 0 {
					t.Fatalf("unexpected diagnostics: %v", diags)
				}
				return
			}
			if len(diags) != 1 || diags.HasError() != tt.isError || !strings.Contains(diags[0].Detail(), tt.want) ||
				!strings.Contains(diags[0].Detail(), "https://as.example.com") {
				t.Fatalf("want one diagnostic (error %v) containing %q, got %v", tt.isError, tt.want, diags)
			}
		})
	}
}

// A server that does not advertise S256 fails discovery unless
// require_pkce_s256 = false, which goes on with a warning.
func TestAccOAuthDiscoveryDataSource_pkceRequired(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	f.route("/realms/mcp/.well-known/openid-configuration", fixtureJSON(strings.Replace(fixtureServerMetadata(f.issuer()),
		`"code_challenge_methods_supported": ["plain", "S256"],`, ``, 1)))
	config := func(extra string) string {
		return fmt.Sprintf("data \"mcp_oauth_discovery\" \"test\" {\n  server_url = %q\n%s}\n", f.resourceURL(), extra)
	}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(""), ExpectError: regexp.MustCompile(`(?s)does not advertise PKCE S256.*require_pkce_s256 = false`)},
			{
				Config: config("  require_pkce_s256 = false\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("authorization_server_metadata").AtMapKey("pkce_s256_supported"),
						knownvalue.Bool(false)),
				},
			},
		},
	})
}

// An authorization_servers entry that is not an absolute URL is shown on
// server_url, naming the field, the metadata URL and the URLs tried.
func TestAccOAuthDiscoveryDataSource_relativeAuthorizationServer(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	f.route("/.well-known/oauth-protected-resource/mcp", fixtureJSON(fmt.Sprintf(`{"resource":%q,"authorization_servers":["localhost:41002"]}`, f.resourceURL())))
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url = %q
}`, f.resourceURL()),
			ExpectError: regexp.MustCompile(`(?s)No usable authorization server.*authorization_servers.*` +
				regexp.QuoteMeta(f.prmURL()) + `.*"localhost:41002".*URLs tried.*1\. .*2\. `),
		}},
	})
}

// A 2025-03-26 server: 401 on the MCP endpoint, no protected resource
// metadata, no authorization server metadata: the default endpoints on the
// origin, with a warning and every URL in attempts.
func TestAccOAuthDiscoveryDataSource_legacyDefaultEndpoints(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	f.route("POST /mcp", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	f.route("/.well-known/oauth-protected-resource/mcp", http.NotFound)
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url = %q
}`, f.resourceURL()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("authorization_server"), knownvalue.StringExact(f.srv.URL)),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("registration_endpoint"), knownvalue.StringExact(f.srv.URL+"/register")),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("authorization_endpoint"), knownvalue.StringExact(f.srv.URL+"/authorize")),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("token_endpoint"), knownvalue.StringExact(f.srv.URL+"/token")),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("resource"), knownvalue.StringExact(f.resourceURL())),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("resource_metadata").AtMapKey("metadata_url"), knownvalue.Null()),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("resource_metadata").AtMapKey("attempts"), knownvalue.ListSizeExact(4)),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("authorization_server_metadata").AtMapKey("metadata_source"),
					knownvalue.StringExact("default")),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("authorization_server_metadata").AtMapKey("attempts"), knownvalue.ListSizeExact(3)),
			},
		}},
	})
}

func TestAddLegacyDiscoveryWarning(t *testing.T) {
	var diags diag.Diagnostics
	addLegacyDiscoveryWarning(&diags, "https://mcp.example.com/mcp", &oauth.DiscoveryResult{
		Legacy: true, DefaultEndpoints: true, AuthorizationServer: "https://mcp.example.com",
		Server: &oauth.ServerMetadataResult{},
	})
	if diags.HasError() || len(diags) != 1 || !strings.Contains(diags[0].Detail(), "/authorize, /token and /register") ||
		!strings.Contains(diags[0].Summary(), "2025-03-26") {
		t.Fatalf("want one warning about the 2025-03-26 defaults, got %v", diags)
	}
}

// An authorization server listing offline_access: the scope output with it
// added, the plain scope left alone.
func TestAccOAuthDiscoveryDataSource_offlineAccess(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	f.route("/realms/mcp/.well-known/openid-configuration", fixtureJSON(strings.Replace(fixtureServerMetadata(f.issuer()),
		`"scopes_supported": ["openid", "mcp:tools"]`, `"scopes_supported": ["openid", "mcp:tools", "offline_access"]`, 1)))
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url = %q
}`, f.resourceURL()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("offline_access_supported"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("scope"), knownvalue.StringExact("mcp:tools mcp:prompts")),
				statecheck.ExpectKnownValue(discoveryAddress, tfjsonpath.New("scope_with_offline_access"),
					knownvalue.StringExact("mcp:tools mcp:prompts offline_access")),
			},
		}},
	})
}
