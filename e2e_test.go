package main

// End-to-end tests of the real tray app over D-Bus and X11.
//
// The test binary doubles as the app: started with RUNWATCH_E2E_APP=1 it runs
// run() with the JSON array in RUNWATCH_E2E_ARGS as its arguments instead of
// the tests, so no second cgo build of Fyne is needed. Each test starts its
// own dbus-daemon (internal/dbustest), so the names it owns (the tray host,
// the notification server) cannot clash with tests of other packages that
// `go test ./...` runs at the same time on the session bus of `make test`,
// and no notification daemon installed on the machine is activated there.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"runwatch/internal/dbustest"
	"runwatch/internal/startup"
	"runwatch/poller"
	"runwatch/poller/fakecloud"
)

const (
	e2eAppEnv  = "RUNWATCH_E2E_APP"  // "1": this process is the app, not the tests
	e2eArgsEnv = "RUNWATCH_E2E_ARGS" // the app's arguments, a JSON array of strings

	watcherName       = "org.kde.StatusNotifierWatcher"
	watcherPath       = "/StatusNotifierWatcher"
	notificationsName = "org.freedesktop.Notifications"
	notificationsPath = "/org/freedesktop/Notifications"
)

func TestMain(m *testing.M) {
	if os.Getenv(e2eAppEnv) == "1" {
		// The app's own children (the window process) get their arguments
		// on the command line, as the real binary does.
		args := os.Args[1:]
		if len(args) == 0 {
			if err := json.Unmarshal([]byte(os.Getenv(e2eArgsEnv)), &args); err != nil {
				fmt.Fprintf(os.Stderr, "e2e: bad %s: %v\n", e2eArgsEnv, err)
				os.Exit(2)
			}
		}
		os.Exit(run(args, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestDemoShowsTrayMenuAndWindow(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	host := startTrayHost(t, bus)

	started := time.Now()
	app := startApp(t, bus.addr, t.TempDir(), "--demo")
	// The bar is 8 s for the real binary; this one is built with -race and
	// shares a busy machine with the other packages' tests, hence the margin.
	// The time it took is logged.
	deadline := started.Add(20 * time.Second)

	item := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", app.pid())
	waitUntil(t, app, deadline, item+" owned by the app", func() (bool, string) {
		pid, err := bus.ownerPID(item)
		return err == nil && pid == uint32(app.pid()), fmt.Sprintf("owner pid %d, err %v", pid, err)
	})
	waitUntil(t, app, deadline, "the item registered with the tray host", func() (bool, string) {
		regs := host.registrations()
		for _, r := range regs {
			if pid, err := bus.ownerPID(r.sender); err == nil && pid == uint32(app.pid()) {
				return true, ""
			}
		}
		return false, fmt.Sprintf("registrations %v", regs)
	})
	waitUntil(t, app, deadline, "a non-empty IconPixmap", func() (bool, string) {
		icons, err := bus.iconPixmap(item)
		for _, ic := range icons {
			if ic.W > 0 && ic.H > 0 && len(ic.Pix) == int(ic.W*ic.H*4) {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d pixmaps, err %v", len(icons), err)
	})
	execLine := regexp.MustCompile(`^\S+ [a-z0-9-]+ · \S+ · [a-z]+( |,|$)`) // "✔ us-east1 · x7k2p · succeeded 2m ago"
	waitUntil(t, app, deadline, "a tray menu with the actions and an execution", func() (bool, string) {
		labels, err := bus.menuLabels(item)
		ok := err == nil && len(labels) >= 5 &&
			containsLabel(labels, func(l string) bool { return l == "Refresh now" }) &&
			containsLabel(labels, func(l string) bool { return l == "Quit" }) &&
			containsLabel(labels, execLine.MatchString)
		return ok, fmt.Sprintf("labels %q, err %v", labels, err)
	})
	labels, _ := bus.menuLabels(item)
	t.Logf("tray menu: %q", labels)
	t.Logf("tray item with its menu after %v", time.Since(started).Round(time.Millisecond))
	waitUntil(t, app, deadline, `a visible window named "runwatch…"`, func() (bool, string) {
		ids, err := visibleWindows(app.pid())
		return err == nil && len(ids) > 0, fmt.Sprintf("windows %v, err %v", ids, err)
	})

	shot := filepath.Join("artifacts", "smoke.png")
	// Not blank, and painted since the first refresh: the rows' state icons
	// are the only saturated colours on the screen.
	waitUntil(t, app, time.Now().Add(10*time.Second), "a screenshot of the window with executions", func() (bool, string) {
		colours, saturated, err := screenshot(shot)
		return err == nil && colours >= 64 && saturated >= 100,
			fmt.Sprintf("%d distinct colours, %d saturated pixels, err %v", colours, saturated, err)
	})
	t.Logf("up in %s; screenshot in %s", time.Since(started).Round(time.Millisecond), shot)
}

func TestNewFailureNotifiedOnceAndNotAfterRestart(t *testing.T) {
	requireDesktop(t)
	bus := startBus(t)
	startTrayHost(t, bus) // so the window stays hidden, as in a desktop session
	notes := startNotificationServer(t, bus)

	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.Close)
	const region = "us-central1"
	spec := fakecloud.ExecutionSpec{
		Project: "p1", Region: region, Job: "vertex-ai-launcher",
		ID: "vertex-ai-launcher-e2e01", State: fakecloud.Running,
		Created: time.Now().Add(-3 * time.Minute),
	}
	cloud.PutExecution(spec.Build())

	configHome := t.TempDir()
	args := []string{"--project", "p1", "--regions", region + ",us-east1", "--interval", "2s",
		"--run-endpoint", cloud.RunAddr(), "--logging-endpoint", cloud.LoggingAddr()}
	app := startApp(t, bus.addr, configHome, args...)
	waitRefreshes(t, app, cloud, region, 2, 60*time.Second)
	if ids, err := visibleWindows(app.pid()); err != nil || len(ids) > 0 {
		t.Errorf("with a tray host the window should stay hidden: windows %v, err %v", ids, err)
	}

	spec.State = fakecloud.Failed
	spec.Completed = time.Now()
	cloud.PutExecution(spec.Build())
	cloud.SetLogs(spec.Project, spec.Job, spec.ID, traceback(spec.Completed))

	const wantBody = "ValueError: bad &lt;b&gt;config&lt;/b&gt; &amp; more"
	waitUntil(t, app, time.Now().Add(20*time.Second), "a notification of the failure", func() (bool, string) {
		return len(notes.calls()) > 0, "none yet"
	})
	calls := notes.calls()
	if len(calls) != 1 || !strings.Contains(calls[0].body, wantBody) || !strings.Contains(calls[0].summary, region) {
		t.Fatalf("notifications %+v, want one whose body has %q and summary names %s", calls, wantBody, region)
	}
	t.Logf("notified: %q / %q", calls[0].summary, calls[0].body)

	waitUntil(t, app, time.Now().Add(10*time.Second), "the failure saved as announced", func() (bool, string) {
		b, err := os.ReadFile(memoryFile(configHome))
		return err == nil && bytes.Contains(b, []byte(`"announced":true`)), fmt.Sprintf("err %v", err)
	})
	waitRefreshes(t, app, cloud, region, 3, 30*time.Second)
	if n := len(notes.calls()); n != 1 {
		t.Fatalf("%d notifications after more refreshes, want still 1: %+v", n, notes.calls())
	}
	app.stop(t)

	logReads := len(cloud.LogRequests())
	again := startApp(t, bus.addr, configHome, args...)
	waitRefreshes(t, again, cloud, region, 3, 60*time.Second)
	if calls := notes.calls(); len(calls) != 1 {
		t.Errorf("after a restart: %d notifications in all, want still 1: %+v", len(calls), calls)
	}
	if n := len(cloud.LogRequests()); n != logReads {
		t.Errorf("after a restart the logs were read %d more times, want none", n-logReads)
	}
}

// traceback is a failed Python container's log ending at end, with markup
// in the error line.
func traceback(end time.Time) []fakecloud.LogLine {
	lines := []string{
		"Starting launch agent",
		"Traceback (most recent call last):",
		`  File "/app/launch.py", line 12, in <module>`,
		"    main()",
		`  File "/app/launch.py", line 9, in main`,
		`    raise ValueError("bad <b>config</b> & more")`,
		"ValueError: bad <b>config</b> & more",
	}
	out := make([]fakecloud.LogLine, len(lines))
	for i, l := range lines {
		out[i] = fakecloud.LogLine{Time: end.Add(time.Duration(i-len(lines)) * time.Second), Text: l, Severity: "ERROR"}
	}
	return out
}

// requireDesktop fails (never skips: these tests must run in CI) without an
// X display and a D-Bus session.
func requireDesktop(t *testing.T) {
	t.Helper()
	for _, v := range []string{"DISPLAY", "DBUS_SESSION_BUS_ADDRESS"} {
		if os.Getenv(v) == "" {
			t.Fatalf("%s is not set: run the end-to-end tests under `make test` (Xvfb and a D-Bus session)", v)
		}
	}
}

// testBus is a private session bus and the test's connection to it.
type testBus struct {
	addr string
	conn *dbus.Conn
}

// startBus starts a private bus of the test's own (dbustest.Start: one that
// never activates a service, so an installed notification daemon cannot
// stand in for the test's server) and connects the test to it.
func startBus(t *testing.T) *testBus {
	t.Helper()
	addr := dbustest.Start(t)
	return &testBus{addr: addr, conn: dbustest.Connect(t, addr)}
}

// own takes name for the test's connection, failing the test if it is taken.
func (b *testBus) own(t *testing.T, name string) {
	t.Helper()
	dbustest.Own(t, b.conn, name)
}

// ownerPID is the process that owns a bus name.
func (b *testBus) ownerPID(name string) (uint32, error) {
	var pid uint32
	err := b.conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, name).Store(&pid)
	return pid, err
}

// pixmap is one size of a StatusNotifierItem icon, ARGB32.
type pixmap struct {
	W, H int32
	Pix  []byte
}

func (b *testBus) iconPixmap(item string) ([]pixmap, error) {
	v, err := b.conn.Object(item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.IconPixmap")
	if err != nil {
		return nil, err
	}
	var icons []pixmap
	err = v.Store(&icons)
	return icons, err
}

// menuPath is where the item exports its dbusmenu: its Menu property.
func (b *testBus) menuPath(item string) (dbus.ObjectPath, error) {
	v, err := b.conn.Object(item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		return "", err
	}
	var path dbus.ObjectPath
	err = v.Store(&path)
	return path, err
}

// menuLayout is the item's dbusmenu layout, (ia{sv}av).
func (b *testBus) menuLayout(item string) (dbus.BusObject, any, error) {
	path, err := b.menuPath(item)
	if err != nil {
		return nil, nil, err
	}
	menu := b.conn.Object(item, path)
	call := menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		return nil, nil, call.Err
	}
	if len(call.Body) != 2 {
		return nil, nil, fmt.Errorf("GetLayout returned %d values", len(call.Body))
	}
	return menu, call.Body[1], nil
}

// menuLabels is every non-empty "label" in the item's dbusmenu, depth first.
func (b *testBus) menuLabels(item string) ([]string, error) {
	_, layout, err := b.menuLayout(item)
	if err != nil {
		return nil, err
	}
	var labels []string
	collectLabels(layout, &labels)
	return labels, nil
}

// clickMenuItem clicks the item's menu entry labelled label, as a tray
// host does.
func (b *testBus) clickMenuItem(item, label string) error {
	menu, layout, err := b.menuLayout(item)
	if err != nil {
		return err
	}
	id, ok := findMenuID(layout, label)
	if !ok {
		return fmt.Errorf("no menu entry %q", label)
	}
	return menu.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0)).Err
}

// findMenuID is the id of the dbusmenu entry labelled label.
func findMenuID(node any, label string) (int32, bool) {
	fields, ok := node.([]any)
	if !ok || len(fields) != 3 {
		return 0, false
	}
	if props, ok := fields[1].(map[string]dbus.Variant); ok {
		if l, ok := props["label"].Value().(string); ok && l == label {
			id, ok := fields[0].(int32)
			return id, ok
		}
	}
	children, _ := fields[2].([]dbus.Variant)
	for _, c := range children {
		if id, ok := findMenuID(c.Value(), label); ok {
			return id, true
		}
	}
	return 0, false
}

// collectLabels walks a dbusmenu layout, (ia{sv}av) with children as
// variants of the same.
func collectLabels(node any, labels *[]string) {
	fields, ok := node.([]any)
	if !ok || len(fields) != 3 {
		return
	}
	if props, ok := fields[1].(map[string]dbus.Variant); ok {
		if l, ok := props["label"].Value().(string); ok && l != "" {
			*labels = append(*labels, l)
		}
	}
	children, _ := fields[2].([]dbus.Variant)
	for _, c := range children {
		collectLabels(c.Value(), labels)
	}
}

func containsLabel(labels []string, match func(string) bool) bool {
	for _, l := range labels {
		if match(l) {
			return true
		}
	}
	return false
}

// trayHost is a minimal org.kde.StatusNotifierWatcher: it accepts every
// item and says a host is there.
type trayHost struct {
	props *prop.Properties
	mu    sync.Mutex
	regs  []registration
}

// registration is one RegisterStatusNotifierItem call.
type registration struct{ sender, service string }

func startTrayHost(t *testing.T, b *testBus) *trayHost {
	t.Helper()
	h := &trayHost{}
	if err := b.conn.Export(h, watcherPath, watcherName); err != nil {
		t.Fatal(err)
	}
	props, err := prop.Export(b.conn, watcherPath, map[string]map[string]*prop.Prop{watcherName: {
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.props = props
	b.own(t, watcherName)
	return h
}

// RegisterStatusNotifierItem is the D-Bus method; systray passes its object
// path, so the item is the sender.
func (h *trayHost) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	h.mu.Lock()
	h.regs = append(h.regs, registration{string(sender), service})
	items := make([]string, len(h.regs))
	for i, r := range h.regs {
		items[i] = r.sender + r.service
	}
	h.mu.Unlock()
	h.props.SetMust(watcherName, "RegisteredStatusNotifierItems", items)
	return nil
}

// RegisterStatusNotifierHost is the D-Bus method; there is one host, us.
func (h *trayHost) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

func (h *trayHost) registrations() []registration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]registration(nil), h.regs...)
}

// notificationServer records the notifications it is sent.
type notificationServer struct {
	mu   sync.Mutex
	sent []notification
}

type notification struct{ app, summary, body string }

func startNotificationServer(t *testing.T, b *testBus) *notificationServer {
	t.Helper()
	n := &notificationServer{}
	if err := b.conn.Export(n, notificationsPath, notificationsName); err != nil {
		t.Fatal(err)
	}
	b.own(t, notificationsName)
	return n
}

// Notify is the D-Bus method.
func (n *notificationServer) Notify(app string, _ uint32, _ string, summary, body string,
	_ []string, _ map[string]dbus.Variant, _ int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, notification{app, summary, body})
	return uint32(len(n.sent)), nil
}

