package conformance

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	runs := []Run{
		{Wire: "2025-11-25", Scenario: "auth/a", Checks: []Check{
			{ID: "incoming-request", Status: "INFO"},
			{ID: "valid-bearer-token", Status: "SUCCESS", Description: "ok"},
			{ID: "valid-bearer-token", Status: "FAILURE", Description: "bad token"},
			{ID: "scope-from-www-authenticate", Status: "WARNING", Description: "SHOULD use challenge scope"},
			{ID: "pkce-s256-method-used", Status: "WARNING", Description: "client warning"},
			{ID: "client-registration", Status: "SUCCESS"},
		}},
		{Wire: "2026-07-28", Scenario: "auth/a", Checks: []Check{
			{ID: "scope-from-www-authenticate", Status: "WARNING"},
			{ID: "client-registration", Status: "FAILURE"},
			{ID: "brand-new-check", Status: "WARNING"},
		}},
		{Wire: "extension", Scenario: "auth/dpop", Extension: true, Checks: []Check{
			{ID: "dpop-proof", Status: "FAILURE"},
		}},
	}
	expected := []ExpectedFailure{
		{Wire: "*", Scenario: "auth/a", Check: "scope-from-www-authenticate", Reason: "issue 8"},
		{Wire: "2025-11-25", Scenario: "auth/a", Check: "client-registration", Reason: "fixed already"},
		{Wire: "2025-11-25", Scenario: "auth/gone", Check: "x", Reason: "never seen"},
	}
	res := Judge(runs, expected)
	got := map[string]string{}
	for _, r := range res.Rows {
		got[r.Wire+" "+r.Check] = r.Status + "/" + r.Verdict
	}
	want := map[string]string{
		"2025-11-25 valid-bearer-token":          "FAILURE/FAIL", // most severe occurrence wins
		"2025-11-25 scope-from-www-authenticate": "WARNING/expected",
		"2025-11-25 pkce-s256-method-used":       "WARNING/warn", // client warnings do not fail
		"2025-11-25 client-registration":         "SUCCESS/STALE",
		"2026-07-28 scope-from-www-authenticate": "WARNING/expected",
		"2026-07-28 client-registration":         "FAILURE/FAIL", // the entry names the other wire
		"2026-07-28 brand-new-check":             "WARNING/FAIL", // unclassified: judged as a provider check
		"extension dpop-proof":                   "FAILURE/ext",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if len(res.Rows) != len(want) {
		t.Errorf("got %d rows, want %d (INFO rows dropped, repeats collapsed): %v", len(res.Rows), len(want), got)
	}
	if !res.Failed() {
		t.Error("Failed() = false with FAIL rows")
	}
	if len(res.Unmatched) != 1 || res.Unmatched[0].Scenario != "auth/gone" {
		t.Errorf("Unmatched = %v, want the auth/gone entry", res.Unmatched)
	}
	if strings.Join(res.Unclassified, ",") != "brand-new-check,dpop-proof" {
		t.Errorf("Unclassified = %v", res.Unclassified)
	}
	for _, r := range res.Rows {
		if r.Check == "valid-bearer-token" && (r.Count != 2 || r.Text != "bad token") {
			t.Errorf("collapsed row = %+v, want count 2 and the failure's text", r)
		}
	}
}

func TestJudgePassesWhenEverythingBadIsListed(t *testing.T) {
	runs := []Run{{Wire: "2025-03-26", Scenario: "auth/b", Checks: []Check{
		{ID: "authorization-server-metadata", Status: "FAILURE"},
		{ID: "token-request", Status: "SUCCESS"},
	}}}
	res := Judge(runs, []ExpectedFailure{{Wire: "2025-03-26", Scenario: "auth/b", Check: "authorization-server-metadata", Reason: "r"}})
	if res.Failed() {
		t.Fatalf("Failed() = true, rows %+v", res.Rows)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, res.Rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "2025-03-26\tauth/b\tauthorization-server-metadata\tprovider\tFAILURE\texpected\t [listed: r]") {
		t.Errorf("table:\n%s", buf.String())
	}
}

func TestParseExpectedFailures(t *testing.T) {
	in := "# comment\n\n* auth/x some-check issue 8: reason words\n2026-07-28 auth/y other  why\n"
	got, err := ParseExpectedFailures(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Wire != "*" || got[0].Reason != "issue 8: reason words" || got[1].Line != 4 || got[1].Check != "other" {
		t.Errorf("got %+v", got)
	}
	if _, err := ParseExpectedFailures(strings.NewReader("2026-07-28 auth/y other\n")); err == nil {
		t.Error("an entry without a reason was accepted")
	}
}

// The committed list must parse, and every entry must name a scenario and
// check in the suite's shape and give an issue as its reason.
func TestExpectedFailuresFile(t *testing.T) {
	f, err := os.Open("expected-failures.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := ParseExpectedFailures(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if !strings.HasPrefix(e.Scenario, "auth/") {
			t.Errorf("line %d: scenario %q is not an auth/ scenario", e.Line, e.Scenario)
		}
		if !strings.Contains(strings.ToLower(e.Reason), "issue") {
			t.Errorf("line %d: reason %q names no issue", e.Line, e.Reason)
		}
		switch e.Wire {
		case "*", "2025-03-26", "2025-11-25", "2026-07-28":
		default:
			t.Errorf("line %d: wire %q", e.Line, e.Wire)
		}
	}
}
