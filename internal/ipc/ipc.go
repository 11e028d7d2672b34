package ipc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"runwatch/desktop/instance"
	"runwatch/poller"
	"runwatch/ui/view"
)

// Commands, each with its request type below.
const (
	cmdShow         = "show"           // the tray process: show the executions window
	cmdStatus       = "status"         // the tray process: its last refresh's snapshot
	cmdState        = "state"          // the tray process: the State once newer than Since (a long poll)
	cmdRefresh      = "refresh"        // the tray process: refresh now
	cmdAcknowledge  = "acknowledge"    // the tray process: acknowledge Resource's error
	cmdSnooze       = "snooze"         // the tray process: hold notifications back Until (zero: resume)
	cmdSettings     = "settings"       // the tray process: a person saved Settings
	cmdQuit         = "quit"           // either process: quit (the tray process: all of runwatch)
	cmdShowWindow   = "show-window"    // the window process: show Window
	cmdLastLines    = "last-lines"     // the tray process: the last lines Resource logged
	cmdRunAgain     = "run-again"      // the tray process: start Resource's job again
	cmdCancel       = "cancel"         // the tray process: cancel Resource
	cmdOverrides    = "overrides"      // the tray process: what Resource ran with beyond its job
	lastLinesWait   = 45 * time.Second // a log read may wait for Cloud Logging's budget
	defaultTimeout  = 5 * time.Second
	stateWait       = 8 * time.Second // how long a State request waits for a change
	stateCallMargin = 5 * time.Second // beyond stateWait, for the answer to come back
)

// How long the actions on Cloud Run may take: the tray process gives a
// run again or a cancel ActionTimeout (its calls take up to 30 s each:
// reading the overrides, then running), the socket ActionWait; reading the
// overrides (two calls within 30 s) OverridesWait, the socket's margin
// included.
const (
	ActionTimeout = 70 * time.Second
	ActionWait    = ActionTimeout + 5*time.Second
	OverridesWait = 35 * time.Second
)

type (
	plainRequest struct {
		Cmd string `json:"cmd"`
	}
	stateRequest struct {
		Cmd   string `json:"cmd"`
		Since uint64 `json:"since"`
	}
	resourceRequest struct {
		Cmd      string `json:"cmd"`
		Resource string `json:"resource"`
	}
	snoozeRequest struct {
		Cmd   string    `json:"cmd"`
		Until time.Time `json:"until"`
	}
	settingsRequest struct {
		Cmd      string        `json:"cmd"`
		Settings view.Settings `json:"settings"`
	}
	runAgainRequest struct {
		Cmd           string `json:"cmd"`
		Resource      string `json:"resource"`
		WithOverrides bool   `json:"with_overrides,omitempty"`
	}
	windowRequest struct {
		Cmd    string `json:"cmd"`
		Window Window `json:"window"`
	}
)

// Window is which window the window process is asked to show.
type Window struct {
	Details  string `json:"details,omitempty"`  // this execution's details
	Settings bool   `json:"settings,omitempty"` // the settings window
	// Confirm opens Details with this action's confirmation (the tray
	// menu's Run … again… and Cancel …).
	Confirm view.Confirmation `json:"confirm,omitempty"`
	// Forced: shown for want of a tray host, not by a person; it goes when
	// a tray host comes unless a person used it.
	Forced bool `json:"forced,omitempty"`
}

// State is what the tray process tells the window process: the status to
// show, whether a tray host is there (a window forced open for want of one
// goes when one comes) and the flags that win over settings.
type State struct {
	Version  uint64          `json:"version"`
	Status   view.Status     `json:"status"`
	TrayHost bool            `json:"tray_host"`
	Flags    map[string]bool `json:"flags"`
	// Args are the tray process's flags that name what it watches, for the
	// start-at-login entry the window process writes.
	Args []string `json:"args,omitempty"`
	// FlagValues are the values those flags set, for the settings window
	// (a zero field: the window falls back on what Status shows).
	FlagValues poller.Config `json:"flag_values"`
}

// Client calls one runwatch process by its instance name.
type Client struct{ name string }

// App is the client of the tray process (of --demo's when demo).
func App(demo bool) Client {
	if demo {
		return Client{name: "demo"}
	}
	return Client{name: "app"}
}

// WindowProcess is the client of the window process that belongs to App(demo).
func WindowProcess(demo bool) Client { return Client{name: App(demo).name + "-window"} }

// Name is the instance name the process listens under.
func (c Client) Name() string { return c.name }

