package oauth

import (
	"fmt"
	"strings"
)

// Outcome classifies one discovery attempt.
type Outcome string

const (
	// OutcomeFound means the document at this URL was accepted.
	OutcomeFound Outcome = "found"
	// OutcomeNotHere means the URL did not serve the document (4xx, 502, an
	// HTML page, JSON of the wrong shape) and discovery moved on.
	OutcomeNotHere Outcome = "not_here"
	// OutcomeRejected means a document was served but failed a check (resource
	// or issuer mismatch, missing required field) and discovery moved on.
	OutcomeRejected Outcome = "rejected"
	// OutcomeFailed means a real failure (network error, 5xx other than 502,
	// oversized body) that stopped discovery.
	OutcomeFailed Outcome = "failed"
)

// Attempt records one URL tried during discovery and what it answered, so a
// person can see why discovery succeeded or failed.
type Attempt struct {
	URL     string  `json:"url"`
	Status  int     `json:"status"` // HTTP status, 0 when there was no response
	Outcome Outcome `json:"outcome"`
	Detail  string  `json:"detail"` // short human-readable explanation
}

func (a Attempt) String() string {
	status := "no response"
	if a.Status != 0 {
		status = fmt.Sprintf("HTTP %d", a.Status)
	}
	// URL and Detail may hold bytes a server sent; messages must be valid UTF-8.
	return fmt.Sprintf("%s -> %s, %s: %s", ValidUTF8(a.URL), status, a.Outcome, ValidUTF8(a.Detail))
}

// ValidUTF8 replaces invalid UTF-8 (which a server can put in a header or a
// URL) with U+FFFD, so messages built from it can be shown and marshalled.
func ValidUTF8(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

// FormatAttempts renders attempts one per line, for error messages.
func FormatAttempts(attempts []Attempt) string {
	lines := make([]string, 0, len(attempts))
	for i, a := range attempts {
		lines = append(lines, fmt.Sprintf("  %d. %s", i+1, a))
	}
	return strings.Join(lines, "\n")
}
