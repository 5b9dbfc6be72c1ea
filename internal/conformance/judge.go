package conformance

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Check is one entry of a scenario run's checks.json, as the suite writes it.
type Check struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Status      string `json:"status"` // SUCCESS, FAILURE, WARNING, SKIPPED, INFO
}

// ParseChecks reads a checks.json file.
func ParseChecks(r io.Reader) ([]Check, error) {
	var cs []Check
	if err := json.NewDecoder(r).Decode(&cs); err != nil {
		return nil, fmt.Errorf("checks.json: %w", err)
	}
	return cs, nil
}

// Run is one scenario run at one wire (spec version).
type Run struct {
	Wire      string // 2025-03-26, 2025-11-25, 2026-07-28, or "extension"
	Scenario  string
	Extension bool
	Checks    []Check
}

// Row is one line of the table: a check id in one run, its occurrences
// collapsed to the most severe status.
type Row struct {
	Wire, Scenario, Check string
	Owner                 string // provider, client
	Status                string
	Count                 int    // occurrences of the id in the run
	Text                  string // the description of the most severe occurrence
	Verdict               string // see the Verdict* constants
	Reason                string // the expected-failures entry's reason, if any
}

// Verdicts of a row.
const (
	VerdictPass     = "pass"     // SUCCESS or SKIPPED, or a WARNING that the rule lets through
	VerdictFail     = "FAIL"     // breaks the rule and is not an expected failure: fails the run
	VerdictExpected = "expected" // breaks the rule and is listed in expected-failures.txt
	VerdictStale    = "STALE"    // listed in expected-failures.txt but passes: prune the entry
	VerdictWarn     = "warn"     // a WARNING of a client check: reported only
	VerdictExt      = "ext"      // a non-success in an extension scenario: reported only
)

var severity = map[string]int{"INFO": 0, "SUCCESS": 1, "SKIPPED": 2, "WARNING": 3, "FAILURE": 4}

// ExpectedFailure is one line of expected-failures.txt.
type ExpectedFailure struct {
	Wire, Scenario, Check, Reason string
	Line                          int
}

// ParseExpectedFailures reads the expected-failures list: one entry a line,
// "WIRE SCENARIO CHECK REASON...", WIRE a spec version or "*"; '#' starts a
// comment line. An entry without a reason is refused: each must say why.
func ParseExpectedFailures(r io.Reader) ([]ExpectedFailure, error) {
	var out []ExpectedFailure
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			return nil, fmt.Errorf("expected failures line %d: want WIRE SCENARIO CHECK REASON, got %q", n, line)
		}
		out = append(out, ExpectedFailure{Wire: f[0], Scenario: f[1], Check: f[2], Reason: strings.Join(f[3:], " "), Line: n})
	}
	return out, sc.Err()
}

func (e ExpectedFailure) matches(wire, scenario, check string) bool {
	return (e.Wire == "*" || e.Wire == wire) && e.Scenario == scenario && e.Check == check
}

// Result is the judged table and what it means for the run.
type Result struct {
	Rows []Row
	// Unmatched are expected-failure entries that matched no check of any run
	// (the check was not emitted, or the scenario did not run): stale too.
	Unmatched    []ExpectedFailure
	Unclassified []string // check ids in neither ProviderChecks nor ClientChecks
}

// Failed reports whether the run fails: a row with VerdictFail.
func (r Result) Failed() bool {
	for _, row := range r.Rows {
		if row.Verdict == VerdictFail {
			return true
		}
	}
	return false
}

// Count returns how many rows have the verdict.
func (r Result) Count(verdict string) int {
	n := 0
	for _, row := range r.Rows {
		if row.Verdict == verdict {
			n++
		}
	}
	return n
}

// Judge builds the table and applies the rule. In a scored (non-extension)
// scenario a check breaks the rule when it is a FAILURE, or a WARNING of a
// check the provider decides (ProviderChecks). A rule-breaking check listed
// in the expected failures is "expected"; a listed one that does not break
// the rule is "STALE". Extension scenarios are reported, never judged.
func Judge(runs []Run, expected []ExpectedFailure) Result {
	var res Result
	used := make([]bool, len(expected))
	known := map[string]bool{}
	for _, id := range ProviderChecks {
		known[id] = true
	}
	for _, id := range ClientChecks {
		known[id] = true
	}
	unclassified := map[string]bool{}
	for _, run := range runs {
		rows := map[string]*Row{}
		var order []string
		for _, c := range run.Checks {
			if c.Status == "INFO" {
				continue // the suite's request log, not a check
			}
			row, ok := rows[c.ID]
			if !ok {
				row = &Row{Wire: run.Wire, Scenario: run.Scenario, Check: c.ID, Owner: Owner(c.ID), Status: c.Status, Text: c.Description}
				rows[c.ID] = row
				order = append(order, c.ID)
				if !known[c.ID] {
					unclassified[c.ID] = true
				}
			}
			row.Count++
			if severity[c.Status] > severity[row.Status] {
				row.Status, row.Text = c.Status, c.Description
			}
		}
		for _, id := range order {
			row := rows[id]
			breaks := row.Status == "FAILURE" || (row.Status == "WARNING" && row.Owner == "provider")
			idx := -1
			for i, e := range expected {
				if e.matches(run.Wire, run.Scenario, id) {
					idx = i
					used[i] = true
					break
				}
			}
			switch {
			case run.Extension:
				row.Verdict = VerdictPass
				if row.Status == "FAILURE" || row.Status == "WARNING" {
					row.Verdict = VerdictExt
				}
			case breaks && idx >= 0:
				row.Verdict, row.Reason = VerdictExpected, expected[idx].Reason
			case breaks:
				row.Verdict = VerdictFail
			case idx >= 0:
				row.Verdict, row.Reason = VerdictStale, expected[idx].Reason
			case row.Status == "WARNING":
				row.Verdict = VerdictWarn
			default:
				row.Verdict = VerdictPass
			}
			res.Rows = append(res.Rows, *row)
		}
	}
	for i, e := range expected {
		if !used[i] {
			res.Unmatched = append(res.Unmatched, e)
		}
	}
	for id := range unclassified {
		res.Unclassified = append(res.Unclassified, id)
	}
	sort.Strings(res.Unclassified)
	return res
}

// WriteTable writes the table as tab-separated columns: wire, scenario,
// check, owner, status, verdict, text (and the expected-failure reason).
func WriteTable(w io.Writer, rows []Row) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "WIRE\tSCENARIO\tCHECK\tOWNER\tSTATUS\tVERDICT\tTEXT")
	for _, r := range rows {
		text := oneLine(r.Text)
		if r.Count > 1 {
			text = fmt.Sprintf("%s (x%d)", text, r.Count)
		}
		if r.Reason != "" {
			text += " [listed: " + r.Reason + "]"
		}
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Wire, r.Scenario, r.Check, r.Owner, r.Status, r.Verdict, text)
	}
	return bw.Flush()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
