package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
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

	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

// oneApplyConfig is the whole chain against the real servers: an Initial
// Access Token minted through Keycloak's admin API, a client registered with
// it at the endpoint discovery found, a client credentials token for the MCP
// server, the MCP probe (ephemeral, failing the run when something is wrong)
// and its data source twin behind a provider alias fed by the token.
func oneApplyConfig(env *testenv.Env, name string) string {
	kc := env.Keycloak
	return fmt.Sprintf(`
variable "admin_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "mcp" {
  keycloak {
    url      = %[1]q
    realm    = %[2]q
    username = %[3]q
    password = var.admin_password
  }
}

data "mcp_oauth_discovery" "server" {
  server_url = %[4]q
}

ephemeral "mcp_keycloak_initial_access_token" "iat" {
  expiration         = 300
  registration_count = 1
}

resource "mcp_dynamic_client" "test" {
  registration_endpoint      = data.mcp_oauth_discovery.server.registration_endpoint
  initial_access_token_wo    = ephemeral.mcp_keycloak_initial_access_token.iat.token
  client_name                = %[5]q
  redirect_uris              = ["http://127.0.0.1:8888/callback"]
  grant_types                = ["client_credentials"]
  scope                      = data.mcp_oauth_discovery.server.scope
  token_endpoint_auth_method = "client_secret_post"
}

ephemeral "mcp_access_token" "test" {
  issuer                     = data.mcp_oauth_discovery.server.authorization_server
  client_id                  = mcp_dynamic_client.test.client_id
  client_secret              = mcp_dynamic_client.test.client_secret
  token_endpoint_auth_method = "client_secret_post"
  scope                      = data.mcp_oauth_discovery.server.scope
  resource                   = %[4]q
}

ephemeral "mcp_server_probe" "test" {
  server_url     = %[4]q
  access_token   = ephemeral.mcp_access_token.test.access_token
  required_tools = ["whoami", "echo"]
  call_tool      = "whoami"
}

provider "mcp" {
  alias        = "as_client"
  access_token = ephemeral.mcp_access_token.test.access_token
}

data "mcp_server_probe" "test" {
  provider   = mcp.as_client
  server_url = %[4]q
  call_tool  = "whoami"
  depends_on = [mcp_dynamic_client.test]
}

output "whoami_client" {
  value = jsondecode(data.mcp_server_probe.test.tool_output).client_id
}
output "registered_client" {
  value = mcp_dynamic_client.test.client_id
}
`, kc.BaseURL, kc.Realm, kc.AdminUser, env.MCPServer.URL, name)
}

// forbiddenJWTs finds JWTs in text whose typ is an access token ("Bearer")
// or a Keycloak Initial Access Token: those must never be written down.
// (Registration access tokens, typ "RegistrationAccessToken", belong in state.)
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

func forbiddenJWTs(text string) []string {
	var found []string
	for _, tok := range jwtPattern.FindAllString(text, -1) {
		raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		if err != nil {
			continue
		}
		var claims struct {
			Typ string `json:"typ"`
		}
		_ = json.Unmarshal(raw, &claims)
		if claims.Typ == "Bearer" || claims.Typ == "InitialAccessToken" {
			found = append(found, claims.Typ+" token "+tok[:20]+"...")
		}
	}
	return found
}

// noSecretsInPlan and noSecretsInState search the plan and state JSON
// (what `show -json` prints) for access tokens, IATs and the admin password.
type noSecretsInPlan struct{ password string }

func (c noSecretsInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, _ := json.Marshal(req.Plan)
	if f := forbiddenJWTs(string(raw)); len(f) > 0 {
		resp.Error = fmt.Errorf("the plan holds %v", f)
	} else if strings.Contains(string(raw), c.password) {
		resp.Error = fmt.Errorf("the plan holds the Keycloak admin password")
	}
}

type noSecretsInState struct{ password string }

func (c noSecretsInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, _ := json.Marshal(req.State)
	if f := forbiddenJWTs(string(raw)); len(f) > 0 {
		resp.Error = fmt.Errorf("the state holds %v", f)
	} else if strings.Contains(string(raw), c.password) {
		resp.Error = fmt.Errorf("the state holds the Keycloak admin password")
	}
}

