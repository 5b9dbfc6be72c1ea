package provider

// Client ID Metadata Documents against real authorization servers: the
// document rendered by mcp_client_metadata_document is hosted on the test
// environment's HTTPS document host (standing in for a hosting resource:
// no storage provider can be installed here), verified by
// mcp_hosted_client_metadata_document, and then used by a real sign-in
// through the authorization code flow with PKCE, whose token calls the MCP
// server's whoami tool.

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

const cimdRedirectURI = "http://127.0.0.1:8888/callback"

// cimdConfig renders a document for url; with verify, it also checks the
// hosted copy, as a configuration does right after its hosting resource.
func cimdConfig(env *testenv.Env, url, extra string, verify bool) string {
	cfg := fmt.Sprintf(`
provider "mcp" {
  ca_cert_pem = %q
}

data "mcp_client_metadata_document" "test" {
  client_id     = %q
  client_name   = "tf-acc CIMD client"
  redirect_uris = [%q]
  grant_types   = ["authorization_code"]
  scope         = "mcp:read mcp:write"
  %s
}
`, string(env.DocumentHost.CA.CertPEM), url, cimdRedirectURI, extra)
	if verify {
		cfg += `
data "mcp_hosted_client_metadata_document" "test" {
  url           = data.mcp_client_metadata_document.test.client_id
  expected_json = data.mcp_client_metadata_document.test.json
}
`
	}
	return cfg
}

// hostRendered plays the hosting resource: it serves the rendered json from
// state at the document's URL.
func hostRendered(env *testenv.Env, path string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources["data.mcp_client_metadata_document.test"]
		if !ok {
			return fmt.Errorf("the document is not in state")
		}
		env.DocumentHost.Put(path, []byte(rs.Primary.Attributes["json"]))
		return nil
	}
}

// signInAndCallWhoami signs mcpuser in with the document's client_id and
// calls whoami on mcpURL with the token.
func signInAndCallWhoami(req testenv.AuthCodeRequest, mcpURL string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs := s.RootModule().Resources["data.mcp_hosted_client_metadata_document.test"]
		if rs == nil || rs.Primary.Attributes["valid"] != "true" {
			return fmt.Errorf("the hosted document was not verified")
		}
		req.ClientID = rs.Primary.Attributes["url"]
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		res, err := testenv.AuthorizationCodeFlow(ctx, req)
		if err != nil {
			return fmt.Errorf("sign-in with client %s: %w (pages: %v)", req.ClientID, err, pagesOf(res))
		}
		// CIMD clients need the user's consent (Keycloak; node-oidc-provider asks too).
		if strings.Join(res.Pages, ",") != "login,consent" {
			return fmt.Errorf("the flow went through %v, want a login then a consent page", res.Pages)
		}
		body, err := callWhoami(mcpURL, res.AccessToken())
		if err != nil {
			return err
		}
		if !strings.Contains(body, req.ClientID) || !strings.Contains(body, "mcp:read") {
			return fmt.Errorf("whoami did not report client %s with mcp:read: %s", req.ClientID, body)
		}
		return nil
	}
}

func pagesOf(res *testenv.AuthCodeResult) []string {
	if res == nil {
		return nil
	}
	return res.Pages
}

// callWhoami runs initialize, the initialized notification and tools/call
// whoami, and returns the tool's answer.
func callWhoami(mcpURL, token string) (string, error) {
	if token == "" {
		return "", fmt.Errorf("no access token")
	}
	status, header, body, err := mcpPost(mcpURL, token, "",
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"tf-acc","version":"1"}}}`)
	if err := expectStatus("initialize", status, err, body, http.StatusOK); err != nil {
		return "", err
	}
	session := header.Get("Mcp-Session-Id")
	status, _, body, err = mcpPost(mcpURL, token, session, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	if err := expectStatus("initialized notification", status, err, body, http.StatusAccepted); err != nil {
		return "", err
	}
	status, _, body, err = mcpPost(mcpURL, token, session, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`)
	if err := expectStatus("tools/call whoami", status, err, body, http.StatusOK); err != nil {
		return "", err
	}
	return body, nil
}

