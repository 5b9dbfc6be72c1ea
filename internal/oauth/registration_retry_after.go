package oauth

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// answerStatus is the status for messages, with the Retry-After the server
// sent, so a person rate-limited (429) or told the service is unavailable
// (503) learns when to try again.
func (e *RegistrationError) answerStatus() string {
	s := statusText(e.Status)
	after := strings.TrimSpace(e.RetryAfter)
	if after == "" {
		return s
	}
	if secs, err := strconv.Atoi(after); err == nil && secs >= 0 {
		return fmt.Sprintf("%s (Retry-After: %d seconds)", s, secs)
	}
	if t, err := http.ParseTime(after); err == nil {
		return fmt.Sprintf("%s (Retry-After: %s)", s, t.UTC().Format(http.TimeFormat))
	}
	return fmt.Sprintf("%s (Retry-After: %q)", s, after)
}
