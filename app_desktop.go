package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"runwatch/desktop/instance"
	"runwatch/desktop/notify"
	"runwatch/desktop/wake"
	"runwatch/poller"
	"runwatch/ui"
	"runwatch/ui/view"
)

// instanceName is the running app's socket name: --demo runs apart.
func instanceName(demo bool) string {
	if demo {
		return "demo"
	}
	return "app"
}

// request is what another runwatch asks of the running one.
type request struct {
	Cmd string `json:"cmd"`
}

// Commands of the running app's socket.
const (
	cmdShow   = "show"   // bring the executions window up
	cmdStatus = "status" // the last refresh's picture, as `status --json` prints it
)

// handOver asks an app already running to show its window. The other
// holds the instance lock, so it is running, or starting: it is asked again
// for a while, and never doubled. handed is false only when it never
// answered (the caller then gives up too).
func handOver(name string, stderr io.Writer) (handed bool) {
	deadline := time.Now().Add(handOverWait)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := instance.Call(ctx, name, request{Cmd: cmdShow}, nil)
		cancel()
		switch {
		case err == nil:
			fmt.Fprintln(stderr, "runwatch is already running: showing its window")
			return true
		case errors.Is(err, instance.ErrUnsupported):
			return false
		case time.Now().After(deadline):
			fmt.Fprintf(stderr, "runwatch: another runwatch holds the instance lock but does not answer: %v\n", err)
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// handOverWait is how long a second start waits for a first one still
// starting (the lock taken, its socket not yet listening).
const handOverWait = 15 * time.Second

// parseAppFlags parses the tray app's flags; ok is false with the exit code
// when there is nothing to run (help, or bad flags).
func parseAppFlags(args []string, stdout, stderr io.Writer) (w watchFlags, code int, ok bool) {
	fs := flag.NewFlagSet("runwatch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	w.register(fs, true)
	if err := w.parse(fs, args); err != nil {
		return w, flagError(err, fs, stdout, stderr, "runwatch", usage+"\nFlags of the tray app (given flags win over saved settings for this run):\n"), false
	}
	return w, 0, true
}

// claimInstance makes this process the one running instance, or hands
// over to the one that is (ok false, with the exit code). needSocket: the
// app cannot work without its socket (its windows reach it through it);
// else a socket that cannot be made is only warned about.
func claimInstance(demo, needSocket bool, stderr io.Writer) (srv *instance.Server, code int, ok bool) {
	srv, err := instance.Listen(instanceName(demo))
	switch {
	case errors.Is(err, instance.ErrRunning):
		if handOver(instanceName(demo), stderr) {
			return nil, 0, false
		}
		return nil, 1, false // never a second poller beside one that holds the lock
	case err != nil && (needSocket || !errors.Is(err, instance.ErrUnsupported)):
		if needSocket {
			fmt.Fprintf(stderr, "runwatch: %v\n", err)
			return nil, 1, false
		}
		fmt.Fprintf(stderr, "runwatch: %v (a second start will not find this one)\n", err)
	}
	return srv, 0, true
}

// lastPicture keeps the last refresh's picture for `runwatch status`,
// across goroutines.
type lastPicture struct {
	mu   sync.Mutex
	snap *poller.Snapshot
}

func (l *lastPicture) set(s poller.Snapshot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.snap = &s
}

func (l *lastPicture) get() (poller.Snapshot, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.snap == nil {
		return poller.Snapshot{}, false
	}
	return *l.snap, true
}

// status is the answer to cmdStatus: the last picture as `status` prints it.
func (l *lastPicture) status() (appStatus, error) {
	snap, ok := l.get()
	if !ok {
		return appStatus{}, errors.New("no refresh yet")
	}
	var table strings.Builder
	printStatusTable(&table, snap)
	return appStatus{JSON: statusJSON(snap), Table: table.String(), NoneAnswered: len(snap.RegionErrors) == snap.RegionsAsked}, nil
}

// serveInstance answers other runwatch processes: show the window, or tell
// the last picture (no API call, no write to the memory).
func serveInstance(ctx context.Context, srv *instance.Server, u *ui.UI, last *lastPicture) {
	err := srv.Serve(ctx, func(_ context.Context, req instance.Request) (any, error) {
		switch req.Cmd {
		case cmdShow:
			fyne.Do(u.Present)
			return true, nil
		case cmdStatus:
			return last.status()
		}
		return nil, fmt.Errorf("unknown command %q", req.Cmd)
	})
	if err != nil {
		log.Printf("runwatch: %v", err)
	}
}

// waitForAppPicture bounds how long status waits for a running app's first
// refresh.
const waitForAppPicture = 20 * time.Second

// appStatus is the running app's answer to cmdStatus.
type appStatus struct {
	JSON         statusOutput `json:"json"`
	Table        string       `json:"table"`
	NoneAnswered bool         `json:"none_answered"`
}

// statusFromApp prints the running app's last picture; answered is false
// when no app runs (or it has not refreshed yet).
func statusFromApp(asJSON bool, stdout, stderr io.Writer) (code int, answered bool) {
	ctx, cancel := context.WithTimeout(context.Background(), waitForAppPicture)
	defer cancel()
	var st appStatus
	var waited error // the running app's answer while it has no picture
	for {
		err := instance.Call(ctx, instanceName(false), request{Cmd: cmdStatus}, &st)
		var remote *instance.RemoteError
		switch {
		case err == nil:
		case errors.As(err, &remote) && ctx.Err() == nil:
			// Running, not refreshed yet: wait for its picture rather than
			// poll beside it.
			waited = err
			time.Sleep(250 * time.Millisecond)
			continue
		case waited != nil || errors.As(err, &remote):
			fmt.Fprintf(stderr, "runwatch status: the running app has no picture yet: %v\n", cmp.Or(waited, err))
			return 1, true
		default:
			return 0, false
		}
		break
	}
	for _, region := range slices.Sorted(maps.Keys(st.JSON.RegionErrors)) {
		fmt.Fprintf(stderr, "runwatch status: %s\n", st.JSON.RegionErrors[region])
	}
	if asJSON {
		if err := json.NewEncoder(stdout).Encode(st.JSON); err != nil {
			fmt.Fprintf(stderr, "runwatch status: %v\n", err)
			return 1, true
		}
	} else {
		fmt.Fprint(stdout, st.Table)
	}
	if st.NoneAnswered {
		fmt.Fprintln(stderr, "runwatch status: no region answered")
		return 1, true
	}
	return 0, true
}

// desktopNotifier sends notifications over D-Bus where the server is
// there, with a click opening the execution's details and buttons to open
// its logs and acknowledge it; one bubble is updated in place while it is
// fresh. Elsewhere it is nil and Fyne's notifications are used.
type desktopNotifier struct {
	n        *notify.Notifier
	sending  sync.Mutex // held for a whole send
	mu       sync.Mutex
	byID     map[uint32]string // bubble → execution resource
	lastID   uint32
	lastSent time.Time
}

// replaceWithin: a notification this soon after the last one updates its
// bubble instead of stacking another.
const replaceWithin = 2 * time.Minute

// Action keys of a notification.
const (
	actionLogs = "logs"
	actionAck  = "ack"
)

func startDesktopNotifier(ctx context.Context) *desktopNotifier {
	n, err := notify.DialSession(ctx, notify.Options{AppName: "runwatch", DesktopEntry: appID})
	if err != nil {
		return nil
	}
	return &desktopNotifier{n: n, byID: map[uint32]string{}}
}

// send shows one notification (plain text: the notifier escapes it only
// for servers that read markup).
func (d *desktopNotifier) send(n view.Notification) {
	// One at a time: two notifications of one refresh must not both miss
	// the bubble the first creates.
	d.sending.Lock()
	defer d.sending.Unlock()
	d.mu.Lock()
	replaces := uint32(0)
	if time.Since(d.lastSent) < replaceWithin {
		replaces = d.lastID
	}
	d.mu.Unlock()
	note := notify.Notification{Title: n.Title, Body: n.Body, ReplacesID: replaces}
	if n.Resource != "" {
		note.Default = notify.Action{Key: notify.DefaultKey, Label: "Details"}
		note.Actions = []notify.Action{{Key: actionLogs, Label: "Open logs"}, {Key: actionAck, Label: "Acknowledge"}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	id, err := d.n.Send(ctx, note)
	if err != nil {
		log.Printf("runwatch: notify: %v", err)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lastID, d.lastSent = id, time.Now()
	d.byID[id] = n.Resource
}

// clickActions are what a click on a bubble can do.
type clickActions struct {
	details     func(resource string) // show the execution's details
	openURL     func(*url.URL)        // open a link (a Cloud Console one, checked)
	acknowledge func(resource string)
}

// handleClicks acts on what a person chose on a bubble until ctx ends.
func (d *desktopNotifier) handleClicks(ctx context.Context, do clickActions) {
	for {
		select {
		case <-ctx.Done():
			return
		case inv, ok := <-d.n.Invoked():
			if !ok {
				return
			}
			d.mu.Lock()
			resource := d.byID[inv.ID]
			d.mu.Unlock()
			if resource == "" {
				continue
			}
			switch inv.Action {
			case notify.DefaultKey:
				do.details(resource)
			case actionAck:
				do.acknowledge(resource)
			case actionLogs:
				if link, err := url.Parse(consoleLogsURL(resource)); err == nil && view.IsConsoleURL(link.String()) {
					do.openURL(link)
				}
			}
		}
	}
}

// consoleLogsURL is an execution's logs in the Cloud Console, from its
// resource name projects/P/locations/R/jobs/J/executions/E.
func consoleLogsURL(resource string) string {
	parts := strings.Split(resource, "/")
	if len(parts) != 8 {
		return ""
	}
	project, region, execution := parts[1], parts[3], parts[7]
	return fmt.Sprintf("https://console.cloud.google.com/run/jobs/executions/details/%s/%s/logs?project=%s",
		url.PathEscape(region), url.PathEscape(execution), url.QueryEscape(project))
}

// refreshOnWake asks for a refresh after the machine resumes.
func refreshOnWake(ctx context.Context, refresh func()) {
	for range wake.Watch(ctx, wake.Options{}) {
		refresh()
	}
}
