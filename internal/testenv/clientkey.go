package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// ClientKey is a P-256 key pair for private_key_jwt client authentication
// (RFC 7523) in tests.
type ClientKey struct {
	KeyID string
	key   *ecdsa.PrivateKey
}

// NewClientKey makes a fresh key.
func NewClientKey() (*ClientKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &ClientKey{KeyID: randomURLSafe(8), key: key}, nil
}

// PublicJWKS is the JSON Web Key Set with the public key only.
func (k *ClientKey) PublicJWKS() string {
	b64 := base64.RawURLEncoding.EncodeToString
	point, _ := k.key.PublicKey.Bytes() // 0x04 || X || Y for a valid P-256 key
	x, y := point[1:33], point[33:65]
	set := map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y), "kid": k.KeyID, "use": "sig", "alg": "ES256",
	}}}
	out, _ := json.Marshal(set)
	return string(out)
}

// Assertion signs a client assertion for clientID with the given audience.
func (k *ClientKey) Assertion(clientID, audience string) (string, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	header, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": k.KeyID})
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{
		"iss": clientID, "sub": clientID, "aud": audience, "jti": randomURLSafe(16),
		"iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
	})
	signingInput := b64(header) + "." + b64(claims)
	digest := sha256.Sum256([]byte(signingInput))
	r, s, err := ecdsa.Sign(rand.Reader, k.key, digest[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signingInput + "." + b64(sig), nil
}
