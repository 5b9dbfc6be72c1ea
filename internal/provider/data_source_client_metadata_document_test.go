package provider

import (
	"encoding/json"
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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

const cimdAddress = "data.mcp_client_metadata_document.test"

func TestClientMetadataDocumentDataSource_renders(t *testing.T) {
	const id = "https://agent.example.com/oauth/client.json"
	want, err := oauth.RenderClientMetadataDocument(id, oauth.ClientMetadata{
		ClientName:    "Reporting agent",
		RedirectURIs:  []string{"http://127.0.0.1:8888/callback", "http://localhost:8888/callback"},
		GrantTypes:    []string{"authorization_code", "refresh_token"},
		ResponseTypes: []string{"code"},
		Scope:         "mcp:read mcp:write",
		LogoURI:       "https://agent.example.com/logo.png",
		// The default the data source applies.
		TokenEndpointAuthMethod: "none",
		Extra:                   map[string]json.RawMessage{"x_vendor": json.RawMessage(`{"b":1,"a":2}`)},
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_client_metadata_document" "test" {
  client_id      = %q
  client_name    = "Reporting agent"
  redirect_uris  = ["http://127.0.0.1:8888/callback", "http://localhost:8888/callback"]
  grant_types    = ["authorization_code", "refresh_token"]
  response_types = ["code"]
  scope          = "mcp:read mcp:write"
  logo_uri       = "https://agent.example.com/logo.png"
  extra_metadata = jsonencode({ x_vendor = { b = 1, a = 2 } })
}`, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cimdAddress, tfjsonpath.New("json"), knownvalue.StringExact(string(want.JSON))),
				statecheck.ExpectKnownValue(cimdAddress, tfjsonpath.New("sha256"), knownvalue.StringExact(want.SHA256)),
				statecheck.ExpectKnownValue(cimdAddress, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(want.JSON)))),
				statecheck.ExpectKnownValue(cimdAddress, tfjsonpath.New("token_endpoint_auth_method"), knownvalue.StringExact("none")),
				statecheck.ExpectKnownValue(cimdAddress, tfjsonpath.New("warnings"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(cimdAddress, tfjsonpath.New("json"),
					knownvalue.StringRegexp(regexp.MustCompile(`^\{"client_id":"https://agent\.example\.com/oauth/client\.json","client_name":"Reporting agent",.*"x_vendor":\{"a":2,"b":1\}\}$`))),
			},
		}},
	})
}

func TestClientMetadataDocumentDataSource_warnsOnQuery(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
data "mcp_client_metadata_document" "test" {
  client_id     = "https://agent.example.com/client?v=2"
  client_name   = "Agent"
  redirect_uris = ["http://127.0.0.1:8888/callback"]
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(cimdAddress, tfjsonpath.New("warnings"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringRegexp(regexp.MustCompile(`should not contain a query .*section 3`)),
				})),
			},
		}},
	})
}

// Every rule the issue lists is an error at plan time, naming the rule and its section.
func TestClientMetadataDocumentDataSource_planTimeErrors(t *testing.T) {
	const base = `
data "mcp_client_metadata_document" "test" {
  client_id     = %q
  client_name   = "Agent"
  redirect_uris = ["http://127.0.0.1:8888/callback"]
  %s
}`
	for name, tc := range map[string]struct {
		id, extra string
		want      string
	}{
		"http URL":                  {id: "http://agent.example.com/client.json", want: `client_id must use https.*section 3`},
		"no path":                   {id: "https://agent.example.com", want: `must contain a path`},
		"dot segment":               {id: "https://agent.example.com/a/../client.json", want: `must not contain dot segments`},
		"fragment":                  {id: "https://agent.example.com/client.json#x", want: `must not contain a fragment`},
		"userinfo":                  {id: "https://u:p@agent.example.com/client.json", want: `must not contain userinfo`},
		"shared-secret auth method": {id: "https://agent.example.com/c.json", extra: `token_endpoint_auth_method = "client_secret_basic"`, want: `must not use a shared secret.*section 4\.1`},
		"client_secret_jwt":         {id: "https://agent.example.com/c.json", extra: `token_endpoint_auth_method = "client_secret_jwt"`, want: `shared secret`},
		"private_key_jwt without keys": {id: "https://agent.example.com/c.json", extra: `token_endpoint_auth_method = "private_key_jwt"`,
			want: `private_key_jwt needs the client's public keys`},
		"private key": {id: "https://agent.example.com/c.json", extra: `
  token_endpoint_auth_method = "private_key_jwt"
  jwks = jsonencode({ keys = [{ kty = "EC", crv = "P-256", x = "a", y = "b", d = "private" }] })`, want: `jwks must hold only public keys`},
		"secret through extra_metadata": {id: "https://agent.example.com/c.json", extra: `extra_metadata = jsonencode({ client_secret = "s" })`,
			want: `client_secret must not be used`},
		"client_id through extra_metadata": {id: "https://agent.example.com/c.json", extra: `extra_metadata = jsonencode({ client_id = "x" })`,
			want: `Member set twice`},
		"oversized": {id: "https://agent.example.com/c.json", extra: `max_bytes = 100`, want: `The document is too large.*section 8\.7`},
		"public client_credentials": {id: "https://agent.example.com/c.json", extra: `grant_types = ["client_credentials"]`,
			want: `client_credentials needs client authentication`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf(base, tc.id, tc.extra),
					PlanOnly:    true,
					ExpectError: wrappedPattern(tc.want),
				}},
			})
		})
	}
}

