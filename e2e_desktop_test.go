package main

// End-to-end tests of how the app behaves as a desktop citizen: one
// instance, clickable notifications, a refresh after resume, `status`
// answered by the running app. The harness is e2e_test.go's.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/gofrs/flock"

	"runwatch/internal/report"
	"runwatch/internal/xwindow"
	"runwatch/poller/fakecloud"
)

// watchedCloud is a fake cloud with one running execution in region, and
// the flags that point the app at it.
func watchedCloud(t *testing.T, region string, interval string) (*fakecloud.Cloud, fakecloud.ExecutionSpec, []string) {
	t.Helper()
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	spec := fakecloud.ExecutionSpec{Project: "p1", Region: region, Job: "vertex-ai-launcher",
		ID: "vertex-ai-launcher-e2e02", State: fakecloud.Running, Created: time.Now().Add(-3 * time.Minute)}
	cloud.Put(spec)
	args := []string{"--project", "p1", "--regions", region, "--interval", interval,
		"--run-endpoint", cloud.RunAddr(), "--logging-endpoint", cloud.LoggingAddr()}
	return cloud, spec, args
}

func TestSecondInstanceHandsOverAndExits(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startTrayHost(t, bus) // the window stays hidden at start
	cloud, _, args := watchedCloud(t, "us-central1", "1h")
	config := t.TempDir()
	first := startApp(t, bus.addr, config, args...)
	waitRefreshes(t, first, cloud, "us-central1", 1, 60*time.Second)
	if ids, _ := visibleWindows(first.pid()); len(ids) > 0 {
		t.Fatalf("window visible before the second start: %v", ids)
	}

	second := startApp(t, bus.addr, config, args...)
	select {
	case <-second.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the second instance did not exit")
	}
	if code := second.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("the second instance exited %d: %s", code, second.out.String())
	}
	waitUntil(t, first, time.Now().Add(60*time.Second), "the first instance's window shown", func() (bool, string) {
		ids, err := visibleWindows(first.pid())
		return err == nil && len(ids) > 0, fmt.Sprintf("windows %v, err %v", ids, err)
	})
	if n := listsOf(cloud, "us-central1"); n > 2 {
		t.Errorf("%d listings: the second instance polled too", n)
	}
}

// actionServer is a notification server with actions: it records each
// Notify and can say a person clicked one.
type actionServer struct {
	bus  *testBus
	mu   sync.Mutex
	sent []actionNotification
}

type actionNotification struct {
	id            uint32
	summary, body string
	actions       []string
}

func startActionServer(t *testing.T, b *testBus) *actionServer {
	t.Helper()
	s := &actionServer{bus: b}
	if err := b.conn.Export(s, notificationsPath, notificationsName); err != nil {
		t.Fatal(err)
	}
	b.own(t, notificationsName)
	return s
}

// Notify is the D-Bus method.
func (s *actionServer) Notify(_ string, replaces uint32, _ string, summary, body string,
	actions []string, _ map[string]dbus.Variant, _ int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := uint32(len(s.sent) + 1)
	if replaces != 0 {
		id = replaces
	}
	s.sent = append(s.sent, actionNotification{id, summary, body, actions})
	return id, nil
}

// GetCapabilities is the D-Bus method: actions, and a body read as markup.
func (s *actionServer) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"actions", "body", "body-markup"}, nil
}

// GetServerInformation is the D-Bus method.
func (s *actionServer) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "runwatch-e2e", "runwatch", "1", "1.2", nil
}

// CloseNotification is the D-Bus method.
func (s *actionServer) CloseNotification(uint32) *dbus.Error { return nil }

func (s *actionServer) calls() []actionNotification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]actionNotification(nil), s.sent...)
}

// invoke says a person chose action on notification id.
func (s *actionServer) invoke(id uint32, action string) error {
	return s.bus.conn.Emit(notificationsPath, notificationsName+".ActionInvoked", id, action)
}

