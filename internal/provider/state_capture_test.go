package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// capturedClient is what a test step saw of an mcp_dynamic_client in state,
// for a later step's PreConfig (which has no state access of its own).
type capturedClient struct {
	ClientID                string
	ClientSecret            string
	RegistrationClientURI   string
	RegistrationAccessToken string
}

// captureClient is a state check that records the client's identifiers into
// *dst; it fails only when the resource is missing from state.
func captureClient(address string, dst *capturedClient) statecheck.StateCheck {
	return captureClientCheck{address: address, dst: dst}
}

type captureClientCheck struct {
	address string
	dst     *capturedClient
}

func (c captureClientCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("no state to capture %s from", c.address)
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != c.address {
			continue
		}
		str := func(k string) string { s, _ := r.AttributeValues[k].(string); return s }
		*c.dst = capturedClient{
			ClientID:                str("client_id"),
			ClientSecret:            str("client_secret"),
			RegistrationClientURI:   str("registration_client_uri"),
			RegistrationAccessToken: str("registration_access_token"),
		}
		return
	}
	resp.Error = fmt.Errorf("%s not found in state", c.address)
}
