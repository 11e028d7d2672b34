package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"runwatch/poller"
)

// statusExecution is one execution in `status --json`.
type statusExecution struct {
	Region    string  `json:"region"`
	Name      string  `json:"name"`
	Resource  string  `json:"resource"`
	State     string  `json:"state"`
	Created   *string `json:"created"`
	Started   *string `json:"started"`
	Completed *string `json:"completed"`
	Duration  float64 `json:"duration_s"`
	Error     string  `json:"error"`
	Category  string  `json:"category"`
	LogURI    string  `json:"log_uri"`
}

// statusOutput is the one object `status --json` prints.
type statusOutput struct {
	RefreshedAt  string            `json:"refreshed_at"`
	Executions   []statusExecution `json:"executions"`
	RegionErrors map[string]string `json:"region_errors"`
}

// statusTimeout bounds the whole refresh: listing has 10 s per region, log
// reads 20 s each, two at a time.
const statusTimeout = 2 * time.Minute

const statusHelp = `usage: runwatch status [--json] [flags]
One refresh: the newest executions over all regions and why failed ones failed.
Exit status 0 when at least one region answered, 1 when none did, 2 on bad flags.
`

// runStatus implements `runwatch status [--json] [flags]`: one refresh with
// the app's memory, printed.
func runStatus(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var w watchFlags
	w.register(fs, false)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := w.parse(fs, args); err != nil {
		return flagError(err, fs, stdout, stderr, "runwatch status", statusHelp)
	}

	ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
	defer cancel()
	cfg := w.config()
	conn, err := w.connect(ctx, &cfg)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch status: %v\n", err)
		return 1
	}
	defer conn.close()

	path, err := poller.PreferencesPath(appID)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch status: %v\n", err)
		return 1
	}
	store, storeErr := openStore(path)
	if storeErr != nil {
		fmt.Fprintf(stderr, "runwatch status: warning: %v; this run remembers nothing\n", storeErr)
	}
	p := poller.New(cfg, conn.clients.Run, conn.clients.Logging, store, poller.Options{Baseline: w.demo})
	res := p.Refresh(ctx)
	if res.Warning != "" {
		fmt.Fprintf(stderr, "runwatch status: warning: %s\n", res.Warning)
	}
	if storeErr == nil {
		if err := store.Flush(); err != nil {
			fmt.Fprintf(stderr, "runwatch status: warning: %v\n", err)
		}
	}

	snap := res.Snapshot
	for _, region := range slices.Sorted(maps.Keys(snap.RegionErrors)) {
		fmt.Fprintf(stderr, "runwatch status: %s\n", snap.RegionErrors[region])
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(statusJSON(snap)); err != nil {
			fmt.Fprintf(stderr, "runwatch status: %v\n", err)
			return 1
		}
	} else {
		printStatusTable(stdout, snap)
	}
	if len(snap.RegionErrors) == snap.RegionsAsked {
		fmt.Fprintf(stderr, "runwatch status: no region answered (%d asked)\n", snap.RegionsAsked)
		return 1
	}
	return 0
}

// openStore opens the app's preferences, reading twice when they look empty
// or corrupt: the app rewrites the file in place, and a read can fall in the
// middle. Preferences still unreadable are not written back, so the app's
// settings are never replaced by a file holding only the memory.
func openStore(path string) (*poller.FileStore, error) {
	store, err := poller.OpenFileStore(path)
	if err == nil {
		return store, nil
	}
	time.Sleep(150 * time.Millisecond)
	return poller.OpenFileStore(path)
}

func statusJSON(snap poller.Snapshot) statusOutput {
	out := statusOutput{
		RefreshedAt:  snap.TakenAt.UTC().Format(time.RFC3339),
		Executions:   []statusExecution{},
		RegionErrors: snap.RegionErrors,
	}
	for _, e := range snap.Executions {
		x := statusExecution{
			Region: e.Region, Name: e.Name, Resource: e.Resource, State: string(e.State),
			Created: rfc3339(e.Created), Started: rfc3339(e.Started), Completed: rfc3339(e.Completed),
			Duration: e.Duration(snap.TakenAt).Seconds(), LogURI: e.LogURI,
		}
		if e.State == poller.StateFailed {
			x.Error, x.Category = e.Error, e.Category
		}
		out.Executions = append(out.Executions, x)
	}
	return out
}

func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func printStatusTable(w io.Writer, snap poller.Snapshot) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tEXECUTION\tSTATE\tAGE\tDURATION\tERROR")
	for _, e := range snap.Executions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Region, e.Name, e.State,
			poller.FormatAge(snap.TakenAt.Sub(e.Created)), poller.FormatDuration(e.Duration(snap.TakenAt)), strings.ReplaceAll(e.ErrorLine(), "\t", " "))
	}
	tw.Flush()
	if len(snap.Executions) == 0 {
		fmt.Fprintf(w, "no executions of %s in %d regions\n", snap.Job, snap.RegionsAsked)
	}
}
