package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// A server that registers another token_endpoint_auth_method than asked:
// the argument keeps what was asked (no diff), and
// registered_token_endpoint_auth_method tells what the server registered,
// usable elsewhere in the configuration, across updates and refreshes.
func TestAccDynamicClient_registeredAuthMethod(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	fake.registerAuthMethod = "client_secret_basic"
	cfg := dcBaseConfig()
	cfg.Endpoint, cfg.IAT = fake.endpoint(), fakeIAT
	cfg.More = "  token_endpoint_auth_method = \"none\"\n"
	cfg.Prelude = "output \"auth_method\" {\n  value = mcp_dynamic_client.test.registered_token_endpoint_auth_method\n}\n\n"
	renamed := cfg
	renamed.ClientName += " (renamed)"
	empty := []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(dcName, tfjsonpath.New("token_endpoint_auth_method"), knownvalue.StringExact("none")),
		statecheck.ExpectKnownValue(dcName, tfjsonpath.New("registered_token_endpoint_auth_method"), knownvalue.StringExact("client_secret_basic")),
		statecheck.ExpectKnownOutputValue("auth_method", knownvalue.StringExact("client_secret_basic")),
	}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: cfg.HCL(), ConfigStateChecks: checks, ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: empty}},
			{
				Config:            renamed.HCL(),
				ConfigStateChecks: checks,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: empty,
				},
			},
		},
	})
}
