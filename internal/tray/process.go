package tray

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/exec"
	"time"

	"fyne.io/systray"

	"runwatch/desktop/instance"
	"runwatch/desktop/trayhost"
	"runwatch/desktop/wake"
	"runwatch/internal/ipc"
	"runwatch/internal/notifier"
	"runwatch/internal/startup"
	"runwatch/poller"
	"runwatch/ui/view"
)

// Run is the tray process; usage heads its help. It returns the exit code.
func Run(args []string, stdout, stderr io.Writer, usage string) int {
	flags, code, ok := startup.ParseApp(args, stdout, stderr, usage)
	if !ok {
		return code
	}

	// fyne.io/systray logs, through the standard logger, each failed
	// registration while no tray host runs: expected, and answered by the
	// window this process shows then.
	log.SetOutput(dropLines{out: stderr, substr: "systray error: failed to register"})

	// One instance: a second start shows the running one's window.
	srv, code, ok := startup.Claim(flags.Demo, true, stderr)
	if !ok {
		return code
	}
	defer srv.Close()

	dir, err := startup.StorageDir(flags.AppID())
	if err != nil {
		fmt.Fprintf(stderr, "runwatch: %v\n", err)
		return 1
	}
	prefs, err := view.ReadPreferencesFile(dir)
	if err != nil {
		log.Printf("runwatch: %v (using defaults)", err)
	}
	settings := view.LoadSettings(prefs)
	cfg := flags.Merge(settings)
	polling, err := flags.StartPolling(cfg, dir)
	if err != nil {
		fmt.Fprintf(stderr, "runwatch: %v\n", err)
		return 1
	}
	defer polling.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	windows := &windowProcess{exe: executable(), demo: flags.Demo}
	hub := ipc.NewHub(flags.Given)
	hub.Update(func(s *ipc.State) { s.Status.Interval, s.Status.FailureLimit = cfg.Interval, settings.FailureShownFor })
	var sender notifier.Sender = notifier.Logged{}
	desktop, err := notifier.Dial(ctx, flags.AppID())
	if err == nil {
		sender = desktop
	}
	var watch *poller.Watcher
	loop := New(Config{
		Menu:       newSystrayMenu(),
		Watcher:    watcherLater{&watch},
		Hub:        hub,
		Notifier:   sender,
		OpenWindow: windows.open,
		Merge:      flags.Merge,
		SavePaused: func(paused bool) error { return view.SaveNotifications(dir, !paused) },
		Quit:       systray.Quit,
		Paused:     !settings.Notifications,
	})
	watch = poller.NewWatcher(loop, polling.Connect, polling.Store, poller.Options{})
	if desktop != nil {
		go desktop.HandleClicks(ctx, notifier.Clicks{
			Details:     func(resource string) { windows.open(ipc.Window{Details: resource}) },
			OpenURL:     openURL,
			Acknowledge: watch.Acknowledge,
		})
	}
	go func() {
		if err := ipc.Serve(ctx, srv, loop.Handlers()); err != nil {
			log.Printf("runwatch: %v", err)
		}
	}()
	go func() {
		for range wake.Watch(ctx, wake.Options{}) {
			watch.RefreshNow()
		}
	}()

	systray.Run(func() {
		go loop.Run(ctx)
		go showWithoutTrayHost(ctx, loop, windows, flags.Demo)
		go watch.Run(ctx, cfg)
	}, func() {
		cancel()
		// The windows go with the tray.
		_ = ipc.WindowProcess(flags.Demo).Quit(context.Background())
	})
	return 0
}

// watcherLater is the Watcher made after the Tray it reports to.
type watcherLater struct{ w **poller.Watcher }

func (l watcherLater) RefreshNow()                 { (*l.w).RefreshNow() }
func (l watcherLater) Acknowledge(resource string) { (*l.w).Acknowledge(resource) }
func (l watcherLater) Snooze(until time.Time)      { (*l.w).Snooze(until) }
func (l watcherLater) Reconfigure(c poller.Config) { (*l.w).Reconfigure(c) }

// showWithoutTrayHost opens the executions window where the tray icon
// would not be seen: always for --demo, and while no tray host runs. The
// usual autostart race: the panel comes a moment later; its tray shows the
// icon, and the window forced open goes unless a person used it.
func showWithoutTrayHost(ctx context.Context, loop *Tray, windows *windowProcess, demo bool) {
	present := trayhost.Present(ctx)
	loop.SetTrayHost(present)
	switch {
	case demo:
		windows.open(ipc.Window{})
	case !present:
		windows.open(ipc.Window{Forced: true})
		if trayhost.Wait(ctx) {
			loop.SetTrayHost(true)
		}
	}
}

// Starting the window process: GLFW now and then fails to find the
// display at start (seen under a loaded Xvfb), so a process that fails
// within windowStartGrace is started again, at most windowStarts times.
const (
	windowStarts     = 3
	windowStartGrace = 10 * time.Second
)

// windowProcess opens windows in the window process, starting it when
// none runs.
type windowProcess struct {
	exe  string // this binary
	demo bool
}

// open shows w in the window process, starting one when none answers.
func (p *windowProcess) open(w ipc.Window) {
	err := ipc.WindowProcess(p.demo).ShowWindow(context.Background(), w)
	if err == nil {
		return
	}
	if !errors.Is(err, instance.ErrNotRunning) {
		log.Printf("runwatch: the window process did not answer: %v; starting another", err)
	}
	args := []string{"window"}
	if p.demo {
		args = append(args, "--demo")
	}
	switch {
	case w.Forced:
		args = append(args, "--forced")
	case w.Settings:
		args = append(args, "--settings")
	case w.Details != "":
		args = append(args, "--details", w.Details)
	}
	go p.start(args)
}

// start runs `runwatch window …` and waits for it, starting it again when
// it fails at start.
func (p *windowProcess) start(args []string) {
	for attempt := 1; attempt <= windowStarts; attempt++ {
		cmd := exec.Command(p.exe, args...)
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

// executable returns this binary, to start the window process with.
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