// TestAccReal_oneApplyFromNothingToToolCall: one apply mints the IAT,
// registers, gets a token and calls whoami, which reports the registered
// client. Plan, state and the TF_LOG=trace log hold no access token, no IAT
// and no admin password; a second plan is empty.
func TestAccReal_oneApplyFromNothingToToolCall(t *testing.T) {
	env := requireRealServers(t)
	logPath := t.TempDir() + "/tf.log"
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)
	password := env.Keycloak.AdminPassword
	var clientID string
	name := "tf-acc one apply " + randomSuffix()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		Steps: []resource.TestStep{
			{
				Config:          oneApplyConfig(env, name),
				ConfigVariables: config.Variables{"admin_password": config.StringVariable(password)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{noSecretsInPlan{password}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					noSecretsInState{password},
					statecheck.ExpectKnownValue("data.mcp_server_probe.test", tfjsonpath.New("server_name"), knownvalue.StringExact("terraform-provider-mcp-testenv")),
					statecheck.ExpectKnownValue("data.mcp_server_probe.test", tfjsonpath.New("protocol_version"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("data.mcp_server_probe.test", tfjsonpath.New("tool_names"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("echo"), knownvalue.StringExact("whoami")})),
				},
				Check: func(s *terraform.State) error {
					clientID = s.RootModule().Resources[dcName].Primary.Attributes["client_id"]
					who := s.RootModule().Outputs["whoami_client"]
					if clientID == "" || who == nil || who.Value != clientID {
						return fmt.Errorf("whoami reported %v, the registered client is %q", who, clientID)
					}
					return nil
				},
			},
			{
				// Every ephemeral resource is opened again and the probe read at
				// plan time; the plan is empty.
				Config:          oneApplyConfig(env, name),
				ConfigVariables: config.Variables{"admin_password": config.StringVariable(password)},
				PlanOnly:        true,
			},
		},
	})
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the log: %v", err)
	}
	log := string(raw)
	for _, want := range []string{"HTTP exchange", "/clients-initial-access", "/protocol/openid-connect/token", env.MCPServer.URL} {
		if !strings.Contains(log, want) {
			t.Errorf("the trace log lacks %q: it does not cover the whole chain", want)
		}
	}
	if f := forbiddenJWTs(log); len(f) > 0 {
		t.Errorf("the trace log holds %v", f)
	}
	if strings.Contains(log, password) {
		t.Error("the trace log holds the Keycloak admin password")
	}
}

func keycloakBlock(kc *testenv.Keycloak, realm, adminRealm, user, password string) string {
	return fmt.Sprintf(`
provider "mcp" {
  keycloak {
    url         = %q
    realm       = %q
    admin_realm = %q
    username    = %q
    password    = %q
  }
}
`, kc.BaseURL, realm, adminRealm, user, password)
}

// TestAccReal_keycloakAdminErrors: wrong admin credentials, and an account
// that authenticates but has no rights in the realm, each a clear error.
func TestAccReal_keycloakAdminErrors(t *testing.T) {
	env := requireRealServers(t)
	kc := env.Keycloak
	iat := "\nephemeral \"mcp_keycloak_initial_access_token\" \"test\" {}\n" + iatEcho
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: echoFactories,
		TerraformVersionChecks:   skipBelowEphemeral,
		Steps: []resource.TestStep{
			{
				Config:      keycloakBlock(kc, kc.Realm, "master", kc.AdminUser, "not-the-password") + iat,
				ExpectError: regexp.MustCompile(`(?s)Keycloak refused the admin credentials.*Invalid user credentials`),
			},
			{
				// The realm's test user logs in to its own realm but holds no
				// realm-management role there.
				Config:      keycloakBlock(kc, kc.Realm, kc.Realm, testenv.DemoUser, testenv.DemoPassword) + iat,
				ExpectError: regexp.MustCompile(`(?s)lacks rights in realm mcp-oauth.*manage-clients`),
			},
			{
				Config:      keycloakBlock(kc, "no-such-realm", "master", kc.AdminUser, kc.AdminPassword) + iat,
				ExpectError: regexp.MustCompile(`Keycloak realm or object not found`),
			},
		},
	})
}

