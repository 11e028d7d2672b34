package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
	"runwatch/internal/report"
	"runwatch/internal/startup"
	"runwatch/poller"
	"runwatch/ui/view"
)

// appAskTries: --follow refreshes by itself once the running app could
// not be asked this many times in a row, a second apart.
const appAskTries = 3

// statusTeamDir is where, in the app's storage, status --follow keeps the
// installation ID of its own team mode subscription.
const statusTeamDir = "status"

// appSnapshotEvery is how often --follow asks a running app that has no
// long poll (one process: Windows, macOS) for its last snapshot.
const appSnapshotEvery = 5 * time.Second

// printBar implements `status --waybar` and `--oneline` without --follow:
// one line, exit 0 once it is printed, whatever it says.
func printBar(flags *startup.Flags, format report.BarFormat, stdout, stderr io.Writer) int {
	line := report.Waybar(barStatus(flags, stderr), time.Now())
	if _, err := report.NewLinePrinter(stdout, format).Print(line); err != nil {
		fmt.Fprintf(stderr, "runwatch status: %v\n", err)
		return 1
	}
	return 0
}

// barStatus returns the status a bar shows once: the running app's, as its
// tray shows it, when no flag names what to watch; else that of one refresh
// of its own, where an error that stops the refresh (no credentials, no
// project) is the status's Problem, as the tray says it.
func barStatus(flags *startup.Flags, stderr io.Writer) view.Status {
	if !flags.NamesWhatToWatch() {
		ctx, cancel := context.WithTimeout(context.Background(), waitForAppSnapshot)
		defer cancel()
		st, running, err := appStatus(ctx, ipc.App(flags.Demo))
		if err != nil {
			fmt.Fprintf(stderr, "runwatch status: %v\n", err)
		}
		if running {
			return st
		}
	}
	snap, settings, err := refreshOnce(flags, stderr)
	st := view.Status{Demo: flags.Demo, FailureLimit: settings.FailureShownFor}
	if err != nil {
		st.Problem = err.Error()
		return st
	}
	st.Take(snap)
	return st
}

// appStatus asks the running app (or --demo app) for the status its tray
// shows; running is false when none runs. An app without the long poll
// (one process: Windows, macOS) is asked for its last snapshot instead,
// and err is why it has none (the status then says "first refresh…").
func appStatus(ctx context.Context, app ipc.Client) (st view.Status, running bool, err error) {
	state, err := app.State(ctx, 0)
	var remote *instance.RemoteError
	switch {
	case err == nil:
		return state.Status, true, nil
	case !errors.As(err, &remote):
		return view.Status{}, false, nil
	}
	snap, running, err := snapshotFrom(app)
	if err != nil || !running {
		return view.Status{}, running, err
	}
	st.Take(snap)
	return st, true, nil
}

// followBar implements --follow: a line each time what it says changes,
// until ctx ends, SIGINT or SIGTERM comes, or the bar closes the pipe
// (Waybar restarted), each of them exit 0.
func followBar(ctx context.Context, flags *startup.Flags, format report.BarFormat, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A write to a closed stdout returns EPIPE instead of killing the
	// process, so it ends like the others.
	signal.Ignore(syscall.SIGPIPE)
	ctx, cancel := context.WithCancel(ctx)
	if f, ok := stdout.(*os.File); ok {
		go whenReaderGone(ctx, f, cancel)
	}
	updates := make(chan view.Status)
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		feedStatus(ctx, flags, updates, stderr)
	}()
	err := report.Follow(ctx, updates, time.Now, report.NewLinePrinter(stdout, format))
	cancel()
	<-fed
	if err != nil && !errors.Is(err, syscall.EPIPE) && !errors.Is(err, io.ErrClosedPipe) {
		fmt.Fprintf(stderr, "runwatch status: %v\n", err)
		return 1
	}
	return 0
}

// feedStatus sends the status to show on updates until ctx ends: the
// running app's, followed with its long poll (no API call of its own),
// when no flag names what to watch; else, and while no app runs, that of
// its own refreshes every interval. It goes over to an app that starts,
// and back when it quits.
func feedStatus(ctx context.Context, flags *startup.Flags, updates chan<- view.Status, stderr io.Writer) {
	var app *ipc.Client
	if !flags.NamesWhatToWatch() {
		c := ipc.App(flags.Demo)
		app = &c
	}
	for ctx.Err() == nil {
		if app != nil && followApp(ctx, *app, updates) {
			continue // it quit: who answers now?
		}
		watchSelf(ctx, flags, app, updates, stderr)
	}
}

