package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

func dcTestCase(t *testing.T, steps ...resource.TestStep) resource.TestCase {
	t.Helper()
	return resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps:                    steps,
	}
}

func fakeConfig(f *fakeAS) dcConfig {
	cfg := dcBaseConfig()
	cfg.Endpoint, cfg.IAT = f.endpoint(), fakeIAT
	return cfg
}

func (f *fakeAS) registered() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.registrations
}

func (f *fakeAS) lastPut(t *testing.T) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.putBodies) == 0 {
		t.Fatal("no PUT was sent")
	}
	return f.putBodies[len(f.putBodies)-1]
}

// Without RFC 7592, a value only known at apply (here from terraform_data)
// must be planned as a replacement: an update planned now would become a
// replacement at apply, an inconsistent final plan.
func TestAccDynamicClient_unknownValueWithoutManagementReplaces(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	fake.noManagement = true
	cfg := fakeConfig(fake)
	cfg.ClientNameExpr = "terraform_data.name.output"
	first, second := cfg, cfg
	first.Prelude = "resource \"terraform_data\" \"name\" {\n  input = \"first\"\n}\n\n"
	second.Prelude = "resource \"terraform_data\" \"name\" {\n  input = \"second\"\n}\n\n"
	resource.UnitTest(t, dcTestCase(t,
		resource.TestStep{
			Config: first.HCL(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_name"), knownvalue.StringExact("first")),
			},
		},
		resource.TestStep{
			Config: second.HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionReplace)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_name"), knownvalue.StringExact("second")),
			},
			Check: func(*terraform.State) error {
				if n := fake.registered(); n != 2 {
					return fmt.Errorf("want 2 registrations, got %d", n)
				}
				return nil
			},
		},
	))
}

// A PUT the server applies (rotating the token) whose answer is lost must not
// orphan the client: no removal on the next refresh, no second registration,
// and a warning that says what happened.
func TestAccDynamicClient_lostUpdateAnswerKeepsClient(t *testing.T) {
	fake := newFakeAS(t)
	logPath := t.TempDir() + "/tf.log"
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)
	cfg := fakeConfig(fake)
	renamed := cfg
	renamed.ClientName = "renamed"
	var created capturedClient
	resource.UnitTest(t, dcTestCase(t,
		resource.TestStep{
			Config:            cfg.HCL(),
			ConfigStateChecks: []statecheck.StateCheck{captureClient(dcName, &created)},
		},
		resource.TestStep{
			PreConfig:   func() { fake.dropPutReply = true },
			Config:      renamed.HCL(),
			ExpectError: regexp.MustCompile(`(?s)update may have been\s+applied.*terraform import`),
		},
		resource.TestStep{
			PreConfig:          func() { fake.dropPutReply = false },
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: func(s *terraform.State) error {
				rs, ok := s.RootModule().Resources[dcName]
				if !ok {
					return fmt.Errorf("the client was removed from state")
				}
				if id := rs.Primary.Attributes["client_id"]; id != created.ClientID {
					return fmt.Errorf("client_id %q, want the original %q", id, created.ClientID)
				}
				if n := fake.registered(); n != 1 {
					return fmt.Errorf("want 1 registration, got %d", n)
				}
				return nil
			},
		},
		resource.TestStep{
			// After a lost answer a 401 never means "deleted": destroy keeps it.
			Config:      cfg.HCL(),
			Destroy:     true,
			ExpectError: regexp.MustCompile(`(?s)Client not deleted.*whose answer was lost.*terraform import`),
		},
		resource.TestStep{
			PreConfig: func() {
				if n := fake.count(); n != 1 {
					t.Errorf("want the client still on the server (its token is dead), got %d clients", n)
				}
				fake.acceptStale = true // an administrator restored access; the final destroy can delete it
			},
			Config: cfg.HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionUpdate)},
			},
		},
	))
	if n := fake.count(); n != 0 {
		t.Errorf("want the client deleted by the final destroy, got %d clients", n)
	}
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	for _, want := range []string{
		"Registration access token refused; it was possibly rotated by an update whose answer was lost",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("no warning %q in the log", want)
		}
	}
}

// "" clears a metadata value; switching from jwks_uri to jwks sends only jwks.
func TestAccDynamicClient_clearValueAndSwitchKeySet(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	first := fakeConfig(fake)
	first.More = "  client_uri = \"https://app.example.com\"\n  jwks_uri = \"https://app.example.com/jwks.json\"\n"
	second := fakeConfig(fake)
	second.More = "  client_uri = \"\"\n  jwks = jsonencode({ keys = [] })\n"
	emptyAfter := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.UnitTest(t, dcTestCase(t,
		resource.TestStep{Config: first.HCL(), ConfigPlanChecks: emptyAfter},
		resource.TestStep{
			Config: second.HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: emptyAfter.PostApplyPostRefresh,
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_uri"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("jwks_uri"), knownvalue.StringExact("")),
			},
			Check: func(*terraform.State) error {
				put := fake.lastPut(t)
				for _, k := range []string{"client_uri", "jwks_uri"} {
					if _, ok := put[k]; ok {
						return fmt.Errorf("the PUT carries %s: %v", k, put)
					}
				}
				if _, ok := put["jwks"]; !ok {
					return fmt.Errorf("the PUT lacks jwks: %v", put)
				}
				return nil
			},
		},
		resource.TestStep{
			// Removing the cleared argument changes nothing.
			Config:           fakeConfig(fake).HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
	))
}

func TestAccDynamicClient_bothKeySetsRefused(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	cfg := fakeConfig(fake)
	cfg.More = "  jwks_uri = \"https://app.example.com/jwks.json\"\n  jwks = jsonencode({ keys = [] })\n"
	resource.UnitTest(t, dcTestCase(t, resource.TestStep{Config: cfg.HCL(), ExpectError: regexp.MustCompile(`Conflicting arguments`)}))
}

// The client URI named by the registration answer is verified: a 404 on the
// first read after create means the client is gone, not that the server has
// no RFC 7592.
func TestAccDynamicClient_notFoundAfterCreateMeansDeleted(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	fake.manageStatus = 404
	resource.UnitTest(t, dcTestCase(t, resource.TestStep{
		Config:             fakeConfig(fake).HCL(),
		ExpectNonEmptyPlan: true,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionCreate)},
		},
	}))
}

// 405 on the client URI still means the server does not manage clients.
func TestAccDynamicClient_methodNotAllowedMeansUnsupported(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	fake.manageStatus = 405
	resource.UnitTest(t, dcTestCase(t,
		resource.TestStep{
			Config:           fakeConfig(fake).HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			RefreshState: true,
			Check:        resource.TestCheckResourceAttr(dcName, "management_supported", "false"),
		},
	))
}

// A client made public drops the secret it had.
func TestAccDynamicClient_madePublicDropsSecret(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	cfg := fakeConfig(fake)
	public := cfg
	public.More = "  token_endpoint_auth_method = \"none\"\n"
	resource.UnitTest(t, dcTestCase(t,
		resource.TestStep{
			Config: cfg.HCL(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_secret"), knownvalue.StringRegexp(regexp.MustCompile(`.+`))),
			},
		},
		resource.TestStep{
			Config: public.HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_secret"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_secret_expires_at"), knownvalue.Int64Exact(0)),
			},
		},
	))
}
