// Command conformance-run runs every client authorization scenario of the MCP
// conformance suite against cmd/conformance-client, writes the table of checks
// (wire, scenario, check, owner, status, verdict, text) and a summary, and
// exits 1 when the rule in conformance.Judge is broken. tools/conformance.sh
// installs the suite and builds the programs; run that, not this.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/conformance"
)

// wires are the spec versions a scenario runs at, when the suite tags it with them.
var wires = []string{"2025-03-26", "2025-11-25", "2026-07-28"}

type planned struct {
	conformance.Run
	specVersion string // "" for extensions: the suite picks
}

func main() {
	node := flag.String("node", "", "Node.js 22 binary")
	suite := flag.String("suite", "", "the conformance suite's dist/index.js")
	clientBin := flag.String("client", "", "the conformance-client binary")
	out := flag.String("out", "conformance-out", "directory for results, logs and table.tsv")
	expectedPath := flag.String("expected", "internal/conformance/expected-failures.txt", "expected failures list")
	only := flag.String("only", "", "run only scenarios matching this regular expression")
	parallel := flag.Int("parallel", 1, "scenario runs at once")
	flag.Parse()
	if *node == "" || *suite == "" || *clientBin == "" {
		fmt.Fprintln(os.Stderr, "usage: conformance-run -node NODE -suite DIST/index.js -client CLIENT [-out DIR] [-expected FILE] [-only REGEXP]")
		os.Exit(2)
	}
	if err := run(*node, *suite, *clientBin, *out, *expectedPath, *only, *parallel); err != nil {
		fmt.Fprintln(os.Stderr, "conformance-run:", err)
		os.Exit(1)
	}
}

func run(node, suite, clientBin, out, expectedPath, only string, parallel int) error {
	start := time.Now()
	f, err := os.Open(expectedPath)
	if err != nil {
		return err
	}
	expected, err := conformance.ParseExpectedFailures(f)
	_ = f.Close()
	if err != nil {
		return err
	}
	plan, err := listScenarios(node, suite)
	if err != nil {
		return err
	}
	if only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			return err
		}
		var kept []planned
		for _, p := range plan {
			if re.MatchString(p.Scenario) {
				kept = append(kept, p)
			}
		}
		plan = kept
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	absClient, err := filepath.Abs(clientBin)
	if err != nil {
		return err
	}

	// Workers take the runs in plan order, so progress reads like the table.
	runs := make([]conformance.Run, len(plan))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range max(parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				r, note := runOne(node, suite, absClient, out, plan[i])
				runs[i] = r
				mu.Lock()
				fmt.Fprintf(os.Stderr, "  %-10s %-45s %5.1fs %s\n", plan[i].Wire, plan[i].Scenario, time.Since(t0).Seconds(), note)
				mu.Unlock()
			}
		}()
	}
	for i := range plan {
		next <- i
	}
	close(next)
	wg.Wait()

	res := conformance.Judge(runs, expected)
	if only != "" {
		res.Unmatched = nil // a partial run cannot tell which entries are stale
	}
	tsv, err := os.Create(filepath.Join(out, "table.tsv"))
	if err != nil {
		return err
	}
	if err := conformance.WriteTable(tsv, res.Rows); err != nil {
		return err
	}
	if err := tsv.Close(); err != nil {
		return err
	}
	printTable(res.Rows)
	printSummary(res, runs, out, time.Since(start))
	if res.Failed() {
		return errors.New("checks broke the rule (FAIL rows above): fix them, or list a known failure with its issue in " + expectedPath)
	}
	return nil
}

// listScenarios asks the suite for its client scenarios and plans the auth
// ones: each at every wire it is tagged with, extensions once.
func listScenarios(node, suite string) ([]planned, error) {
	cmd := exec.CommandContext(context.Background(), node, suite, "list", "--client")
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("conformance list --client: %w", err)
	}
	line := regexp.MustCompile(`^\s*-\s*(auth/\S+)\s*\[([^\]]*)\]`)
	var plan []planned
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		tags := strings.Split(m[2], ",")
		if conformance.IsExtension(tags) {
			plan = append(plan, planned{Run: conformance.Run{Wire: "extension", Scenario: m[1], Extension: true}})
			continue
		}
		for _, w := range wires {
			for _, t := range tags {
				if strings.TrimSpace(t) == w {
					plan = append(plan, planned{Run: conformance.Run{Wire: w, Scenario: m[1]}, specVersion: w})
				}
			}
		}
	}
	if len(plan) == 0 {
		return nil, fmt.Errorf("conformance list --client named no auth/ scenario:\n%s", b)
	}
	return plan, nil
}

