package provider

import (
	"errors"
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
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

const dcName = "mcp_dynamic_client.test"

// dcConfig is one configuration of the lifecycle tests. The same steps run
// against the fake here and, later, against real servers from internal/testenv.
type dcConfig struct {
	Endpoint     string
	IAT          string // via initial_access_token_wo when set
	IATVariable  bool   // pass it as var.iat (an ephemeral variable) instead of a literal
	ClientName   string
	Scope        string
	RedirectURIs []string
	GrantTypes   []string
	Extra        string // HCL expression for extra_metadata, or ""
	Contacts     []string
	Keepers      string
	Unauthorized string
	// ClientNameExpr, when set, is an HCL expression used for client_name.
	ClientNameExpr string
	// Prelude is HCL written before the resource; More is HCL written inside it.
	Prelude string
	More    string
}

func hclList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func (c dcConfig) HCL() string {
	var b strings.Builder
	b.WriteString("provider \"mcp\" {}\n\n")
	if c.IATVariable {
		b.WriteString("variable \"iat\" {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}\n\n")
	}
	b.WriteString(c.Prelude)
	b.WriteString("resource \"mcp_dynamic_client\" \"test\" {\n")
	fmt.Fprintf(&b, "  registration_endpoint = %q\n", c.Endpoint)
	if c.IATVariable {
		b.WriteString("  initial_access_token_wo = var.iat\n")
	} else if c.IAT != "" {
		fmt.Fprintf(&b, "  initial_access_token_wo = %q\n", c.IAT)
	}
	if c.ClientNameExpr != "" {
		fmt.Fprintf(&b, "  client_name = %s\n", c.ClientNameExpr)
	} else {
		fmt.Fprintf(&b, "  client_name = %q\n", c.ClientName)
	}
	b.WriteString(c.More)
	if c.Scope != "" {
		fmt.Fprintf(&b, "  scope = %q\n", c.Scope)
	}
	if c.RedirectURIs != nil {
		fmt.Fprintf(&b, "  redirect_uris = %s\n", hclList(c.RedirectURIs))
	}
	if c.GrantTypes != nil {
		fmt.Fprintf(&b, "  grant_types = %s\n", hclList(c.GrantTypes))
	}
	if c.Contacts != nil {
		fmt.Fprintf(&b, "  contacts = %s\n", hclList(c.Contacts))
	}
	if c.Extra != "" {
		fmt.Fprintf(&b, "  extra_metadata = %s\n", c.Extra)
	}
	if c.Keepers != "" {
		fmt.Fprintf(&b, "  keepers = { rotation = %q }\n", c.Keepers)
	}
	if c.Unauthorized != "" {
		fmt.Fprintf(&b, "  on_unauthorized = %q\n", c.Unauthorized)
	}
	b.WriteString("}\n")
	return b.String()
}

// dcServer is what the lifecycle steps need from a server: the fake here, a
// real Keycloak, Hydra or node-oidc-provider later.
type dcServer interface {
	endpoint() string
	initialAccessToken() string
	// deleteOutside removes the client behind Terraform's back; it gets the
	// client as state last held it.
	deleteOutside(t *testing.T, client capturedClient)
}

func (f *fakeAS) initialAccessToken() string                   { return fakeIAT }
func (f *fakeAS) deleteOutside(_ *testing.T, _ capturedClient) { f.deleteAll() }
func registrationClientURI(s *terraform.State) (string, error) {
	rs, ok := s.RootModule().Resources[dcName]
	if !ok {
		return "", fmt.Errorf("%s not in state", dcName)
	}
	return rs.Primary.Attributes["registration_client_uri"], nil
}

// dcLifecycleSteps builds create, empty plan, two in-place updates, deletion
// outside Terraform and re-creation, and import, for any server.
func dcLifecycleSteps(t *testing.T, srv dcServer, base dcConfig) []resource.TestStep {
	base.Endpoint = srv.endpoint()
	base.IAT = srv.initialAccessToken()
	first := base
	second := base
	second.ClientName = base.ClientName + " (renamed)"
	third := second
	third.RedirectURIs = append(append([]string{}, base.RedirectURIs...), "http://127.0.0.1:9999/other")
	third.Scope = reverseTokens(base.Scope) // same tokens, other order: not a change by itself

	var lastClient capturedClient
	emptyAfterApply := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	return []resource.TestStep{
		{
			Config:           first.HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionCreate)}, PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_id"), knownvalue.StringRegexp(regexp.MustCompile(`.+`))),
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_secret"), knownvalue.StringRegexp(regexp.MustCompile(`.+`))),
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("registration_access_token"), knownvalue.StringRegexp(regexp.MustCompile(`.+`))),
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("management_supported"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_name"), knownvalue.StringExact(first.ClientName)),
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("initial_access_token_wo"), knownvalue.Null()),
			},
		},
		{
			Config: second.HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("client_name"), knownvalue.StringExact(second.ClientName)),
			},
		},
		{
			Config: third.HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(dcName, tfjsonpath.New("redirect_uris"), knownvalue.SetSizeExact(len(third.RedirectURIs))),
				captureClient(dcName, &lastClient),
			},
		},
		{
			// Deleted outside Terraform: refresh drops it (401, on_unauthorized
			// defaults to remove) and the plan registers it again.
			PreConfig: func() { srv.deleteOutside(t, lastClient) },
			Config:    third.HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionCreate)},
				PostApplyPostRefresh: emptyAfterApply.PostApplyPostRefresh,
			},
		},
		{
			Config:       third.HCL(),
			ResourceName: dcName,
			ImportState:  true,
			// The id is the client URI; the token reaches the provider through
			// the environment at configure time, so no secret sits in the id.
			ImportStateIdFunc: func(s *terraform.State) (string, error) {
				rs, ok := s.RootModule().Resources[dcName]
				if !ok {
					return "", fmt.Errorf("%s not in state", dcName)
				}
				t.Setenv(EnvRegistrationAccessToken, rs.Primary.Attributes["registration_access_token"])
				return registrationClientURI(s)
			},
			// extra_metadata manages only keys the user names: an import
			// names none, and the server's extra members are in
			// registered_metadata.
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				if len(states) != 1 {
					return fmt.Errorf("imported %d instances, want 1", len(states))
				}
				if v, ok := states[0].Attributes["extra_metadata"]; ok && v != "" {
					return fmt.Errorf("import set extra_metadata to %q, want it unset", v)
				}
				if states[0].Attributes["registered_metadata"] == "" {
					return errors.New("import left registered_metadata empty")
				}
				return nil
			},
			ImportStateVerify:                    true,
			ImportStateVerifyIdentifierAttribute: "client_id",
			// Arguments the server does not echo as configured, and local ones.
			ImportStateVerifyIgnore: []string{"registration_endpoint", "keepers", "grant_types", "contacts", "extra_metadata", "scope"},
		},
	}
}

