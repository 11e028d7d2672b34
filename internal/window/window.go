// Package window is the Linux window process (`runwatch window`): the
// executions, details and settings windows, shown with Fyne.
//
// The tray process (internal/tray) starts it when a window is wanted; it
// ends with its last window, or when the tray process goes. It long-polls
// the tray process for the State to show and sends back what a person did,
// all over internal/ipc; it makes no Google API call and never imports the
// tray process's package.
package window

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
	"runwatch/internal/startup"
	"runwatch/poller"
	"runwatch/ui"
	"runwatch/ui/view"
)

const help = `usage: runwatch window [--details RESOURCE [--confirm run-again|cancel]] [--settings] [--demo]
The windows of the running tray app (which starts this itself): the
executions window, or an execution's details (asking to run it again or to
cancel it), or the settings. It ends when its last window closes, or when
the tray app quits.
`

// Run is the window process: Fyne windows fed by the tray process. It
// returns the exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("window", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	demo := fs.Bool("demo", false, "the windows of runwatch --demo")
	details := fs.String("details", "", "show this execution's details (its resource name)")
	settings := fs.Bool("settings", false, "show the settings")
	forced := fs.Bool("forced", false, "shown for want of a tray host: goes when one comes unless used")
	confirm := fs.String("confirm", "", "with --details: ask to run-again or cancel the execution")
	if err := fs.Parse(args); err != nil {
		return startup.FlagError(err, fs, stdout, stderr, "runwatch window", help)
	}
	want := ipc.Window{Details: *details, Settings: *settings, Forced: *forced, Confirm: view.Confirmation(*confirm)}
	self, tray := ipc.WindowProcess(*demo), ipc.App(*demo)

	srv, err := instance.Listen(self.Name())
	switch {
	case errors.Is(err, instance.ErrRunning): // another window process: it shows it
		if err := self.ShowWindow(context.Background(), want); err != nil {
			fmt.Fprintf(stderr, "runwatch window: %v\n", err)
			return 1
		}
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "runwatch window: %v\n", err)
		return 1
	}
	defer srv.Close()

	first, err := tray.State(context.Background(), 0)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch window: runwatch is not running: %v\n", err)
		return 1
	}

	a := app.NewWithID(startup.AppIDFor(*demo))
	fyneLog := startup.NewFyneLog(stderr) // without Fyne's preferences race at exit
	log.SetOutput(fyneLog)
	a.Lifecycle().SetOnStopped(fyneLog.Stopping)
	ui.RestoreSettings(a)
	l := &link{tray: tray, do: fyne.Do, quitApp: a.Quit, logf: log.Printf}
	l.trayHost.Store(first.TrayHost)
	windows := ui.NewWindows(a, ui.Actions{
		RefreshNow: func() { l.send(tray.Refresh) },
		SettingsSaved: func(s view.Settings) {
			l.send(func(ctx context.Context) error { return tray.SaveSettings(ctx, s) })
		},
		FlagsGiven: first.Flags,
		LoginArgs:  first.Args,
		FlagValues: first.FlagValues,
		Acknowledge: func(r string) {
			l.send(func(ctx context.Context) error { return tray.Acknowledge(ctx, r) })
		},
		Snooze: func(until time.Time) {
			l.send(func(ctx context.Context) error { return tray.Snooze(ctx, until) })
		},
		LastLines: l.lastLines,
		RunAgain:  l.runAgain,
		Cancel:    l.cancel,
		Overrides: l.overrides,
		ExecutionsClosed: func() {
			// The tray icon is invisible: closing is quitting (unless the
			// app quits already, which closed it).
			if !l.trayHost.Load() && !l.quitting.Load() {
				l.send(tray.Quit)
			}
		},
		Quit: l.quitAll,
	}, nil)
	windows.SetDemo(*demo)
	windows.SetStatus(first.Status)
	show(windows, want)

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	windows.StartTicking(ctx, fyne.Do)
	go l.follow(ctx, windows, first, *forced)
	go l.serve(ctx, srv, windows)
	a.Run()
	return 0
}

// show shows what a request asks for; a forced window is not a person's
// doing, so it may go when a tray host comes.
func show(u *ui.UI, w ipc.Window) {
	switch {
	case w.Forced:
		u.ShowWindow()
	case w.Settings:
		u.ShowSettings()
	case w.Details != "" && w.Confirm != "":
		u.ConfirmExecution(w.Details, w.Confirm)
	case w.Details != "":
		u.ShowExecution(w.Details)
	default:
		u.Present()
	}
}

