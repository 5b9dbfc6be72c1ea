package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// skipBelowIdentity: resource identity needs Terraform 1.12 / OpenTofu 1.12.
// tools/test.sh lists the tests that use it (VERSION_GATED_TESTS): they must
// run with OpenTofu 1.12 and may skip only with an older Terraform.
var skipBelowIdentity = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

func identityClientConfig(endpoint, iat string) string {
	return fmt.Sprintf(`
resource "mcp_dynamic_client" "test" {
  registration_endpoint   = %q
  initial_access_token_wo = %q
  client_name             = "identity test"
  redirect_uris           = ["http://127.0.0.1:8765/callback"]
  grant_types             = ["authorization_code"]
}
`, endpoint, iat)
}

// TestUnitDynamicClientIdentity_importByIdentity: the identity names the
// client (registration client URI and client id, never a token), and an
// import block with that identity plus the provider's registration access
// token brings the client back under management.
func TestUnitDynamicClientIdentity_importByIdentity(t *testing.T) {
	fake := newFakeAS(t)
	cfg := identityClientConfig(fake.endpoint(), fakeIAT)
	var uri, clientID string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowIdentity,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(dcName, map[string]knownvalue.Check{
						"registration_client_uri": knownvalue.StringRegexp(regexp.MustCompile(`^` + regexp.QuoteMeta(fake.endpoint()) + `/.+`)),
						"client_id":               knownvalue.NotNull(),
					}),
				},
				Check: func(s *terraform.State) error {
					a := s.RootModule().Resources[dcName].Primary.Attributes
					uri, clientID = a["registration_client_uri"], a["client_id"]
					if !strings.HasSuffix(uri, "/"+clientID) {
						return fmt.Errorf("registration_client_uri %q does not end in client_id %q", uri, clientID)
					}
					// The registration access token for the import comes from the environment.
					t.Setenv(EnvRegistrationAccessToken, a["registration_access_token"])
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