// call sends req and decodes the answer into reply, within the default
// timeout unless ctx ends sooner.
func (c Client) call(ctx context.Context, req, reply any) error {
	return c.callWithin(ctx, defaultTimeout, req, reply)
}

// callWithin is call with a timeout of its own.
func (c Client) callWithin(ctx context.Context, timeout time.Duration, req, reply any) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := instance.Call(ctx, c.name, req, reply); err != nil {
		return fmt.Errorf("ask runwatch (%s): %w", c.name, err)
	}
	return nil
}

// Show asks the tray process to show its executions window.
func (c Client) Show(ctx context.Context) error { return c.call(ctx, plainRequest{Cmd: cmdShow}, nil) }

// statusReply is the answer to cmdStatus. Version tells it from the
// answer of a runwatch from before this protocol, which had none.
type statusReply struct {
	Version  int             `json:"version"`
	Snapshot poller.Snapshot `json:"snapshot"`
}

// statusVersion is the version of statusReply.
const statusVersion = 2

// ErrOlderApp is Status's answer when the running tray process is a
// runwatch from before this protocol (the binary was upgraded under it).
var ErrOlderApp = errors.New("the running runwatch is an older version: quit it and start runwatch again")

// Status asks the tray process for its last refresh's snapshot; it answers
// with an error (an *instance.RemoteError) until its first refresh, and
// ErrOlderApp when it speaks an older protocol.
func (c Client) Status(ctx context.Context) (poller.Snapshot, error) {
	var reply statusReply
	if err := c.call(ctx, plainRequest{Cmd: cmdStatus}, &reply); err != nil {
		return poller.Snapshot{}, err
	}
	if reply.Version != statusVersion {
		return poller.Snapshot{}, ErrOlderApp
	}
	return reply.Snapshot, nil
}

// State asks the tray process for its State once newer than since; it
// answers with the same version when nothing changed for a while.
func (c Client) State(ctx context.Context, since uint64) (State, error) {
	var st State
	err := c.callWithin(ctx, stateWait+stateCallMargin, stateRequest{Cmd: cmdState, Since: since}, &st)
	return st, err
}

// Refresh asks the tray process to refresh now.
func (c Client) Refresh(ctx context.Context) error {
	return c.call(ctx, plainRequest{Cmd: cmdRefresh}, nil)
}

// Acknowledge asks the tray process to acknowledge an execution's error.
func (c Client) Acknowledge(ctx context.Context, resource string) error {
	return c.call(ctx, resourceRequest{Cmd: cmdAcknowledge, Resource: resource}, nil)
}

// Snooze asks the tray process to hold notifications back until a time
// (zero: resume).
func (c Client) Snooze(ctx context.Context, until time.Time) error {
	return c.call(ctx, snoozeRequest{Cmd: cmdSnooze, Until: until}, nil)
}

// SaveSettings tells the tray process a person saved settings.
func (c Client) SaveSettings(ctx context.Context, s view.Settings) error {
	return c.call(ctx, settingsRequest{Cmd: cmdSettings, Settings: s}, nil)
}

// LastLines asks the tray process for the last lines an execution logged
// (read once, on demand, for its details).
func (c Client) LastLines(ctx context.Context, resource string) ([]string, error) {
	var lines []string
	err := c.callWithin(ctx, lastLinesWait, resourceRequest{Cmd: cmdLastLines, Resource: resource}, &lines)
	return lines, err
}

// RunAgain asks the tray process to start an execution's job again, with
// the overrides it ran with when withOverrides, and returns the new
// execution's resource name.
func (c Client) RunAgain(ctx context.Context, resource string, withOverrides bool) (string, error) {
	var started string
	err := c.callWithin(ctx, ActionWait, runAgainRequest{Cmd: cmdRunAgain, Resource: resource, WithOverrides: withOverrides}, &started)
	return started, err
}

// Cancel asks the tray process to cancel a running or pending execution.
func (c Client) Cancel(ctx context.Context, resource string) error {
	return c.callWithin(ctx, ActionWait, resourceRequest{Cmd: cmdCancel, Resource: resource}, nil)
}

// Overrides asks the tray process what an execution ran with beyond its
// job, in words ("args --epochs 3 · env LR=0.1"; "" when nothing).
func (c Client) Overrides(ctx context.Context, resource string) (string, error) {
	var words string
	err := c.callWithin(ctx, OverridesWait, resourceRequest{Cmd: cmdOverrides, Resource: resource}, &words)
	return words, err
}

// Quit asks the process to quit.
func (c Client) Quit(ctx context.Context) error { return c.call(ctx, plainRequest{Cmd: cmdQuit}, nil) }