// link is the window process's side of its talk with the tray process.
// When the app quits, the tray process goes first, or while this process
// still asks it something: what fails then because it went is no news,
// and this process ends quietly.
type link struct {
	tray     ipc.Client
	do       func(func()) // runs a function on Fyne's main thread (fyne.Do)
	quitApp  func()       // ends the Fyne app; run through do
	logf     func(format string, args ...any)
	trayHost atomic.Bool // a tray host shows the tray icon
	quitting atomic.Bool // the app quits: this process ends
}

// quit ends this process; from now on the tray process's going is
// expected.
func (l *link) quit() {
	l.quitting.Store(true)
	l.do(l.quitApp)
}

// quitAll quits the app (Ctrl+Q, Try the demo): the tray process first, or
// this one would end before asking, then this one.
func (l *link) quitAll() {
	l.quitting.Store(true)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l.report(l.tray.Quit(ctx))
		l.quit()
	}()
}

// send does a person's action in the tray process, off Fyne's thread.
func (l *link) send(call func(context.Context) error) {
	go func() { l.report(call(context.Background())) }()
}

// report logs a failed call, unless it failed because the tray process
// went while the app quits.
func (l *link) report(err error) {
	if err == nil || l.quitting.Load() && trayGone(err) {
		return
	}
	l.logf("runwatch window: %v", err)
}

// trayGone reports whether a call failed because the tray process is not
// there, or went while it was asked (it closes its connections as it
// quits).
func trayGone(err error) bool {
	return errors.Is(err, instance.ErrNotRunning) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// lastLines asks the tray process for the last lines an execution logged.
// "No entries" crosses the socket as text: it comes back as
// poller.ErrNoLogs.
func (l *link) lastLines(ctx context.Context, resource string) ([]string, error) {
	lines, err := l.tray.LastLines(ctx, resource)
	var remote *instance.RemoteError
	if errors.As(err, &remote) && strings.HasSuffix(remote.Msg, ": "+poller.ErrNoLogs.Error()) {
		return nil, fmt.Errorf("%s: %w", strings.TrimSuffix(remote.Msg, ": "+poller.ErrNoLogs.Error()), poller.ErrNoLogs)
	}
	return lines, err
}

// runAgain asks the tray process, which has the clients, to start an
// execution's job again.
func (l *link) runAgain(ctx context.Context, resource string, withOverrides bool) (string, error) {
	started, err := l.tray.RunAgain(ctx, resource, withOverrides)
	return started, inOwnWords(err)
}

// cancel asks the tray process to cancel an execution.
func (l *link) cancel(ctx context.Context, resource string) error {
	return inOwnWords(l.tray.Cancel(ctx, resource))
}

// overrides asks the tray process what an execution ran with beyond its
// job.
func (l *link) overrides(ctx context.Context, resource string) (string, error) {
	words, err := l.tray.Overrides(ctx, resource)
	return words, inOwnWords(err)
}

// inOwnWords returns the refusal the tray process answered with as it
// worded it ("permission denied: running …"), for the details' result line;
// another error (the tray process not answering) as it is.
func inOwnWords(err error) error {
	var remote *instance.RemoteError
	if errors.As(err, &remote) {
		return errors.New(remote.Msg)
	}
	return err
}

// follow keeps the windows up to date with the tray process's state until
// ctx ends; when the tray process is gone, the windows go too, quietly: a
// connection it closed as it quit is asked again, and then it is not
// running.
func (l *link) follow(ctx context.Context, u *ui.UI, st ipc.State, forced bool) {
	for ctx.Err() == nil {
		next, err := l.tray.State(ctx, st.Version)
		switch {
		case errors.Is(err, instance.ErrNotRunning):
			l.quit()
			return
		case err != nil:
			if ctx.Err() == nil {
				if !trayGone(err) {
					l.logf("runwatch window: %v", err)
				}
				time.Sleep(time.Second)
			}
			continue
		case next.Version == st.Version:
			continue
		}
		st = next
		l.do(func() { u.SetStatus(next.Status) })
		if forced && next.TrayHost && !l.trayHost.Load() {
			l.do(u.HideForcedWindow)
		}
		l.trayHost.Store(next.TrayHost)
	}
}

// serve answers the tray process (and a second window process): show a
// window, or quit.
func (l *link) serve(ctx context.Context, srv *instance.Server, u *ui.UI) {
	err := ipc.Serve(ctx, srv, ipc.Handlers{
		ShowWindow: func(w ipc.Window) { l.do(func() { show(u, w) }) },
		Quit:       l.quit,
	})
	if err != nil {
		l.logf("runwatch window: %v", err)
	}
}
