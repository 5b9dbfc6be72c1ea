package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const asmAddress = "data.mcp_authorization_server_metadata.test"

func TestAccAuthorizationServerMetadataDataSource_appendedOIDC(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_authorization_server_metadata" "test" {
  issuer = %q
}`, f.issuer()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("metadata_issuer"), knownvalue.StringExact(f.issuer())),
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("registration_endpoint"),
					knownvalue.StringExact(f.issuer()+"/clients-registrations/openid-connect")),
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("token_endpoint"),
					knownvalue.StringExact(f.issuer()+"/protocol/openid-connect/token")),
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("userinfo_endpoint"), knownvalue.Null()),
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("code_challenge_methods_supported"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("plain"), knownvalue.StringExact("S256"),
				})),
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("pkce_s256_supported"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("client_id_metadata_document_supported"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("metadata_source"), knownvalue.StringExact("oidc")),
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("metadata_url"),
					knownvalue.StringExact(f.issuer()+"/.well-known/openid-configuration")),
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("metadata_json"), knownvalue.StringRegexp(regexp.MustCompile(`mtls_endpoint_aliases`))),
				statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("attempts"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"outcome": knownvalue.StringExact("not_here"), "status": knownvalue.Int64Exact(404),
						"url": knownvalue.StringExact(f.srv.URL + "/.well-known/oauth-authorization-server/realms/mcp")}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"outcome": knownvalue.StringExact("not_here"),
						"url": knownvalue.StringExact(f.srv.URL + "/.well-known/openid-configuration/realms/mcp")}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"outcome": knownvalue.StringExact("found")}),
				})),
			},
		}},
	})
}

func TestAccAuthorizationServerMetadataDataSource_issuerMatch(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	// An authorization server at the root that publishes a trailing-slash issuer.
	f.route("/.well-known/oauth-authorization-server", fixtureJSON(fixtureServerMetadata(f.srv.URL+"/")))
	config := func(match string) string {
		return fmt.Sprintf(`
data "mcp_authorization_server_metadata" "test" {
  issuer       = %q
  issuer_match = %s
}`, f.srv.URL, match)
	}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("null"),
				ExpectError: regexp.MustCompile(`(?s)names another issuer.*` + regexp.QuoteMeta(f.srv.URL+`/"`) +
					`.*issuer_match = "allow_trailing_slash"`),
			},
			{
				Config: config(`"allow_trailing_slash"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("metadata_issuer"), knownvalue.StringExact(f.srv.URL+"/")),
					statecheck.ExpectKnownValue(asmAddress, tfjsonpath.New("metadata_source"), knownvalue.StringExact("oauth")),
				},
			},
		},
	})
}

func TestAccAuthorizationServerMetadataDataSource_serverError(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	f.route("/.well-known/oauth-authorization-server/realms/mcp", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_authorization_server_metadata" "test" {
  issuer = %q
}`, f.issuer()),
			ExpectError: regexp.MustCompile(`(?s)Discovery of the authorization server metadata failed.*HTTP 500, failed`),
		}},
	})
}

func TestAccAuthorizationServerMetadataDataSource_badInput(t *testing.T) {
	t.Parallel()
	config := func(attrs string) string {
		return fmt.Sprintf("data \"mcp_authorization_server_metadata\" \"test\" {\n%s\n}\n", attrs)
	}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(`issuer = "/realms/mcp"`), ExpectError: regexp.MustCompile(`not an absolute URL`)},
			{Config: config(`issuer = "https://as.example.com/#x"`), ExpectError: regexp.MustCompile(`has a fragment`)},
			{Config: config(`issuer = "http://keycloak:8080/realms/mcp"`), ExpectError: regexp.MustCompile(`(?s)Plain http is not allowed.*allow_insecure_http`)},
			{Config: config(`issuer = "https://as.example.com"
issuer_match = "loose"`), ExpectError: regexp.MustCompile(`(?s)issuer_match.*allow_trailing_slash`)},
		},
	})
}

// RFC 8414 section 2: an issuer has no query. It is refused at plan time,
// on the issuer attribute, before anything is fetched.
func TestAccAuthorizationServerMetadataDataSource_issuerWithQuery(t *testing.T) {
	t.Parallel()
	f := newDiscoveryFixture(t)
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_authorization_server_metadata" "test" {
  issuer = %q
}`, f.issuer()+"?tenant=a"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)in data "mcp_authorization_server_metadata" "test":\s+\d+:\s+issuer\s+=.*has a query component.*RFC 8414`),
		}},
	})
}
