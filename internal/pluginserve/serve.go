// Package pluginserve runs a terraform-plugin-framework provider as a plugin
// process the way this project wants it run: with the framework's server
// wrapped so it does not keep every call's context (releasing.go), the
// plugin SDK's loggers off unless a log setting asks for them, memory
// settings for a short-lived process (memory.go) and, for the scale
// benchmark, optional CPU and heap profiles (profile.go). The provider's
// main and the benchmark's framework-floor provider both serve through it,
// so they are measured alike.
package pluginserve

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	mcp "github.com/mcp-oauth/terraform-provider-mcp/internal/provider"
)

// Serve serves the provider at address (for example
// registry.terraform.io/mcp-oauth/mcp) over protocol 6 until Terraform stops
// it. With debug it runs for a debugger (delve) and prints how to attach.
func Serve(address string, newProvider func() provider.Provider, debug bool) error {
	mcp.QuietSDKLogsUnlessWanted()
	stopProfiling := startProfiling()
	defer stopProfiling()
	tuneMemory()
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	// What providerserver.Serve does, with the framework's server wrapped.
	return tf6server.Serve(address, func() tfprotov6.ProviderServer { return NewServer(newProvider) }, opts...)
}

// NewServer is the protocol-6 server Serve runs: the framework's, wrapped
// so that it does not keep every call's context. Benchmarks call it in
// process.
func NewServer(newProvider func() provider.Provider) tfprotov6.ProviderServer {
	return releaseContexts(providerserver.NewProtocol6(newProvider())())
}