func reverseTokens(s string) string {
	f := strings.Fields(s)
	for i, j := 0, len(f)-1; i < j; i, j = i+1, j-1 {
		f[i], f[j] = f[j], f[i]
	}
	return strings.Join(f, " ")
}

func dcBaseConfig() dcConfig {
	return dcConfig{
		ClientName:   "MCP test client",
		Scope:        "mcp:read mcp:write",
		RedirectURIs: []string{"http://127.0.0.1:8765/callback"},
		GrantTypes:   []string{"authorization_code"},
		Contacts:     []string{"ops@example.com"},
		Extra:        `jsonencode({ vendor_flag = true })`,
	}
}

func TestAccDynamicClient_lifecycle(t *testing.T) {
	fake := newFakeAS(t)
	t.Cleanup(func() { _ = os.Unsetenv(EnvRegistrationAccessToken) })
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps:                    dcLifecycleSteps(t, fake, dcBaseConfig()),
		CheckDestroy: func(*terraform.State) error {
			if n := fake.count(); n != 0 {
				return fmt.Errorf("%d clients left on the server after destroy", n)
			}
			return nil
		},
	})
	// Every PUT carried client_id and none of the forbidden fields (the fake
	// refuses them, so reaching here proves it); check the vendor field merge.
	if len(fake.putBodies) < 2 {
		t.Fatalf("expected at least two PUTs, got %d", len(fake.putBodies))
	}
	for _, b := range fake.putBodies {
		if b["vendor_flag"] != true || b["vendor_created_by"] != "fake" || b["token_endpoint_auth_method"] == nil {
			t.Errorf("PUT body lacks the full metadata: %v", b)
		}
	}
}

