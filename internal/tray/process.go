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

	"runwatch/desktop/browser"
	"runwatch/desktop/instance"
	"runwatch/desktop/trayhost"
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
	srv, code, ok := flags.Claim(true, stderr)
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
	// Asked before anything is served: a window opened at once must know
	// whether closing it quits.
	trayHost := trayhost.Present(ctx)
	hub.Update(func(s *ipc.State) {
		s.Status.Interval, s.Status.FailureLimit, s.TrayHost = cfg.Interval, settings.FailureShownFor, trayHost
		s.Status.Demo = flags.Demo // the tooltip and the menu's first line say so
		s.Args, s.FlagValues = flags.WatchArgs(), flags.Config()
	})
	desktop := notifier.NewDesktop(startup.AppID)
	menu := newSystrayMenu()
	loop := New(Config{
		Menu:       menu,
		Hub:        hub,
		Notifier:   desktop,
		OpenWindow: windows.open,
		Merge:      flags.Merge,
		SavePaused: func(paused bool) error { return view.SaveNotifications(dir, !paused) },
		Quit:       systray.Quit,
		Prefs:      view.NotifyPrefs{Paused: !settings.Notifications, Kinds: settings.Notify},
	})
	watch, _ := polling.NewWatcher(loop, dir, poller.Options{})
	loop.SetWatcher(watch)
	go desktop.HandleClicks(ctx, notifier.Clicks{
		Details:     func(resource string) { windows.open(ipc.Window{Details: resource}) },
		OpenURL:     func(link *url.URL) { go openURLOrSay(link, desktop) },
		Acknowledge: watch.Acknowledge,
	})
	go func() {
		// A notification server that starts after runwatch gets what waits.
		for range notifier.ServerComes(ctx) {
			loop.ServerCame()
		}
	}()
	go func() {
		if err := ipc.Serve(ctx, srv, loop.Handlers()); err != nil {
			log.Printf("runwatch: %v", err)
		}
	}()
	go startup.RefreshOnWake(ctx, watch.RefreshNow)

	systray.Run(func() {
		go loop.Run(ctx)
		go followTrayHost(ctx, loop, windows, flags.Demo, trayHost)
		go watch.Run(ctx, cfg)
	}, func() {
		cancel()
		menu.Close()
		// The windows go with the tray.
		_ = ipc.WindowProcess(flags.Demo).Quit(context.Background())
	})
	return 0
}

// followTrayHost opens the executions window where the tray icon would
// not be seen (view.WindowAtStart), then tells the loop each time a tray
// host comes or goes. The usual autostart race: the panel comes a moment
// later; its tray shows the icon, and the window forced open goes unless a
// person used it.
func followTrayHost(ctx context.Context, loop *Tray, windows *windowProcess, demo, present bool) {
	if show, forced := view.WindowAtStart(demo, present); show {
		windows.open(ipc.Window{Forced: forced})
	}
	for present := range trayhost.Watch(ctx) {
		loop.SetTrayHost(present)
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
		if w.Confirm != "" {
			args = append(args, "--confirm", string(w.Confirm))
		}
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

// openURLOrSay opens a link, and says why it could not: on standard error
// and, where a notification server is, in a notification with the link.
func openURLOrSay(link *url.URL, say notifier.Sender) {
	err := browser.Open(link)
	if err == nil {
		return
	}
	log.Printf("runwatch: %v", err)
	if say != nil {
		if err := say.Send(view.Notification{Title: "runwatch could not open the logs", Body: err.Error()}); err != nil {
			log.Printf("runwatch: %v", err)
		}
	}
}
