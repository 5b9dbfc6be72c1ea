package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	mcpprovider "github.com/mcp-oauth/terraform-provider-mcp/internal/provider"
)

const testDocumentURL = "https://client.example.com/client-metadata.json"

// fakeDeployment is an MCP server and its authorization server on one
// httptest server: the MCP endpoint answers 401 with a Bearer challenge, and
// the authorization server offers dynamic registration and, when cimd is
// set, Client ID Metadata Documents.
type fakeDeployment struct {
	srv           *httptest.Server
	registrations atomic.Int32
}

func newFakeDeployment(t *testing.T, cimd bool) *fakeDeployment {
	t.Helper()
	f := &fakeDeployment{}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	base := f.srv.URL
	jsonBody := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	mux.HandleFunc("POST /mcp", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer resource_metadata="%s/.well-known/oauth-protected-resource/mcp"`, base))
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.HandleFunc("GET /.well-known/oauth-protected-resource/mcp", jsonBody(http.StatusOK,
		fmt.Sprintf(`{"resource": "%[1]s/mcp", "authorization_servers": ["%[1]s"]}`, base)))
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", jsonBody(http.StatusOK, fmt.Sprintf(`{
		"issuer": "%[1]s",
		"authorization_endpoint": "%[1]s/authorize",
		"token_endpoint": "%[1]s/token",
		"registration_endpoint": "%[1]s/register",
		"response_types_supported": ["code"],
		"grant_types_supported": ["authorization_code", "refresh_token"],
		"token_endpoint_auth_methods_supported": ["none", "client_secret_basic"],
		"code_challenge_methods_supported": ["S256"],
		"client_id_metadata_document_supported": %[2]t
	}`, base, cimd)))
	mux.HandleFunc("POST /register", func(w http.ResponseWriter, r *http.Request) {
		f.registrations.Add(1)
		jsonBody(http.StatusCreated, `{
			"client_id": "dcr-client",
			"client_name": "terraform-provider-mcp conformance client",
			"redirect_uris": ["http://127.0.0.1:33418/callback"],
			"grant_types": ["authorization_code", "refresh_token"],
			"response_types": ["code"],
			"token_endpoint_auth_method": "none"
		}`)(w, r)
	})
	return f
}

func (f *fakeDeployment) serverURL() string { return f.srv.URL + "/mcp" }

// useCLI points terraform-plugin-testing at a CLI the way tools/test.sh
// does (TF_ACC_TERRAFORM_PATH, else terraform on PATH, else the cached
// tofu) and at the provider address tfConfig requires (mcp-oauth/mcp). A
// missing CLI fails the test.
func useCLI(t *testing.T) {
	t.Helper()
	if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg == "" || !fileExists(cfg) {
		empty := filepath.Join(t.TempDir(), "empty.tfrc")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("TF_CLI_CONFIG_FILE", empty)
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		if p, err := exec.LookPath("terraform"); err == nil {
			cli = p
		} else {
			cache := os.Getenv("MCP_CACHE_DIR")
			if cache == "" {
				home, _ := os.UserHomeDir()
				cache = filepath.Join(home, ".cache", "terraform-provider-mcp")
			}
			found, _ := filepath.Glob(filepath.Join(cache, "bin", "tofu-*"))
			found = slices.DeleteFunc(found, func(s string) bool { return strings.HasSuffix(s, ".tmp") })
			if len(found) == 0 {
				t.Fatal("no terraform or tofu CLI: set TF_ACC_TERRAFORM_PATH, put terraform on PATH, or run `tools/tools.sh tofu` once")
			}
			slices.Sort(found)
			cli = found[len(found)-1]
		}
		abs, err := filepath.Abs(cli)
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("TF_ACC_TERRAFORM_PATH", abs)
		cli = abs
	}
	if strings.HasPrefix(filepath.Base(cli), "tofu") {
		t.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	} else {
		t.Setenv("TF_ACC_PROVIDER_HOST", "registry.terraform.io")
	}
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "mcp-oauth")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

var providerFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"mcp": providerserver.NewProtocol6WithError(mcpprovider.New("test")()),
}

// TestTFConfigRegistrationChoice applies the client's configuration with
// the real provider against a fake deployment and checks which client it
// yields: the document URL when the server supports CIMD and the client has
// a document, otherwise a dynamic registration; none when pre-registered.
func TestTFConfigRegistrationChoice(t *testing.T) {
	useCLI(t)
	cases := []struct {
		name          string
		cimd          bool
		documentURL   string
		preregistered bool
		wantPath      string // discovery's registration_path
		wantKind      string // client_kind
		wantClientID  string // "" when the client output is null
		wantRegisters bool
	}{
		{"cimd supported, document configured", true, testDocumentURL, false,
			"client_id_metadata_document", "client_id_metadata_document", testDocumentURL, false},
		{"cimd supported, no document", true, "", false,
			"client_id_metadata_document", "dynamic_client_registration", "dcr-client", true},
		{"cimd not supported, document configured", false, testDocumentURL, false,
			"dynamic_client_registration", "dynamic_client_registration", "dcr-client", true},
		{"pre-registered", true, testDocumentURL, true,
			"pre_registered", "pre_registered", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeDeployment(t, c.cimd)
			p := &provider{serverURL: f.serverURL(), redirectURI: redirectURI, preregistered: c.preregistered, documentURL: c.documentURL}
			vars := config.Variables{}
			args := p.applyArgs()
			for i := 0; i < len(args); i++ {
				if args[i] != "-var" {
					continue
				}
				name, value, _ := strings.Cut(args[i+1], "=")
				if name == "preregistered" {
					vars[name] = config.BoolVariable(value == "true")
				} else {
					vars[name] = config.StringVariable(value)
				}
				i++
			}
			checks := []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValueAtPath("discovery", tfjsonpath.New("registration_path"), knownvalue.StringExact(c.wantPath)),
				statecheck.ExpectKnownOutputValue("client_kind", knownvalue.StringExact(c.wantKind)),
			}
			if c.wantClientID != "" {
				want := map[string]knownvalue.Check{
					"client_id":                  knownvalue.StringExact(c.wantClientID),
					"token_endpoint_auth_method": knownvalue.StringExact("none"),
				}
				if c.wantKind == "client_id_metadata_document" {
					want["client_secret"] = knownvalue.Null()
				}
				checks = append(checks, statecheck.ExpectKnownOutputValue("client", knownvalue.ObjectPartial(want)))
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: providerFactories,
				Steps: []resource.TestStep{{
					Config:            tfConfig,
					ConfigVariables:   vars,
					ConfigStateChecks: checks,
					Check: func(s *terraform.State) error {
						// A null output is not in the state.
						if _, ok := s.RootModule().Outputs["client"]; ok != (c.wantClientID != "") {
							return fmt.Errorf("client output present %t, want %t", ok, c.wantClientID != "")
						}
						if n := f.registrations.Load(); (n > 0) != c.wantRegisters {
							return fmt.Errorf("%d registration request(s), want registration %t", n, c.wantRegisters)
						}
						return nil
					},
				}},
			})
		})
	}
}

func TestApplyArgsDocumentURL(t *testing.T) {
	p := &provider{serverURL: "http://127.0.0.1:1/mcp", redirectURI: redirectURI}
	if got := strings.Join(p.applyArgs(), " "); strings.Contains(got, "client_metadata_document_url") {
		t.Errorf("no document URL configured, yet the apply sets it: %s", got)
	}
	p.documentURL = testDocumentURL
	if got := p.applyArgs(); !slices.Contains(got, "client_metadata_document_url="+testDocumentURL) {
		t.Errorf("document URL not passed to the configuration: %v", got)
	}
}
