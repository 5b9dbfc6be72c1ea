package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// tfConfig is the configuration the client applies: discovery from the MCP
// server URL and, unless the scenario pre-registered a client, a dynamic
// registration. Every value the OAuth flow uses is an output.
const tfConfig = `terraform {
  required_providers {
    mcp = {
      source = "mcp-oauth/mcp"
    }
  }
}

provider "mcp" {}

variable "server_url" {
  type = string
}

variable "redirect_uri" {
  type = string
}

# Set when the scenario gives pre-registered client credentials: no registration then.
variable "preregistered" {
  type    = bool
  default = false
}

data "mcp_oauth_discovery" "this" {
  server_url = var.server_url
}

locals {
  as      = data.mcp_oauth_discovery.this.authorization_server_metadata
  methods = local.as.token_endpoint_auth_methods_supported == null ? [] : local.as.token_endpoint_auth_methods_supported
  # A native client with PKCE is public when the server allows it; otherwise
  # the first confidential method this client can do. Unset when the server
  # does not say: it then registers its default, read back below.
  ask_auth_method = (
    contains(local.methods, "none") ? "none" :
    contains(local.methods, "client_secret_basic") ? "client_secret_basic" :
    contains(local.methods, "client_secret_post") ? "client_secret_post" : null
  )
}

resource "mcp_dynamic_client" "this" {
  count                      = var.preregistered ? 0 : 1
  registration_endpoint      = data.mcp_oauth_discovery.this.registration_endpoint
  client_name                = "terraform-provider-mcp conformance client"
  application_type           = "native"
  redirect_uris              = [var.redirect_uri]
  grant_types                = ["authorization_code", "refresh_token"]
  response_types             = ["code"]
  token_endpoint_auth_method = local.ask_auth_method
  scope                      = data.mcp_oauth_discovery.this.scope
  # Credentials bound to the issuer they are registered with (MCP 2026-07-28).
  issuer = data.mcp_oauth_discovery.this.authorization_server
}

output "discovery" {
  value = {
    authorization_endpoint = data.mcp_oauth_discovery.this.authorization_endpoint
    token_endpoint         = data.mcp_oauth_discovery.this.token_endpoint
    registration_endpoint  = data.mcp_oauth_discovery.this.registration_endpoint
    resource               = data.mcp_oauth_discovery.this.resource
    scope                  = data.mcp_oauth_discovery.this.scope
    challenge_scope        = data.mcp_oauth_discovery.this.resource_metadata.challenge_scope
    metadata_url           = data.mcp_oauth_discovery.this.resource_metadata.metadata_url
    issuer                 = local.as.metadata_issuer
    iss_supported          = local.as.authorization_response_iss_parameter_supported
    auth_methods           = local.as.token_endpoint_auth_methods_supported
    authorization_server   = data.mcp_oauth_discovery.this.authorization_server
  }
}

output "client" {
  sensitive = true
  value = var.preregistered ? null : {
    client_id     = mcp_dynamic_client.this[0].client_id
    client_secret = mcp_dynamic_client.this[0].client_secret
    # What the server registered is what the token request must use.
    token_endpoint_auth_method = mcp_dynamic_client.this[0].registered_token_endpoint_auth_method
  }
}
`

// discovery is what the provider decided, read from `output -json`.
type discovery struct {
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	RegistrationEndpoint  *string  `json:"registration_endpoint"`
	Resource              string   `json:"resource"`
	Scope                 *string  `json:"scope"`
	ChallengeScope        *string  `json:"challenge_scope"`
	MetadataURL           string   `json:"metadata_url"`
	Issuer                string   `json:"issuer"`
	IssSupported          *bool    `json:"iss_supported"`
	AuthMethods           []string `json:"auth_methods"`
	AuthorizationServer   string   `json:"authorization_server"`
}

// client holds the credentials the provider registered (or the scenario gave).
type client struct {
	ClientID                string  `json:"client_id"`
	ClientSecret            *string `json:"client_secret"`
	TokenEndpointAuthMethod *string `json:"token_endpoint_auth_method"`
}

// provider runs the CLI in one working directory; its state survives between
// applies, so a re-discovery updates or replaces the registered client the way
// it would for a user.
type provider struct {
	cli, dir      string
	serverURL     string
	redirectURI   string
	preregistered bool
	applies       int
}

func newProvider(serverURL, redirectURI string, preregistered bool) (*provider, error) {
	cli := os.Getenv("CONFORMANCE_TF_CLI")
	if cli == "" {
		return nil, errors.New("CONFORMANCE_TF_CLI is not set: it names the terraform or tofu binary (tools/conformance.sh sets it)")
	}
	dir, err := os.MkdirTemp(os.Getenv("CONFORMANCE_WORK_DIR"), "tf-")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tfConfig), 0o600); err != nil {
		return nil, err
	}
	return &provider{cli: cli, dir: dir, serverURL: serverURL, redirectURI: redirectURI, preregistered: preregistered}, nil
}

func (p *provider) cleanup() { _ = os.RemoveAll(p.dir) }

// apply runs discovery (and registration) through the CLI and returns its outputs.
func (p *provider) apply(ctx context.Context) (*discovery, *client, error) {
	p.applies++
	logf("provider: %s apply #%d (discovery%s) for %s", filepath.Base(p.cli), p.applies,
		map[bool]string{true: "", false: " and registration"}[p.preregistered], p.serverURL)
	args := []string{"apply", "-auto-approve", "-input=false", "-no-color",
		"-var", "server_url=" + p.serverURL,
		"-var", "redirect_uri=" + p.redirectURI,
		"-var", fmt.Sprintf("preregistered=%t", p.preregistered),
	}
	if out, errOut, err := p.run(ctx, args...); err != nil {
		// The CLI's diagnostics are the point of the run: show them whole.
		fmt.Fprintln(os.Stderr, out+errOut)
		return nil, nil, fmt.Errorf("%s apply failed: %w", filepath.Base(p.cli), err)
	}
	out, errOut, err := p.run(ctx, "output", "-json")
	if err != nil {
		return nil, nil, fmt.Errorf("%s output -json: %w: %s", filepath.Base(p.cli), err, errOut)
	}
	var outputs struct {
		Discovery struct {
			Value discovery `json:"value"`
		} `json:"discovery"`
		Client struct {
			Value *client `json:"value"`
		} `json:"client"`
	}
	if err := json.Unmarshal([]byte(out), &outputs); err != nil {
		return nil, nil, fmt.Errorf("parse %s output -json: %w", filepath.Base(p.cli), err)
	}
	d := outputs.Discovery.Value
	logf("provider: resource metadata %s, challenge scope %s, authorization server %s, authorization endpoint %s, token endpoint %s, resource %q, scope %s",
		d.MetadataURL, strOrNull(d.ChallengeScope), d.AuthorizationServer, d.AuthorizationEndpoint, d.TokenEndpoint, d.Resource, strOrNull(d.Scope))
	if c := outputs.Client.Value; c != nil {
		logf("provider: registered client_id %s, token_endpoint_auth_method %s", c.ClientID, strOrNull(c.TokenEndpointAuthMethod))
	}
	return &d, outputs.Client.Value, nil
}

// run returns the CLI's stdout and stderr apart: `output -json` must parse
// even when the CLI warns about dev_overrides on stderr.
func (p *provider) run(ctx context.Context, args ...string) (string, string, error) {
	cmd := exec.CommandContext(ctx, p.cli, args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func strOrNull(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}
