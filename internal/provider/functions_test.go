package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

func runFunc(t *testing.T, f function.Function, result attr.Value, args ...attr.Value) (attr.Value, *function.FuncError) {
	t.Helper()
	resp := &function.RunResponse{Result: function.NewResultData(result)}
	f.Run(context.Background(), function.RunRequest{Arguments: function.NewArgumentsData(args)}, resp)
	return resp.Result.Value(), resp.Error
}

func listStrings(v attr.Value) []string {
	var out []string
	for _, e := range v.(types.List).Elements() {
		out = append(out, e.(types.String).ValueString())
	}
	return out
}

func TestFunctionResourceMetadataURLs(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.example.com/v1/mcp": "https://api.example.com/.well-known/oauth-protected-resource/v1/mcp https://api.example.com/.well-known/oauth-protected-resource",
		"https://api.example.com":        "https://api.example.com/.well-known/oauth-protected-resource",
		"https://api.example.com/":       "https://api.example.com/.well-known/oauth-protected-resource",
		"http://localhost:8000/mcp":      "http://localhost:8000/.well-known/oauth-protected-resource/mcp http://localhost:8000/.well-known/oauth-protected-resource",
	} {
		got, err := runFunc(t, NewResourceMetadataURLsFunction(), types.ListUnknown(types.StringType), types.StringValue(in))
		if err != nil || strings.Join(listStrings(got), " ") != want {
			t.Errorf("%s: got %v %v, want %s", in, got, err, want)
		}
	}
	if _, err := runFunc(t, NewResourceMetadataURLsFunction(), types.ListUnknown(types.StringType), types.StringValue("mcp.example.com/mcp")); err == nil {
		t.Error("a relative URL was accepted")
	}
}

func TestFunctionAuthorizationServerMetadataURLs(t *testing.T) {
	for in, want := range map[string]string{
		"http://localhost:9000/realms/mcp-oauth": "http://localhost:9000/.well-known/oauth-authorization-server/realms/mcp-oauth " +
			"http://localhost:9000/.well-known/openid-configuration/realms/mcp-oauth " +
			"http://localhost:9000/realms/mcp-oauth/.well-known/openid-configuration " +
			"http://localhost:9000/realms/mcp-oauth/.well-known/oauth-authorization-server",
		"https://as.example.com/tenant/": "https://as.example.com/.well-known/oauth-authorization-server/tenant " +
			"https://as.example.com/.well-known/openid-configuration/tenant " +
			"https://as.example.com/tenant/.well-known/openid-configuration " +
			"https://as.example.com/tenant/.well-known/oauth-authorization-server",
		"https://as.example.com": "https://as.example.com/.well-known/oauth-authorization-server https://as.example.com/.well-known/openid-configuration",
	} {
		got, err := runFunc(t, NewAuthorizationServerMetadataURLsFunction(), types.ListUnknown(types.StringType), types.StringValue(in))
		if err != nil || strings.Join(listStrings(got), " ") != want {
			t.Errorf("%s: got %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"https://as.example.com/?x=1", "as.example.com", "ftp://as.example.com"} {
		if _, err := runFunc(t, NewAuthorizationServerMetadataURLsFunction(), types.ListUnknown(types.StringType), types.StringValue(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestFunctionParseWWWAuthenticate(t *testing.T) {
	unknown := types.ObjectUnknown(parsedHeaderAttrTypes)
	got, err := runFunc(t, NewParseWWWAuthenticateFunction(), unknown,
		types.StringValue(`Basic realm="x", Bearer error="insufficient_scope", SCOPE="mcp:read mcp:write", Bearer resource_metadata="https://m/.well-known/oauth-protected-resource", error_description="need \"more\""`))
	if err != nil {
		t.Fatal(err)
	}
	attrs := got.(types.Object).Attributes()
	if attrs["resource_metadata"].(types.String).ValueString() != "https://m/.well-known/oauth-protected-resource" ||
		attrs["scope"].(types.String).ValueString() != "mcp:read mcp:write" ||
		attrs["error"].(types.String).ValueString() != "insufficient_scope" {
		t.Errorf("%v", attrs)
	}
	challenges := attrs["challenges"].(types.List).Elements()
	if len(challenges) != 3 || challenges[0].(types.Object).Attributes()["scheme"].(types.String).ValueString() != "Basic" {
		t.Errorf("challenges %v", challenges)
	}
	second := challenges[2].(types.Object).Attributes()["params"].(types.Map).Elements()
	if second["error_description"].(types.String).ValueString() != `need "more"` {
		t.Errorf("quoted escape: %v", second)
	}
	if _, err := runFunc(t, NewParseWWWAuthenticateFunction(), unknown, types.StringValue(`=,=`)); err == nil {
		t.Error("garbage accepted")
	}
}

func TestFunctionClientScope(t *testing.T) {
	supported := types.ListValueMust(types.StringType, []attr.Value{types.StringValue("mcp:read"), types.StringValue("mcp:write"), types.StringValue("mcp:read")})
	for _, tc := range []struct {
		header    attr.Value
		supported attr.Value
		want      string
	}{
		{types.StringValue(`Bearer scope="mcp:read"`), supported, "mcp:read"},
		{types.StringValue(`Bearer resource_metadata="https://m/x"`), supported, "mcp:read mcp:write"},
		{types.StringNull(), supported, "mcp:read mcp:write"},
		{types.StringNull(), types.ListNull(types.StringType), ""},
		{types.StringValue(`Bearer scope="  a   b "`), types.ListNull(types.StringType), "a b"},
	} {
		got, err := runFunc(t, NewClientScopeFunction(), types.StringUnknown(), tc.header, tc.supported)
		if err != nil || got.(types.String).ValueString() != tc.want {
			t.Errorf("%v %v: got %v %v, want %q", tc.header, tc.supported, got, err, tc.want)
		}
	}
}

// The functions through the CLI, as users call them.
func TestUnitFunctions_throughCLI(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
output "prm" {
  value = provider::mcp::resource_metadata_urls("https://api.example.com/v1/mcp")[0]
}
output "asm" {
  value = length(provider::mcp::authorization_server_metadata_urls("https://kc.example.com/realms/mcp"))
}
output "rm" {
  value = provider::mcp::parse_www_authenticate("Bearer resource_metadata=\"https://m/prm\"").resource_metadata
}
output "scope" {
  value = provider::mcp::client_scope("", ["mcp:read", "mcp:write"])
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("prm", knownvalue.StringExact("https://api.example.com/.well-known/oauth-protected-resource/v1/mcp")),
					statecheck.ExpectKnownOutputValue("asm", knownvalue.Int64Exact(4)),
					statecheck.ExpectKnownOutputValue("rm", knownvalue.StringExact("https://m/prm")),
					statecheck.ExpectKnownOutputValue("scope", knownvalue.StringExact("mcp:read mcp:write")),
				},
			},
			{
				Config:      `output "x" { value = provider::mcp::authorization_server_metadata_urls("not a url") }`,
				ExpectError: regexp.MustCompile(`not an absolute http or\s+https URL`),
			},
		},
	})
}
