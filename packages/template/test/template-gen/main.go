// Command template-gen fills in the expected results of the render conformance cases from Go's
// own text/template, so that the TypeScript engine is checked against the real thing.
//
// It reads packages/template/test/fixtures/template-cases.json, renders every case with
// template.New("t").Parse(template) and Execute(data) (data is a map[string]string: the case's
// own "data", or the file's default "data"), and writes the file back with, for each case,
// either "output" (Go's exact output) or "error" (the phase, "parse" if Parse failed, else
// "exec", and Go's error text). CI does not need Go: the test only reads the JSON.
//
// To add cases, append {"name", "template"[, "data"]} entries to the file, then rerun from the
// repository root (needs a Go toolchain, e.g. Debian's golang-go):
//
//	go run packages/template/test/template-gen/main.go packages/template/test/fixtures/template-cases.json
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"text/template"
)

type caseError struct {
	Phase   string `json:"phase"`
	Message string `json:"message"`
}

type testCase struct {
	Name     string             `json:"name"`
	Template string             `json:"template"`
	Data     *map[string]string `json:"data,omitempty"`
	Output   *string            `json:"output,omitempty"`
	Error    *caseError         `json:"error,omitempty"`
}

type casesFile struct {
	Comment string            `json:"comment"`
	Go      string            `json:"go"`
	Data    map[string]string `json:"data"`
	Cases   []testCase        `json:"cases"`
}

func run(c *testCase, data map[string]string) {
	c.Output, c.Error = nil, nil
	tmpl, err := template.New("t").Parse(c.Template)
	if err != nil {
		c.Error = &caseError{Phase: "parse", Message: err.Error()}
		return
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, data); err != nil {
		c.Error = &caseError{Phase: "exec", Message: err.Error()}
		return
	}
	s := out.String()
	c.Output = &s
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run main.go path/to/template-cases.json")
		os.Exit(2)
	}
	path := os.Args[1]
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var f casesFile
	if err := json.Unmarshal(raw, &f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	seen := map[string]bool{}
	for i := range f.Cases {
		c := &f.Cases[i]
		if seen[c.Name] {
			fmt.Fprintf(os.Stderr, "duplicate case name %q\n", c.Name)
			os.Exit(1)
		}
		seen[c.Name] = true
		data := f.Data
		if c.Data != nil {
			data = *c.Data
		}
		run(c, data)
	}
	f.Go = runtime.Version()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d cases written to %s with %s\n", len(f.Cases), path, f.Go)
}
