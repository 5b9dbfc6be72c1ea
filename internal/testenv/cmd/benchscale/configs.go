package main

import (
	"os"
	"path/filepath"
	"strings"
)

// clientConfig is N mcp_dynamic_client in one configuration. The provider
// and the framework floor get the same one but for where the registration
// endpoint comes from: discovery for the provider (one per run), a variable
// for the floor.
const clientConfig = `terraform {
  required_providers {
    mcp = { source = "mcp-oauth/mcp" }
  }
}

provider "mcp" {}

variable "n" { type = number }
variable "name" { type = string }
variable "initial_access_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

ENDPOINT_SOURCE

resource "mcp_dynamic_client" "c" {
  count                      = var.n
  registration_endpoint      = ENDPOINT_EXPRESSION
  initial_access_token_wo    = var.initial_access_token
  client_name                = "${var.name} ${count.index}"
  redirect_uris              = ["http://127.0.0.1:8888/callback"]
  grant_types                = ["authorization_code", "client_credentials"]
  response_types             = ["code"]
  scope                      = "mcp:read mcp:write"
  token_endpoint_auth_method = "client_secret_post"
}
`

// providerConfig discovers the endpoint once per run.
var providerConfig = strings.NewReplacer(
	"ENDPOINT_SOURCE", `variable "issuer" { type = string }

# One discovery per run.
data "mcp_authorization_server_metadata" "kc" {
  issuer = var.issuer
}`,
	"ENDPOINT_EXPRESSION", "data.mcp_authorization_server_metadata.kc.registration_endpoint",
).Replace(clientConfig)

// floorConfig takes the endpoint from a variable: the floor never calls it.
var floorConfig = strings.NewReplacer(
	"ENDPOINT_SOURCE", `variable "registration_endpoint" { type = string }`,
	"ENDPOINT_EXPRESSION", "var.registration_endpoint",
).Replace(clientConfig)

const noopConfig = `variable "n" { type = number }
variable "name" { type = string }

resource "terraform_data" "c" {
  count = var.n
  input = "${var.name} ${count.index}"
}
`

func (b *bench) writeConfigs() error {
	for dir, body := range map[string]string{"provider": providerConfig, "floor": floorConfig, "noop": noopConfig} {
		d := filepath.Join(b.work, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, "main.tf"), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
