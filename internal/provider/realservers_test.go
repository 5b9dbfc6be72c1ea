package provider

// Acceptance tests against real authorization servers and our MCP server,
// started once per `go test` run by TestMain (internal/testenv).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

var skipBelowWriteOnly = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

// ---- discovery ----

func TestAccReal_discoveryThroughMCPServerToKeycloak(t *testing.T) {
	env := requireRealServers(t)
	kc := env.Keycloak
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_oauth_discovery" "test" {
  server_url = %q
}

data "mcp_protected_resource_metadata" "test" {
  server_url = %q
}

data "mcp_authorization_server_metadata" "test" {
  issuer = data.mcp_protected_resource_metadata.test.authorization_servers[0]
}
`, env.MCPServer.URL, env.MCPServer.URL),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mcp_oauth_discovery.test", tfjsonpath.New("authorization_server"), knownvalue.StringExact(kc.Issuer())),
				statecheck.ExpectKnownValue("data.mcp_oauth_discovery.test", tfjsonpath.New("registration_endpoint"), knownvalue.StringExact(kc.RegistrationEndpoint())),
				statecheck.ExpectKnownValue("data.mcp_oauth_discovery.test", tfjsonpath.New("scope"), knownvalue.StringExact("mcp:read mcp:write")),
				statecheck.ExpectKnownValue("data.mcp_protected_resource_metadata.test", tfjsonpath.New("resource"), knownvalue.StringExact(env.MCPServer.URL)),
				statecheck.ExpectKnownValue("data.mcp_protected_resource_metadata.test", tfjsonpath.New("metadata_url"), knownvalue.StringExact(env.MCPServer.MetadataURL)),
				statecheck.ExpectKnownValue("data.mcp_protected_resource_metadata.test", tfjsonpath.New("challenge_scope"), knownvalue.StringExact("mcp:read mcp:write")),
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.test", tfjsonpath.New("metadata_issuer"), knownvalue.StringExact(kc.Issuer())),
				// Keycloak 26.4+ serves the RFC 8414 inserted form, which is tried first.
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.test", tfjsonpath.New("metadata_source"), knownvalue.StringExact("oauth")),
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.test", tfjsonpath.New("pkce_s256_supported"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.test", tfjsonpath.New("registration_endpoint"), knownvalue.StringExact(kc.RegistrationEndpoint())),
			},
		}},
	})
}

func TestAccReal_serverMetadataHydraAndOIDCProvider(t *testing.T) {
	env := requireRealServers(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "mcp_authorization_server_metadata" "hydra" {
  issuer = %q
}

data "mcp_authorization_server_metadata" "node" {
  issuer = %q
}
`, env.Hydra.Issuer(), env.OIDCProvider.Issuer),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.hydra", tfjsonpath.New("metadata_issuer"), knownvalue.StringExact(env.Hydra.Issuer())),
				// Hydra serves only OIDC discovery.
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.hydra", tfjsonpath.New("metadata_source"), knownvalue.StringExact("oidc")),
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.hydra", tfjsonpath.New("registration_endpoint"), knownvalue.StringExact(env.Hydra.RegistrationEndpoint())),
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.node", tfjsonpath.New("metadata_issuer"), knownvalue.StringExact(env.OIDCProvider.Issuer)),
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.node", tfjsonpath.New("registration_endpoint"), knownvalue.StringExact(env.OIDCProvider.RegistrationEndpoint())),
				statecheck.ExpectKnownValue("data.mcp_authorization_server_metadata.node", tfjsonpath.New("pkce_s256_supported"), knownvalue.Bool(true)),
			},
		}},
	})
}

// ---- mcp_dynamic_client lifecycle ----

// realDCServer adapts a running server to the lifecycle steps.
type realDCServer struct {
	registrationEndpoint string
	iat                  func(t *testing.T) string
	deleteClient         func(t *testing.T, c capturedClient)
	// importCannotRecover lists attributes the server's GET does not return,
	// so an import cannot match what creation stored.
	importCannotRecover []string
	t                   *testing.T
}

func (s realDCServer) endpoint() string           { return s.registrationEndpoint }
func (s realDCServer) initialAccessToken() string { return s.iat(s.t) }
func (s realDCServer) deleteOutside(t *testing.T, c capturedClient) {
	t.Helper()
	if c.ClientID == "" {
		t.Fatal("no client captured from state to delete outside Terraform")
	}
	s.deleteClient(t, c)
}

