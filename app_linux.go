//go:build linux

package main

// On Linux the app is two processes, so that nothing ticks while it waits:
//
//   - the tray process (runApp) keeps the tray icon and menu (fyne.io/systray
//     over D-Bus), the poller, the notifications (D-Bus) and the instance
//     socket. It never starts Fyne's driver, whose loop runs at 60 Hz for as
//     long as it runs (fyne-io/fyne#2506).
//   - the window process (`runwatch window`, runWindow) shows the executions,
//     details and settings windows with Fyne. The tray process starts it when a
//     window is wanted; it ends when its last window closes. It asks the tray
//     process for the status over the instance socket (a long poll) and sends
//     it what a person did (refresh, acknowledge, snooze, settings saved).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"fyne.io/systray"

	"runwatch/desktop/instance"
	"runwatch/poller"
	"runwatch/ui"
	"runwatch/ui/view"
)

// runApp starts the tray process.
func runApp(args []string, stdout, stderr io.Writer) int {
	w, code, ok := parseAppFlags(args, stdout, stderr)
	if !ok {
		return code
	}

	// fyne.io/systray logs, through the standard logger, each failed
	// registration while no tray host runs: expected, and answered by the
	// window this process shows then.
	log.SetOutput(dropLines{out: stderr, prefix: "systray error: failed to register"})

	// One instance: a second start shows the running one's window.
	srv, code, ok := claimInstance(w.demo, true, stderr)
	if !ok {
		return code
	}
	if srv != nil {
		defer srv.Close()
	}

	id := appID
	if w.demo {
		id = demoAppID // its settings apart from the real ones
	}
	dir, err := poller.StorageDir(id)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch: %v\n", err)
		return 1
	}
	prefs, err := view.ReadPreferencesFile(dir)
	if err != nil {
		log.Printf("runwatch: %v (using defaults)", err)
	}
	settings := view.LoadSettings(prefs)
	cfg := w.merge(settings)
	store, demo, stopDemo, err := w.memoryAndCloud(cfg, dir)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch: %v\n", err)
		return 1
	}
	defer stopDemo()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t := &trayApp{flags: &w, dir: dir, paused: !settings.Notifications, hub: newStateHub(w.set), exe: executable()}
	connect := func(ctx context.Context, cfg poller.Config) (poller.Config, poller.Clients, error) {
		return w.connect(ctx, demo, cfg)
	}
	t.watch = poller.NewWatcher(t, connect, store, poller.Options{})
	t.notifier = startDesktopNotifier(ctx)
	if t.notifier != nil {
		go t.notifier.handleClicks(ctx, clickActions{
			details:     func(resource string) { t.openWindow("--details", resource) },
			openURL:     openURL,
			acknowledge: t.watch.Acknowledge,
		})
	}
	if srv != nil {
		go t.serve(ctx, srv)
	}
	go refreshOnWake(ctx, t.watch.RefreshNow)

	systray.Run(func() {
		t.render()
		t.hub.update(func(s *windowState) { s.Status.Interval = cfg.Interval; s.TrayHost = ui.TrayHostPresent() })
		switch {
		case w.demo:
			t.openWindow()
		case !t.hub.get().TrayHost:
			t.openWindow("--forced") // without a tray host the tray icon is invisible
			// The usual autostart race: the panel comes a moment later. Its
			// tray shows the icon; the window goes unless a person used it.
			go func() {
				if ui.WaitForTrayHost(ctx) {
					t.hub.update(func(s *windowState) { s.TrayHost = true })
				}
			}()
		}
		go t.watch.Run(ctx, cfg)
		go t.tick(ctx)
	}, func() {
		cancel()
		callWindow(w.demo, windowRequest{Cmd: cmdQuit}) // the windows go with the tray
	})
	return 0
}

// trayApp is the tray process: it is the poller's view, and draws the tray
// through fyne.io/systray.
type trayApp struct {
	flags    *watchFlags
	dir      string // the app's storage directory (preferences, memory)
	exe      string // this binary, to start the window process
	watch    *poller.Watcher
	notifier *desktopNotifier
	hub      *stateHub
	last     lastPicture // for `runwatch status`

	mu        sync.Mutex // the fields below, and every systray call
	paused    bool
	menuShown string // the menu the tray has, to skip resending it
	look      view.TrayLook
}