// TestAccReal_accessTokenAndProbeErrors: a token endpoint of another issuer,
// a server that refuses the token, and a missing required tool.
func TestAccReal_accessTokenAndProbeErrors(t *testing.T) {
	env := requireRealServers(t)
	kc := env.Keycloak
	iat, err := kc.MintInitialAccessToken(context.Background(), time.Hour, 5)
	if err != nil {
		t.Fatal(err)
	}
	client := fmt.Sprintf(`
resource "mcp_dynamic_client" "test" {
  registration_endpoint      = %q
  initial_access_token_wo    = %q
  client_name                = "tf-acc errors %s"
  redirect_uris              = ["http://127.0.0.1:8888/callback"]
  grant_types                = ["client_credentials"]
  scope                      = "mcp:read mcp:write"
  token_endpoint_auth_method = "client_secret_basic"
}
`, kc.RegistrationEndpoint(), iat, randomSuffix())
	token := func(extra string) string {
		return fmt.Sprintf(`
ephemeral "mcp_access_token" "test" {
  issuer        = %q
  client_id     = mcp_dynamic_client.test.client_id
  client_secret = mcp_dynamic_client.test.client_secret
  %s
}
`, kc.Issuer(), extra)
	}
	probe := func(extra string) string {
		return fmt.Sprintf(`
ephemeral "mcp_server_probe" "test" {
  server_url   = %q
  access_token = ephemeral.mcp_access_token.test.access_token
  %s
}
`, env.MCPServer.URL, extra)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: echoFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		Steps: []resource.TestStep{
			{Config: client},
			{
				Config:      client + token(`token_endpoint = "`+env.Hydra.PublicURL+`/oauth2/token"`) + tokenEcho,
				ExpectError: regexp.MustCompile(`Token endpoint of another issuer`),
			},
			{
				// Without the mcp:* scopes (optional for the client) Keycloak puts
				// no MCP audience in the token, and the MCP server refuses it.
				Config:      client + token("") + probe("") + probeEcho,
				ExpectError: regexp.MustCompile(`The MCP server refused the`),
			},
			{
				// The MCP server wants both mcp:read and mcp:write: 403 insufficient_scope.
				Config: client + token(`scope = "mcp:read"
  resource = "`+env.MCPServer.URL+`"`) + probe("") + probeEcho,
				ExpectError: regexp.MustCompile(`(?s)The MCP server refused the request.*insufficient_scope`),
			},
			{
				Config: client + token(`scope = "mcp:read mcp:write"
  resource = "`+env.MCPServer.URL+`"`) + probe(`required_tools = ["whoami", "deploy_everything"]`) + probeEcho,
				ExpectError: regexp.MustCompile(`(?s)Required MCP tool missing.*deploy_everything`),
			},
			{
				Config: client + token(`scope = "mcp:read mcp:write"
  resource = "`+env.MCPServer.URL+`"`) + probe(`call_tool = "whoami"`) + probeEcho,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("tool_output"), knownvalue.StringRegexp(regexp.MustCompile(`mcp:read`))),
				},
			},
		},
	})
}

// TestAccReal_dynamicClientIdentity imports a Keycloak client by identity
// (OpenTofu / Terraform 1.12; listed in tools/test.sh VERSION_GATED_TESTS).
func TestAccReal_dynamicClientIdentity(t *testing.T) {
	env := requireRealServers(t)
	iat, err := env.Keycloak.MintInitialAccessToken(context.Background(), time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := identityClientConfig(env.Keycloak.RegistrationEndpoint(), iat)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowIdentity,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(dcName, map[string]knownvalue.Check{
						"registration_client_uri": knownvalue.StringRegexp(regexp.MustCompile(`^` + regexp.QuoteMeta(env.Keycloak.RegistrationEndpoint()) + `/.+`)),
						"client_id":               knownvalue.NotNull(),
					}),
				},
				Check: func(s *terraform.State) error {
					t.Setenv(EnvRegistrationAccessToken, s.RootModule().Resources[dcName].Primary.Attributes["registration_access_token"])
					return nil
				},
			},
			{
				Config:          cfg,
				ResourceName:    dcName,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				// The registration endpoint is derived from the identity's client
				// URI (endpoint + "/" + client_id), so the import converges: no
				// change is planned.
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionNoop)},
				},
			},
		},
	})
}
