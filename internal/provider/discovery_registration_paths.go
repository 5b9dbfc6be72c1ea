package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// The registration path outputs of mcp_oauth_discovery: which ways to get a
// client_id the authorization server offers, and the one the MCP order picks.

func preRegisteredAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{
		MarkdownDescription: "Set to `true` when you already hold a client the authorization server's operator registered " +
			"for you: the MCP order (2025-11-25, Client Registration) prefers it, so `registration_path` is then " +
			"`pre_registered`. Default `false`.",
		Optional: true,
	}
}

func registrationPathsAttribute() schema.ListAttribute {
	return computedList("The registration paths the authorization server advertises, in the MCP order of preference: " +
		"`client_id_metadata_document` when its metadata says `client_id_metadata_document_supported: true` (use " +
		"`mcp_client_metadata_document`), `dynamic_client_registration` when it names a `registration_endpoint` (use " +
		"`mcp_dynamic_client`). Pre-registration is never advertised, so it is not listed. Empty when neither is offered.")
}

func registrationPathAttribute() schema.StringAttribute {
	return computedString("The path the MCP authorization specification (2025-11-25, Client Registration) tells a client " +
		"to take: `pre_registered` when `pre_registered` is true, else `client_id_metadata_document` when offered, else " +
		"`dynamic_client_registration` when offered, else `pre_registered` (ask the operator for a client: the only way " +
		"left). Use it with `count` to create either a document or a dynamic client from one configuration.")
}

func registrationPathValues(m oauth.AuthorizationServerMetadata, preRegistered bool) (types.List, types.String) {
	offered, chosen := oauth.RegistrationPaths(m, preRegistered)
	names := make([]string, 0, len(offered))
	for _, p := range offered {
		names = append(names, string(p))
	}
	return stringList(names), types.StringValue(string(chosen))
}
