package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
	"runwatch/internal/report"
	"runwatch/internal/startup"
	"runwatch/poller"
	"runwatch/ui/view"
)

// statusTimeout bounds the whole refresh: listing has 10 s per region, log
// reads 20 s each, two at a time.
const statusTimeout = 2 * time.Minute

// waitForAppSnapshot bounds how long status waits for a running app's first
// refresh.
const waitForAppSnapshot = 20 * time.Second

const statusHelp = `usage: runwatch status [--json] [flags]
One refresh: the newest executions over all regions and why failed ones failed.
It watches what the app's settings name; given flags win over them. When the
tray app runs and no flag names what to watch, it answers from its last
refresh instead (with --demo, the running --demo app; a simulated world only
when none runs).
Exit status 0 when at least one region answered, 1 when none did, 2 on bad flags.
`

// runStatus implements `runwatch status [--json] [flags]`: the running
// app's last refresh, or one refresh with the app's memory, printed.
func runStatus(args []string, stdout, stderr io.Writer) int {
	const command = "runwatch status"
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var flags startup.Flags
	flags.Register(fs, false)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := flags.Parse(fs, args); err != nil {
		return startup.FlagError(err, fs, stdout, stderr, command, statusHelp)
	}

	// With no flag naming what to watch, the running app answers (the
	// running --demo app for --demo): no API call, no write to its memory.
	// Only when none runs does status refresh itself (--demo: simulate).
	if !flags.NamesWhatToWatch() {
		snap, running, err := snapshotFrom(ipc.App(flags.Demo))
		switch {
		case errors.Is(err, ipc.ErrOlderApp):
			fmt.Fprintf(stderr, "%s: %v\n", command, err)
			return 1
		case err != nil:
			fmt.Fprintf(stderr, "%s: the running app has no snapshot yet: %v\n", command, err)
			return 1
		case running:
			return report.Print(stdout, stderr, command, snap, *asJSON)
		}
	}
	snap, err := refreshOnce(&flags, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		return 1
	}
	return report.Print(stdout, stderr, command, snap, *asJSON)
}

// snapshotFromApp is snapshotFrom the real app.
func snapshotFromApp() (snap poller.Snapshot, running bool, err error) {
	return snapshotFrom(ipc.App(false))
}

// snapshotFrom asks the running app (or --demo app) for its last refresh's snapshot,
// waiting for its first one; running is false when no app runs. Once the
// app has said it has no snapshot yet, the answer is its reason, even when
// it quits while status waits: status never polls beside an app.
func snapshotFrom(app ipc.Client) (snap poller.Snapshot, running bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitForAppSnapshot)
	defer cancel()
	var waited error // the running app's answer while it has no snapshot
	for {
		snap, err := app.Status(ctx)
		var remote *instance.RemoteError
		switch {
		case err == nil:
			return snap, true, nil
		case errors.As(err, &remote) && ctx.Err() == nil:
			waited = remote
			time.Sleep(250 * time.Millisecond)
		case waited != nil:
			return snap, true, waited
		case errors.As(err, &remote), errors.Is(err, ipc.ErrOlderApp):
			return snap, true, err
		default:
			return snap, false, nil
		}
	}
}

// refreshOnce refreshes once what the app's saved settings name (given
// flags winning over them), with the saved memory, and returns the
// snapshot.
func refreshOnce(flags *startup.Flags, stderr io.Writer) (poller.Snapshot, error) {
	ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
	defer cancel()
	dir, err := startup.StorageDir(flags.AppID())
	if err != nil {
		return poller.Snapshot{}, err
	}
	prefs, err := view.ReadPreferencesFile(dir)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch status: %v (using the default settings)\n", err)
	}
	cfg := flags.Merge(view.LoadSettings(prefs))
	polling, err := flags.StartPolling(cfg, dir)
	if err != nil {
		return poller.Snapshot{}, err
	}
	defer polling.Close()
	cfg, clients, err := polling.Connect(ctx, cfg)
	if err != nil {
		return poller.Snapshot{}, err
	}
	defer clients.Close()
	// ReadOnly: status notifies nobody, so it announces nothing; what it
	// reads (log lines) is remembered for the app.
	res := poller.New(cfg, clients, polling.Store, poller.Options{ReadOnly: true}).Refresh(ctx)
	if res.Warning != "" {
		fmt.Fprintf(stderr, "runwatch status: warning: %s\n", res.Warning)
	}
	return res.Snapshot, nil
}