func keycloakAuthCode(env *testenv.Env) testenv.AuthCodeRequest {
	return testenv.AuthCodeRequest{
		AuthorizationEndpoint: env.Keycloak.AuthorizationEndpoint(),
		TokenEndpoint:         env.Keycloak.TokenEndpoint(),
		RedirectURI:           cimdRedirectURI,
		Scope:                 "openid mcp:read mcp:write",
		Username:              testenv.DemoUser,
		Password:              testenv.DemoPassword,
	}
}

// cimdSteps renders, hosts, verifies, signs in and calls the tool.
func cimdSteps(env *testenv.Env, path, extra string, flow testenv.AuthCodeRequest, mcpURL string) []resource.TestStep {
	url := env.DocumentHost.BaseURL + path
	return []resource.TestStep{
		{
			Config: cimdConfig(env, url, extra, false),
			Check:  hostRendered(env, path),
		},
		{
			Config: cimdConfig(env, url, extra, true),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mcp_hosted_client_metadata_document.test", tfjsonpath.New("valid"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.mcp_hosted_client_metadata_document.test", tfjsonpath.New("matches_expected"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.mcp_hosted_client_metadata_document.test", tfjsonpath.New("served_client_id"), knownvalue.StringExact(url)),
			},
			Check: signInAndCallWhoami(flow, mcpURL),
		},
	}
}

func TestAccReal_cimdPublicClientKeycloak(t *testing.T) {
	env := requireRealServers(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: append([]resource.TestStep{{
			// Keycloak says it supports CIMD, so discovery picks it.
			Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url = %q
}`, env.MCPServer.URL),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mcp_oauth_discovery.test", tfjsonpath.New("registration_paths"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("client_id_metadata_document"), knownvalue.StringExact("dynamic_client_registration"),
				})),
				statecheck.ExpectKnownValue("data.mcp_oauth_discovery.test", tfjsonpath.New("registration_path"), knownvalue.StringExact("client_id_metadata_document")),
			},
		}}, cimdSteps(env, "/cimd/kc-public-"+randomSuffix()+"/client.json", "", keycloakAuthCode(env), env.MCPServer.URL)...),
	})
}

func TestAccReal_cimdPrivateKeyJWTKeycloak(t *testing.T) {
	env := requireRealServers(t)
	key, err := testenv.NewClientKey()
	if err != nil {
		t.Fatal(err)
	}
	flow := keycloakAuthCode(env)
	path := "/cimd/kc-pkjwt-" + randomSuffix() + "/client.json"
	clientID := env.DocumentHost.BaseURL + path
	flow.ClientAssertion = func(audience string) (string, error) { return key.Assertion(clientID, audience) }
	extra := fmt.Sprintf("token_endpoint_auth_method = \"private_key_jwt\"\n  jwks = %q", key.PublicJWKS())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    cimdSteps(env, path, extra, flow, env.MCPServer.URL),
	})
}

func TestAccReal_cimdPublicClientNodeOIDCProvider(t *testing.T) {
	env := requireRealServers(t)
	node := env.OIDCProvider
	// An MCP server that trusts node-oidc-provider's tokens.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	mcp, err := testenv.StartMCPServer(ctx, testenv.MCPServerOptions{
		AuthorizationServers: []string{node.Issuer},
		LogDir:               env.LogDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = mcp.Stop() }()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: append([]resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_authorization_server_metadata" "node" {
  issuer = %q
}`, node.Issuer),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.node", tfjsonpath.New("client_id_metadata_document_supported"), knownvalue.Bool(true)),
			},
		}}, cimdSteps(env, "/cimd/node-"+randomSuffix()+"/client.json", "", testenv.AuthCodeRequest{
			AuthorizationEndpoint: node.AuthorizationEndpoint(),
			TokenEndpoint:         node.TokenEndpoint(),
			RedirectURI:           cimdRedirectURI,
			// The document's scope has no openid; node-oidc-provider accepts a
			// plain OAuth request, and the resource's scopes are the MCP ones.
			Scope:    "mcp:read mcp:write",
			Resource: mcp.URL,
			Username: testenv.DemoUser,
			Password: testenv.DemoPassword,
		}, mcp.URL)...),
	})
}