// Apply is the poller's result: status, notifications, tray.
func (t *trayApp) Apply(res poller.Result) {
	if res.Warning != "" {
		log.Printf("runwatch: warning: %s", res.Warning)
	}
	t.last.set(res.Snapshot)
	t.hub.update(func(s *windowState) { s.Status.Take(res.Snapshot) })
	t.mu.Lock()
	paused := t.paused
	t.mu.Unlock()
	if !paused {
		for _, n := range view.NotificationsFor(res.Changes, res.Missed, res.MissedMore) {
			if t.notifier == nil {
				log.Printf("runwatch: no notification server: %s: %s", n.Title, n.Body)
				continue
			}
			go t.notifier.send(n) // a hung notification server must not hold the poller
		}
	}
	t.render()
	// What start-up and a refresh left behind (protobuf descriptors, the
	// listing) goes back to the system: the tray process idles all day.
	debug.FreeOSMemory()
}

// ShowSnapshot is a picture without news, as after an acknowledgement.
func (t *trayApp) ShowSnapshot(snap poller.Snapshot, err error) {
	if err != nil {
		log.Printf("runwatch: %v", err)
	}
	t.last.set(snap)
	t.hub.update(func(s *windowState) {
		if s.Status.HasSnapshot {
			s.Status.Snapshot = snap
		}
	})
	t.render()
}

// SetProblem says why polling cannot start.
func (t *trayApp) SetProblem(problem string) {
	log.Printf("runwatch: %s", problem)
	t.hub.update(func(s *windowState) { s.Status.Problem = problem })
	t.render()
}

// SetInterval says how often refreshes come.
func (t *trayApp) SetInterval(d time.Duration) {
	t.hub.update(func(s *windowState) { s.Status.Interval = d })
}

// render draws the tray icon and menu from the status, resending the menu
// only when it changed (resending resets a menu a person has open).
func (t *trayApp) render() {
	st := t.hub.get().Status
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := view.TrayMenuOf(st, now, t.paused)
	if sum := menuSummary(lines); sum != t.menuShown {
		systray.ResetMenu()
		t.addMenu(lines, nil)
		t.menuShown = sum
		systray.SetTooltip(view.TraySummary(st, now))
	}
	if look := view.TrayLookOf(st, now); look != t.look {
		systray.SetIcon(ui.IconOf(look).Content())
		t.look = look
	}
}

// addMenu adds lines to the tray menu (parent nil) or to a submenu; each
// item's goroutine ends when ResetMenu removes it (closing its channel).
func (t *trayApp) addMenu(lines []view.MenuLine, parent *systray.MenuItem) {
	for _, l := range lines {
		if l.Separator {
			if parent == nil {
				systray.AddSeparator()
			} else {
				parent.AddSeparator()
			}
			continue
		}
		checkable := l.Action == view.ActPause
		var item *systray.MenuItem
		switch {
		case parent == nil && checkable:
			item = systray.AddMenuItemCheckbox(l.Label, "", l.Checked)
		case parent == nil:
			item = systray.AddMenuItem(l.Label, "")
		case checkable:
			item = parent.AddSubMenuItemCheckbox(l.Label, "", l.Checked)
		default:
			item = parent.AddSubMenuItem(l.Label, "")
		}
		if l.Disabled {
			item.Disable()
		}
		if len(l.Children) > 0 {
			t.addMenu(l.Children, item)
		}
		go func() {
			for range item.ClickedCh {
				go t.act(l) // never under t.mu: an action may redraw the menu
			}
		}()
	}
}

// menuSummary sums a menu up, to tell whether it changed.
func menuSummary(lines []view.MenuLine) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s|%d|%s|%t|%t|%t[%s]\n", l.Label, l.Action, l.Resource, l.Disabled, l.Checked, l.Separator, menuSummary(l.Children))
	}
	return b.String()
}

// act does what a menu item says.
func (t *trayApp) act(l view.MenuLine) {
	switch l.Action {
	case view.ActDetails:
		t.openWindow("--details", l.Resource)
	case view.ActAcknowledge:
		t.watch.Acknowledge(l.Resource)
	case view.ActSnoozeHour, view.ActSnoozeMorning, view.ActResume:
		t.watch.Snooze(view.SnoozeUntil(l.Action, time.Now()))
	case view.ActShow:
		t.openWindow()
	case view.ActRefresh:
		t.watch.RefreshNow()
	case view.ActPause:
		t.mu.Lock()
		t.paused = !t.paused
		paused := t.paused
		t.mu.Unlock()
		if err := view.SaveNotifications(t.dir, !paused); err != nil {
			log.Printf("runwatch: %v", err)
		}
		t.render()
	case view.ActSettings:
		t.openWindow("--settings")
	case view.ActQuit:
		systray.Quit()
	}
}