// ShowWindow asks the window process to show a window.
func (c Client) ShowWindow(ctx context.Context, w Window) error {
	return c.call(ctx, windowRequest{Cmd: cmdShowWindow, Window: w}, nil)
}

// Handlers are what a process answers; a nil handler's command is refused
// as unknown. Each runs on the server's goroutine for its connection and
// must not block for long (State excepted: it is the long poll).
type Handlers struct {
	Show         func()
	Status       func() (poller.Snapshot, error)
	State        func(ctx context.Context, since uint64, wait time.Duration) State
	Refresh      func()
	Acknowledge  func(resource string)
	Snooze       func(until time.Time)
	SaveSettings func(view.Settings)
	Quit         func()
	ShowWindow   func(Window)
	// LastLines may block for a log read, bounded by ctx.
	LastLines func(ctx context.Context, resource string) ([]string, error)
	// RunAgain, Cancel and Overrides call Cloud Run, bounded by ctx; each
	// answers with the error a person reads.
	RunAgain  func(ctx context.Context, resource string, withOverrides bool) (string, error)
	Cancel    func(ctx context.Context, resource string) error
	Overrides func(ctx context.Context, resource string) (string, error)
}

// Serve answers requests on srv with h until ctx ends.
func Serve(ctx context.Context, srv *instance.Server, h Handlers) error {
	return srv.Serve(ctx, func(ctx context.Context, req instance.Request) (any, error) {
		return h.answer(ctx, req)
	})
}

// answer dispatches one request: one case per command.
func (h Handlers) answer(ctx context.Context, req instance.Request) (any, error) {
	unknown := fmt.Errorf("unknown command %q", req.Cmd)
	switch req.Cmd {
	case cmdShow:
		if h.Show == nil {
			return nil, unknown
		}
		h.Show()
	case cmdStatus:
		if h.Status == nil {
			return nil, unknown
		}
		snap, err := h.Status()
		if err != nil {
			return nil, err
		}
		return statusReply{Version: statusVersion, Snapshot: snap}, nil
	case cmdState:
		var r stateRequest
		if h.State == nil {
			return nil, unknown
		}
		if err := req.Decode(&r); err != nil {
			return nil, err
		}
		return h.State(ctx, r.Since, stateWait), nil
	case cmdRefresh:
		if h.Refresh == nil {
			return nil, unknown
		}
		h.Refresh()
	case cmdAcknowledge:
		var r resourceRequest
		if h.Acknowledge == nil {
			return nil, unknown
		}
		if err := req.Decode(&r); err != nil {
			return nil, err
		}
		h.Acknowledge(r.Resource)
	case cmdSnooze:
		var r snoozeRequest
		if h.Snooze == nil {
			return nil, unknown
		}
		if err := req.Decode(&r); err != nil {
			return nil, err
		}
		h.Snooze(r.Until)
	case cmdSettings:
		var r settingsRequest
		if h.SaveSettings == nil {
			return nil, unknown
		}
		if err := req.Decode(&r); err != nil {
			return nil, err
		}
		h.SaveSettings(r.Settings)
	case cmdQuit:
		if h.Quit == nil {
			return nil, unknown
		}
		h.Quit()
	case cmdShowWindow:
		var r windowRequest
		if h.ShowWindow == nil {
			return nil, unknown
		}
		if err := req.Decode(&r); err != nil {
			return nil, err
		}
		h.ShowWindow(r.Window)
	case cmdLastLines:
		var r resourceRequest
		if h.LastLines == nil {
			return nil, unknown
		}
		if err := req.Decode(&r); err != nil {
			return nil, err
		}
		return h.LastLines(ctx, r.Resource)
	case cmdRunAgain:
		var r runAgainRequest
		if h.RunAgain == nil {
			return nil, unknown
		}
		if err := req.Decode(&r); err != nil {
			return nil, err
		}
		return h.RunAgain(ctx, r.Resource, r.WithOverrides)
	case cmdCancel:
		var r resourceRequest
		if h.Cancel == nil {
			return nil, unknown
		}
		if err := req.Decode(&r); err != nil {
			return nil, err
		}
		if err := h.Cancel(ctx, r.Resource); err != nil {
			return nil, err
		}
	case cmdOverrides:
		var r resourceRequest
		if h.Overrides == nil {
			return nil, unknown
		}
		if err := req.Decode(&r); err != nil {
			return nil, err
		}
		return h.Overrides(ctx, r.Resource)
	default:
		return nil, unknown
	}
	return true, nil
}
