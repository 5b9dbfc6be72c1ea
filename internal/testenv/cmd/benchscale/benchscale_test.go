package main

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestRotateStartsEachRepetitionWithAnotherSubject(t *testing.T) {
	xs := []string{"provider", "floor", "noop", "raw"}
	for k, want := range [][]string{
		{"provider", "floor", "noop", "raw"},
		{"floor", "noop", "raw", "provider"},
		{"noop", "raw", "provider", "floor"},
		{"raw", "provider", "floor", "noop"},
		{"provider", "floor", "noop", "raw"},
	} {
		if got := rotate(xs, k); !reflect.DeepEqual(got, want) {
			t.Errorf("rotate(%d) = %v, want %v", k, got, want)
		}
	}
	if !reflect.DeepEqual(xs, []string{"provider", "floor", "noop", "raw"}) {
		t.Errorf("rotate changed its input: %v", xs)
	}
}

func TestSubjectList(t *testing.T) {
	got, err := (config{subjects: "raw, provider"}).subjectList()
	if err != nil || !reflect.DeepEqual(got, []string{"provider", "raw"}) {
		t.Errorf("got %v, %v; want report order", got, err)
	}
	if _, err := (config{subjects: "provider,flor"}).subjectList(); err == nil {
		t.Error("an unknown subject was accepted")
	}
}

// The provider and the floor must get the same resource block: only where
// the endpoint comes from may differ.
func TestProviderAndFloorConfigureTheSameResource(t *testing.T) {
	block := func(cfg string) string {
		b := cfg[strings.Index(cfg, `resource "mcp_dynamic_client"`):]
		return strings.NewReplacer(
			"data.mcp_authorization_server_metadata.kc.registration_endpoint", "ENDPOINT",
			"var.registration_endpoint", "ENDPOINT").Replace(b)
	}
	if block(providerConfig) != block(floorConfig) {
		t.Errorf("resource blocks differ:\n%s\n%s", block(providerConfig), block(floorConfig))
	}
	if strings.Contains(providerConfig, "ENDPOINT_") || strings.Contains(floorConfig, "ENDPOINT_") {
		t.Error("a placeholder was left in a configuration")
	}
}

func TestOwnSharePairsRepetitions(t *testing.T) {
	provider := []measurement{{Rep: 1, ProvCPUms: 300}, {Rep: 2, ProvCPUms: 500}, {Rep: 3, ProvCPUms: 400}}
	floor := []measurement{{Rep: 1, ProvCPUms: 200}, {Rep: 2, ProvCPUms: 200}, {Rep: 3, ProvCPUms: 350}}
	if got, want := ownShare(provider, floor, 100), "1.00 [0.50, 3.00]"; got != want {
		t.Errorf("ownShare = %q, want %q", got, want)
	}
	if got := ownShare(provider, nil, 100); got != "—" {
		t.Errorf("without a floor: %q", got)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is not NaN")
	}
}
