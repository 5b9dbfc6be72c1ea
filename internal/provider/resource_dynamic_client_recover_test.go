package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// fakeReissuer is admin access to fakeAS: it issues a new registration
// access token for a client, as Keycloak's admin API does.
type fakeReissuer struct {
	f     *fakeAS
	calls *int
}

func (r fakeReissuer) ReissueRegistrationAccessToken(_ context.Context, _, clientID string) (string, bool, error) {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	*r.calls++
	c, ok := r.f.clients[clientID]
	if !ok {
		return "", false, nil
	}
	c.rat = r.f.token("rat-")
	return c.rat, true, nil
}

func (fakeReissuer) Secrets() []string { return []string{"admin-secret-value"} }

// withReissuer makes the provider see admin access to f for the test.
func withReissuer(t *testing.T, f *fakeAS, on *bool, calls *int) {
	t.Helper()
	old := tokenReissuerFor
	tokenReissuerFor = func(*providerData) tokenReissuer {
		if !*on {
			return nil
		}
		return fakeReissuer{f: f, calls: calls}
	}
	t.Cleanup(func() { tokenReissuerFor = old })
}

func checkNoClientsLeft(f *fakeAS) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := f.count(); n != 0 {
			return fmt.Errorf("%d clients left on the server after destroy", n)
		}
		return nil
	}
}

// A lost update answer with admin access: the server applied the update and
// rotated the token; the read with the old token is refused; the provider
// has a new token issued, reads the client, and the next plan is empty.
// Destroy then deletes the client. Not parallel: tokenReissuerFor is global.
func TestAccDynamicClient_lostUpdateAnswerRecoveredWithAdmin(t *testing.T) {
	fake := newFakeAS(t)
	on, calls := true, 0
	withReissuer(t, fake, &on, &calls)
	cfg := fakeConfig(fake)
	renamed := cfg
	renamed.ClientName += " (renamed)"
	tc := dcTestCase(t,
		resource.TestStep{Config: cfg.HCL()},
		resource.TestStep{
			PreConfig:   func() { fake.dropPutReply = true },
			Config:      renamed.HCL(),
			ExpectError: regexp.MustCompile(`token replaced and client read again`),
		},
		resource.TestStep{
			PreConfig: func() { fake.dropPutReply = false },
			Config:    renamed.HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
	)
	tc.CheckDestroy = checkNoClientsLeft(fake)
	resource.UnitTest(t, tc)
	if calls != 1 {
		t.Errorf("the admin API issued %d tokens, want 1", calls)
	}
}

// A lost update answer without admin access keeps the client and says how
// to get a new token; once admin access is configured, the next refresh
// gets one and the plan is empty; destroy deletes the client.
func TestAccDynamicClient_lostUpdateAnswerRecoveredOnRefresh(t *testing.T) {
	fake := newFakeAS(t)
	on, calls := false, 0
	withReissuer(t, fake, &on, &calls)
	cfg := fakeConfig(fake)
	renamed := cfg
	renamed.ClientName += " (renamed)"
	tc := dcTestCase(t,
		resource.TestStep{Config: cfg.HCL()},
		resource.TestStep{
			PreConfig:   func() { fake.dropPutReply = true },
			Config:      renamed.HCL(),
			ExpectError: regexp.MustCompile(`(?s)registration access token possibly rotated.*obtain its current registration access token`),
		},
		resource.TestStep{
			PreConfig: func() { fake.dropPutReply, on = false, true },
			Config:    renamed.HCL(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
	)
	tc.CheckDestroy = checkNoClientsLeft(fake)
	resource.UnitTest(t, tc)
	if calls != 1 {
		t.Errorf("the admin API issued %d tokens, want 1", calls)
	}
}

func TestKeycloakRealmOf(t *testing.T) {
	t.Parallel()
	for uri, want := range map[string]string{
		"https://sso.example.com/realms/mcp/clients-registrations/openid-connect/abc":      "mcp",
		"https://sso.example.com/auth/realms/a-b/clients-registrations/openid-connect/abc": "a-b",
		"https://hydra.example.com/oauth2/register/abc":                                    "",
		"https://x.example.com/realms/mcp/clients/abc":                                     "",
	} {
		if got := keycloakRealmOf(uri); got != want {
			t.Errorf("keycloakRealmOf(%q) = %q, want %q", uri, got, want)
		}
	}
	if h := keycloakTokenHint("https://sso.example.com/realms/mcp/clients-registrations/openid-connect/abc"); !strings.Contains(h, "/admin/realms/mcp/clients/") {
		t.Errorf("hint %q does not say how to issue a token by hand", h)
	}
}