// Each bad hosting is refused by mcp_hosted_client_metadata_document with a
// clear error, and by Keycloak and node-oidc-provider themselves: the check
// agrees with real servers.
func TestAccReal_cimdRefusedHostingAgreesWithServers(t *testing.T) {
	env := requireRealServers(t)
	host := env.DocumentHost
	good := func(url string) string {
		return fmt.Sprintf(`{"client_id":%q,"client_name":"tf-acc bad","redirect_uris":[%q],"token_endpoint_auth_method":"none"}`, url, cimdRedirectURI)
	}
	for name, tc := range map[string]struct {
		host func(path, url string)
		want string
	}{
		"client_id differs from the URL": {
			host: func(path, url string) { host.Put(path, []byte(good(url+"-other"))) },
			want: `client_id must be identical to the document's URL`,
		},
		"redirect on the document URL": {
			host: func(path, url string) {
				host.Put(path+".real", []byte(good(url)))
				host.Redirect(path, url+".real")
			},
			want: `the document URL must not redirect`,
		},
		"oversized document": {
			host: func(path, url string) {
				host.Put(path, []byte(strings.Replace(good(url), `"tf-acc bad"`, `"`+strings.Repeat("x", 6000)+`"`, 1)))
			},
			want: `the document is too large`,
		},
		"shared-secret auth method": {
			host: func(path, url string) {
				host.Put(path, []byte(strings.Replace(good(url), `"none"`, `"client_secret_basic"`, 1)))
			},
			want: `token_endpoint_auth_method must not use a shared secret`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := "/cimd/bad-" + randomSuffix() + "/client.json"
			url := host.BaseURL + path
			tc.host(path, url)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
provider "mcp" {
  ca_cert_pem = %q
}

data "mcp_hosted_client_metadata_document" "test" {
  url = %q
}`, string(host.CA.CertPEM), url),
					ExpectError: wrappedPattern(`Client ID metadata document would be refused.*` + regexp.QuoteMeta(url) + `.*` + tc.want),
				}},
			})
			for server, flow := range map[string]testenv.AuthCodeRequest{
				"Keycloak": keycloakAuthCode(env),
				"node-oidc-provider": {AuthorizationEndpoint: env.OIDCProvider.AuthorizationEndpoint(), TokenEndpoint: env.OIDCProvider.TokenEndpoint(),
					RedirectURI: cimdRedirectURI, Scope: "openid", Username: testenv.DemoUser, Password: testenv.DemoPassword},
			} {
				flow.ClientID = url
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				res, err := testenv.AuthorizationCodeFlow(ctx, flow)
				cancel()
				if err == nil || res == nil {
					t.Errorf("%s accepted the document the check refuses (%s)", server, name)
					continue
				}
				// Refused for the client: an authorization server answers an
				// unusable client with an error page (400) rather than a
				// redirect (RFC 6749 section 4.1.2.1), before any login page.
				if !strings.Contains(err.Error(), "answered 400") || len(res.Pages) != 0 {
					t.Errorf("%s refused the sign-in, but not for the client (pages %v): %v", server, res.Pages, err)
				}
			}
		})
	}
	// An http client_id is refused at plan time, before anything is fetched.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cimdConfig(env, strings.Replace(host.BaseURL, "https://", "http://", 1)+"/cimd/http/client.json", "", true),
			PlanOnly:    true,
			ExpectError: wrappedPattern(`client_id must use https.*section 3`),
		}},
	})
}
