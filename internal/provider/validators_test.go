package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// A URL with user information is refused, and no diagnostic repeats the
// password, whichever rule fires first.
func TestHTTPURLValidatorRefusesAndRedactsUserInfo(t *testing.T) {
	for _, raw := range []string{
		"https://alice:s3cret@mcp.example.com/mcp",
		"https://alice:s3cret@mcp.example.com/mcp#x",
		"ftp://alice:s3cret@mcp.example.com/",
		"https://alice:s3cret@mcp example.com/",
	} {
		req := validator.StringRequest{Path: path.Root("server_url"), ConfigValue: types.StringValue(raw)}
		var resp validator.StringResponse
		httpURLValidator{}.ValidateString(context.Background(), req, &resp)
		if !resp.Diagnostics.HasError() {
			t.Errorf("%q: want an error, got none", raw)
			continue
		}
		for _, d := range resp.Diagnostics {
			if strings.Contains(d.Summary()+d.Detail(), "s3cret") {
				t.Errorf("%q: the diagnostic repeats the password: %s: %s", raw, d.Summary(), d.Detail())
			}
		}
	}
}

// The import ID check and checkTransport follow the same rule.
func TestCheckTransportRedactsUserInfo(t *testing.T) {
	var resp validator.StringResponse
	checkTransport(path.Root("issuer"), "http://alice:s3cret@keycloak:8080/realms/x", &providerData{}, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		t.Fatal("want an error for user information, got none")
	}
	for _, d := range resp.Diagnostics {
		if strings.Contains(d.Summary()+d.Detail(), "s3cret") {
			t.Errorf("the diagnostic repeats the password: %s: %s", d.Summary(), d.Detail())
		}
	}
}
