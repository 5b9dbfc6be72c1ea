package provider

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// headerRecorder serves protected resource metadata and remembers the
// headers of the last request, to see what the provider's policy sent.
type headerRecorder struct {
	mu   sync.Mutex
	last http.Header
}

func (h *headerRecorder) handler(resource func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.last = r.Header.Clone()
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"resource":%q,"authorization_servers":["https://as.example.com"]}`, resource())
	}
}

func (h *headerRecorder) get(name string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last.Get(name)
}

func metadataConfig(provider, metadataURL string) string {
	return provider + fmt.Sprintf(`
data "mcp_protected_resource_metadata" "test" {
  metadata_url = %q
}
`, metadataURL)
}

func TestAccProviderConfig_headersAndUserAgent(t *testing.T) {
	t.Parallel()
	rec := &headerRecorder{}
	var srv *httptest.Server
	srv = httptest.NewServer(rec.handler(func() string { return srv.URL + "/mcp" }))
	defer srv.Close()

	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: metadataConfig(`
provider "mcp" {
  request_timeout = "10s"
  retries         = 0
  headers = {
    "X-Gateway-Tenant" = "platform"
  }
}`, srv.URL+"/.well-known/oauth-protected-resource/mcp"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mcp_protected_resource_metadata.test", tfjsonpath.New("resource"), knownvalue.StringExact(srv.URL+"/mcp")),
				},
				Check: func(*terraform.State) error {
					if got := rec.get("X-Gateway-Tenant"); got != "platform" {
						return fmt.Errorf("X-Gateway-Tenant = %q, want platform", got)
					}
					if ua := rec.get("User-Agent"); !strings.HasPrefix(ua, "terraform-provider-mcp/test") {
						return fmt.Errorf("User-Agent = %q, want the provider's name and version", ua)
					}
					return nil
				},
			},
		},
	})
}

func TestAccProviderConfig_environmentFallbacks(t *testing.T) {
	rec := &headerRecorder{}
	var srv *httptest.Server
	srv = httptest.NewServer(rec.handler(func() string { return srv.URL + "/mcp" }))
	defer srv.Close()
	t.Setenv(EnvHeaders, `{"X-From-Env":"yes"}`)
	t.Setenv(EnvRequestTimeout, "15s")

	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: metadataConfig(`provider "mcp" {}`, srv.URL+"/.well-known/oauth-protected-resource/mcp"),
			Check: func(*terraform.State) error {
				if got := rec.get("X-From-Env"); got != "yes" {
					return fmt.Errorf("header from %s not sent: %q", EnvHeaders, got)
				}
				return nil
			},
		}},
	})
}

func TestAccProviderConfig_invalidSettings(t *testing.T) {
	meta := "https://mcp.example.com/.well-known/oauth-protected-resource"
	tests := []struct {
		name     string
		provider string
		env      map[string]string
		want     string
	}{
		{"timeout not a duration", `provider "mcp" { request_timeout = "soon" }`, nil, `Invalid duration`},
		{"negative retries", `provider "mcp" { retries = -1 }`, nil, `retries must be between 0 and 10`},
		{"authorization header", `provider "mcp" { headers = { authorization = "Bearer x" } }`, nil, `Authorization cannot be set in headers`},
		{"ca and insecure", `provider "mcp" {
  ca_cert_pem              = "x"
  insecure_skip_tls_verify = true
}`, nil, `cannot be specified when`},
		{"ca not PEM", `provider "mcp" { ca_cert_pem = "not a certificate" }`, nil, `ca_cert_pem holds no valid PEM certificate`},
		{"env timeout invalid", `provider "mcp" {}`, map[string]string{EnvRequestTimeout: "later"}, `Invalid request timeout`},
		{"env bool invalid", `provider "mcp" {}`, map[string]string{EnvAllowInsecureHTTP: "perhaps"}, `Invalid MCP_ALLOW_INSECURE_HTTP`},
		{"env headers invalid", `provider "mcp" {}`, map[string]string{EnvHeaders: "X-A=1"}, `Invalid MCP_HEADERS`},
		{"env TLS conflict", `provider "mcp" {}`, map[string]string{EnvCACertPEM: "x", EnvInsecureSkipTLSVerify: "true"}, `Conflicting TLS settings`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      metadataConfig(tt.provider, meta),
					ExpectError: regexp.MustCompile(tt.want),
				}},
			})
		})
	}
}

func TestAccProviderConfig_plainHTTPNeedsOptIn(t *testing.T) {
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// Refused before any request: nothing listens on this host.
			Config:      metadataConfig(`provider "mcp" {}`, "http://mcp.internal.example/.well-known/oauth-protected-resource"),
			ExpectError: regexp.MustCompile(`allow_insecure_http`),
		}},
	})
}

func TestAccProviderConfig_customCA(t *testing.T) {
	t.Parallel()
	rec := &headerRecorder{}
	var srv *httptest.Server
	srv = httptest.NewTLSServer(rec.handler(func() string { return srv.URL + "/mcp" }))
	defer srv.Close()
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	meta := srv.URL + "/.well-known/oauth-protected-resource/mcp"

	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The test server's CA is not a system root.
				Config:      metadataConfig(`provider "mcp" {}`, meta),
				ExpectError: regexp.MustCompile(`(?i)certificate`),
			},
			{
				Config: metadataConfig(fmt.Sprintf(`
provider "mcp" {
  ca_cert_pem = %q
}`, caPEM), meta),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mcp_protected_resource_metadata.test", tfjsonpath.New("resource"), knownvalue.StringExact(srv.URL+"/mcp")),
				},
			},
			{
				Config: metadataConfig(`
provider "mcp" {
  insecure_skip_tls_verify = true
}`, meta),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mcp_protected_resource_metadata.test", tfjsonpath.New("resource"), knownvalue.StringExact(srv.URL+"/mcp")),
				},
			},
		},
	})
}

func TestAccProviderConfig_headersHosts(t *testing.T) {
	t.Parallel()
	rec := &headerRecorder{}
	var srv *httptest.Server
	srv = httptest.NewServer(rec.handler(func() string { return srv.URL + "/mcp" }))
	defer srv.Close()
	meta := srv.URL + "/.well-known/oauth-protected-resource/mcp"
	config := func(hosts string) string {
		return metadataConfig(fmt.Sprintf(`
provider "mcp" {
  headers       = { "X-Gateway-Key" = "gw-secret" }
  headers_hosts = %s
}`, hosts), meta)
	}
	headerIs := func(want string) func(*terraform.State) error {
		return func(*terraform.State) error {
			if got := rec.get("X-Gateway-Key"); got != want {
				return fmt.Errorf("X-Gateway-Key = %q, want %q", got, want)
			}
			return nil
		}
	}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(`["gateway.example.com"]`), Check: headerIs("")},
			{Config: config(`["127.0.0.1"]`), Check: headerIs("gw-secret")},
		},
	})
}

func TestAccProviderConfig_unknownSettingsRefuseToRead(t *testing.T) {
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
resource "terraform_data" "ca" {
  input = "a CA known only after apply"
}

provider "mcp" {
  ca_cert_pem = terraform_data.ca.output
}

data "mcp_protected_resource_metadata" "test" {
  metadata_url = "https://mcp.example.com/.well-known/oauth-protected-resource"
}
`,
			ExpectError: regexp.MustCompile(`Provider configuration not known yet`),
		}},
	})
}
