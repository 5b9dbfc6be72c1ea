package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/keycloak/kcfake"
)

// echoFactories adds the testing framework's echo provider, which copies an
// ephemeral value into state so a test can look at what was opened.
var echoFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"mcp":  providerserver.NewProtocol6WithError(New("test")()),
	"echo": echoprovider.NewProviderServer(),
}

// skipBelowEphemeral: ephemeral resources need Terraform 1.10 / OpenTofu 1.11.
var skipBelowEphemeral = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}

func newKeycloakFake(t *testing.T) *kcfake.Server {
	t.Helper()
	s := kcfake.New([]string{"master", "mcp-oauth", "other"},
		kcfake.Account{Realm: "master", Username: "admin", Password: "admin123", ManagedRealms: []string{"master", "mcp-oauth"}},
		kcfake.Account{Realm: "master", ClientID: "automation", Secret: "automation-secret", ManagedRealms: []string{"mcp-oauth"}},
	)
	t.Cleanup(s.Close)
	return s
}

func keycloakProvider(url, realm, creds string) string {
	return fmt.Sprintf(`
provider "mcp" {
  keycloak {
    url   = %q
    realm = %q
    %s
  }
}
`, url, realm, creds)
}

const iatEcho = `
provider "echo" {
  data = ephemeral.mcp_keycloak_initial_access_token.test
}
resource "echo" "test" {}
`

func TestUnitKeycloakIAT_mintsAndDeletes(t *testing.T) {
	kc := newKeycloakFake(t)
	for _, creds := range []string{
		`username = "admin"
    password = "admin123"`,
		`client_id     = "automation"
    client_secret = "automation-secret"`,
	} {
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: echoFactories,
			TerraformVersionChecks:   skipBelowEphemeral,
			Steps: []resource.TestStep{{
				Config: keycloakProvider(kc.URL, "mcp-oauth", creds) + `
ephemeral "mcp_keycloak_initial_access_token" "test" {
  expiration = 120
  registration_count = 2
}
` + iatEcho,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("token"), knownvalue.StringRegexp(regexp.MustCompile(`^iat-`))),
					statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("expires_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
					statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("registration_count"), knownvalue.Int64Exact(2)),
				},
				Check: func(s *terraform.State) error {
					got := s.RootModule().Resources["echo.test"].Primary.Attributes
					minted, deleted := kc.Snapshot()
					var found *kcfake.IAT
					for i := range minted {
						if minted[i].Token == got["data.token"] {
							found = &minted[i]
						}
					}
					if found == nil || found.ID != got["data.id"] || found.Realm != "mcp-oauth" || found.Expiration != 120 || found.Count != 2 {
						return fmt.Errorf("echoed %v; Keycloak minted %+v", got, minted)
					}
					for _, id := range deleted {
						if id == found.ID {
							return nil
						}
					}
					return fmt.Errorf("the token %s was not deleted on close (deleted: %v)", found.ID, deleted)
				},
			}},
		})
	}
}

func TestUnitKeycloakIAT_realmOverrideAndDefaults(t *testing.T) {
	kc := newKeycloakFake(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: echoFactories,
		TerraformVersionChecks:   skipBelowEphemeral,
		Steps: []resource.TestStep{{
			Config: keycloakProvider(kc.URL, "other", `username = "admin"
    password = "admin123"`) + `
ephemeral "mcp_keycloak_initial_access_token" "test" {
  realm           = "mcp-oauth"
  delete_on_close = false
}
` + iatEcho,
			Check: func(s *terraform.State) error {
				got := s.RootModule().Resources["echo.test"].Primary.Attributes
				minted, deleted := kc.Snapshot()
				for _, m := range minted {
					if m.ID == got["data.id"] && (m.Realm != "mcp-oauth" || m.Expiration != defaultIATExpiration || m.Count != defaultIATCount) {
						return fmt.Errorf("minted %+v", m)
					}
				}
				for _, id := range deleted {
					if id == got["data.id"] {
						return fmt.Errorf("deleted although delete_on_close = false")
					}
				}
				return nil
			},
		}},
	})
}

func TestUnitKeycloakIAT_errors(t *testing.T) {
	kc := newKeycloakFake(t)
	cases := []struct {
		name, provider string
		want           *regexp.Regexp
	}{
		{"wrong password", keycloakProvider(kc.URL, "mcp-oauth", `username = "admin"
    password = "wrong"`), regexp.MustCompile(`Keycloak refused the admin credentials`)},
		{"wrong client secret", keycloakProvider(kc.URL, "mcp-oauth", `client_id     = "automation"
    client_secret = "wrong"`), regexp.MustCompile(`Keycloak refused the admin credentials`)},
		{"realm without rights", keycloakProvider(kc.URL, "other", `client_id     = "automation"
    client_secret = "automation-secret"`), regexp.MustCompile(`(?s)lacks rights in realm other.*manage-clients`)},
		{"missing realm", keycloakProvider(kc.URL, "nowhere", `username = "admin"
    password = "admin123"`), regexp.MustCompile(`Keycloak realm or object not found`)},
		{"no keycloak block", `provider "mcp" {}`, regexp.MustCompile(`Keycloak admin access not configured`)},
		{"half credentials", keycloakProvider(kc.URL, "mcp-oauth", `username = "admin"`), regexp.MustCompile(`Incomplete Keycloak admin credentials`)},
		{"no url", `
provider "mcp" {
  keycloak {
    username = "admin"
    password = "admin123"
  }
}`, regexp.MustCompile(`Keycloak URL missing`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvKeycloakURL, "")
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: echoFactories,
				TerraformVersionChecks:   skipBelowEphemeral,
				Steps: []resource.TestStep{{
					Config:      tc.provider + "\nephemeral \"mcp_keycloak_initial_access_token\" \"test\" {}\n" + iatEcho,
					ExpectError: tc.want,
				}},
			})
		})
	}
}

func TestUnitKeycloakIAT_environment(t *testing.T) {
	kc := newKeycloakFake(t)
	t.Setenv(EnvKeycloakURL, kc.URL)
	t.Setenv(EnvKeycloakRealm, "mcp-oauth")
	t.Setenv(EnvKeycloakUsername, "admin")
	t.Setenv(EnvKeycloakPassword, "admin123")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: echoFactories,
		TerraformVersionChecks:   skipBelowEphemeral,
		Steps: []resource.TestStep{{
			Config: `
provider "mcp" {}
ephemeral "mcp_keycloak_initial_access_token" "test" {}
` + iatEcho,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("token"), knownvalue.StringRegexp(regexp.MustCompile(`^iat-`))),
			},
		}},
	})
}
