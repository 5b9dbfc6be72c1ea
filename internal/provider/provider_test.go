package provider

import (
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the CLI
// that terraform-plugin-testing drives (tofu or terraform, TF_ACC_TERRAFORM_PATH).
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"mcp": providerserver.NewProtocol6WithError(New("test")()),
}

// testAccPreCheck fails, rather than skips, when the CLI the harness needs is
// missing: an acceptance test that silently skips has not passed.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH must name the terraform or tofu binary; run the tests through `make testacc`")
	}
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("TF_ACC_TERRAFORM_PATH=%s: %v", cli, err)
	}
}
