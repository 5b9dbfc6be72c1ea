package main

import (
	"context"
	"errors"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type whoamiInput struct{}

// whoamiOutput describes the access token the request was made with.
type whoamiOutput struct {
	Subject   string   `json:"subject" jsonschema:"the token's sub claim"`
	ClientID  string   `json:"client_id" jsonschema:"the client the token was issued to (azp or client_id claim)"`
	Username  string   `json:"username,omitempty" jsonschema:"preferred_username claim, if any"`
	Issuer    string   `json:"issuer" jsonschema:"the token's issuer"`
	Audience  []string `json:"audience" jsonschema:"the token's audiences"`
	Scopes    []string `json:"scopes" jsonschema:"the scopes granted to the token"`
	ExpiresAt string   `json:"expires_at" jsonschema:"token expiry, RFC 3339"`
}

type echoInput struct {
	Text string `json:"text" jsonschema:"the text to echo back"`
}

type echoOutput struct {
	Text string `json:"text" jsonschema:"the echoed text"`
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func whoami(_ context.Context, req *mcp.CallToolRequest, _ whoamiInput) (*mcp.CallToolResult, whoamiOutput, error) {
	if req.Extra == nil || req.Extra.TokenInfo == nil {
		return nil, whoamiOutput{}, errors.New("no token information for this request")
	}
	ti := req.Extra.TokenInfo
	aud, _ := ti.Extra["aud"].([]string)
	out := whoamiOutput{
		Subject:   str(ti.Extra, "sub"),
		ClientID:  str(ti.Extra, "client_id"),
		Username:  str(ti.Extra, "preferred_username"),
		Issuer:    str(ti.Extra, "iss"),
		Audience:  aud,
		Scopes:    ti.Scopes,
		ExpiresAt: ti.Expiration.UTC().Format(time.RFC3339),
	}
	if out.Audience == nil {
		out.Audience = []string{}
	}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	return nil, out, nil
}

func echo(_ context.Context, _ *mcp.CallToolRequest, in echoInput) (*mcp.CallToolResult, echoOutput, error) {
	return nil, echoOutput(in), nil
}

func newMCPServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: serverName, Version: serverVersion}, &mcp.ServerOptions{
		Instructions: "Test MCP server for terraform-provider-mcp. Protected by OAuth; use whoami to inspect your access token.",
	})
	mcp.AddTool(s, &mcp.Tool{
		Name:        "whoami",
		Description: "Returns the subject, client id, issuer, audience and scopes of the access token used for this request.",
	}, whoami)
	mcp.AddTool(s, &mcp.Tool{
		Name:        "echo",
		Description: "Echoes the given text.",
	}, echo)
	return s
}
