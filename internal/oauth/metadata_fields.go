package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Errors from the metadata decoders, so discovery can tell "this URL does not
// serve the document" (try the next) from "this document is broken".
var (
	// ErrNotJSONObject: the body is not a JSON object (an HTML page, plain
	// text, an array). The URL does not serve metadata.
	ErrNotJSONObject = errors.New("not a JSON object")
	// ErrMissingRequiredField: a JSON object without the document's required
	// field (issuer, resource): some other JSON lives at this URL.
	ErrMissingRequiredField = errors.New("required field missing")
)

// FieldTypeError reports a documented field whose JSON type is wrong.
type FieldTypeError struct {
	Field string
	Want  string
	Got   string // the JSON, shortened
}

func (e *FieldTypeError) Error() string {
	return fmt.Sprintf("field %q must be %s, got %s", e.Field, e.Want, e.Got)
}

// docFields decodes one metadata document field by field. Vendors get types
// wrong in a few recurring, unambiguous ways; those are accepted (see each
// method). Any other wrong type in a critical field (the required identifier,
// and the fields MCP relies on) is a FieldTypeError, the first one kept; in
// any other field it makes that field absent and its name is listed in
// ignored, so one odd optional field does not reject a usable document.
type docFields struct {
	raw      map[string]json.RawMessage
	body     []byte // the document, trimmed of whitespace and a byte-order mark
	critical map[string]bool
	ignored  []string
	err      error
}

// utf8BOM is the UTF-8 byte-order mark some servers put before JSON.
var utf8BOM = []byte("\xef\xbb\xbf")

// trimDocument strips surrounding whitespace and a leading byte-order mark.
func trimDocument(body []byte) []byte {
	trimmed := bytes.TrimSpace(body)
	if bytes.HasPrefix(trimmed, utf8BOM) {
		trimmed = bytes.TrimSpace(trimmed[len(utf8BOM):])
	}
	return trimmed
}

// looksLikeJSONObject reports whether body starts like a JSON object (after
// whitespace and a byte-order mark).
func looksLikeJSONObject(body []byte) bool {
	trimmed := trimDocument(body)
	return len(trimmed) > 0 && trimmed[0] == '{'
}

// newDocFields parses body as a JSON object. critical names the fields whose
// wrong type rejects the document.
func newDocFields(body []byte, critical ...string) (*docFields, error) {
	trimmed := trimDocument(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, ErrNotJSONObject
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotJSONObject, err)
	}
	d := &docFields{raw: raw, body: trimmed, critical: map[string]bool{}}
	for _, name := range critical {
		d.critical[name] = true
	}
	return d, nil
}

func (d *docFields) fail(field, want string, got json.RawMessage) {
	if !d.critical[field] {
		d.ignored = append(d.ignored, field)
		return
	}
	if d.err == nil {
		d.err = &FieldTypeError{Field: field, Want: want, Got: shorten(string(got), 60)}
	}
}

// value returns a field's JSON, or nil when absent or null (null means absent).
func (d *docFields) value(name string) json.RawMessage {
	v, ok := d.raw[name]
	if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil
	}
	return v
}

// str reads a string field.
func (d *docFields) str(name string) string {
	v := d.value(name)
	if v == nil {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		d.fail(name, "a string", v)
	}
	return s
}

// list reads an array of strings. A lone string is taken as a one-element
// list: that mistake is common and has only one reading. It is never split,
// since some values (response types like "code id_token") contain spaces.
func (d *docFields) list(name string) []string {
	v := d.value(name)
	if v == nil {
		return nil
	}
	var l []string
	if err := json.Unmarshal(v, &l); err == nil {
		return l
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return []string{s}
	}
	d.fail(name, "an array of strings", v)
	return nil
}

// scopeList reads a list of scopes. A string is split on spaces, since
// scope tokens cannot contain them (RFC 6749 section 3.3) and vendors
// sometimes publish the list in the "scope" parameter's format.
func (d *docFields) scopeList(name string) []string {
	v := d.value(name)
	if v == nil {
		return nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return strings.Fields(s)
	}
	return d.list(name)
}

// boolean reads a boolean. The strings "true" and "false" are accepted,
// since some servers render every value as a string.
func (d *docFields) boolean(name string) bool {
	v := d.value(name)
	if v == nil {
		return false
	}
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return b
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	d.fail(name, "a boolean", v)
	return false
}

// required reads a string field that must be present and non-empty.
func (d *docFields) required(name string) (string, error) {
	v := d.value(name)
	if v == nil {
		return "", fmt.Errorf("%w: %q", ErrMissingRequiredField, name)
	}
	d.critical[name] = true
	s := d.str(name)
	if d.err != nil {
		return "", d.err
	}
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("%w: %q is empty", ErrMissingRequiredField, name)
	}
	return s, nil
}

// ignoredNote describes the fields that were ignored for their type, for an
// attempt's detail; empty when there were none.
func ignoredNote(fields []string) string {
	if len(fields) == 0 {
		return ""
	}
	return "; ignored fields of the wrong type (treated as absent): " + strings.Join(fields, ", ")
}

// shorten cuts s to at most n bytes for messages, keeping valid UTF-8.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