// GetCapabilities is the D-Bus method: body markup, as dunst, GNOME and KDE.
func (n *notificationServer) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "body-markup"}, nil
}

// GetServerInformation is the D-Bus method.
func (n *notificationServer) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "runwatch-e2e", "runwatch", "1", "1.2", nil
}

// CloseNotification is the D-Bus method.
func (n *notificationServer) CloseNotification(uint32) *dbus.Error { return nil }

func (n *notificationServer) calls() []notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]notification(nil), n.sent...)
}

// appProcess is the app, run by this test binary in its own process group.
type appProcess struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// startApp runs the app with args on the bus at busAddr with its own
// configuration directory; it is stopped at cleanup.
func startApp(t *testing.T, busAddr, configHome string, args ...string) *appProcess {
	t.Helper()
	encoded, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(),
		e2eAppEnv+"=1",
		e2eArgsEnv+"="+string(encoded),
		"DBUS_SESSION_BUS_ADDRESS="+busAddr,
		"XDG_CONFIG_HOME="+configHome,
		"XDG_CACHE_HOME="+filepath.Join(configHome, "cache"),
		// The test's own: the app's socket, so a runwatch running on this
		// machine (or another test's app) is not taken for this one.
		"XDG_RUNTIME_DIR="+runtimeDir(t, configHome),
		"LANG=C.UTF-8",
	)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &appProcess{cmd: cmd, out: out, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(a.done) }()
	t.Cleanup(func() {
		a.stop(t)
		if t.Failed() {
			t.Logf("app (pid %d) output:\n%s", a.pid(), out.String())
		}
	})
	return a
}

