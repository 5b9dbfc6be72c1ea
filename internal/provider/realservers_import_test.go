package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

// keycloakImportConfig is the configuration a user would write for a
// client on Keycloak: confidential (client_secret_post) or public (none).
func keycloakImportConfig(kc *testenv.Keycloak, name, method string) string {
	return fmt.Sprintf(`
provider "mcp" {}

variable "iat" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "mcp_dynamic_client" "test" {
  registration_endpoint      = %q
  initial_access_token_wo    = var.iat
  client_name                = %q
  redirect_uris              = ["http://127.0.0.1:33418/callback"]
  grant_types                = ["authorization_code"]
  response_types             = ["code"]
  token_endpoint_auth_method = %q
  scope                      = "mcp:write mcp:read"
}
`, kc.RegistrationEndpoint(), name, method)
}

// TestAccReal_keycloakImportConverges: create a client through one
// configuration, forget it, import it by its registration client URI with
// the token from MCP_REGISTRATION_ACCESS_TOKEN, and expect the first plan to
// be empty, for a confidential and a public client on Keycloak. Not
// parallel: the token goes through the environment.
func TestAccReal_keycloakImportConverges(t *testing.T) {
	env := requireRealServers(t)
	kc := env.Keycloak
	for _, tt := range []struct {
		name, method string
		adminToken   bool // import with a token the admin API issued
	}{
		{"confidential", "client_secret_post", false},
		{"public", "none", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			iat, err := kc.MintInitialAccessToken(context.Background(), time.Hour, 1)
			if err != nil {
				t.Fatal(err)
			}
			name := "tf-acc import " + tt.name + " " + randomSuffix()
			create := keycloakImportConfig(kc, name, tt.method)
			changed := keycloakImportConfig(kc, name+" (renamed)", tt.method)
			ic := importConvergence{
				create:    create,
				variables: iatVariable(iat),
				iatVar:    true,
				endpoint:  kc.RegistrationEndpoint(),
				changed:   changed,
			}
			if tt.adminToken {
				ic.token = func(t *testing.T, c capturedClient) string {
					tok, err := kc.IssueRegistrationAccessToken(context.Background(), c.ClientID)
					if err != nil {
						t.Fatal(err)
					}
					return tok
				}
			}
			var last capturedClient
			steps := importConvergenceSteps(t, ic)
			steps[len(steps)-1].ConfigStateChecks = append(steps[len(steps)-1].ConfigStateChecks, captureClient(dcName, &last))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   skipBelowWriteOnly,
				PreCheck:                 func() { requireRealServers(t) },
				Steps:                    steps,
				CheckDestroy: func(*terraform.State) error {
					c, err := kc.GetClientByClientID(context.Background(), last.ClientID)
					if err != nil {
						return err
					}
					if c != nil || last.ClientID == "" {
						return fmt.Errorf("client %q still on Keycloak after destroy", last.ClientID)
					}
					return nil
				},
			})
		})
	}
}
