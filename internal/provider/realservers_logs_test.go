package provider

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// TestAccReal_keycloakTraceLogsHoldNoSecrets runs create, read, update and
// delete against Keycloak with TF_LOG=trace and checks that no secret it
// issued (client secret, every registration access token) nor the Initial
// Access Token appears anywhere in the log.
func TestAccReal_keycloakTraceLogsHoldNoSecrets(t *testing.T) {
	env := requireRealServers(t)
	iat, err := env.Keycloak.MintInitialAccessToken(context.Background(), time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	logPath := t.TempDir() + "/tf.log"
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)

	cfg := realBaseConfig("tf-acc logs " + randomSuffix())
	cfg.Endpoint = env.Keycloak.RegistrationEndpoint()
	renamed := cfg
	renamed.ClientName += " (renamed)"
	var created, updated capturedClient
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   skipBelowWriteOnly,
		Steps: []resource.TestStep{
			{Config: cfg.HCL(), ConfigVariables: iatVariable(iat), ConfigStateChecks: []statecheck.StateCheck{captureClient(dcName, &created)}},
			{Config: renamed.HCL(), ConfigVariables: iatVariable(iat), ConfigStateChecks: []statecheck.StateCheck{captureClient(dcName, &updated)}},
		},
	})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the log: %v", err)
	}
	log := string(raw)
	for _, want := range []string{"HTTP exchange", "POST", "GET", "PUT", "DELETE", cfg.Endpoint} {
		if !strings.Contains(log, want) {
			t.Errorf("the trace log lacks %q: it does not cover the whole lifecycle", want)
		}
	}
	secrets := map[string]string{
		"initial access token":              iat,
		"client secret":                     created.ClientSecret,
		"registration access token":         created.RegistrationAccessToken,
		"rotated registration access token": updated.RegistrationAccessToken,
	}
	if created.RegistrationAccessToken == updated.RegistrationAccessToken {
		t.Error("Keycloak did not rotate the registration access token on update; the test expects it to")
	}
	for name, secret := range secrets {
		if len(secret) < 8 {
			t.Fatalf("the %s was not captured (%q)", name, secret)
		}
		if strings.Contains(log, secret) {
			t.Errorf("the trace log contains the %s", name)
		}
	}
}