func (a *appProcess) pid() int { return a.cmd.Process.Pid }

// runtimeDirs are the XDG_RUNTIME_DIRs given to apps, by configHome, so the
// apps of one test share one and the test can reach them.
var runtimeDirs sync.Map

// runtimeDir is a short directory of the test's own for the apps started
// with configHome (a unix socket's path has a limit of about 100 bytes).
func runtimeDir(t *testing.T, configHome string) string {
	if dir, ok := runtimeDirs.Load(configHome); ok {
		return dir.(string)
	}
	dir, err := os.MkdirTemp("", "rw")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir); runtimeDirs.Delete(configHome) })
	runtimeDirs.Store(configHome, dir)
	return dir
}

// stop ends the app's process group: SIGTERM (Fyne quits cleanly and saves
// its preferences), then SIGKILL after 5 s.
func (a *appProcess) stop(t *testing.T) {
	t.Helper()
	select {
	case <-a.done:
		return
	default:
	}
	_ = syscall.Kill(-a.pid(), syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(5 * time.Second):
		t.Logf("app (pid %d) ignored SIGTERM; killing it", a.pid())
		_ = syscall.Kill(-a.pid(), syscall.SIGKILL)
		<-a.done
	}
}

func (a *appProcess) exited() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// waitUntil polls cond until it holds, failing the test with cond's last
// detail and the app's output at deadline or when the app exits.
func waitUntil(t *testing.T, app *appProcess, deadline time.Time, what string, cond func() (bool, string)) {
	t.Helper()
	for {
		ok, detail := cond()
		switch {
		case ok:
			return
		case app.exited():
			t.Fatalf("the app exited (%v) before %s: %s", app.cmd.ProcessState, what, detail)
		case time.Now().After(deadline):
			t.Fatalf("timed out waiting for %s: %s", what, detail)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitRefreshes waits until the app has listed region n more times.
func waitRefreshes(t *testing.T, app *appProcess, cloud *fakecloud.Cloud, region string, n int, timeout time.Duration) {
	t.Helper()
	start := listsOf(cloud, region)
	waitUntil(t, app, time.Now().Add(timeout), fmt.Sprintf("%d refreshes", n), func() (bool, string) {
		got := listsOf(cloud, region) - start
		return got >= n, fmt.Sprintf("%d refreshes", got)
	})
}

// listsOf counts the ListExecutions requests for region.
func listsOf(cloud *fakecloud.Cloud, region string) int {
	n := 0
	for _, r := range cloud.ListExecutionsRequests() {
		if strings.Contains(r.GetParent(), "/locations/"+region+"/") {
			n++
		}
	}
	return n
}

func memoryFile(configHome string) string {
	return filepath.Join(configHome, "fyne", startup.AppID, poller.MemoryFileName)
}

// visibleWindows lists the visible X windows whose name starts with
// "runwatch" of the app's processes: the tray process and the window
// process it starts (its process group).
func visibleWindows(pid int) ([]string, error) { return windowsNamed(pid, "^runwatch") }

// windowsNamed lists the visible X windows of the app's processes (the
// process group pid leads) whose name matches.
func windowsNamed(pid int, name string) ([]string, error) {
	var all []string
	for _, p := range groupPIDs(pid) {
		ids, err := windowsOf(p, name)
		if err != nil {
			return nil, err
		}
		all = append(all, ids...)
	}
	return all, nil
}

// windowsOf lists one process's visible X windows whose name matches.
func windowsOf(pid int, name string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", "search", "--all", "--onlyvisible",
		"--pid", strconv.Itoa(pid), "--name", name).Output()
	ids := strings.Fields(string(out))
	if err != nil && len(ids) == 0 {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return nil, nil // none found
		}
		return nil, err
	}
	return ids, nil
}

// pressKeys gives an X window the keyboard focus and types keys into it
// ("ctrl+q"), as a person would: xdotool's key without --window sends real
// key events (XTEST), which GLFW reads; sent to a window, they are
// synthetic and ignored.
func pressKeys(window, keys string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", "windowfocus", "--sync", window, "key", "--clearmodifiers", keys).CombinedOutput()
	if err != nil {
		return fmt.Errorf("xdotool key %s: %w (%s)", keys, err, out)
	}
	return nil
}

// groupPIDs lists the live processes of process group pgid (the app runs
// in a group of its own: the tray process and its window process).
func groupPIDs(pgid int) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// After the ")" that ends the command name: state, ppid, pgrp.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 2 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// screenshot saves the whole screen as a PNG at path and counts its
// distinct colours (a blank screen has one) and its saturated pixels.
func screenshot(path string) (colours, saturated int, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "import", "-window", "root", path).CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("import: %v: %s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, 0, err
	}
	colours, saturated = colourStats(img)
	return colours, saturated, nil
}

// colourStats counts an image's distinct colours and the pixels whose
// channels differ by more than a third of their range.
func colourStats(img image.Image) (distinct, saturated int) {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r, g, bl}] = true
			if max(r, g, bl)-min(r, g, bl) > 0xffff/3 {
				saturated++
			}
		}
	}
	return len(seen), saturated
}

// syncBuffer is an io.Writer safe for the app's stdout and stderr at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
