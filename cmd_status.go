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

const statusHelp = `usage: runwatch status [--json | --waybar | --oneline] [--follow] [flags]
One refresh: the newest executions over all regions and why failed ones failed.
It watches what the app's settings name; given flags win over them. When the
tray app runs and no flag names what to watch, it answers from its last
refresh instead (with --demo, the running --demo app; a simulated world only
when none runs).
Exit status 0 when at least one region answered, 1 when none did, 2 on bad flags.

For status bars without a tray (Waybar, polybar): --waybar prints one line of
JSON for a Waybar custom module ({"text", "tooltip", "class", "alt"}: the tray's
look, the failing job, the tray menu's first line and the newest executions);
--oneline prints its text alone. Both exit 0 whenever they printed a line,
offline and without credentials too (class "offline", "credentials"): a bar
hides a module whose command fails. With --follow they print a new line each
time it changes, following the running app (no API call of their own), else
refreshing every interval (the settings' or --interval), until interrupted or
the bar closes the pipe. Waybar: "exec": "runwatch status --waybar --follow",
"return-type": "json".
`

// runStatus implements `runwatch status [--json | --waybar | --oneline]
// [--follow] [flags]`: the running app's last refresh, or one refresh with
// the app's memory, printed.
func runStatus(args []string, stdout, stderr io.Writer) int {
	return runStatusUntil(context.Background(), args, stdout, stderr)
}

// runStatusUntil is runStatus; --follow also stops when ctx ends.
func runStatusUntil(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const command = "runwatch status"
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var flags startup.Flags
	flags.Register(fs, true) // --interval: for --follow
	interval := fs.Lookup("interval")
	interval.Usage = fmt.Sprintf("with --follow: time between refreshes of its own (default: the settings' interval; at least %v)", poller.MinInterval)
	interval.DefValue = "0s" // help shows no default: the settings' is
	asJSON := fs.Bool("json", false, "print one JSON object")
	waybar := fs.Bool("waybar", false, "print one line for a Waybar custom module (JSON: text, tooltip, class, alt)")
	oneline := fs.Bool("oneline", false, "print the status-bar text alone (polybar, tmux)")
	follow := fs.Bool("follow", false, "with --waybar or --oneline: print a new line each time it changes, until interrupted")
	err := flags.Parse(fs, args)
	if err == nil {
		err = checkBarFlags(&flags, *asJSON, *waybar, *oneline, *follow)
	}
	if err != nil {
		return startup.FlagError(err, fs, stdout, stderr, command, statusHelp)
	}
	if note := flags.IntervalNote(); note != "" {
		fmt.Fprintf(stderr, "%s: %s\n", command, note)
	}
	if *waybar || *oneline {
		format := report.FormatWaybar
		if *oneline {
			format = report.FormatText
		}
		if *follow {
			return followBar(ctx, &flags, format, stdout, stderr)
		}
		return printBar(&flags, format, stdout, stderr)
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
	snap, _, err := refreshOnce(&flags, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		return 1
	}
	return report.Print(stdout, stderr, command, snap, *asJSON)
}

// checkBarFlags checks the flags of the status-bar formats: one format,
// --follow only with a bar's, --interval only with --follow.
func checkBarFlags(flags *startup.Flags, asJSON, waybar, oneline, follow bool) error {
	switch {
	case asJSON && waybar, asJSON && oneline, waybar && oneline:
		return errors.New("--json, --waybar and --oneline: choose one")
	case follow && !waybar && !oneline:
		return errors.New("--follow goes with --waybar or --oneline")
	case flags.Given["interval"] && !follow:
		return errors.New("--interval goes with --follow (one refresh needs none)")
	}
	return nil
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

// savedConfig returns the app's storage, its saved settings (the defaults,
// said on stderr, when they cannot be read) and what they name to watch,
// the given flags winning over them.
func savedConfig(flags *startup.Flags, stderr io.Writer) (dir string, settings view.Settings, cfg poller.Config, err error) {
	dir, err = startup.StorageDir(flags.AppID())
	if err != nil {
		return "", view.Settings{}, poller.Config{}, err
	}
	prefs, err := view.ReadPreferencesFile(dir)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch status: %v (using the default settings)\n", err)
	}
	settings = view.LoadSettings(prefs)
	return dir, settings, flags.Merge(settings), nil
}

// refreshOnce refreshes once what the app's saved settings name (given
// flags winning over them), with the saved memory, and returns the
// snapshot and the settings.
func refreshOnce(flags *startup.Flags, stderr io.Writer) (poller.Snapshot, view.Settings, error) {
	ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
	defer cancel()
	dir, settings, cfg, err := savedConfig(flags, stderr)
	if err != nil {
		return poller.Snapshot{}, settings, err
	}
	polling, err := flags.StartPolling(cfg, dir)
	if err != nil {
		return poller.Snapshot{}, settings, err
	}
	defer polling.Close()
	cfg, clients, err := polling.Connect(ctx, cfg)
	if err != nil {
		return poller.Snapshot{}, settings, err
	}
	defer clients.Close()
	// ReadOnly: status notifies nobody, so it announces nothing; what it
	// reads (log lines) is remembered for the app.
	res := poller.New(cfg, clients, polling.Store, poller.Options{ReadOnly: true}).Refresh(ctx)
	if res.Warning != "" {
		fmt.Fprintf(stderr, "runwatch status: warning: %s\n", res.Warning)
	}
	return res.Snapshot, settings, nil
}
