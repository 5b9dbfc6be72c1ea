package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Redirect URIs that let codes go astray are refused at plan time, each with
// the rule and the fix.
func TestAccDynamicClient_unsafeRedirectURIsRefused(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	for _, tt := range []struct {
		uri  string
		want string
	}{
		{"http://localhost:8888/*", `(?s)Wildcard redirect URI refused.*RFC\s+9700.*List\s+every\s+redirect\s+URI\s+in\s+full`},
		{"https://*.example.com/cb", `(?s)Wildcard redirect URI refused`},
		{"http://evil.example.com/cb", `(?s)Plain http redirect URI refused.*RFC\s+9700\s+section\s+4.1.*allow_insecure_http`},
	} {
		cfg := fakeConfig(fake)
		cfg.RedirectURIs = []string{tt.uri}
		resource.UnitTest(t, dcTestCase(t, resource.TestStep{Config: cfg.HCL(), PlanOnly: true, ExpectError: regexp.MustCompile(tt.want)}))
	}
	if n := fake.registered(); n != 0 {
		t.Errorf("a refused plan registered %d clients", n)
	}
}

// http://localhost is loopback: accepted (with a warning), as the demo uses.
func TestAccDynamicClient_localhostRedirectAccepted(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	cfg := fakeConfig(fake)
	cfg.RedirectURIs = []string{"http://localhost:8888/callback", "http://127.0.0.1:8888/callback"}
	resource.UnitTest(t, dcTestCase(t, resource.TestStep{Config: cfg.HCL()}))
}

// A lost registration answer names what to look for on the server.
func TestAccDynamicClient_lostRegistrationAnswerNamed(t *testing.T) {
	t.Parallel()
	fake := newFakeAS(t)
	fake.dropPostReply = true
	cfg := fakeConfig(fake)
	cfg.RedirectURIs = []string{"http://127.0.0.1:8765/callback"}
	resource.UnitTest(t, dcTestCase(t, resource.TestStep{
		Config: cfg.HCL(),
		ExpectError: regexp.MustCompile(`(?s)Registration sent, answer lost.*client_name\s+"` + cfg.ClientName +
			`".*http://127.0.0.1:8765/callback`),
	}))
	if n := fake.registered(); n != 1 {
		t.Errorf("want exactly one registration (never re-sent), got %d", n)
	}
}

// A read whose answer is lost (the server rotated the token with it) keeps
// the client, and the 401 that follows does not remove it although
// on_unauthorized is "remove".
func TestAccDynamicClient_lostReadAnswerKeepsClient(t *testing.T) {
	fake := newFakeAS(t)
	cfg := fakeConfig(fake)
	resource.UnitTest(t, dcTestCase(t,
		resource.TestStep{Config: cfg.HCL()},
		resource.TestStep{
			PreConfig:    func() { fake.dropGetReply = true },
			RefreshState: true,
		},
		resource.TestStep{
			PreConfig:    func() { fake.dropGetReply = false },
			RefreshState: true,
			Check: func(s *terraform.State) error {
				if _, ok := s.RootModule().Resources[dcName]; !ok {
					return fmt.Errorf("the client was removed from state after a lost read answer and a 401")
				}
				return nil
			},
		},
		resource.TestStep{
			Config:      cfg.HCL(),
			Destroy:     true,
			ExpectError: regexp.MustCompile(`(?s)Client not deleted.*rotated\s+by\s+a\s+read\s+whose\s+answer\s+was\s+lost`),
		},
		resource.TestStep{
			PreConfig: func() { fake.acceptStale = true },
			Config:    cfg.HCL(),
		},
	))
	if n := fake.count(); n != 0 {
		t.Errorf("want the client deleted at the end, got %d", n)
	}
}

// A registration answer cut short (the reproduction): the error
// describes it and neither it nor the trace log holds a secret.
func TestAccDynamicClient_truncatedAnswerLeaksNoSecret(t *testing.T) {
	fake := newFakeAS(t)
	fake.truncateReply = true
	logPath := t.TempDir() + "/tf.log"
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)
	var diagText string
	resource.UnitTest(t, dcTestCase(t, resource.TestStep{
		Config:      fakeConfig(fake).HCL(),
		ExpectError: regexp.MustCompile(`(?s)Unusable answer from the registration server.*fields\s+read:\s+client_id`),
	}))
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	diagText = string(raw)
	if !strings.Contains(diagText, "Unusable answer from the registration server") {
		t.Fatal("the diagnostic is not in the trace log: the search below would prove nothing")
	}
	// The IAT is left out: the test harness itself logs the configuration,
	// which holds it literally here.
	secrets := fake.secrets()
	if len(secrets) < 2 {
		t.Fatalf("the fake issued no secrets: %v", secrets)
	}
	for _, s := range secrets {
		if len(s) >= 8 && strings.Contains(diagText, s[:8+len(s[8:])/2]) {
			t.Errorf("a secret (or its first half) is in the trace log: %s...", s[:4])
		}
	}
}
