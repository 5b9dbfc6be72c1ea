package oauth

import (
	"fmt"
	"strings"
)

// DiscoveryError reports discovery that found no usable document: what was
// sought, every URL tried with what it answered, and, when discovery stopped
// on a real failure (a 5xx, a network or TLS error, an oversized body), that
// failure as Err.
type DiscoveryError struct {
	Sought   string
	Attempts []Attempt
	Err      error
	// unauthorized is set when the MCP endpoint answered the probe with 401:
	// it requires authorization, so a server of MCP revision 2025-03-26
	// (no protected resource metadata) is the likely explanation.
	unauthorized bool
	challenge    *BearerChallenge // the probe's, if any
}

func (e *DiscoveryError) Error() string {
	var b strings.Builder
	if e.Err != nil {
		fmt.Fprintf(&b, "discovery of %s stopped on an error: %v", e.Sought, e.Err)
	} else {
		fmt.Fprintf(&b, "no %s was found", e.Sought)
	}
	if len(e.Attempts) > 0 {
		b.WriteString("; URLs tried:\n")
		b.WriteString(FormatAttempts(e.Attempts))
	}
	return ValidUTF8(b.String())
}

func (e *DiscoveryError) Unwrap() error { return e.Err }

// MismatchError reports a document that names another resource or issuer
// than the one asked about, so it must not be used (RFC 9728 section 3.3,
// RFC 8414 section 3.3).
type MismatchError struct {
	Field       string // "resource" or "issuer"
	Expected    string // what the client asked about
	Got         string // what the document says
	MetadataURL string // where that document was served
	Mode        string // the comparison mode in force
	// RelaxedMode is the comparison mode that would accept Got, such as
	// IssuerMatchAllowTrailingSlash; empty when none would.
	RelaxedMode string
	Attempts    []Attempt
}

func (e *MismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the metadata at %s names %s %q, but %q was asked for (%s match mode %q)",
		e.MetadataURL, e.Field, e.Got, e.Expected, e.Field, e.Mode)
	if e.RelaxedMode != "" {
		fmt.Fprintf(&b, "; if the server is right to publish that value, the %s match mode %q accepts it", e.Field, e.RelaxedMode)
	} else {
		fmt.Fprintf(&b, "; no match mode accepts it: check that the %s URL is the one the server publishes", e.Field)
	}
	if len(e.Attempts) > 0 {
		b.WriteString("; URLs tried:\n")
		b.WriteString(FormatAttempts(e.Attempts))
	}
	return ValidUTF8(b.String())
}

// attemptDetail describes the rejected document in the attempt trace.
func (e *MismatchError) attemptDetail() string {
	return fmt.Sprintf("%s %q does not match %q (%s match mode %q)", e.Field, e.Got, e.Expected, e.Field, e.Mode)
}
