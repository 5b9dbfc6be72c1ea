package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

const prmAddress = "data.mcp_protected_resource_metadata.test"

func TestAccProtectedResourceMetadataDataSource_fromServerURL(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_protected_resource_metadata" "test" {
  server_url = %q
}`, f.resourceURL()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("resource"), knownvalue.StringExact(f.resourceURL())),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("metadata_url"), knownvalue.StringExact(f.prmURL())),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("authorization_servers"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact(f.issuer()), knownvalue.StringExact("https://other-as.example.com"),
				})),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("scopes_supported"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("mcp:tools"), knownvalue.StringExact("mcp:prompts"),
				})),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("resource_name"), knownvalue.StringExact("Fixture MCP")),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("jwks_uri"), knownvalue.Null()),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("dpop_bound_access_tokens_required"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("challenge_scope"), knownvalue.StringExact("mcp:tools mcp:prompts")),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("challenge_error"), knownvalue.Null()),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("metadata_json"), knownvalue.StringRegexp(regexp.MustCompile(`"x_vendor"`))),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("attempts"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"url": knownvalue.StringExact(f.resourceURL()), "status": knownvalue.Int64Exact(401), "outcome": knownvalue.StringExact("found"),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"url": knownvalue.StringExact(f.prmURL()), "status": knownvalue.Int64Exact(200), "outcome": knownvalue.StringExact("found"),
					}),
				})),
			},
		}},
	})
}

func TestAccProtectedResourceMetadataDataSource_fromMetadataURL(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_protected_resource_metadata" "test" {
  metadata_url = %q
}`, f.prmURL()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("resource"), knownvalue.StringExact(f.resourceURL())),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("challenge_scope"), knownvalue.Null()),
				statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("attempts"), knownvalue.ListSizeExact(1)),
			},
		}},
	})
}

func TestAccProtectedResourceMetadataDataSource_resourceMatch(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	// A server that publishes its root as the resource.
	f.route("/.well-known/oauth-protected-resource/mcp", fixtureJSON(fmt.Sprintf(`{"resource":%q,"authorization_servers":[%q]}`, f.srv.URL+"/", f.issuer())))
	config := func(match string) string {
		return fmt.Sprintf(`
data "mcp_protected_resource_metadata" "test" {
  server_url     = %q
  resource_match = %s
}`, f.resourceURL(), match)
	}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config("null"),
				ExpectError: regexp.MustCompile(`(?s)names another resource.*resource_match = "same_origin_prefix".*URLs tried`),
			},
			{
				Config: config(`"same_origin_prefix"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("resource"), knownvalue.StringExact(f.srv.URL+"/")),
				},
			},
		},
	})
}

func TestAccProtectedResourceMetadataDataSource_nothingFound(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	f.route("POST /mcp", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	f.route("/.well-known/oauth-protected-resource/mcp", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<!doctype html><html><body>single-page app</body></html>"))
	})
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_protected_resource_metadata" "test" {
  server_url = %q
}`, f.resourceURL()),
			ExpectError: regexp.MustCompile(`(?s)No protected resource metadata found.*1\. .*/mcp -> HTTP 401.*2\. .*oauth-protected-resource/mcp -> HTTP 200, not_here: an HTML page.*3\. .*oauth-protected-resource -> HTTP 404`),
		}},
	})
}

func TestAccProtectedResourceMetadataDataSource_badInput(t *testing.T) {
	t.Parallel()
	config := func(attrs string) string {
		return fmt.Sprintf("data \"mcp_protected_resource_metadata\" \"test\" {\n%s\n}\n", attrs)
	}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(`server_url = "mcp.example.com/mcp"`), ExpectError: regexp.MustCompile(`not an absolute URL`)},
			{Config: config(`server_url = "ftp://mcp.example.com/mcp"`), ExpectError: regexp.MustCompile(`only http and https`)},
			{Config: config(`server_url = "https://mcp.example.com/mcp#x"`), ExpectError: regexp.MustCompile(`has a fragment`)},
			{Config: config(`metadata_url = "https://mcp.example.com/m#x"`), ExpectError: regexp.MustCompile(`has a fragment`)},
			{Config: config(`server_url = "http://mcp.example.com/mcp"`), ExpectError: regexp.MustCompile(`(?s)Plain http is not allowed.*allow_insecure_http`)},
			{Config: config(`server_url = "https://mcp.example.com/mcp"
resource_match = "fuzzy"`), ExpectError: regexp.MustCompile(`(?s)resource_match.*exact.*same_origin_prefix`)},
			{Config: config(``), ExpectError: regexp.MustCompile(`(?s)server_url.*metadata_url`)},
		},
	})
}

