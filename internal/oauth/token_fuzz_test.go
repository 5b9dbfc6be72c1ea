package oauth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// FuzzCheckTokenIssuer: any token string is either accepted or refused
// with an IssuerBindingError that names the issuer it found; never a panic.
func FuzzCheckTokenIssuer(f *testing.F) {
	claims := func(s string) string { return "e30." + base64.RawURLEncoding.EncodeToString([]byte(s)) + ".sig" }
	for _, seed := range []string{
		"opaque", "", "a.b.c", "..", claims(`{"iss":"https://as.example.com"}`), claims(`{"iss":"https://evil"}`),
		claims(`{"iss":7}`), claims(`not json`), "e30.!!!.x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		err := CheckTokenIssuer(tok, "https://as.example.com")
		if err == nil {
			return
		}
		var be *IssuerBindingError
		if !errors.As(err, &be) || !be.InToken || be.Got == "" || be.Got == "https://as.example.com" || strings.Count(tok, ".") != 2 {
			t.Fatalf("token %q: %v", tok, err)
		}
	})
}
