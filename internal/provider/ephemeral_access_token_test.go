package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// tokenAS is an authorization server with RFC 8414 metadata and a token
// endpoint for client "c1" (secret "s3cret", or any client assertion).
type tokenAS struct {
	*httptest.Server
	// TokenIssuer is the iss claim put in tokens; the server's own URL when empty.
	TokenIssuer string
	mu          sync.Mutex
	forms       []map[string][]string
	basic       []bool
}

func newTokenAS(t *testing.T) *tokenAS {
	t.Helper()
	as := &tokenAS{}
	as.Server = httptest.NewServer(http.HandlerFunc(as.serve))
	t.Cleanup(as.Close)
	return as
}

func (as *tokenAS) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/.well-known/oauth-authorization-server":
		fmt.Fprintf(w, `{"issuer":%q,"token_endpoint":%q,"code_challenge_methods_supported":["S256"]}`, as.URL, as.URL+"/token")
	case "/token":
		_ = r.ParseForm()
		u, p, basic := r.BasicAuth()
		as.mu.Lock()
		as.forms = append(as.forms, r.PostForm)
		as.basic = append(as.basic, basic)
		as.mu.Unlock()
		ok := (basic && u == "c1" && p == "s3cret") ||
			(r.PostForm.Get("client_id") == "c1" && r.PostForm.Get("client_secret") == "s3cret") ||
			(r.PostForm.Get("client_id") == "c1" && strings.Count(r.PostForm.Get("client_assertion"), ".") == 2)
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"Invalid client or Invalid client credentials"}`))
			return
		}
		iss := as.TokenIssuer
		if iss == "" {
			iss = as.URL
		}
		claims, _ := json.Marshal(map[string]any{"iss": iss, "azp": "c1"})
		tok := "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString(claims) + ".sig"
		scope := r.PostForm.Get("scope")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":300,"scope":%q}`, tok, scope)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (as *tokenAS) requests() int {
	as.mu.Lock()
	defer as.mu.Unlock()
	return len(as.forms)
}

func (as *tokenAS) last() (map[string][]string, bool) {
	as.mu.Lock()
	defer as.mu.Unlock()
	if len(as.forms) == 0 {
		return nil, false
	}
	return as.forms[len(as.forms)-1], as.basic[len(as.basic)-1]
}

const tokenEcho = `
provider "echo" {
  data = ephemeral.mcp_access_token.test
}
resource "echo" "test" {}
`

func ecPrivateKeyPEM(t *testing.T) string {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestUnitAccessToken_authMethods(t *testing.T) {
	as := newTokenAS(t)
	key := ecPrivateKeyPEM(t)
	for _, tc := range []struct{ auth, wantForm string }{
		{`client_secret = "s3cret"`, ""},
		{`client_secret = "s3cret"
  token_endpoint_auth_method = "client_secret_post"`, "client_secret"},
		{`token_endpoint_auth_method = "private_key_jwt"
  private_key_pem = var.key
  private_key_id  = "k1"`, "client_assertion"},
	} {
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: echoFactories,
			TerraformVersionChecks:   skipBelowEphemeral,
			Steps: []resource.TestStep{{
				ConfigVariables: config.Variables{"key": config.StringVariable(key)},
				Config: fmt.Sprintf(`
variable "key" {
  type      = string
  sensitive = true
  ephemeral = true
}
ephemeral "mcp_access_token" "test" {
  issuer    = %q
  client_id = "c1"
  scope     = "mcp:read"
  resource  = "http://127.0.0.1:9/mcp"
  %s
}
`, as.URL, tc.auth) + tokenEcho,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("token_endpoint"), knownvalue.StringExact(as.URL+"/token")),
					statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("token_type"), knownvalue.StringExact("Bearer")),
					statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("granted_scope"), knownvalue.StringExact("mcp:read")),
					statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("expires_in"), knownvalue.Int64Exact(300)),
					statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("access_token"), knownvalue.StringRegexp(regexp.MustCompile(`^eyJ`))),
				},
			}},
		})
		form, basic := as.last()
		if tc.wantForm == "" && !basic {
			t.Errorf("client_secret_basic sent no Basic header: %v", form)
		}
		if tc.wantForm != "" && len(form[tc.wantForm]) == 0 {
			t.Errorf("%s not in the form: %v", tc.wantForm, form)
		}
		if form["resource"][0] != "http://127.0.0.1:9/mcp" || form["grant_type"][0] != "client_credentials" {
			t.Errorf("form %v", form)
		}
	}
}

func TestUnitAccessToken_errors(t *testing.T) {
	as := newTokenAS(t)
	other := newTokenAS(t)
	lying := newTokenAS(t)
	lying.TokenIssuer = "https://someone-else.example.com"
	cases := []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"wrong secret", fmt.Sprintf(`issuer = %q
  client_id = "c1"
  client_secret = "wrong"`, as.URL), regexp.MustCompile(`The token endpoint refused the client`)},
		{"token endpoint of another issuer", fmt.Sprintf(`issuer = %q
  token_endpoint = %q
  client_id = "c1"
  client_secret = "s3cret"`, as.URL, other.URL+"/token"), regexp.MustCompile(`Token endpoint of another issuer`)},
		{"token from another issuer", fmt.Sprintf(`issuer = %q
  client_id = "c1"
  client_secret = "s3cret"`, lying.URL), regexp.MustCompile(`Access token from another issuer`)},
		{"no secret", fmt.Sprintf(`issuer = %q
  client_id = "c1"`, as.URL), regexp.MustCompile(`Client secret missing`)},
		{"private_key_jwt without key", fmt.Sprintf(`issuer = %q
  client_id = "c1"
  token_endpoint_auth_method = "private_key_jwt"`, as.URL), regexp.MustCompile(`Private key missing`)},
		{"bad key", fmt.Sprintf(`issuer = %q
  client_id = "c1"
  token_endpoint_auth_method = "private_key_jwt"
  private_key_pem = "not a key"`, as.URL), regexp.MustCompile(`Unusable private key`)},
		{"unknown issuer", `issuer = "http://127.0.0.1:9/nothing"
  client_id = "c1"
  client_secret = "s3cret"`, regexp.MustCompile(`authorization server metadata`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := other.requests()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: echoFactories,
				TerraformVersionChecks:   skipBelowEphemeral,
				Steps: []resource.TestStep{{
					Config:      "ephemeral \"mcp_access_token\" \"test\" {\n  " + tc.body + "\n}\n" + tokenEcho,
					ExpectError: tc.want,
				}},
			})
			if other.requests() != before {
				t.Error("credentials were sent to another issuer's token endpoint")
			}
		})
	}
}