// tick redraws ages and staleness between refreshes.
func (t *trayApp) tick(ctx context.Context) {
	tk := time.NewTicker(tickEvery)
	defer tk.Stop()
	for {
		select {
		case <-tk.C:
			t.render()
		case <-ctx.Done():
			return
		}
	}
}

// openWindow shows a window in the window process, starting it when none
// runs: args are runWindow's ("--details R", "--settings", "--forced").
func (t *trayApp) openWindow(args ...string) {
	req := windowRequest{Cmd: cmdShow}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--details":
			req.Details = args[i+1]
			i++
		case "--settings":
			req.Settings = true
		}
	}
	err := callWindow(t.flags.demo, req)
	if err == nil {
		return
	}
	if !errors.Is(err, instance.ErrNotRunning) {
		log.Printf("runwatch: the window process did not answer: %v; starting another", err)
	}
	full := []string{"window"}
	if t.flags.demo {
		full = append(full, "--demo")
	}
	go t.startWindowProcess(append(full, args...))
}

// Starting the window process: GLFW now and then fails to find the
// display at start (seen under a loaded Xvfb), so a process that fails
// within windowStartGrace is started again, at most windowStarts times.
const (
	windowStarts     = 3
	windowStartGrace = 10 * time.Second
)

// startWindowProcess runs `runwatch window …` and waits for it.
func (t *trayApp) startWindowProcess(args []string) {
	for attempt := 1; attempt <= windowStarts; attempt++ {
		cmd := exec.Command(t.exe, args...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		started := time.Now()
		if err := cmd.Start(); err != nil {
			log.Printf("runwatch: start the window process: %v", err)
			return
		}
		err := cmd.Wait()
		if err == nil || time.Since(started) > windowStartGrace {
			return
		}
		log.Printf("runwatch: the window process failed at start (%v); attempt %d of %d", err, attempt, windowStarts)
	}
}

// executable is this binary, to start the window process with.
func executable() string {
	exe, err := os.Executable()
	if err != nil {
		return os.Args[0]
	}
	return exe
}

// openURL opens a link in the browser, as Fyne does on Linux.
func openURL(link *url.URL) {
	cmd := exec.Command("xdg-open", link.String())
	if err := cmd.Start(); err != nil {
		log.Printf("runwatch: open %s: %v", link, err)
		return
	}
	go func() { _ = cmd.Wait() }()
}

// serve answers other runwatch processes: a second start, `status`, and
// the window process.
func (t *trayApp) serve(ctx context.Context, srv *instance.Server) {
	err := srv.Serve(ctx, func(ctx context.Context, req instance.Request) (any, error) {
		switch req.Cmd {
		case cmdShow:
			go t.openWindow()
			return true, nil
		case cmdStatus:
			return t.last.status()
		case cmdState:
			var r stateRequest
			if err := req.Decode(&r); err != nil {
				return nil, err
			}
			return t.hub.waitNewer(ctx, r.Since, stateWait), nil
		case cmdRefresh:
			t.watch.RefreshNow()
			return true, nil
		case cmdAcknowledge:
			var r resourceRequest
			if err := req.Decode(&r); err != nil {
				return nil, err
			}
			t.watch.Acknowledge(r.Resource)
			return true, nil
		case cmdSnooze:
			var r snoozeRequest
			if err := req.Decode(&r); err != nil {
				return nil, err
			}
			t.watch.Snooze(r.Until)
			return true, nil
		case cmdSettings:
			var r settingsRequest
			if err := req.Decode(&r); err != nil {
				return nil, err
			}
			t.mu.Lock()
			t.paused = !r.Settings.Notifications
			t.mu.Unlock()
			t.watch.Reconfigure(t.flags.merge(r.Settings))
			t.render()
			return true, nil
		case cmdQuit:
			systray.Quit()
			return true, nil
		}
		return nil, fmt.Errorf("unknown command %q", req.Cmd)
	})
	if err != nil {
		log.Printf("runwatch: %v", err)
	}
}

// dropLines writes log lines on, except those that contain prefix.
type dropLines struct {
	out    io.Writer
	prefix string
}

func (d dropLines) Write(p []byte) (int, error) {
	if strings.Contains(string(p), d.prefix) {
		return len(p), nil
	}
	return d.out.Write(p)
}
