// Command terraform-provider-mcp serves the MCP OAuth provider to Terraform and OpenTofu.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

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
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	// What providerserver.Serve does, with the framework's server wrapped so
	// it does not keep every call's context (serve.go).
	err := tf6server.Serve("registry.terraform.io/mcp-oauth/mcp", func() tfprotov6.ProviderServer {
		return releaseContexts(providerserver.NewProtocol6(provider.New(version)())())
	}, opts...)
	stopProfiling()
	if err != nil {
		log.Fatal(err.Error())
	}
}
