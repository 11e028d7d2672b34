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
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
	"runwatch/internal/startup"
	"runwatch/ui"
	"runwatch/ui/view"
)

const help = `usage: runwatch window [--details RESOURCE] [--settings] [--demo]
The windows of the running tray app (which starts this itself): the
executions window, or an execution's details, or the settings. It ends when
its last window closes, or when the tray app quits.
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
	if err := fs.Parse(args); err != nil {
		return startup.FlagError(err, fs, stdout, stderr, "runwatch window", help)
	}
	want := ipc.Window{Details: *details, Settings: *settings, Forced: *forced}
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
	var trayHost atomic.Bool
	trayHost.Store(first.TrayHost)
	send := func(call func(context.Context) error) {
		go func() {
			if err := call(context.Background()); err != nil {
				log.Printf("runwatch window: %v", err)
			}
		}()
	}
	windows := ui.NewWindows(a, ui.Actions{
		RefreshNow: func() { send(tray.Refresh) },
		SettingsSaved: func(s view.Settings) {
			send(func(ctx context.Context) error { return tray.SaveSettings(ctx, s) })
		},
		FlagsGiven: first.Flags,
		LoginArgs:  first.Args,
		Acknowledge: func(r string) {
			send(func(ctx context.Context) error { return tray.Acknowledge(ctx, r) })
		},
		Snooze: func(until time.Time) {
			send(func(ctx context.Context) error { return tray.Snooze(ctx, until) })
		},
		ExecutionsClosed: func() {
			if !trayHost.Load() { // the tray icon is invisible: closing is quitting
				send(tray.Quit)
			}
		},
	}, nil)
	windows.SetStatus(first.Status)
	show(windows, want)

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go follow(ctx, a, windows, tray, first, &trayHost, *forced)
	go serve(ctx, srv, a, windows)
	go tick(ctx, windows)
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
	case w.Details != "":
		u.ShowExecution(w.Details)
	default:
		u.Present()
	}
}

// follow keeps the windows up to date with the tray process's state until
// ctx ends; when the tray process is gone, the windows go too.
func follow(ctx context.Context, a fyne.App, u *ui.UI, tray ipc.Client, st ipc.State, trayHost *atomic.Bool, forced bool) {
	for ctx.Err() == nil {
		next, err := tray.State(ctx, st.Version)
		switch {
		case errors.Is(err, instance.ErrNotRunning):
			fyne.Do(a.Quit)
			return
		case err != nil:
			if ctx.Err() == nil {
				log.Printf("runwatch window: %v", err)
				time.Sleep(time.Second)
			}
			continue
		case next.Version == st.Version:
			continue
		}
		st = next
		fyne.Do(func() { u.SetStatus(next.Status) })
		if forced && next.TrayHost && !trayHost.Load() {
			fyne.Do(u.HideForcedWindow)
		}
		trayHost.Store(next.TrayHost)
	}
}

// serve answers the tray process (and a second window process): show a
// window, or quit.
func serve(ctx context.Context, srv *instance.Server, a fyne.App, u *ui.UI) {
	err := ipc.Serve(ctx, srv, ipc.Handlers{
		ShowWindow: func(w ipc.Window) { fyne.Do(func() { show(u, w) }) },
		Quit:       func() { fyne.Do(a.Quit) },
	})
	if err != nil {
		log.Printf("runwatch window: %v", err)
	}
}

// tick re-renders ages between updates.
func tick(ctx context.Context, u *ui.UI) {
	t := time.NewTicker(view.TickEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			fyne.Do(u.Tick)
		case <-ctx.Done():
			return
		}
	}
}