// cimdTLSHost serves documents over TLS for the hosted-document tests; the
// provider trusts it through ca_cert_pem.
type cimdTLSHost struct {
	srv     *httptest.Server
	mu      sync.Mutex
	handler http.HandlerFunc
}

func newCIMDTLSHost(t *testing.T) *cimdTLSHost {
	t.Helper()
	h := &cimdTLSHost{}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		handler := h.handler
		h.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *cimdTLSHost) serve(status int, ctype, body string, headers ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handler = func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func (h *cimdTLSHost) providerBlock() string {
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.srv.Certificate().Raw})
	return fmt.Sprintf("provider \"mcp\" {\n  ca_cert_pem = %q\n}\n", string(caPEM))
}

func (h *cimdTLSHost) url() string { return h.srv.URL + "/oauth/client.json" }

// renderAndVerify renders a document for the host's URL and verifies the
// hosted copy in the same configuration, as a real one would after hosting it.
func (h *cimdTLSHost) renderAndVerify(extra string) string {
	return h.providerBlock() + fmt.Sprintf(`
data "mcp_client_metadata_document" "test" {
  client_id     = %q
  client_name   = "Agent"
  redirect_uris = ["http://127.0.0.1:8888/callback"]
}

data "mcp_hosted_client_metadata_document" "test" {
  url           = data.mcp_client_metadata_document.test.client_id
  expected_json = data.mcp_client_metadata_document.test.json
  %s
}`, h.url(), extra)
}

func (h *cimdTLSHost) rendered(t *testing.T) string {
	t.Helper()
	doc, err := oauth.RenderClientMetadataDocument(h.url(), oauth.ClientMetadata{
		ClientName: "Agent", RedirectURIs: []string{"http://127.0.0.1:8888/callback"}, TokenEndpointAuthMethod: "none",
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return string(doc.JSON)
}

const hostedAddress = "data.mcp_hosted_client_metadata_document.test"

func TestHostedClientMetadataDocumentDataSource_accepted(t *testing.T) {
	h := newCIMDTLSHost(t)
	doc := h.rendered(t)
	// A host may pretty-print: the same JSON value is the same document.
	pretty := strings.ReplaceAll(doc, ",", ",\n  ")
	h.serve(200, "application/json", pretty, "Cache-Control", "max-age=600")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: h.renderAndVerify(""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("valid"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("matches_expected"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("problems"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("status_code"), knownvalue.Int64Exact(200)),
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("cache_control"), knownvalue.StringExact("max-age=600")),
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("sha256"), knownvalue.StringExact(oauth.SHA256Hex([]byte(pretty)))),
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("served_client_id"), knownvalue.StringExact(h.url())),
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("token_endpoint_auth_method"), knownvalue.StringExact("none")),
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("redirect_uris"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("http://127.0.0.1:8888/callback"),
				})),
			},
		}},
	})
}