func TestNotificationClickOpensTheExecutionsDetails(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startTrayHost(t, bus)
	notes := startActionServer(t, bus)
	cloud, spec, args := watchedCloud(t, "us-central1", "2s")
	app := startApp(t, bus.addr, t.TempDir(), args...)
	waitRefreshes(t, app, cloud, "us-central1", 1, 60*time.Second)

	spec.State, spec.Completed = fakecloud.Failed, time.Now()
	cloud.Put(spec)
	cloud.SetLogs(spec.Project, spec.Job, spec.ID, traceback(spec.Completed))
	waitUntil(t, app, time.Now().Add(30*time.Second), "a notification of the failure", func() (bool, string) {
		return len(notes.calls()) > 0, "none yet"
	})
	n := notes.calls()[0]
	if !strings.Contains(n.body, "ValueError: bad &lt;b&gt;config&lt;/b&gt; &amp; more") {
		t.Errorf("body %q: not escaped for a server that reads markup", n.body)
	}
	if !containsLabel(n.actions, func(a string) bool { return a == "default" }) || !containsLabel(n.actions, func(a string) bool { return a == "Open logs" }) ||
		!containsLabel(n.actions, func(a string) bool { return a == "Acknowledge" }) {
		t.Errorf("actions %q, want default, Open logs and Acknowledge", n.actions)
	}
	if err := notes.invoke(n.id, "default"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, app, time.Now().Add(60*time.Second), "the details window of "+spec.ID, func() (bool, string) {
		ids, err := windowsNamed(app.pid(), "^runwatch — "+spec.ID+"$")
		return err == nil && len(ids) > 0, fmt.Sprintf("windows %v, err %v", ids, err)
	})
}

func TestPrepareForSleepFalseRefreshesAtOnce(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startTrayHost(t, bus)
	system := startBus(t) // a private system bus where the test is logind
	system.own(t, "org.freedesktop.login1")
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", system.addr) // startApp passes the environment on
	cloud, _, args := watchedCloud(t, "us-central1", "1h")
	app := startApp(t, bus.addr, t.TempDir(), args...)
	waitRefreshes(t, app, cloud, "us-central1", 1, 60*time.Second)
	time.Sleep(2 * time.Second) // the app is listening to logind by now
	before := listsOf(cloud, "us-central1")
	if err := system.conn.Emit("/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", false); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, app, time.Now().Add(15*time.Second), "a refresh after resume", func() (bool, string) {
		n := listsOf(cloud, "us-central1") - before
		return n > 0, fmt.Sprintf("%d refreshes", n)
	})
}

func TestStatusIsAnsweredByTheRunningApp(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startTrayHost(t, bus)
	cloud, spec, args := watchedCloud(t, "us-central1", "1h")
	config := t.TempDir()
	app := startApp(t, bus.addr, config, args...)
	waitRefreshes(t, app, cloud, "us-central1", 1, 60*time.Second)
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir(t, config))
	t.Setenv("XDG_CONFIG_HOME", config)
	// The app answers once its first refresh is applied (the listing is
	// seen by the fake a moment before).
	waitUntil(t, app, time.Now().Add(20*time.Second), "the app's picture", func() (bool, string) {
		code, _, errOut := statusFromAppOnly(t)
		return code == 0, errOut
	})
	before := len(cloud.ListExecutionsRequests())
	code, out, errOut := runCmd(t, "", "status", "--json")
	if code != 0 {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
	var got report.Output
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Executions) != 1 || got.Executions[0].Name != spec.ID {
		t.Fatalf("status %q (%v)", out, err)
	}
	if n := len(cloud.ListExecutionsRequests()) - before; n != 0 {
		t.Fatalf("status made %d API calls; the running app should answer", n)
	}
	if code, out, _ := runCmd(t, "", "status"); code != 0 || !strings.Contains(out, spec.ID) || !strings.Contains(out, "REGION") {
		t.Fatalf("table from the app: code %d, %q", code, out)
	}
}

// The autostart race: the app starts before the panel. Its window opens
// (the icon would be invisible); when the tray host comes, the item
// registers with it and the window goes, as nobody used it.
func TestLateTrayHostGetsTheItemAndTheForcedWindowGoes(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	cloud, _, args := watchedCloud(t, "us-central1", "1h")
	app := startApp(t, bus.addr, t.TempDir(), args...)
	waitRefreshes(t, app, cloud, "us-central1", 1, 60*time.Second)
	waitUntil(t, app, time.Now().Add(60*time.Second), "the window shown for want of a tray", func() (bool, string) {
		ids, err := visibleWindows(app.pid())
		return err == nil && len(ids) > 0, fmt.Sprintf("windows %v, err %v", ids, err)
	})
	time.Sleep(3 * time.Second)
	host := startTrayHost(t, bus)
	waitUntil(t, app, time.Now().Add(20*time.Second), "the item registered with the late tray host", func() (bool, string) {
		for _, r := range host.registrations() {
			if pid, err := bus.ownerPID(r.sender); err == nil && pid == uint32(app.pid()) {
				return true, ""
			}
		}
		return false, fmt.Sprintf("registrations %v", host.registrations())
	})
	waitUntil(t, app, time.Now().Add(60*time.Second), "the forced window hidden", func() (bool, string) {
		ids, err := visibleWindows(app.pid())
		return err == nil && len(ids) == 0, fmt.Sprintf("windows %v, err %v", ids, err)
	})
}