// followApp sends the running app's status each time it changes, with the
// long poll its window process uses, until ctx ends or the app quits; it
// reports whether an app ran.
func followApp(ctx context.Context, app ipc.Client, updates chan<- view.Status) bool {
	var since uint64
	ran, failures := false, 0
	for ctx.Err() == nil {
		state, err := app.State(ctx, since)
		var remote *instance.RemoteError
		switch {
		case errors.Is(err, instance.ErrNotRunning):
			return ran
		case errors.As(err, &remote):
			return followAppSnapshots(ctx, app, updates)
		case err != nil && failures+1 >= appAskTries:
			// It cannot be asked (its socket cannot be used, IPC is not
			// supported here): refresh without it.
			return false
		case err != nil:
			// Quitting, or busy: asked again, it answers or is gone.
			failures++
			sleep(ctx, time.Second)
			continue
		}
		ran, failures = true, 0
		if state.Version != since {
			since = state.Version
			send(ctx, updates, state.Status)
		}
	}
	return true
}

// followAppSnapshots follows an app without the long poll (one process:
// Windows, macOS) by asking for its last snapshot every appSnapshotEvery,
// until ctx ends or the app quits; it reports that an app ran.
func followAppSnapshots(ctx context.Context, app ipc.Client, updates chan<- view.Status) bool {
	var st view.Status
	for ctx.Err() == nil {
		snap, err := app.Status(ctx)
		var remote *instance.RemoteError
		switch {
		case err == nil:
			st.Take(snap)
			send(ctx, updates, st)
		case errors.As(err, &remote): // no refresh yet
			send(ctx, updates, st)
		case errors.Is(err, ipc.ErrOlderApp):
			// It cannot say what its tray shows: refresh without it.
			return false
		default:
			return true
		}
		sleep(ctx, appSnapshotEvery)
	}
	return true
}

// watchSelf refreshes what the saved settings and the flags name every
// interval, as the app would (credentials built again when refused),
// sending each status, until ctx ends or, when app is given, an app starts.
func watchSelf(ctx context.Context, flags *startup.Flags, app *ipc.Client, updates chan<- view.Status, stderr io.Writer) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dir, settings, cfg, err := savedConfig(flags, stderr)
	feed := &statusFeed{ctx: ctx, out: updates,
		st: view.Status{Demo: flags.Demo, FailureLimit: settings.FailureShownFor, Interval: cfg.Interval}}
	var polling *startup.Polling
	if err == nil {
		polling, err = flags.StartPolling(cfg, dir)
	}
	watched := make(chan struct{})
	if err != nil {
		feed.SetProblem(err.Error())
		close(watched)
	} else {
		defer polling.Close()
		// ReadOnly, as one refresh: it announces nothing. In team mode it
		// reads a subscription of its own (an installation ID of its own,
		// in statusTeamDir), so that it never splits the app's messages
		// when both run.
		w, _ := polling.NewWatcher(feed, filepath.Join(dir, statusTeamDir), poller.Options{ReadOnly: true})
		go func() {
			defer close(watched)
			w.Run(ctx, cfg)
		}()
	}
	if app == nil {
		<-ctx.Done()
	} else {
		waitForApp(ctx, *app, cfg.WithDefaults().Interval)
	}
	cancel()
	<-watched
}

// waitForApp returns once an app answers, asked every interval, or when
// ctx ends.
func waitForApp(ctx context.Context, app ipc.Client, interval time.Duration) {
	for sleep(ctx, interval) {
		askCtx, cancel := context.WithTimeout(ctx, interval)
		_, err := app.Status(askCtx)
		cancel()
		var remote *instance.RemoteError
		if err == nil || errors.As(err, &remote) {
			return // an app that can be followed (not one older than this binary)
		}
	}
}

// statusFeed is the poller.View of watchSelf: it keeps the status as the
// tray would and sends it after each change.
type statusFeed struct {
	ctx context.Context
	out chan<- view.Status
	st  view.Status
}

// Apply takes a refresh's snapshot and sends the status.
func (f *statusFeed) Apply(res poller.Result) {
	f.st.Take(res.Snapshot)
	send(f.ctx, f.out, f.st)
}

// ShowSnapshot takes a snapshot without news and sends the status.
func (f *statusFeed) ShowSnapshot(snap poller.Snapshot, _ error) {
	f.st.Take(snap)
	send(f.ctx, f.out, f.st)
}

// SetProblem sends the status with why polling cannot start.
func (f *statusFeed) SetProblem(problem string) {
	f.st.Problem = problem
	send(f.ctx, f.out, f.st)
}

// SetInterval keeps the interval, to judge staleness by.
func (f *statusFeed) SetInterval(d time.Duration) { f.st.Interval = d }

// send hands st to out unless ctx ends first.
func send(ctx context.Context, out chan<- view.Status, st view.Status) {
	select {
	case out <- st:
	case <-ctx.Done():
	}
}

// sleep waits d, or less when ctx ends; it reports whether ctx is still on.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