func TestHostedClientMetadataDocumentDataSource_refused(t *testing.T) {
	for name, tc := range map[string]struct {
		serve func(h *cimdTLSHost, doc string)
		want  string
	}{
		"redirect": {serve: func(h *cimdTLSHost, _ string) {
			h.serve(302, "text/plain", "", "Location", h.srv.URL+"/elsewhere.json")
		}, want: `would be refused.*the document URL must not redirect.*elsewhere\.json`},
		"not found": {serve: func(h *cimdTLSHost, _ string) { h.serve(404, "text/plain", "no") }, want: `200 OK.*404 Not Found`},
		"client_id differs": {serve: func(h *cimdTLSHost, doc string) {
			h.serve(200, "application/json", strings.Replace(doc, h.url(), h.url()+"/", 1))
		}, want: `client_id must be identical to the document's URL`},
		"oversized": {serve: func(h *cimdTLSHost, doc string) {
			h.serve(200, "application/json", strings.Replace(doc, `"Agent"`, `"`+strings.Repeat("A", 5000)+`"`, 1))
		}, want: `the document is too large`},
		"shared secret": {serve: func(h *cimdTLSHost, doc string) {
			h.serve(200, "application/json", strings.Replace(doc, `"none"`, `"client_secret_post"`, 1))
		}, want: `must not use a shared secret`},
		"old content": {serve: func(h *cimdTLSHost, doc string) {
			h.serve(200, "application/json", strings.Replace(doc, `"Agent"`, `"Old agent"`, 1))
		}, want: `differs from the rendered one.*client_name`},
		"text/html": {serve: func(h *cimdTLSHost, doc string) { h.serve(200, "text/html", doc) }, want: `must be served as JSON`},
	} {
		t.Run(name, func(t *testing.T) {
			h := newCIMDTLSHost(t)
			tc.serve(h, h.rendered(t))
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      h.renderAndVerify(""),
					ExpectError: wrappedPattern(tc.want),
				}},
			})
		})
	}
}

func TestHostedClientMetadataDocumentDataSource_recordsProblems(t *testing.T) {
	h := newCIMDTLSHost(t)
	h.serve(301, "text/plain", "", "Location", "https://cdn.example.com/client.json")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: h.renderAndVerify("fail_on_problems = false"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("valid"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("status_code"), knownvalue.Int64Exact(301)),
				statecheck.ExpectKnownValue(hostedAddress, tfjsonpath.New("problems"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringRegexp(regexp.MustCompile(`must not redirect .*section 5.*cdn\.example\.com`)),
				})),
			},
		}},
	})
}

func TestHostedClientMetadataDocumentDataSource_urlRulesAtPlanTime(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
data "mcp_hosted_client_metadata_document" "test" {
  url = "http://agent.example.com/client.json"
}`,
			PlanOnly:    true,
			ExpectError: wrappedPattern(`client_id must use https`),
		}},
	})
}

func TestHostedClientMetadataDocumentDataSource_untrustedCertificate(t *testing.T) {
	h := newCIMDTLSHost(t)
	h.serve(200, "application/json", h.rendered(t))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_hosted_client_metadata_document" "test" {
  url = %q
}`, h.url()),
			ExpectError: wrappedPattern(`Cannot fetch the client metadata document.*certificate.*ca_cert_pem`),
		}},
	})
}

// wrappedPattern matches an error the CLI may have wrapped over several
// lines and whose summary starts with a capital: case is ignored and each
// space matches any run of white space.
func wrappedPattern(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?is)` + strings.ReplaceAll(pattern, " ", `\s+`))
}

// With fail_on_problems = false the result feeds a postcondition, which
// then stops the run with the configuration's own message.
func TestHostedClientMetadataDocumentDataSource_postcondition(t *testing.T) {
	h := newCIMDTLSHost(t)
	h.serve(200, "application/json", strings.Replace(h.rendered(t), `"Agent"`, `"Old agent"`, 1))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: h.renderAndVerify(`fail_on_problems = false
  lifecycle {
    postcondition {
      condition     = self.valid
      error_message = "hosting check: ${join("; ", self.problems)}"
    }
  }`),
			ExpectError: wrappedPattern(`hosting check: the hosted document differs from the rendered one.*client_name`),
		}},
	})
}