// A server can put bytes that are not UTF-8 in its challenge; they reach
// attempts and diagnostics, which the plugin protocol cannot carry unless
// they are made valid.
func TestAccProtectedResourceMetadataDataSource_invalidUTF8FromServer(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	f.route("POST /mcp", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+f.srv.URL+"/\xff\", scope=\"a\xfeb\"")
		w.WriteHeader(http.StatusUnauthorized)
	})
	config := fmt.Sprintf(`
data "mcp_protected_resource_metadata" "test" {
  server_url = %q
}`, f.resourceURL())
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Found at the well-known URL after the challenge's URL answered 404.
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("challenge_scope"), knownvalue.StringExact("a\uFFFDb")),
					statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("attempts").AtSliceIndex(1).AtMapKey("url"),
						knownvalue.StringExact(f.srv.URL+"/\uFFFD")),
					statecheck.ExpectKnownValue(prmAddress, tfjsonpath.New("attempts").AtSliceIndex(0).AtMapKey("detail"),
						knownvalue.StringRegexp(regexp.MustCompile("resource_metadata .*/\uFFFD"))),
				},
			},
			{
				// Nothing found: the diagnostic lists the same URLs.
				PreConfig:   func() { f.route("/.well-known/oauth-protected-resource/mcp", http.NotFound) },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)No protected resource metadata found.*resource_metadata .*/` + "\uFFFD"),
			},
		},
	})
}

// With metadata_url set, a failure to fetch it belongs to metadata_url.
func TestAccProtectedResourceMetadataDataSource_metadataURLErrorAttribute(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_protected_resource_metadata" "test" {
  server_url   = %q
  metadata_url = %q
}`, f.resourceURL(), f.srv.URL+"/missing"),
			ExpectError: regexp.MustCompile(`(?s)No protected resource metadata found.*in data "mcp_protected_resource_metadata" "test":\s+\d+:\s+metadata_url\s+=`),
		}},
	})
}

// The diagnostic builders make server bytes valid UTF-8 themselves, whatever
// the protocol layer does.
func TestDiscoveryDiagnosticsAreValidUTF8(t *testing.T) {
	attempts := []oauth.Attempt{{URL: "http://localhost:1/\xff", Outcome: oauth.OutcomeNotHere, Detail: "names \xfe"}}
	var diags diag.Diagnostics
	addDiscoveryError(&diags, &oauth.DiscoveryError{Sought: "x", Attempts: attempts}, "protected resource", path.Root("server_url"), path.Root("resource_match"))
	addDiscoveryError(&diags, &oauth.MismatchError{Field: "resource", Got: "\xff", MetadataURL: "http://h/\xff", Attempts: attempts}, "protected resource", path.Root("server_url"), path.Root("resource_match"))
	if len(diags) != 2 || diags.ErrorsCount() != 2 {
		t.Fatalf("want one error per call, got %d diagnostics: %v", len(diags), diags)
	}
	for _, d := range diags {
		if !utf8.ValidString(d.Summary()) || !utf8.ValidString(d.Detail()) {
			t.Errorf("invalid UTF-8 in %q", d.Detail())
		}
	}
	var vdiags diag.Diagnostics
	list := attemptsValue(context.Background(), attempts, &vdiags)
	var models []attemptModel
	vdiags.Append(list.ElementsAs(context.Background(), &models, false)...)
	if vdiags.HasError() || len(models) != 1 || !utf8.ValidString(models[0].URL.ValueString()) || !utf8.ValidString(models[0].Detail.ValueString()) {
		t.Fatalf("attempts %+v, %v", models, vdiags)
	}
}
