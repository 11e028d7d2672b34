package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"runwatch/extract"
	"runwatch/internal/startup"
)

// extractOutput is the --json shape of `runwatch extract`.
type extractOutput struct {
	Found    bool   `json:"found"`
	Message  string `json:"message"`
	Category string `json:"category"`
	Rule     string `json:"rule"`
	Line     int    `json:"line"` // 1-based line number in the input as given; 0 when not found
}

const extractHelp = `usage: runwatch extract [--newest-first] [--json] [FILE]
Prints the line that says why an execution failed, from its log (FILE or standard input, chronological unless --newest-first).
Exit status 0 whether or not an error was found; 2 on bad flags or unreadable input.
`

// runExtract implements `runwatch extract [--newest-first] [--json] [FILE]`.
func runExtract(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	newestFirst := fs.Bool("newest-first", false, "the lines come newest first, as 'gcloud logging read' prints them")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := fs.Parse(args); err != nil {
		return startup.FlagError(err, fs, stdout, stderr, "runwatch extract", extractHelp)
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "runwatch extract: one FILE at most, got %d\n", fs.NArg())
		return 2
	}

	in := stdin
	name := "standard input"
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		name = fs.Arg(0)
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "runwatch extract: %v\n", err)
			return 2
		}
		defer f.Close()
		in = f
	}
	if name == "standard input" && isTerminal(in) {
		fmt.Fprintln(stderr, "runwatch extract: reading the log from stdin… (end with Ctrl-D; or give a FILE)")
	}
	lines, err := readLines(in)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch extract: read %s: %v\n", name, err)
		return 2
	}
	if *newestFirst {
		slices.Reverse(lines)
	}

	res := extract.Extract(lines)
	if *asJSON {
		out := extractOutput{Found: res.Found, Message: res.Message, Category: string(res.Category), Rule: res.Rule,
			Line: inputLineNumber(res, len(lines), *newestFirst)}
		if err := json.NewEncoder(stdout).Encode(out); err != nil {
			fmt.Fprintf(stderr, "runwatch extract: %v\n", err)
			return 2
		}
		return 0
	}
	if !res.Found {
		fmt.Fprintln(stdout, "no error found")
		return 0
	}
	fmt.Fprintln(stdout, res.Message)
	return 0
}

// inputLineNumber is the 1-based number of the matched line in the input as
// given, as grep -n and editors count; 0 when nothing was found.
func inputLineNumber(res extract.Result, total int, newestFirst bool) int {
	switch {
	case !res.Found:
		return 0
	case newestFirst:
		return total - res.Line
	default:
		return res.Line + 1
	}
}

// readLines reads all lines of r, of any length, without their line ends.
func readLines(r io.Reader) ([]string, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var lines []string
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			lines = append(lines, strings.TrimRight(line, "\r\n"))
		}
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return lines, err
		}
	}
}

// isTerminal reports whether r is a terminal (a character device other
// than the null device), where a person would wait for nothing to happen.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(st, null)
}
