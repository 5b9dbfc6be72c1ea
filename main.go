// Command terraform-provider-mcp serves the MCP OAuth provider to Terraform and OpenTofu.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	stopProfiling := startProfiling()
	provider.QuietSDKLogsUnlessWanted()
	tuneMemory()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/mcp-oauth/mcp",
		Debug:   debug,
	})
	stopProfiling()
	if err != nil {
		log.Fatal(err.Error())
	}
}
