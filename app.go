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
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fmt.Fprintln(stdout, "\nFlags of the tray app (given flags win over saved settings for this run):")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "runwatch: %v (see runwatch --help)\n", err)
		return 2
	}

	a := app.NewWithID(appID)
	cfg := w.merge(ui.LoadSettings(a.Preferences()))
	watch := &watcher{flags: w, store: a.Preferences(), refreshNow: make(chan struct{}, 1), reconfigure: make(chan poller.Config, 1)}
	u := ui.New(a, ui.Actions{
		RefreshNow:    watch.requestRefresh,
		SettingsSaved: func(s ui.Settings) { watch.setConfig(w.merge(s)) },
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
	store       poller.Store
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
	baseline := w.flags.demo
	for {
		next, ok := w.watch(ctx, cfg, baseline)
		if !ok {
			return
		}
		baseline = next.Project != cfg.Project || next.Job != cfg.Job
		cfg = next
	}
}

// watch polls with one configuration until a new one comes (returned) or
// ctx ends.
func (w *watcher) watch(ctx context.Context, cfg poller.Config, baseline bool) (poller.Config, bool) {
	fyne.Do(func() { w.ui.SetInterval(cfg.Interval) })
	connectCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	conn, err := w.flags.connect(connectCtx, &cfg)
	cancel()
	if err != nil {
		log.Printf("runwatch: %v", err)
		fyne.Do(func() { w.ui.SetProblem(err.Error(), cfg.Interval) })
		select {
		case next := <-w.reconfigure:
			return next, true
		case <-ctx.Done():
			return cfg, false
		}
	}
	defer conn.close()
	p := poller.New(cfg, conn.clients.Run, conn.clients.Logging, w.store, poller.Options{Baseline: baseline})
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
