// Command terraform-provider-mcp serves the MCP OAuth provider to Terraform and OpenTofu.
package main

import (
	"flag"
	"log"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/pluginserve"
	"github.com/mcp-oauth/terraform-provider-mcp/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	if err := pluginserve.Serve("registry.terraform.io/mcp-oauth/mcp", provider.New(version), debug); err != nil {
		log.Fatal(err.Error())
	}
}
