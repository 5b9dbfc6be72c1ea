package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

func TestParseImportID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		id, uri, endpoint, err string
	}{
		{id: "https://sso.example.com/realms/r/clients-registrations/openid-connect/abc", uri: "https://sso.example.com/realms/r/clients-registrations/openid-connect/abc"},
		{id: "https://as.example.com/manage/abc,https://as.example.com/register", uri: "https://as.example.com/manage/abc", endpoint: "https://as.example.com/register"},
		{id: " https://as.example.com/manage/abc , https://as.example.com/register ", uri: "https://as.example.com/manage/abc", endpoint: "https://as.example.com/register"},
		// A comma inside the path is part of the URI.
		{id: "https://as.example.com/manage/a,b", uri: "https://as.example.com/manage/a,b"},
		{id: "https://as.example.com/manage/a,b,https://as.example.com/reg", uri: "https://as.example.com/manage/a,b", endpoint: "https://as.example.com/reg"},
		{id: "abc", err: "absolute"},
		{id: "https://as.example.com/manage/abc,https://", err: "host"},
		{id: "", err: "absolute"},
	} {
		uri, ep, err := parseImportID(tt.id)
		if tt.err != "" {
			if err == nil {
				t.Errorf("%q: no error, want one", tt.id)
			}
			continue
		}
		if err != nil || uri != tt.uri || ep != tt.endpoint {
			t.Errorf("%q: (%q, %q, %v), want (%q, %q, nil)", tt.id, uri, ep, err, tt.uri, tt.endpoint)
		}
	}
}

func TestDerivedRegistrationEndpoint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ uri, id, want string }{
		{"http://127.0.0.1:8080/realms/mcp/clients-registrations/openid-connect/abc-123", "abc-123", "http://127.0.0.1:8080/realms/mcp/clients-registrations/openid-connect"},
		{"https://hydra.example.com/oauth2/register/6f1c", "6f1c", "https://hydra.example.com/oauth2/register"},
		{"https://op.example.com/reg/a%20b", "a b", "https://op.example.com/reg"},
		// Not endpoint + "/" + client_id: nothing is guessed.
		{"https://as.example.com/clients/abc/manage", "abc", ""},
		{"https://as.example.com/reg/abc?x=1", "abc", ""},
		{"https://as.example.com/reg/abcd", "abc", ""},
		{"https://as.example.com/reg/abc", "", ""},
		{"https://as.example.com", "as.example.com", ""},
		{"not a url", "url", ""},
	} {
		if got := derivedRegistrationEndpoint(tt.uri, tt.id); got != tt.want {
			t.Errorf("derivedRegistrationEndpoint(%q, %q) = %q, want %q", tt.uri, tt.id, got, tt.want)
		}
	}
}

func TestImportedEquivalent(t *testing.T) {
	t.Parallel()
	j := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	for _, tt := range []struct {
		name           string
		config, server json.RawMessage
		want           bool
	}{
		{"response_types", j([]string{"code"}), j([]string{"code", "none"}), true},
		{"grant_types", j([]string{"authorization_code"}), j([]string{"authorization_code", "refresh_token"}), true},
		{"grant_types", j([]string{"authorization_code", "client_credentials"}), j([]string{"authorization_code"}), false},
		{"token_endpoint_auth_method", j("client_secret_post"), j("client_secret_basic"), true},
		{"token_endpoint_auth_method", j("client_secret_basic"), j("client_secret_post"), false},
		{"token_endpoint_auth_method", j("none"), j("client_secret_basic"), false},
		{"scope", j("b a"), j("a b"), true},
		{"client_name", j("x"), j("y"), false},
		// A member the server does not return is never planned as equal.
		{"contacts", j([]string{"a@example.com"}), nil, false},
	} {
		if got := importedEquivalent(tt.name, tt.config, tt.server); got != tt.want {
			t.Errorf("importedEquivalent(%s, %s, %s) = %v, want %v", tt.name, tt.config, tt.server, got, tt.want)
		}
	}
}

// removedConfig forgets the client without deleting it (a removed block,
// Terraform 1.7 and OpenTofu 1.7 and later), as `terraform state rm` does.
func removedConfig(withIATVariable bool) string {
	var b strings.Builder
	b.WriteString("provider \"mcp\" {}\n\n")
	if withIATVariable {
		b.WriteString("variable \"iat\" {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}\n\n")
	}
	b.WriteString("removed {\n  from = mcp_dynamic_client.test\n  lifecycle {\n    destroy = false\n  }\n}\n")
	return b.String()
}

// importConvergence describes one create, forget, import and plan run.
type importConvergence struct {
	create    string // HCL that registers mcp_dynamic_client.test
	variables config.Variables
	iatVar    bool
	endpoint  string // the registration endpoint the configuration names
	// token returns the registration access token to import with; by
	// default the one in state when the client was forgotten.
	token func(t *testing.T, c capturedClient) string
	// withEndpointInID imports by "<client URI>,<endpoint>".
	withEndpointInID bool
	// changed is a configuration that differs from the server in a way no
	// rewrite explains: its plan must be an update.
	changed string
}

