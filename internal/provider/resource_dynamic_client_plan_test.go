package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

func strSet(t *testing.T, l ...string) types.Set {
	t.Helper()
	v, d := types.SetValueFrom(context.Background(), types.StringType, l)
	if d.HasError() {
		t.Fatal(d)
	}
	return v
}

// priorModel is the state after a create where the server added a grant
// type, rewrote the auth method and dropped contacts.
func priorModel(t *testing.T) dynamicClientModel {
	var m dynamicClientModel
	var diags diag.Diagnostics
	m.fromMetadata(context.Background(), oauth.ClientMetadata{}, &diags)
	m.GrantTypes = strSet(t, "authorization_code")
	m.Scope = types.StringValue("b a")
	m.Contacts = strSet(t, "ops@example.com")
	m.TokenEndpointAuthMethod = types.StringValue("client_secret_post")
	m.ExtraMetadata = types.StringValue(`{"vendor":1}`)
	m.RegisteredMetadata = types.StringValue(registeredMetadataJSON(oauth.ClientMetadata{
		GrantTypes: []string{"authorization_code", "refresh_token"}, Scope: "a b", TokenEndpointAuthMethod: "client_secret_basic",
	}))
	return m
}

func TestMergeReadServerRewritesAreNotDrift(t *testing.T) {
	prior := priorModel(t)
	current := oauth.ClientMetadata{
		GrantTypes: []string{"refresh_token", "authorization_code"}, Scope: "a b", TokenEndpointAuthMethod: "client_secret_basic",
		Extra: map[string]jsonRaw{"vendor": jsonRaw(`1`), "server_own": jsonRaw(`true`)},
	}
	var diags diag.Diagnostics
	got := mergeRead(context.Background(), &prior, current, &diags)
	for _, at := range append(metadataAttrs, extraMetadataAttr) {
		if !fieldEqual(&got, &prior, at) {
			t.Errorf("%s changed: %v -> %v", at.name, at.get(&prior), at.get(&got))
		}
	}
}

func TestMergeReadDetectsDrift(t *testing.T) {
	prior := priorModel(t)
	current := oauth.ClientMetadata{
		GrantTypes: []string{"client_credentials"}, Scope: "a b c", TokenEndpointAuthMethod: "none",
		Extra: map[string]jsonRaw{"vendor": jsonRaw(`2`)},
	}
	var diags diag.Diagnostics
	got := mergeRead(context.Background(), &prior, current, &diags)
	if !got.GrantTypes.Equal(strSet(t, "client_credentials")) || got.Scope.ValueString() != "a b c" ||
		got.TokenEndpointAuthMethod.ValueString() != "none" || got.ExtraMetadata.ValueString() != `{"vendor":2}` {
		t.Errorf("drift not taken: %+v", got)
	}
	if !got.Contacts.Equal(prior.Contacts) {
		t.Errorf("a field the server does not store is not drift")
	}
}

func TestMergeReadImportTakesServerValues(t *testing.T) {
	var prior dynamicClientModel
	var diags diag.Diagnostics
	prior.fromMetadata(context.Background(), oauth.ClientMetadata{}, &diags)
	got := mergeRead(context.Background(), &prior, oauth.ClientMetadata{ClientName: "x", RedirectURIs: []string{"http://127.0.0.1/cb"}}, &diags)
	if got.ClientName.ValueString() != "x" || got.RedirectURIs.IsNull() {
		t.Errorf("import must record the server's values: %+v", got)
	}
}

func TestSecretExpired(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		at   types.Int64
		want bool
	}{
		{types.Int64Value(0), false},
		{types.Int64Null(), false},
		{types.Int64Value(now.Unix() + 60), false},
		{types.Int64Value(now.Unix()), true},
		{types.Int64Value(now.Unix() - 60), true},
	} {
		m := dynamicClientModel{ClientSecretExpiresAt: tt.at}
		if got, _ := secretExpired(&m, now); got != tt.want {
			t.Errorf("expires_at %v: got %v", tt.at, got)
		}
	}
}

func TestChangedWithoutManagement(t *testing.T) {
	var plan, config, state dynamicClientModel
	plan.ClientName, config.ClientName, state.ClientName = types.StringUnknown(), types.StringNull(), types.StringNull()
	if changedWithoutManagement(&plan, &config, &state, clientNameAttr) {
		t.Error("computed and unset, nothing in state: no change")
	}
	state.ClientName = types.StringValue("a")
	if !changedWithoutManagement(&plan, &config, &state, clientNameAttr) {
		t.Error("unknown with a value in state: a change")
	}
	state.ClientName, config.ClientName = types.StringNull(), types.StringUnknown()
	if !changedWithoutManagement(&plan, &config, &state, clientNameAttr) {
		t.Error("configured but unknown: a change")
	}
}

func TestMissingSecretWarning(t *testing.T) {
	for _, tt := range []struct {
		method, secret string
		want           bool
	}{
		{"client_secret_basic", "", true},
		{"client_secret_post", "s", false},
		{"none", "", false},
		{"private_key_jwt", "", false},
	} {
		m := dynamicClientModel{
			ClientID: types.StringValue("c"), ClientSecret: types.StringValue(tt.secret),
			TokenEndpointAuthMethod: types.StringValue("client_secret_basic"),
			RegisteredMetadata:      types.StringValue(registeredMetadataJSON(oauth.ClientMetadata{TokenEndpointAuthMethod: tt.method})),
		}
		var diags diag.Diagnostics
		addMissingSecretWarning(&diags, &m)
		if got := diags.WarningsCount() > 0; got != tt.want {
			t.Errorf("%s with secret %q: warning %v, want %v", tt.method, tt.secret, got, tt.want)
		}
	}
}

// Additions and members the server does not store are logged through the
// caller's context, not warned about; a changed scalar is warned about.
func TestRewriteWarningsLogAdditions(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	asked := dynamicClientModel{
		GrantTypes: types.SetValueMust(types.StringType, []attr.Value{types.StringValue("authorization_code")}),
		ClientURI:  types.StringValue("https://app.example.com"),
		ClientName: types.StringValue("asked name"),
	}
	got := oauth.ClientMetadata{GrantTypes: []string{"authorization_code", "refresh_token"}, ClientName: "other name"}
	var diags diag.Diagnostics
	addRewriteWarnings(ctx, &diags, &asked, got)

	if diags.WarningsCount() != 1 || !strings.Contains(diags[0].Detail(), `client_name: asked "asked name", registered "other name"`) {
		t.Errorf("want one warning about client_name only, got %v", diags)
	}
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string]string{}
	for _, e := range entries {
		member, _ := e["member"].(string)
		msg, _ := e["@message"].(string)
		logged[member] = msg
	}
	if !strings.Contains(logged["grant_types"], "more than requested") {
		t.Errorf("the added grant type is not logged: %v", entries)
	}
	if !strings.Contains(logged["client_uri"], "did not return") {
		t.Errorf("the member the server dropped is not logged: %v", entries)
	}
	if _, ok := logged["client_name"]; ok {
		t.Errorf("client_name is warned about, not logged as normal: %v", entries)
	}
}
