// Package single is the one-process app of Windows and macOS: the tray
// (Fyne's), the poller, the notifications and the windows together, Fyne's
// driver running all the while. On Linux the tray lives apart from the
// windows (internal/tray and internal/window); this package is still built
// and tested there, with Fyne's test app, so it cannot rot unseen.
//
// It talks to the poller through its Watcher, to the desktop's
// notification server through internal/notifier where there is one, and
// answers a second start and `runwatch status` over internal/ipc. It never
// imports internal/tray or internal/window.
package single

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"runwatch/desktop/instance"
	"runwatch/desktop/trayhost"
	"runwatch/internal/ipc"
	"runwatch/internal/notifier"
	"runwatch/internal/startup"
	"runwatch/poller"
	"runwatch/ui"
	"runwatch/ui/view"
)

// Run starts the app and returns its exit code when it quits; usage heads
// its help.
func Run(args []string, stdout, stderr io.Writer, usage string) int {
	flags, code, ok := startup.ParseApp(args, stdout, stderr, usage)
	if !ok {
		return code
	}
	// One instance: a second start shows the running one's window.
	srv, code, ok := flags.Claim(false, stderr)
	if !ok {
		return code
	}
	if srv != nil {
		defer srv.Close()
	}
	a := app.NewWithID(flags.AppID())
	fyneLog := startup.NewFyneLog(stderr) // without Fyne's preferences race at exit
	log.SetOutput(fyneLog)
	a.Lifecycle().SetOnStopped(fyneLog.Stopping)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop, err := start(ctx, a, fyne.Do, &flags, srv)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch: %v\n", err)
		return 1
	}
	defer stop()
	a.Run()
	return 0
}

// start sets the app up on a (Fyne's app, or its test app) and starts
// polling; do runs a function on Fyne's main thread (fyne.Do); srv, when
// not nil, answers other runwatch processes. stop ends what start began
// beside ctx.
func start(ctx context.Context, a fyne.App, do func(func()), flags *startup.Flags, srv *instance.Server) (stop func(), err error) {
	ui.RestoreSettings(a)
	cfg := flags.Merge(view.LoadSettings(a.Preferences()))
	dir := a.Storage().RootURI().Path()
	polling, err := flags.StartPolling(cfg, dir)
	if err != nil {
		return nil, err
	}
	appView := &mainThreadView{do: do, notifier: fyneNotifier{a}, hub: ipc.NewHub(flags.Given)}
	desktop, err := notifier.Dial(ctx, startup.AppID)
	if err == nil {
		appView.notifier = desktop
	}
	appView.watch, _ = polling.NewWatcher(appView, dir, poller.Options{})
	appView.ui = ui.New(a, ui.Actions{
		RefreshNow:    appView.watch.RefreshNow,
		SettingsSaved: func(s view.Settings) { appView.watch.Reconfigure(flags.Merge(s)) },
		FlagsGiven:    flags.Given,
		LoginArgs:     flags.WatchArgs(),
		FlagValues:    flags.Config(),
		Acknowledge:   appView.watch.Acknowledge,
		Snooze:        appView.watch.Snooze,
		LastLines:     appView.watch.LastLines,
		RunAgain:      cloudRun{appView.watch}.runAgain,
		Cancel:        cloudRun{appView.watch}.cancel,
		Overrides:     cloudRun{appView.watch}.overrides,
	}, nil)
	appView.ui.SetDemo(flags.Demo)
	appView.ui.SetInterval(cfg.Interval)
	// Asked before any window shows: closing the last one quits only where
	// no tray host shows the icon.
	trayHost := trayhost.Present(ctx)
	appView.ui.SetTrayHost(trayHost)
	if desktop != nil {
		go desktop.HandleClicks(ctx, notifier.Clicks{
			Details:     func(resource string) { do(func() { appView.ui.ShowExecution(resource) }) },
			OpenURL:     func(link *url.URL) { do(func() { _ = a.OpenURL(link) }) },
			Acknowledge: appView.watch.Acknowledge,
		})
	}
	switch show, forced := view.WindowAtStart(flags.Demo, trayHost); {
	case show && forced:
		appView.ui.ShowWindow() // it goes when a tray host comes, unless used
	case show:
		appView.ui.Present()
	}
	appView.ui.StartTicking(ctx, do) // before anything else calls the UI
	go followTrayHost(ctx, appView.ui, do)
	if srv != nil {
		go appView.serve(ctx, srv)
	}
	go startup.RefreshOnWake(ctx, appView.watch.RefreshNow)
	go appView.watch.Run(ctx, cfg)
	return polling.Close, nil
}