// importConvergenceSteps registers a client, forgets it (the state no longer
// knows it, the server keeps it), imports it with `terraform import` by its
// registration client URI with the token from the environment, and expects
// the first plan to be empty; then a plannable import (import block) of the
// same client must be a no-op as well.
func importConvergenceSteps(t *testing.T, ic importConvergence) []resource.TestStep {
	var client capturedClient
	var importToken string
	importID := func(*terraform.State) (string, error) {
		if client.RegistrationClientURI == "" {
			return "", fmt.Errorf("no client captured")
		}
		// One token for both imports: a token the admin issues makes the
		// one before it invalid.
		if importToken == "" {
			importToken = client.RegistrationAccessToken
			if ic.token != nil {
				importToken = ic.token(t, client)
			}
		}
		t.Setenv(EnvRegistrationAccessToken, importToken)
		if ic.withEndpointInID {
			return client.RegistrationClientURI + "," + ic.endpoint, nil
		}
		return client.RegistrationClientURI, nil
	}
	endpointRecorded := statecheck.ExpectKnownValue(dcName, tfjsonpath.New("registration_endpoint"), knownvalue.StringExact(ic.endpoint))
	steps := []resource.TestStep{
		{
			Config:            ic.create,
			ConfigVariables:   ic.variables,
			ConfigStateChecks: []statecheck.StateCheck{captureClient(dcName, &client)},
		},
		{
			Config:          removedConfig(ic.iatVar),
			ConfigVariables: ic.variables,
		},
		{
			Config:             ic.create,
			ConfigVariables:    ic.variables,
			ResourceName:       dcName,
			ImportState:        true,
			ImportStatePersist: true,
			ImportStateIdFunc:  importID,
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				if len(states) != 1 {
					return fmt.Errorf("imported %d instances, want 1", len(states))
				}
				if got := states[0].Attributes["registration_endpoint"]; got != ic.endpoint {
					return fmt.Errorf("import recorded registration_endpoint %q, want %q", got, ic.endpoint)
				}
				if got := states[0].Attributes["client_id"]; got != client.ClientID {
					return fmt.Errorf("imported client %q, want %q", got, client.ClientID)
				}
				return nil
			},
		},
		{
			// The first plan after the import: nothing to do.
			Config:          ic.create,
			ConfigVariables: ic.variables,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{endpointRecorded, captureClient(dcName, &client)},
		},
		{
			// An import block (plannable import) of the same client: a no-op.
			Config:            ic.create,
			ConfigVariables:   ic.variables,
			ResourceName:      dcName,
			ImportState:       true,
			ImportStateKind:   resource.ImportBlockWithID,
			ImportStateIdFunc: importID,
			ImportPlanChecks: resource.ImportPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
	}
	if ic.changed != "" {
		// The comparison can fail: a real difference is still an update.
		steps = append(steps, resource.TestStep{
			Config:          ic.changed,
			ConfigVariables: ic.variables,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dcName, plancheck.ResourceActionUpdate)},
			},
		})
	}
	return steps
}

// fakeImportConfig is a confidential client as it would be asked from
// Keycloak before 26.6: client_secret_post (stored as client_secret_basic)
// and response_types ["code"] (stored with "none" added).
func fakeImportConfig(f *fakeAS, name, method string) dcConfig {
	return dcConfig{
		Endpoint:     f.endpoint(),
		IAT:          fakeIAT,
		ClientName:   name,
		Scope:        "mcp:write mcp:read",
		RedirectURIs: []string{"http://127.0.0.1:8765/callback"},
		GrantTypes:   []string{"authorization_code"},
		More:         fmt.Sprintf("  token_endpoint_auth_method = %q\n  response_types = [\"code\"]\n", method),
	}
}

// Not parallel: the registration access token reaches the provider through
// the environment, as a user passes it.
func TestAccDynamicClient_importConvergesFake(t *testing.T) {
	for _, tt := range []struct {
		name, method string
		endpointInID bool
	}{
		{"confidential", "client_secret_post", false},
		{"public", "none", false},
		{"endpoint in id", "client_secret_post", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeAS(t)
			fake.keycloakRewrites = true
			cfg := fakeImportConfig(fake, "import "+tt.name, tt.method)
			changed := cfg
			changed.ClientName += " (renamed)"
			resource.UnitTest(t, dcTestCase(t, importConvergenceSteps(t, importConvergence{
				create:           cfg.HCL(),
				endpoint:         fake.endpoint(),
				withEndpointInID: tt.endpointInID,
				changed:          changed.HCL(),
			})...))
			if n := fake.registered(); n != 1 {
				t.Errorf("%d registrations, want 1 (import must not register)", n)
			}
			if n := fake.count(); n != 0 {
				t.Errorf("%d clients left on the server after destroy", n)
			}
		})
	}
}

// convergeImportedPlan takes the server's value only where it honours the
// configuration; a real difference stays planned.
func TestConvergeImportedPlanKeepsRealDifferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := func(method string, grants ...string) dynamicClientModel {
		var out dynamicClientModel
		md := oauth.ClientMetadata{TokenEndpointAuthMethod: method, GrantTypes: grants, ClientName: "n"}
		var diags diag.Diagnostics
		out.fromMetadata(ctx, md, &diags)
		return out
	}
	state := m("client_secret_basic", "authorization_code", "refresh_token")
	config := m("client_secret_post", "authorization_code")
	plan := config
	if !convergeImportedPlan(ctx, &plan, &config, &state) {
		t.Fatal("a configuration the server's values honour should plan the server's values")
	}
	if !plan.TokenEndpointAuthMethod.Equal(state.TokenEndpointAuthMethod) || !plan.GrantTypes.Equal(state.GrantTypes) {
		t.Errorf("plan %v %v, want the server's %v %v", plan.TokenEndpointAuthMethod, plan.GrantTypes, state.TokenEndpointAuthMethod, state.GrantTypes)
	}
	config = m("none", "client_credentials")
	plan = config
	if convergeImportedPlan(ctx, &plan, &config, &state) {
		t.Error("a real difference was planned as no change")
	}
	if !plan.TokenEndpointAuthMethod.Equal(config.TokenEndpointAuthMethod) {
		t.Errorf("plan took %v, want the configuration's %v", plan.TokenEndpointAuthMethod, config.TokenEndpointAuthMethod)
	}
}
