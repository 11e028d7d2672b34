package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"runwatch/poller"
	"runwatch/ui"
	"runwatch/ui/view"
)

// runSingleApp starts the tray app as one Fyne process: the tray, the
// poller and the windows together, Fyne's driver running all the while. It
// is the app where the tray does not live apart from the windows (every
// system but Linux: see app_linux.go).
func runSingleApp(args []string, stdout, stderr io.Writer) int {
	w, code, ok := parseAppFlags(args, stdout, stderr)
	if !ok {
		return code
	}

	// One instance: a second start shows the running one's window.
	srv, code, ok := claimInstance(w.demo, false, stderr)
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
	a := app.NewWithID(id)
	if ui.RestoreSettings(a) {
		log.Printf("runwatch: the preferences had lost the settings; restored them from %s", "settings.json")
	}
	cfg := w.merge(view.LoadSettings(a.Preferences()))
	store, demo, stopDemo, err := w.memoryAndCloud(cfg, a.Storage().RootURI().Path())
	if err != nil {
		fmt.Fprintf(stderr, "runwatch: %v\n", err)
		return 1
	}
	defer stopDemo()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mtv := &mainThreadView{}
	connect := func(ctx context.Context, cfg poller.Config) (poller.Config, poller.Clients, error) {
		return w.connect(ctx, demo, cfg)
	}
	watch := poller.NewWatcher(mtv, connect, store, poller.Options{})
	actions := ui.Actions{
		RefreshNow:    watch.RefreshNow,
		SettingsSaved: func(s view.Settings) { watch.Reconfigure(w.merge(s)) },
		FlagsGiven:    w.set,
		Acknowledge:   watch.Acknowledge,
		Snooze:        watch.Snooze,
	}
	notifier := startDesktopNotifier(ctx)
	if notifier != nil {
		actions.Notify = notifier.send
	}
	u := ui.New(a, actions, nil)
	mtv.ui = u
	u.SetInterval(cfg.Interval)
	if w.demo {
		u.ShowWindow()
	} else if !ui.TrayHostPresent() {
		u.ShowWindow() // without a tray host the tray icon is invisible
		// The usual autostart race: the panel comes a moment later. Its tray
		// shows the icon; the window goes unless a person used it.
		go func() {
			if ui.WaitForTrayHost(ctx) {
				fyne.Do(u.HideForcedWindow)
			}
		}()
	}
	if notifier != nil {
		go notifier.handleClicks(ctx, clickActions{
			details:     func(resource string) { fyne.Do(func() { u.ShowExecution(resource) }) },
			openURL:     func(link *url.URL) { fyne.Do(func() { _ = a.OpenURL(link) }) },
			acknowledge: watch.Acknowledge,
		})
	}
	if srv != nil {
		go serveInstance(ctx, srv, u, &mtv.last)
	}
	go refreshOnWake(ctx, watch.RefreshNow)
	go watch.Run(ctx, cfg)
	go tick(ctx, u)
	a.Run()
	return 0
}

// mainThreadView hands the watcher's calls to Fyne's main thread; each
// closure captures only its own arguments, never the watcher's variables.
type mainThreadView struct {
	ui   *ui.UI
	last lastPicture // for `runwatch status`
}

func (v *mainThreadView) Apply(res poller.Result) {
	if res.Warning != "" {
		log.Printf("runwatch: warning: %s", res.Warning)
	}
	v.last.set(res.Snapshot)
	fyne.Do(func() { v.ui.Apply(res) })
}

func (v *mainThreadView) ShowSnapshot(snap poller.Snapshot, err error) {
	if err != nil {
		log.Printf("runwatch: %v", err)
	}
	v.last.set(snap)
	fyne.Do(func() { v.ui.ShowSnapshot(snap) })
}

func (v *mainThreadView) SetProblem(problem string) {
	log.Printf("runwatch: %s", problem)
	fyne.Do(func() { v.ui.SetProblem(problem) })
}

func (v *mainThreadView) SetInterval(d time.Duration) {
	fyne.Do(func() { v.ui.SetInterval(d) })
}

// tickEvery re-renders ages, and turns the tray stale, between refreshes.
const tickEvery = 15 * time.Second

func tick(ctx context.Context, u *ui.UI) {
	t := time.NewTicker(tickEvery)
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

// merge applies the flags given on the command line over saved settings.
func (w *watchFlags) merge(s view.Settings) poller.Config {
	cfg := s.Config()
	if w.set["project"] {
		cfg.Project = w.project
	}
	if w.set["job"] {
		cfg.Job = w.job
	}
	if w.set["regions"] {
		cfg.Regions = poller.ParseRegions(w.regions)
	}
	if w.set["top"] {
		cfg.Top = w.top
	}
	if w.set["interval"] {
		cfg.Interval = w.interval
	}
	return cfg.WithDefaults()
}
