package oauth

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// terraformWords are words that belong to the Terraform adapter
// (internal/provider), not to the protocol: the tool's name, HCL, and the
// provider's attribute and setting names.
var terraformWords = regexp.MustCompile(`(?i)\bterraform\b|\bopentofu\b|\btofu\b|\bhcl\b|provider (setting|block|argument)|` +
	`_wo\b|issuer_match|resource_match|allow_insecure_http|ca_cert_pem|extra_metadata|on_unauthorized|` +
	`\bmcp_(dynamic_client|oauth_discovery|protected_resource_metadata|authorization_server_metadata)\b|\bdata source\b`)

// TestNoTerraformWords keeps the package usable by any Go program: its
// sources (comments and messages included) say nothing about Terraform.
func TestNoTerraformWords(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(src), "\n") {
			if m := terraformWords.FindString(line); m != "" {
				t.Errorf("%s:%d says %q: internal/oauth reports data; internal/provider words it for Terraform users", f, i+1, m)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d source files: is the test running in the package directory?", checked)
	}
}

// The pattern itself must catch what it is meant to catch.
func TestTerraformWordsPattern(t *testing.T) {
	for _, s := range []string{`set issuer_match = "x"`, "pass it as initial_access_token_wo", "in Terraform", "HCL",
		"provider settings", "(allow_insecure_http)", "terraform-provider-mcp", "data source mcp_oauth_discovery"} {
		if !terraformWords.MatchString(s) {
			t.Errorf("the pattern misses %q", s)
		}
	}
	for _, s := range []string{"the issuer match mode", "Bearer token", "workflow", "redirect_uris"} {
		if terraformWords.MatchString(s) {
			t.Errorf("the pattern wrongly matches %q", s)
		}
	}
}
