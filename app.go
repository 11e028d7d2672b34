package main

import (
	"context"
	"flag"
	"io"
	"log"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"runwatch/poller"
	"runwatch/ui"
)

// runApp starts the tray app.
func runApp(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("runwatch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var w watchFlags
	w.register(fs, true)
	if err := w.parse(fs, args); err != nil {
		return flagError(err, fs, stdout, stderr, "runwatch", usage+"\nFlags of the tray app (given flags win over saved settings for this run):\n")
	}

	a := app.NewWithID(appID)
	cfg := w.merge(ui.LoadSettings(a.Preferences()))
	watch := &watcher{flags: w, store: a.Preferences(), refreshNow: make(chan struct{}, 1), reconfigure: make(chan poller.Config, 1)}
	u := ui.New(a, ui.Actions{
		RefreshNow:    watch.requestRefresh,
		SettingsSaved: func(s ui.Settings) { watch.setConfig(w.merge(s)) },
		FlagsGiven:    w.set,
	}, nil)
	watch.ui = u
	u.SetInterval(cfg.Interval)
	if w.demo || !ui.TrayHostPresent() {
		u.ShowWindow() // without a tray host the tray icon is invisible
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go watch.run(ctx, cfg)
	go tick(ctx, u)
	a.Run()
	return 0
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
func (w *watchFlags) merge(s ui.Settings) poller.Config {
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

// watcher runs the poller in the background and hands each result to the
// UI on Fyne's main thread.
type watcher struct {
	flags       watchFlags
	store       fyne.Preferences
	ui          *ui.UI
	refreshNow  chan struct{}
	reconfigure chan poller.Config
}

func (w *watcher) requestRefresh() {
	select {
	case w.refreshNow <- struct{}{}:
	default: // one is pending already
	}
}

// setConfig hands new settings to the polling goroutine without blocking
// the UI: unread older settings are replaced. Only the UI thread calls it.
func (w *watcher) setConfig(cfg poller.Config) {
	select {
	case <-w.reconfigure:
	default:
	}
	w.reconfigure <- cfg
}

// run polls until ctx ends, starting over with new settings when they come.
func (w *watcher) run(ctx context.Context, cfg poller.Config) {
	opts := poller.Options{Baseline: w.flags.demo} // each demo starts a new simulated cloud
	for {
		next, ok := w.watch(ctx, cfg, opts)
		if !ok {
			return
		}
		opts = baselineFor(cfg, next, w.flags.demo)
		cfg = next
	}
}

// baselineFor says which failures a new configuration learns without
// reporting: all of a newly watched project or job, or of a new demo, and
// those of newly watched regions.
func baselineFor(before, after poller.Config, demo bool) poller.Options {
	if demo || before.Project != after.Project || before.Job != after.Job {
		return poller.Options{Baseline: true}
	}
	var added []string
	for _, r := range after.Regions {
		if !slices.Contains(before.Regions, r) {
			added = append(added, r)
		}
	}
	return poller.Options{BaselineRegions: added}
}

// watch polls with one configuration until a new one comes (returned) or
// ctx ends. When it cannot connect (no credentials yet) it says so and tries
// again every interval, or at once on "Refresh now".
func (w *watcher) watch(ctx context.Context, cfg poller.Config, opts poller.Options) (poller.Config, bool) {
	fyne.Do(func() { w.ui.SetInterval(cfg.Interval) })
	var conn connection
	for {
		connectCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		resolved := cfg
		var err error
		conn, err = w.flags.connect(connectCtx, &resolved)
		cancel()
		if err == nil {
			cfg = resolved
			break
		}
		log.Printf("runwatch: %v", err)
		fyne.Do(func() { w.ui.SetProblem(err.Error(), cfg.Interval) })
		select {
		case <-time.After(cfg.Interval):
		case <-w.refreshNow:
		case next := <-w.reconfigure:
			return next, true
		case <-ctx.Done():
			return cfg, false
		}
	}
	defer conn.close()
	p := poller.New(cfg, conn.clients.Run, conn.clients.Logging, mainThreadStore{w.store}, opts)
	ticker := time.NewTicker(cfg.Interval)
	defer ticker.Stop()
	for {
		res := p.Refresh(ctx)
		if res.Warning != "" {
			log.Printf("runwatch: warning: %s", res.Warning)
		}
		fyne.Do(func() { w.ui.Apply(res) })
		select {
		case <-ticker.C:
		case <-w.refreshNow:
		case next := <-w.reconfigure:
			return next, true
		case <-ctx.Done():
			return cfg, false
		}
	}
}

// mainThreadStore writes the app's preferences on Fyne's main thread: Fyne
// saves the file in place on every change, and two goroutines saving at once
// could interleave their writes.
type mainThreadStore struct{ prefs fyne.Preferences }

func (s mainThreadStore) String(key string) string { return s.prefs.String(key) }

func (s mainThreadStore) SetString(key, value string) {
	fyne.DoAndWait(func() { s.prefs.SetString(key, value) })
}