// statusFromAppOnly asks the running app, never polling.
func statusFromAppOnly(t *testing.T) (code int, stdout, stderr string) {
	t.Helper()
	snap, running, err := snapshotFromApp()
	if err != nil || !running {
		return 1, "", fmt.Sprintf("not answered (running %v): %v", running, err)
	}
	var out, errOut strings.Builder
	code = report.Print(&out, &errOut, "runwatch status", snap, true)
	return code, out.String(), errOut.String()
}

// While no window is open, the app is the tray process alone (no Fyne
// driver, no 60 Hz loop): the tray menu's "Show executions" starts the
// window process, and closing its window ends it.
func TestWindowProcessEndsWithItsLastWindow(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startTrayHost(t, bus)
	cloud, _, args := watchedCloud(t, "us-central1", "1h")
	app := startApp(t, bus.addr, t.TempDir(), args...)
	waitRefreshes(t, app, cloud, "us-central1", 1, 60*time.Second)
	onlyTheTray := func() (bool, string) {
		pids := groupPIDs(app.pid())
		ids, err := visibleWindows(app.pid())
		return err == nil && len(ids) == 0 && len(pids) == 1 && pids[0] == app.pid(),
			fmt.Sprintf("processes %v, windows %v, err %v", pids, ids, err)
	}
	waitUntil(t, app, time.Now().Add(10*time.Second), "the tray process alone, without windows", onlyTheTray)

	item := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", app.pid())
	clicked := time.Now()
	if err := bus.clickMenuItem(item, "_Show executions"); err != nil { // its access key marked (dbusmenu)
		t.Fatal(err)
	}
	var window string
	waitUntil(t, app, time.Now().Add(60*time.Second), "the executions window of another process", func() (bool, string) {
		ids, err := visibleWindows(app.pid())
		mine, _ := windowsOf(app.pid(), "^runwatch")
		if err == nil && len(ids) == 1 && len(mine) == 0 {
			window = ids[0]
			return true, ""
		}
		return false, fmt.Sprintf("windows %v (the tray process's own %v), err %v", ids, mine, err)
	})
	t.Logf("window mapped %v after the click (a -race build)", time.Since(clicked).Round(time.Millisecond))

	if err := xwindow.Close(window); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, app, time.Now().Add(60*time.Second), "the window process gone with its window", onlyTheTray)
	// The tray process still serves: a refresh from the menu reaches the cloud.
	before := listsOf(cloud, "us-central1")
	if err := bus.clickMenuItem(item, "Refresh now"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, app, time.Now().Add(20*time.Second), "a refresh from the tray menu", func() (bool, string) {
		n := listsOf(cloud, "us-central1") - before
		return n > 0, fmt.Sprintf("%d refreshes", n)
	})
}

// Quitting with a window open ends both processes, and the window process
// goes without a word: the tray process closing its connections as it
// quits is no error (issue 14: "read the reply: EOF", "no instance is
// running" on every Quit). Quit in the tray menu; Ctrl+Q in the window;
// and without a tray host, closing the executions window, which quits.
func TestQuitEndsTheWindowProcessQuietly(t *testing.T) {
	requireDesktop(t)
	for _, how := range []string{"Quit in the menu", "Ctrl+Q", "closing the window without a tray host"} {
		t.Run(how, func(t *testing.T) {
			bus := startBus(t)
			menu := how != "closing the window without a tray host"
			if menu {
				startTrayHost(t, bus)
			}
			cloud, _, args := watchedCloud(t, "us-central1", "1h")
			app := startApp(t, bus.addr, t.TempDir(), args...)
			waitRefreshes(t, app, cloud, "us-central1", 1, 60*time.Second)
			item := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", app.pid())
			if menu { // once the tray item has its menu
				waitUntil(t, app, time.Now().Add(20*time.Second), "Show executions clicked", func() (bool, string) {
					err := bus.clickMenuItem(item, "_Show executions")
					return err == nil, fmt.Sprint(err)
				})
			}
			var window string
			waitUntil(t, app, time.Now().Add(60*time.Second), "the window process's window", func() (bool, string) {
				pids := groupPIDs(app.pid())
				ids, err := visibleWindows(app.pid())
				if err == nil && len(ids) == 1 && len(pids) == 2 {
					window = ids[0]
					return true, ""
				}
				return false, fmt.Sprintf("processes %v, windows %v, err %v", pids, ids, err)
			})
			time.Sleep(time.Second) // the window process in its long poll
			var err error
			switch how {
			case "Quit in the menu":
				err = bus.clickMenuItem(item, "Quit")
			case "Ctrl+Q":
				err = pressKeys(window, "ctrl+q")
			default:
				err = xwindow.Close(window)
			}
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for len(groupPIDs(app.pid())) > 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if pids := groupPIDs(app.pid()); len(pids) > 0 {
				t.Fatalf("processes %v still run 20 s after quitting", pids)
			}
			<-app.done
			for _, noise := range []string{"read the reply", "no instance is running", "runwatch window:"} {
				if out := app.out.String(); strings.Contains(out, noise) {
					t.Errorf("after quitting the output says %q:\n%s", noise, out)
				}
			}
		})
	}
}

