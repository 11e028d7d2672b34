package startup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"runwatch/desktop/instance"
	"runwatch/internal/ipc"
)

// handOverWait is how long a second start waits for a first one still
// starting (the lock taken, its socket not yet listening).
const handOverWait = 15 * time.Second

// Claim makes this process the one running tray app, or hands over to the
// one that is (ok false, with the exit code), saying which of f's flags it
// did not apply. needSocket: the app cannot work without its socket (its
// windows reach it through it); else a socket that cannot be made is only
// warned about. srv is nil where sockets are not supported.
func (f *Flags) Claim(needSocket bool, stderr io.Writer) (srv *instance.Server, code int, ok bool) {
	app := ipc.App(f.Demo)
	srv, err := instance.Listen(app.Name())
	switch {
	case errors.Is(err, instance.ErrRunning):
		if handOver(app, f.notApplied(), stderr) {
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

// handOver asks an app already running to show its window. The other
// holds the instance lock, so it is running, or starting: it is asked again
// for a while, and never doubled. handed is false only when it never
// answered (the caller then gives up too). notApplied are this start's
// flags the running app does not take: they are named, with what it
// watches.
func handOver(app ipc.Client, notApplied []string, stderr io.Writer) (handed bool) {
	deadline := time.Now().Add(handOverWait)
	for {
		err := app.Show(context.Background())
		switch {
		case err == nil && len(notApplied) == 0:
			fmt.Fprintln(stderr, "runwatch is already running: showing its window")
			return true
		case err == nil:
			fmt.Fprintf(stderr, "runwatch is already running%s; %s %s not applied: quit it first (tray menu → Quit)\n",
				watching(app), strings.Join(notApplied, " "), wasOrWere(notApplied))
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

// notApplied returns the flags of this start that a running app would not
// take (what to watch, and how often), as given.
func (f *Flags) notApplied() []string {
	args := f.WatchArgs()
	if i := slices.Index(args, "--demo"); i >= 0 {
		args = slices.Delete(args, i, i+1) // --demo goes to the demo app
	}
	return args
}

// wasOrWere agrees with the flags named: one flag (two arguments) "was".
func wasOrWere(args []string) string {
	if len(args) <= 2 {
		return "was"
	}
	return "were"
}

// watching says what the running app watches, from its last refresh:
// ", watching vertex-ai-launcher in my-proj (18 regions)", or " (it has not
// refreshed yet)".
func watching(app ipc.Client) string {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	snap, err := app.Status(ctx)
	if err != nil || snap.Job == "" {
		return " (it has not refreshed yet)"
	}
	regions := "1 region"
	if snap.RegionsAsked != 1 {
		regions = fmt.Sprintf("%d regions", snap.RegionsAsked)
	}
	return fmt.Sprintf(", watching %s in %s (%s)", snap.Job, snap.Project, regions)
}
