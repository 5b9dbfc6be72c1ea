package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

func TestProviderDataFrom(t *testing.T) {
	var diags diag.Diagnostics
	if got := providerDataFrom(nil, &diags); got != nil || diags.HasError() {
		t.Fatalf("nil provider data: got %v, diagnostics %v; want nil and none", got, diags)
	}
	want := &providerData{}
	if got := providerDataFrom(want, &diags); got != want || diags.HasError() {
		t.Fatalf("*providerData: got %p, diagnostics %v; want %p and none", got, diags, want)
	}
	if got := providerDataFrom("not provider data", &diags); got != nil {
		t.Fatalf("a string: got %v, want nil", got)
	}
	if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "got string") {
		t.Fatalf("a string: want an error naming the type, got %v", diags)
	}
}