// Two starts at once (autostart plus a click): the first holds the lock but
// has not yet listened when the second asks it to show its window. The
// second does not become a second tray app with a poller of its own.
// Found by the review of issue 9.
func TestSecondStartWhileTheFirstIsStartingDoesNotPoll(t *testing.T) {
	bus := startBus(t)
	cloud, _, args := watchedCloud(t, "us-central1", "1h")
	config := t.TempDir()
	dir := filepath.Join(runtimeDir(t, config), "runwatch")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// The first instance, between instance.Listen's TryLock and ListenUnix.
	lock := flock.New(filepath.Join(dir, "app.lock"))
	if ok, err := lock.TryLock(); !ok || err != nil {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer lock.Close()
	second := startApp(t, bus.addr, config, args...)
	time.Sleep(8 * time.Second)
	if n := listsOf(cloud, "us-central1"); n > 0 {
		t.Fatalf("the second start polled (%d listings) while another instance held the lock; exited=%v, output:\n%s",
			n, second.exited(), second.out.String())
	}
}

// "No noise on standard error from any command in any locale, beyond
// runwatch's own messages": the autostart race (no tray host yet) is the
// usual start, and fyne.io/systray logs its own failure there.
// Found by the review of issue 9.
func TestNoForeignStderrWhenStartedBeforeThePanel(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startActionServer(t, bus)
	cloud, _, args := watchedCloud(t, "us-central1", "1h")
	config := t.TempDir()
	if err := os.Mkdir(config+"/cache", 0o700); err != nil { // as on a real desktop
		t.Fatal(err)
	}
	app := startApp(t, bus.addr, config, args...)
	waitRefreshes(t, app, cloud, "us-central1", 1, 60*time.Second)
	time.Sleep(3 * time.Second)
	var foreign []string
	for _, l := range strings.Split(app.out.String(), "\n") {
		if l != "" && !strings.Contains(l, "runwatch") {
			foreign = append(foreign, l)
		}
	}
	if len(foreign) > 0 {
		t.Fatalf("stderr lines not runwatch's own:\n%s", strings.Join(foreign, "\n"))
	}
}

// A notification server that starts after runwatch (one not started by
// D-Bus activation, as under many window managers) gets the failure that
// ended while there was none, exactly once; until then the news waits in
// the memory as undelivered (issue 13's bar late-notification-server).
func TestANotificationServerThatComesLateGetsTheFailureOnce(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startTrayHost(t, bus)
	cloud, spec, args := watchedCloud(t, "us-central1", "2s")
	config := t.TempDir()
	app := startApp(t, bus.addr, config, args...)
	waitRefreshes(t, app, cloud, "us-central1", 2, 60*time.Second)

	spec.State, spec.Completed = fakecloud.Failed, time.Now()
	cloud.Put(spec)
	cloud.SetLogs(spec.Project, spec.Job, spec.ID, traceback(spec.Completed))
	waitUntil(t, app, time.Now().Add(30*time.Second), "the failure kept as undelivered", func() (bool, string) {
		b, err := os.ReadFile(memoryFile(config))
		return err == nil && bytes.Contains(b, []byte(`"undelivered":true`)), fmt.Sprintf("err %v", err)
	})
	time.Sleep(8 * time.Second)

	notes := startNotificationServer(t, bus)
	waitUntil(t, app, time.Now().Add(20*time.Second), "the failure notified once a server came", func() (bool, string) {
		return len(notes.calls()) > 0, "none yet"
	})
	waitRefreshes(t, app, cloud, "us-central1", 3, 30*time.Second)
	calls := notes.calls()
	if len(calls) != 1 || !strings.Contains(calls[0].summary, "failed in us-central1") {
		t.Fatalf("notifications %+v, want the failure once", calls)
	}
	waitUntil(t, app, time.Now().Add(10*time.Second), "the failure saved as delivered", func() (bool, string) {
		b, err := os.ReadFile(memoryFile(config))
		return err == nil && !bytes.Contains(b, []byte(`"undelivered":true`)), fmt.Sprintf("err %v", err)
	})
}
