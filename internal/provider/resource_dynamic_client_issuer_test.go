package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Issuer binding (MCP 2026-07-28): recording the issuer costs nothing, a
// changed issuer registers a new client, and the issuer never reaches the
// server.
func TestAccDynamicClient_issuerBinding(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	cfg := dcBaseConfig()
	cfg.Endpoint, cfg.IAT = fake.endpoint(), fakeIAT
	withIssuer := func(issuer string) string {
		c := cfg
		c.More = fmt.Sprintf("  issuer = %q\n", issuer)
		return c.HCL()
	}
	var first, second capturedClient
	registrations := func(want int) func() {
		return func() {
			fake.mu.Lock()
			defer fake.mu.Unlock()
			if fake.registrations != want {
				t.Errorf("%d registrations, want %d", fake.registrations, want)
			}
		}
	}
	empty := []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: cfg.HCL(), ConfigStateChecks: []statecheck.StateCheck{captureClient(dcName, &first)}},
			{
				PreConfig: registrations(1),
				Config:    withIssuer("https://as-a.example.com/realms/mcp"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: empty,
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dcName, tfjsonpath.New("issuer"), knownvalue.StringExact("https://as-a.example.com/realms/mcp")),
					statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_id"), knownvalue.StringFunc(func(v string) error {
						if v != first.ClientID {
							return fmt.Errorf("recording the issuer changed the client: %s -> %s", first.ClientID, v)
						}
						return nil
					})),
				},
			},
			{
				PreConfig: registrations(1),
				Config:    withIssuer("https://as-b.example.com"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: empty,
				},
				ConfigStateChecks: []statecheck.StateCheck{captureClient(dcName, &second)},
			},
			{
				PreConfig: func() {
					registrations(2)()
					if second.ClientID == first.ClientID || fake.count() != 1 {
						t.Errorf("a changed issuer must register a new client and delete the old: %s -> %s, %d left", first.ClientID, second.ClientID, fake.count())
					}
					for _, b := range fake.putBodies {
						if _, ok := b["issuer"]; ok {
							t.Errorf("the issuer was sent to the server: %v", b)
						}
					}
				},
				Config:           cfg.HCL(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionUpdate)}},
			},
		},
	})
}