func TestAccDynamicClient_policyRefusal(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	cfg := dcBaseConfig()
	cfg.Endpoint, cfg.IAT, cfg.Scope = fake.endpoint(), fakeIAT, "mcp:read forbidden"
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config:      cfg.HCL(),
			ExpectError: regexp.MustCompile(`Registration refused by policy "Allowed Client Scopes"`),
		}},
	})
}

func TestAccDynamicClient_expiredInitialAccessToken(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	cfg := dcBaseConfig()
	cfg.Endpoint, cfg.IAT = fake.endpoint(), fakeIATExpired
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config:      cfg.HCL(),
			ExpectError: regexp.MustCompile(`Initial Access Token expired`),
		}},
	})
}

func TestAccDynamicClient_withoutManagement(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	fake.noManagement = true
	cfg := dcBaseConfig()
	cfg.Endpoint, cfg.IAT = fake.endpoint(), fakeIAT
	renamed := cfg
	renamed.ClientName = "renamed"
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: cfg.HCL(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dcName, tfjsonpath.New("management_supported"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(dcName, tfjsonpath.New("registration_client_uri"), knownvalue.StringExact("")),
				},
			},
			{
				Config: renamed.HCL(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionReplace)},
				},
			},
		},
	})
}

func TestAccDynamicClient_expiredSecretIsReplaced(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	fake.secretTTL = -time.Hour
	cfg := dcBaseConfig()
	cfg.Endpoint, cfg.IAT = fake.endpoint(), fakeIAT
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config:             cfg.HCL(),
				ExpectNonEmptyPlan: true, // the expired secret plans a replacement at once
			},
			{
				PreConfig: func() { fake.secretTTL = time.Hour },
				Config:    cfg.HCL(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionReplace)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccDynamicClient_logsHoldNoSecrets runs create, read, update and delete
// with TF_LOG=trace into a file and checks that no secret the server issued,
// nor the Initial Access Token, appears in it.
func TestAccDynamicClient_logsHoldNoSecrets(t *testing.T) {
	fake := newFakeAS(t)
	logPath := t.TempDir() + "/tf.log"
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)
	cfg := dcBaseConfig()
	// The harness logs each step's configuration at trace level, so the token
	// goes in through a variable, as it would in real use.
	cfg.Endpoint, cfg.IATVariable = fake.endpoint(), true
	renamed := cfg
	renamed.ClientName = "renamed"
	vars := config.Variables{"iat": config.StringVariable(fakeIAT)}
	resource.UnitTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: cfg.HCL(), ConfigVariables: vars},
			{Config: renamed.HCL(), ConfigVariables: vars},
		},
	})
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the log: %v", err)
	}
	log := string(raw)
	if len(log) == 0 {
		t.Fatal("the trace log is empty")
	}
	for _, want := range []string{"HTTP exchange", "POST", "PUT", "DELETE", fake.endpoint()} {
		if !strings.Contains(log, want) {
			t.Errorf("the trace log lacks %q", want)
		}
	}
	secrets := append(fake.secrets(), fakeIAT)
	if len(secrets) < 4 {
		t.Fatalf("expected the fake to issue secrets, got %d", len(secrets))
	}
	for _, s := range secrets {
		if i := strings.Index(log, s); i >= 0 {
			start := max(0, strings.LastIndex(log[:i], "\n"))
			t.Errorf("the trace log contains the secret %s... in: %.600s", s[:6], log[start:])
		}
	}
}