// runOne runs one scenario and reads its checks.json. A run that leaves no
// checks.json is recorded as one FAILURE check of its own.
func runOne(node, suite, client, out string, p planned) (conformance.Run, string) {
	r := p.Run
	name := strings.ReplaceAll(p.Scenario, "/", "_")
	resDir := filepath.Join(out, "results", p.Wire, name)
	logPath := filepath.Join(out, "logs", p.Wire, name+".log")
	_ = os.MkdirAll(filepath.Dir(logPath), 0o755)
	args := []string{suite, "client", "--command", client, "--scenario", p.Scenario, "-o", resDir, "--timeout", "120000"}
	if p.specVersion != "" {
		args = append(args, "--spec-version", p.specVersion)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0")
	logb, runErr := cmd.CombinedOutput()
	_ = os.WriteFile(logPath, logb, 0o644)

	matches, _ := filepath.Glob(filepath.Join(resDir, "*", "*", "checks.json"))
	if len(matches) == 0 {
		matches, _ = filepath.Glob(filepath.Join(resDir, "*", "checks.json"))
	}
	sort.Strings(matches)
	if len(matches) == 0 {
		r.Checks = []conformance.Check{{ID: "runner-no-results", Status: "FAILURE",
			Description: fmt.Sprintf("the suite wrote no checks.json (%v); see %s", runErr, logPath)}}
		return r, "no results"
	}
	f, err := os.Open(matches[len(matches)-1])
	if err == nil {
		r.Checks, err = conformance.ParseChecks(f)
		_ = f.Close()
	}
	if err != nil {
		r.Checks = []conformance.Check{{ID: "runner-no-results", Status: "FAILURE", Description: err.Error()}}
		return r, "unreadable results"
	}
	counts := map[string]int{}
	for _, c := range r.Checks {
		counts[c.Status]++
	}
	return r, fmt.Sprintf("%d success, %d failure, %d warning", counts["SUCCESS"], counts["FAILURE"], counts["WARNING"])
}

func printTable(rows []conformance.Row) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "WIRE\tSCENARIO\tCHECK\tOWNER\tSTATUS\tVERDICT\tTEXT")
	for _, r := range rows {
		text := r.Text
		if len(text) > 110 {
			text = text[:107] + "..."
		}
		if r.Reason != "" {
			text += " [listed]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Wire, r.Scenario, r.Check, r.Owner, r.Status, r.Verdict, strings.Join(strings.Fields(text), " "))
	}
	_ = tw.Flush()
}

func printSummary(res conformance.Result, runs []conformance.Run, out string, took time.Duration) {
	scored, ext := 0, 0
	for _, r := range runs {
		if r.Extension {
			ext++
		} else {
			scored++
		}
	}
	fmt.Printf("\nMCP conformance summary (%d scored scenario runs, %d extension runs, %s; CLI %s)\n",
		scored, ext, took.Round(time.Second), cliName())
	fmt.Printf("  checks: %d pass, %d FAIL, %d expected failures, %d STALE, %d client warnings, %d extension non-successes\n",
		res.Count(conformance.VerdictPass), res.Count(conformance.VerdictFail), res.Count(conformance.VerdictExpected),
		res.Count(conformance.VerdictStale), res.Count(conformance.VerdictWarn), res.Count(conformance.VerdictExt))
	section := func(title, verdict string) {
		var lines []string
		for _, r := range res.Rows {
			if r.Verdict == verdict {
				l := fmt.Sprintf("    %s %s %s (%s): %s", r.Wire, r.Scenario, r.Check, r.Status, strings.Join(strings.Fields(r.Text), " "))
				if r.Reason != "" {
					l += " -- " + r.Reason
				}
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			fmt.Printf("  %s:\n%s\n", title, strings.Join(lines, "\n"))
		}
	}
	section("FAIL (not expected: fails the run)", conformance.VerdictFail)
	section("expected failures (internal/conformance/expected-failures.txt)", conformance.VerdictExpected)
	section("STALE: listed as expected but now passing; remove the entry", conformance.VerdictStale)
	section("client warnings (reported only)", conformance.VerdictWarn)
	section("extension scenarios, not scored", conformance.VerdictExt)
	if len(res.Unmatched) > 0 {
		fmt.Println("  STALE: expected-failure entries that matched no check (remove them):")
		for _, e := range res.Unmatched {
			fmt.Printf("    line %d: %s %s %s\n", e.Line, e.Wire, e.Scenario, e.Check)
		}
	}
	if len(res.Unclassified) > 0 {
		fmt.Printf("  unclassified check ids, judged as provider checks (add them to internal/conformance/checks.go): %s\n",
			strings.Join(res.Unclassified, ", "))
	}
	fmt.Printf("  table: %s\n", filepath.Join(out, "table.tsv"))
}

func cliName() string {
	cli := os.Getenv("CONFORMANCE_TF_CLI")
	if cli == "" {
		return "unset"
	}
	b, err := exec.CommandContext(context.Background(), cli, "version").Output()
	if err != nil {
		return cli
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return first + " (" + cli + ")"
}
