// Package mcpprobe opens an MCP session with an access token and reports
// what the server says about itself: name, protocol version, tools, and
// optionally the result of one tool call. It proves that a client's token
// really works at an MCP server. Plain Go: the session is driven by the
// official MCP Go SDK over the oauth package's HTTP policy.
package mcpprobe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// Request says what to probe.
type Request struct {
	ServerURL string
	// AccessToken is sent as a Bearer token; empty sends none.
	AccessToken string
	// RequiredTools must all be listed by the server.
	RequiredTools []string
	// CallTool, when set, is called once with CallArguments (a JSON object or empty).
	CallTool      string
	CallArguments json.RawMessage
	// ClientName and ClientVersion identify the probe in initialize.
	ClientName, ClientVersion string
}

// Result is what the server said.
type Result struct {
	ServerName      string
	ServerVersion   string
	ProtocolVersion string
	Instructions    string
	// ToolNames is sorted.
	ToolNames []string
	// ToolOutput is the called tool's structured content as JSON, or its text content.
	ToolOutput string
}

// Kind classifies an Error.
type Kind string

// Error kinds.
const (
	KindTokenRefused Kind = "token_refused" // 401
	KindForbidden    Kind = "forbidden"     // 403, e.g. insufficient_scope
	KindMissingTools Kind = "missing_tools"
	KindToolFailed   Kind = "tool_failed"
	KindSession      Kind = "session" // initialize or tools/list failed otherwise
	KindRequest      Kind = "request" // the request itself is unusable
)

// Error is a failed probe.
type Error struct {
	Kind Kind
	// Status and Challenge are the HTTP status and WWW-Authenticate header of
	// a refusal (401 or 403).
	Status    int
	Challenge string
	// Missing lists required tools the server does not offer; Available what it does.
	Missing, Available []string
	// ToolOutput is what a failing tool said.
	ToolOutput string
	Err        error
}

func (e *Error) Error() string {
	switch e.Kind {
	case KindTokenRefused, KindForbidden:
		s := fmt.Sprintf("the MCP server refused the request with HTTP %d", e.Status)
		if e.Challenge != "" {
			s += " (WWW-Authenticate: " + e.Challenge + ")"
		}
		return s
	case KindMissingTools:
		return fmt.Sprintf("the MCP server does not offer the required tool(s) %s; it offers: %s",
			strings.Join(e.Missing, ", "), orNone(e.Available))
	case KindToolFailed:
		return fmt.Sprintf("the tool call failed: %s", e.ToolOutput)
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return string(e.Kind)
}

func (e *Error) Unwrap() error { return e.Err }

func orNone(list []string) string {
	if len(list) == 0 {
		return "(none)"
	}
	return strings.Join(list, ", ")
}

// refusalRecorder adds the bearer token and remembers the first 401 or 403.
type refusalRecorder struct {
	base  http.RoundTripper
	token string
	mu    sync.Mutex
	code  int
	chall string
}

func (r *refusalRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.token != "" {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := r.base.RoundTrip(req)
	if err == nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		r.mu.Lock()
		if r.code == 0 {
			r.code, r.chall = resp.StatusCode, strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")
		}
		r.mu.Unlock()
	}
	return resp, err
}

func (r *refusalRecorder) refusal() *Error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch r.code {
	case http.StatusUnauthorized:
		return &Error{Kind: KindTokenRefused, Status: r.code, Challenge: clip(r.chall, 400)}
	case http.StatusForbidden:
		return &Error{Kind: KindForbidden, Status: r.code, Challenge: clip(r.chall, 400)}
	}
	return nil
}

// Probe opens a session (initialize), lists the tools (tools/list, every
// page), checks the required tools, calls CallTool if set, and closes the session.
func Probe(ctx context.Context, client *oauth.Client, req Request) (*Result, error) {
	if err := oauth.ValidateURL(req.ServerURL, client.AllowsInsecureHTTP()); err != nil {
		return nil, &Error{Kind: KindRequest, Err: err}
	}
	var args map[string]any
	if len(req.CallArguments) > 0 {
		if err := json.Unmarshal(req.CallArguments, &args); err != nil {
			return nil, &Error{Kind: KindRequest, Err: fmt.Errorf("the tool arguments are not a JSON object: %w", err)}
		}
	}
	rec := &refusalRecorder{base: client.Transport(), token: req.AccessToken}
	name, version := req.ClientName, req.ClientVersion
	if name == "" {
		name = "terraform-provider-mcp-probe"
	}
	if version == "" {
		version = "dev"
	}
	c := mcp.NewClient(&mcp.Implementation{Name: name, Version: version}, nil)
	session, err := c.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:             req.ServerURL,
		HTTPClient:           &http.Client{Transport: rec},
		MaxRetries:           -1,
		DisableStandaloneSSE: true,
	}, nil)
	if err != nil {
		if r := rec.refusal(); r != nil {
			r.Err = err
			return nil, r
		}
		return nil, &Error{Kind: KindSession, Err: fmt.Errorf("initialize: %w", err)}
	}
	defer session.Close()

	init := session.InitializeResult()
	res := &Result{ProtocolVersion: init.ProtocolVersion, Instructions: init.Instructions}
	if init.ServerInfo != nil {
		res.ServerName, res.ServerVersion = init.ServerInfo.Name, init.ServerInfo.Version
	}
	params := &mcp.ListToolsParams{}
	for pages := 0; pages < 100; pages++ {
		list, err := session.ListTools(ctx, params)
		if err != nil {
			if r := rec.refusal(); r != nil {
				r.Err = err
				return nil, r
			}
			return nil, &Error{Kind: KindSession, Err: fmt.Errorf("tools/list: %w", err)}
		}
		for _, t := range list.Tools {
			res.ToolNames = append(res.ToolNames, t.Name)
		}
		if list.NextCursor == "" {
			break
		}
		params = &mcp.ListToolsParams{Cursor: list.NextCursor}
	}
	sort.Strings(res.ToolNames)
	var missing []string
	wanted := append([]string(nil), req.RequiredTools...)
	if req.CallTool != "" {
		wanted = append(wanted, req.CallTool)
	}
	for _, w := range wanted {
		i := sort.SearchStrings(res.ToolNames, w)
		if (i == len(res.ToolNames) || res.ToolNames[i] != w) && !contains(missing, w) {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		return res, &Error{Kind: KindMissingTools, Missing: missing, Available: res.ToolNames}
	}
	if req.CallTool == "" {
		return res, nil
	}
	out, err := session.CallTool(ctx, &mcp.CallToolParams{Name: req.CallTool, Arguments: args})
	if err != nil {
		if r := rec.refusal(); r != nil {
			r.Err = err
			return nil, r
		}
		return res, &Error{Kind: KindToolFailed, ToolOutput: err.Error(), Err: err}
	}
	res.ToolOutput = toolOutput(out)
	if out.IsError {
		return res, &Error{Kind: KindToolFailed, ToolOutput: res.ToolOutput}
	}
	return res, nil
}

func toolOutput(out *mcp.CallToolResult) string {
	if out.StructuredContent != nil {
		if b, err := json.Marshal(out.StructuredContent); err == nil {
			return string(b)
		}
	}
	var parts []string
	for _, c := range out.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// IsRefusal reports whether err is the server refusing the token.
func IsRefusal(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Kind == KindTokenRefused || e.Kind == KindForbidden)
}

// clip keeps server text printable and short.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s), "?")
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}