// deleteThroughRFC7592 deletes the client as another RFC 7592 caller would.
func deleteThroughRFC7592(t *testing.T, c capturedClient) {
	t.Helper()
	client, err := oauth.NewClient(oauth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.DeleteClient(context.Background(), c.RegistrationClientURI, c.RegistrationAccessToken); err != nil {
		t.Fatalf("deleting %s outside Terraform: %v", c.ClientID, err)
	}
}

func keycloakDCServer(t *testing.T, kc *testenv.Keycloak) realDCServer {
	return realDCServer{
		t:                    t,
		registrationEndpoint: kc.RegistrationEndpoint(),
		iat: func(t *testing.T) string {
			iat, err := kc.MintInitialAccessToken(context.Background(), time.Hour, 5)
			if err != nil {
				t.Fatalf("minting an Initial Access Token: %v", err)
			}
			return iat
		},
		// Keycloak's GET answers client_id_issued_at as 0.
		importCannotRecover: []string{"client_id_issued_at"},
		// An administrator removes the client in Keycloak's admin API.
		deleteClient: func(t *testing.T, c capturedClient) {
			if err := kc.DeleteClientByClientID(context.Background(), c.ClientID); err != nil {
				t.Fatalf("deleting %s through the admin API: %v", c.ClientID, err)
			}
		},
	}
}

func realBaseConfig(name string) dcConfig {
	return dcConfig{
		ClientName:   name,
		Scope:        "mcp:read mcp:write",
		RedirectURIs: []string{"http://localhost:8888/callback", "http://127.0.0.1:8888/callback"},
		GrantTypes:   []string{"authorization_code", "client_credentials"},
		IATVariable:  true,
	}
}

// checkGoneOnServer passes only when the server says the destroyed client is
// gone: its registration client URI answers 401 (the token died with the
// client, RFC 7592 section 2.1) or 404/410. A client never captured, a
// successful read, another error status or no answer at all fails.
func checkGoneOnServer(client *capturedClient) resource.TestCheckFunc {
	return func(*terraform.State) error { return goneOnServer(context.Background(), client) }
}

func goneOnServer(ctx context.Context, client *capturedClient) error {
	if client.RegistrationClientURI == "" || client.RegistrationAccessToken == "" {
		return fmt.Errorf("no registration client URI and token captured for client %q: cannot check that it is gone", client.ClientID)
	}
	c, err := oauth.NewClient(oauth.Options{})
	if err != nil {
		return err
	}
	_, err = c.ReadClient(ctx, client.RegistrationClientURI, client.RegistrationAccessToken)
	if err == nil {
		return fmt.Errorf("client %s still readable after destroy", client.ClientID)
	}
	var e *oauth.RegistrationError
	if errors.As(err, &e) && (e.Kind() == oauth.KindUnauthorized || e.Kind() == oauth.KindNotFound) {
		return nil
	}
	return fmt.Errorf("cannot tell whether client %s is gone after destroy: %w", client.ClientID, err)
}

func TestGoneOnServer(t *testing.T) {
	t.Parallel()
	status := map[string]int{"/gone-401": 401, "/gone-404": 404, "/gone-410": 410, "/alive": 200, "/broken": 500}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := status[r.URL.Path]
		if code == http.StatusOK {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"client_id":"c1","redirect_uris":["http://127.0.0.1/cb"]}`))
			return
		}
		w.WriteHeader(code)
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	for _, tt := range []struct {
		uri, want string // want "" means gone
	}{
		{srv.URL + "/gone-401", ""},
		{srv.URL + "/gone-404", ""},
		{srv.URL + "/gone-410", ""},
		{srv.URL + "/alive", "still readable"},
		{srv.URL + "/broken", "cannot tell"},
		{closed.URL + "/gone-404", "cannot tell"},
		{"", "no registration client URI"},
	} {
		err := goneOnServer(context.Background(), &capturedClient{ClientID: "c1", RegistrationClientURI: tt.uri, RegistrationAccessToken: "rat"})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v, want gone", tt.uri, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want an error with %q", tt.uri, err, tt.want)
		}
	}
}

func runRealLifecycle(t *testing.T, srv realDCServer, name string) {
	base := realBaseConfig(name)
	// The IAT goes in through an ephemeral variable, as a user would pass it;
	// a server with open registration gets none.
	iat := srv.initialAccessToken()
	base.IATVariable = iat != ""
	steps := dcLifecycleSteps(t, srv, base)
	if iat != "" {
		for i := range steps {
			steps[i].ConfigVariables = iatVariable(iat)
		}
	}
	for i := range steps {
		if steps[i].ImportState {
			steps[i].ImportStateVerifyIgnore = append(steps[i].ImportStateVerifyIgnore, srv.importCannotRecover...)
		}
	}
	// The client destroy removes is the one the last applying step left in
	// state (an import step runs no state checks; it reads the same client).
	var last capturedClient
	final := len(steps) - 1
	for steps[final].ImportState {
		final--
	}
	steps[final].ConfigStateChecks = append(steps[final].ConfigStateChecks, captureClient(dcName, &last))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		PreCheck:                 func() { requireRealServers(t) },
		Steps:                    steps,
		CheckDestroy:             checkGoneOnServer(&last),
	})
}

func TestAccReal_dynamicClientKeycloak(t *testing.T) {
	env := requireRealServers(t)
	runRealLifecycle(t, keycloakDCServer(t, env.Keycloak), "tf-acc keycloak "+randomSuffix())
}

func TestAccReal_dynamicClientHydra(t *testing.T) {
	env := requireRealServers(t)
	srv := realDCServer{
		t:                    t,
		registrationEndpoint: env.Hydra.RegistrationEndpoint(),
		iat:                  func(*testing.T) string { return "" }, // Hydra's registration is open
		deleteClient:         deleteThroughRFC7592,
		// Hydra's GET carries no secret, and answers GET and PUT with
		// differently shaped documents.
		importCannotRecover: []string{"client_secret", "registered_metadata"},
	}
	runRealLifecycle(t, srv, "tf-acc hydra "+randomSuffix())
}

func TestAccReal_dynamicClientOIDCProvider(t *testing.T) {
	env := requireRealServers(t)
	srv := realDCServer{
		t:                    t,
		registrationEndpoint: env.OIDCProvider.RegistrationEndpoint(),
		iat:                  func(*testing.T) string { return env.OIDCProvider.InitialAccessToken },
		deleteClient:         deleteThroughRFC7592,
	}
	runRealLifecycle(t, srv, "tf-acc oidc-provider "+randomSuffix())
}

// ---- Keycloak refusals ----

func TestAccReal_keycloakRefusals(t *testing.T) {
	env := requireRealServers(t)
	kc := env.Keycloak
	ctx := context.Background()

	expired, err := kc.MintInitialAccessToken(ctx, time.Second, 1)
	if err != nil {
		t.Fatal(err)
	}
	usedUp, err := kc.MintInitialAccessToken(ctx, time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // let the short-lived token expire

	base := realBaseConfig("tf-acc refused " + randomSuffix())
	base.Endpoint = kc.RegistrationEndpoint()
	anonymous := base
	anonymous.IATVariable = false // no token: the anonymous policies apply

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		Steps: []resource.TestStep{
			{
				// Trusted Hosts refuses anonymous registrations by default.
				Config:      anonymous.HCL(),
				ExpectError: regexp.MustCompile(`Registration refused by policy "Trusted Hosts"`),
			},
			{
				Config: base.HCL(),
				// Keycloak reports an expired token as "Failed decode token".
				ConfigVariables: iatVariable(expired),
				ExpectError:     regexp.MustCompile(`Initial Access Token (expired|not accepted)`),
			},
			{
				Config:          base.HCL(),
				ConfigVariables: iatVariable("not-a-token"),
				ExpectError:     regexp.MustCompile(`Initial Access Token not accepted`),
			},
			{
				// The one use the token has registers the client...
				Config:          base.HCL(),
				ConfigVariables: iatVariable(usedUp),
			},
		},
	})

	// ...and a second registration with it is refused as used up.
	second := realBaseConfig("tf-acc used up " + randomSuffix())
	second.Endpoint = kc.RegistrationEndpoint()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		Steps: []resource.TestStep{{
			Config:          second.HCL(),
			ConfigVariables: iatVariable(usedUp),
			ExpectError:     regexp.MustCompile(`Initial Access Token used up`),
		}},
	})
}

func iatVariable(token string) config.Variables {
	return config.Variables{"iat": config.StringVariable(token)}
}

// randomSuffix keeps client names unique across runs against one server.
func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TestAccReal_keycloakPublicClient registers a public native client (PKCE, no
// secret), as MCP desktop clients are, and renames it: Keycloak turns a
// public client confidential when an update leaves token_endpoint_auth_method
// out, so this proves every update sends the full metadata.
func TestAccReal_keycloakPublicClient(t *testing.T) {
	env := requireRealServers(t)
	iat, err := env.Keycloak.MintInitialAccessToken(context.Background(), time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	config := func(name string) string {
		return fmt.Sprintf(`
variable "iat" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "mcp_dynamic_client" "test" {
  registration_endpoint      = %q
  initial_access_token_wo    = var.iat
  client_name                = %q
  application_type           = "native"
  redirect_uris              = ["http://127.0.0.1:33418/callback"]
  grant_types                = ["authorization_code"]
  response_types             = ["code"]
  token_endpoint_auth_method = "none"
  scope                      = "mcp:read"
}
`, env.Keycloak.RegistrationEndpoint(), name)
	}
	name := "tf-acc public " + randomSuffix()
	publicInRegisteredMetadata := statecheck.ExpectKnownValue(dcName, tfjsonpath.New("registered_metadata"),
		knownvalue.StringRegexp(regexp.MustCompile(`"token_endpoint_auth_method":"none"`)))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		Steps: []resource.TestStep{
			{
				Config:          config(name),
				ConfigVariables: iatVariable(iat),
				ConfigStateChecks: []statecheck.StateCheck{
					publicInRegisteredMetadata,
					statecheck.ExpectKnownValue(dcName, tfjsonpath.New("token_endpoint_auth_method"), knownvalue.StringExact("none")),
				},
			},
			{
				Config:          config(name + " (renamed)"),
				ConfigVariables: iatVariable(iat),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{publicInRegisteredMetadata},
			},
		},
	})
}