// followTrayHost tells the UI each time a tray host comes or goes; when
// one comes, a window shown for want of one goes unless a person used it
// (the usual autostart race).
func followTrayHost(ctx context.Context, u *ui.UI, do func(func())) {
	for present := range trayhost.Watch(ctx) {
		do(func() {
			u.SetTrayHost(present)
			if present {
				u.HideForcedWindow()
			}
		})
	}
}

// mainThreadView is the watcher's poller.View: it hands each call to
// Fyne's main thread; each closure captures only its own arguments. It
// keeps the last snapshot for `runwatch status`.
type mainThreadView struct {
	do       func(func()) // runs a function on Fyne's main thread
	ui       *ui.UI
	watch    *poller.Watcher
	notifier notifier.Sender
	hub      *ipc.Hub // the last snapshot, for `runwatch status`
}

func (v *mainThreadView) Apply(res poller.Result) {
	if res.Warning != "" {
		log.Printf("runwatch: warning: %s", res.Warning)
	}
	v.hub.Update(func(s *ipc.State) { s.Status.Take(res.Snapshot) })
	v.do(func() {
		v.ui.Apply(res)
		res.Changes = append(res.Changes, res.Undelivered...)
		notifier.Announce(res, v.ui.NotifyPrefs(), v.notifier, func(told notifier.Told, err error) {
			if err == nil {
				v.watch.Delivered(told.Resources, told.Missed)
			}
		})
	})
}

func (v *mainThreadView) ShowSnapshot(snap poller.Snapshot, err error) {
	if err != nil {
		log.Printf("runwatch: %v", err)
	}
	v.hub.Update(func(s *ipc.State) {
		if s.Status.HasSnapshot {
			s.Status.Snapshot = snap
		}
	})
	v.do(func() { v.ui.ShowSnapshot(snap) })
}

func (v *mainThreadView) SetProblem(problem string) {
	log.Printf("runwatch: %s", problem)
	v.do(func() { v.ui.SetProblem(problem) })
}

func (v *mainThreadView) SetInterval(d time.Duration) {
	v.do(func() { v.ui.SetInterval(d) })
}

// serve answers other runwatch processes: a second start and `status`.
func (v *mainThreadView) serve(ctx context.Context, srv *instance.Server) {
	err := ipc.Serve(ctx, srv, ipc.Handlers{
		Show:   func() { v.do(v.ui.Present) },
		Status: v.hub.Snapshot,
	})
	if err != nil {
		log.Printf("runwatch: %v", err)
	}
}

// cloudRun acts on Cloud Run for the details with the watcher's clients,
// calling the poller's actions directly (the process has the clients), then
// refreshes with them so what it did shows.
type cloudRun struct{ watch *poller.Watcher }

func (c cloudRun) runAgain(ctx context.Context, resource string, withOverrides bool) (string, error) {
	clients, err := c.watch.Clients()
	if err != nil {
		return "", err
	}
	started, err := poller.RunAgain(ctx, clients, resource, withOverrides)
	if err != nil {
		return "", err
	}
	c.watch.Refresh()
	return started, nil
}

func (c cloudRun) cancel(ctx context.Context, resource string) error {
	clients, err := c.watch.Clients()
	if err != nil {
		return err
	}
	if err := poller.Cancel(ctx, clients, resource); err != nil {
		return err
	}
	c.watch.Refresh()
	return nil
}

func (c cloudRun) overrides(ctx context.Context, resource string) (string, error) {
	clients, err := c.watch.Clients()
	if err != nil {
		return "", err
	}
	o, err := poller.OverridesOf(ctx, clients, resource)
	return o.String(), err
}

// fyneNotifier sends notifications through Fyne where no D-Bus
// notification server is (Windows, macOS), escaped for servers that read
// markup.
type fyneNotifier struct{ app fyne.App }

func (f fyneNotifier) Send(n view.Notification) error {
	f.app.SendNotification(fyne.NewNotification(view.EscapeMarkup(n.Title), view.EscapeMarkup(n.Body)))
	return nil
}
