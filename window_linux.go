//go:build linux

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"runwatch/desktop/instance"
	"runwatch/ui"
	"runwatch/ui/view"
)

// Commands the tray process answers beside cmdShow and cmdStatus, and the
// window process's own.
const (
	cmdState       = "state"       // the status once newer than "since" (a long poll)
	cmdRefresh     = "refresh"     // refresh now
	cmdAcknowledge = "acknowledge" // acknowledge "resource"'s error
	cmdSnooze      = "snooze"      // hold notifications back "until" (zero: resume)
	cmdSettings    = "settings"    // a person saved "settings"
	cmdQuit        = "quit"        // quit (the tray process: all of runwatch)
)

// stateWait is how long a state request waits for a change.
const stateWait = 8 * time.Second

type stateRequest struct {
	Cmd   string `json:"cmd"`
	Since uint64 `json:"since"`
}

type resourceRequest struct {
	Cmd      string `json:"cmd"`
	Resource string `json:"resource"`
}

type snoozeRequest struct {
	Cmd   string    `json:"cmd"`
	Until time.Time `json:"until"`
}

type settingsRequest struct {
	Cmd      string        `json:"cmd"`
	Settings view.Settings `json:"settings"`
}

// windowRequest asks the window process to show a window (cmdShow) or to
// quit (cmdQuit).
type windowRequest struct {
	Cmd      string `json:"cmd"`
	Details  string `json:"details,omitempty"`  // this execution's details
	Settings bool   `json:"settings,omitempty"` // the settings window
}

// windowInstanceName is the window process's socket name.
func windowInstanceName(demo bool) string { return instanceName(demo) + "-window" }

// callWindow sends req to the window process.
func callWindow(demo bool, req windowRequest) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return instance.Call(ctx, windowInstanceName(demo), req, nil)
}

const windowHelp = `usage: runwatch window [--details RESOURCE] [--settings] [--demo]
The windows of the running tray app (which starts this itself): the
executions window, or an execution's details, or the settings. It ends when
its last window closes, or when the tray app quits.
`

// runWindow is the window process: Fyne windows fed by the tray process.
func runWindow(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("window", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	demo := fs.Bool("demo", false, "the windows of runwatch --demo")
	details := fs.String("details", "", "show this execution's details (its resource name)")
	settings := fs.Bool("settings", false, "show the settings")
	forced := fs.Bool("forced", false, "shown for want of a tray host: goes when one comes unless used")
	if err := fs.Parse(args); err != nil {
		return flagError(err, fs, stdout, stderr, "runwatch window", windowHelp)
	}
	req := windowRequest{Cmd: cmdShow, Details: *details, Settings: *settings}

	srv, err := instance.Listen(windowInstanceName(*demo))
	switch {
	case errors.Is(err, instance.ErrRunning): // another window process: it shows it
		if err := callWindow(*demo, req); err != nil {
			fmt.Fprintf(stderr, "runwatch window: %v\n", err)
			return 1
		}
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "runwatch window: %v\n", err)
		return 1
	}
	defer srv.Close()

	tray := instanceName(*demo)
	send := func(req any) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := instance.Call(ctx, tray, req, nil); err != nil {
				log.Printf("runwatch window: %v", err)
			}
		}()
	}
	var first windowState
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	err = instance.Call(ctx, tray, stateRequest{Cmd: cmdState}, &first)
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "runwatch window: runwatch is not running: %v\n", err)
		return 1
	}

	id := appID
	if *demo {
		id = demoAppID
	}
	a := app.NewWithID(id)
	if ui.RestoreSettings(a) {
		log.Printf("runwatch: the preferences had lost the settings; restored them from %s", "settings.json")
	}
	u := ui.NewWindows(a, ui.Actions{
		RefreshNow:    func() { send(stateRequest{Cmd: cmdRefresh}) },
		SettingsSaved: func(s view.Settings) { send(settingsRequest{Cmd: cmdSettings, Settings: s}) },
		FlagsGiven:    first.Flags,
		Acknowledge:   func(r string) { send(resourceRequest{Cmd: cmdAcknowledge, Resource: r}) },
		Snooze:        func(until time.Time) { send(snoozeRequest{Cmd: cmdSnooze, Until: until}) },
		ExecutionsClosed: func() {
			if !ui.TrayHostPresent() { // the tray icon is invisible: closing is quitting
				send(stateRequest{Cmd: cmdQuit})
			}
		},
	}, nil)
	u.SetStatus(first.Status)
	if *forced {
		u.ShowWindow() // not a person's doing: it may go when a tray host comes
	} else {
		show(u, req)
	}

	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	go followTray(runCtx, a, u, tray, first, *forced)
	go serveWindow(runCtx, srv, a, u)
	go tick(runCtx, u)
	a.Run()
	return 0
}

// show shows what a request asks for, as a person's doing.
func show(u *ui.UI, req windowRequest) {
	switch {
	case req.Settings:
		u.ShowSettings()
	case req.Details != "":
		u.ShowExecution(req.Details)
	default:
		u.Present()
	}
}

// followTray keeps the windows up to date with the tray process's status
// until ctx ends; when the tray process is gone, the windows go too.
func followTray(ctx context.Context, a fyne.App, u *ui.UI, tray string, st windowState, forced bool) {
	trayHost := st.TrayHost
	for ctx.Err() == nil {
		var next windowState
		callCtx, cancel := context.WithTimeout(ctx, stateWait+5*time.Second)
		err := instance.Call(callCtx, tray, stateRequest{Cmd: cmdState, Since: st.Version}, &next)
		cancel()
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
		if forced && next.TrayHost && !trayHost {
			fyne.Do(u.HideForcedWindow)
		}
		trayHost = next.TrayHost
	}
}

// serveWindow answers the tray process (and a second window process):
// show a window, or quit.
func serveWindow(ctx context.Context, srv *instance.Server, a fyne.App, u *ui.UI) {
	err := srv.Serve(ctx, func(_ context.Context, req instance.Request) (any, error) {
		switch req.Cmd {
		case cmdShow:
			var r windowRequest
			if err := req.Decode(&r); err != nil {
				return nil, err
			}
			fyne.Do(func() { show(u, r) })
			return true, nil
		case cmdQuit:
			fyne.Do(a.Quit)
			return true, nil
		}
		return nil, fmt.Errorf("unknown command %q", req.Cmd)
	})
	if err != nil {
		log.Printf("runwatch window: %v", err)
	}
}
