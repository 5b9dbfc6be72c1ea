package oauth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A 429 on registration keeps the server's Retry-After, in seconds or as an
// HTTP date, and shows it.
func TestRegistrationErrorKeepsRetryAfter(t *testing.T) {
	for _, tt := range []struct{ header, want string }{
		{"30", "429 Too Many Requests (Retry-After: 30 seconds)"},
		{"Wed, 21 Oct 2026 07:28:00 GMT", "429 Too Many Requests (Retry-After: Wed, 21 Oct 2026 07:28:00 GMT)"},
		{"soon", `429 Too Many Requests (Retry-After: "soon")`},
	} {
		t.Run(tt.header, func(t *testing.T) {
			srv := serve(t, 429, `{"error":"rate_limited"}`, map[string]string{"Retry-After": tt.header}, nil)
			_, err := newRegTestClient(t, 0).RegisterClient(context.Background(), srv.URL, ClientMetadata{}, "")
			var re *RegistrationError
			if !errors.As(err, &re) || re.RetryAfter != tt.header {
				t.Fatalf("want a RegistrationError keeping Retry-After %q, got %#v", tt.header, err)
			}
			if !strings.Contains(re.ServerSaid(), tt.want) || !strings.Contains(re.Error(), tt.want) {
				t.Errorf("messages lack %q:\n%s\n%s", tt.want, re.ServerSaid(), re.Error())
			}
		})
	}
	srv := serve(t, 429, `{}`, nil, nil)
	_, err := newRegTestClient(t, 0).RegisterClient(context.Background(), srv.URL, ClientMetadata{}, "")
	if err == nil || strings.Contains(err.Error(), "Retry-After") {
		t.Fatalf("no Retry-After, none shown: %v", err)
	}
}
