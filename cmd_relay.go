package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"runwatch/internal/relay"
	"runwatch/internal/startup"
	"runwatch/poller"
	"runwatch/team"
)

// relaySetupTimeout bounds the relay's start: connecting, its
// subscription.
const relaySetupTimeout = 2 * time.Minute

// relayStateDirName is the relay's directory under the user's config
// directory, where team.json keeps its ID (and so its subscription).
const relayStateDirName = "runwatch-relay"

const relayHelp = `usage: runwatch relay --project P [--regions R1,R2] [--subscription NAME] [--state-dir DIR]
Relay the team's failures: read the execution events of project P (team mode,
see runwatch team setup) from a subscription of the relay's own, and for each
failure read Cloud Run's reason and the logs once, with the same request budget
as the app, then publish the extracted error on the topic ` + team.ErrorsTopic + `, where
every app in team mode takes it instead of reading the logs itself. Each error
is published once (a repeated event publishes nothing more); a heartbeat every
minute tells the apps a relay is alive. One line per error published goes to
standard error. It runs until stopped (SIGTERM, SIGINT: exit 0); it needs no
display and no cgo. When PORT is set (Cloud Run), it answers HTTP on it.
Its subscription is runwatch-relay-ID, ID kept in team.json in --state-dir;
--subscription names one instead, made if missing (a Cloud Run service has no
lasting disk).
Needs roles/pubsub.subscriber on its subscription (roles/pubsub.editor to create
it), roles/pubsub.publisher on ` + team.ErrorsTopic + `, roles/run.viewer and
roles/logging.viewer.
Exit status 0 when stopped, 1 when it cannot start or its subscription cannot
be read, 2 on bad flags.
`

// relayArgs are what runwatch relay is given.
type relayArgs struct {
	project, regions, subscription, stateDir string
	endpoints                                poller.Endpoints
	pubsubEndpoint                           string
}

// parseRelayArgs reads the relay's flags; ok is false with the exit code
// when there is nothing to run (help: 0; a bad flag: 2).
func parseRelayArgs(args []string, stdout, stderr io.Writer) (a relayArgs, code int, ok bool) {
	const command = "runwatch relay"
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.project, "project", "", "Google Cloud project (default: GOOGLE_CLOUD_PROJECT, else the credentials' project)")
	fs.StringVar(&a.regions, "regions", "", "comma-separated regions whose failures to relay (default: the app's default regions)")
	fs.StringVar(&a.subscription, "subscription", "", "ID or full name of its subscription to "+team.ExecutionsTopic+" (default: runwatch-relay-ID, ID kept in --state-dir)")
	fs.StringVar(&a.stateDir, "state-dir", "", "where the relay keeps its ID (default: the user's config directory/"+relayStateDirName+")")
	fs.StringVar(&a.endpoints.Run, "run-endpoint", "", "HOST:PORT of a plaintext Cloud Run gRPC server without credentials (emulators, tests)")
	fs.StringVar(&a.endpoints.Logging, "logging-endpoint", "", "HOST:PORT of a plaintext Cloud Logging gRPC server without credentials")
	fs.StringVar(&a.pubsubEndpoint, "pubsub-endpoint", "", "HOST:PORT of a plaintext Pub/Sub gRPC server without credentials (else PUBSUB_EMULATOR_HOST)")
	if err := fs.Parse(args); err != nil {
		return a, startup.FlagError(err, fs, stdout, stderr, command, relayHelp), false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see %s --help)\n", command, fs.Arg(0), command)
		return a, 2, false
	}
	return a, 0, true
}

// runRelay implements `runwatch relay --project P`.
func runRelay(args []string, stdout, stderr io.Writer) int {
	const command = "runwatch relay"
	a, code, ok := parseRelayArgs(args, stdout, stderr)
	if !ok {
		return code
	}
	regions, err := relayRegions(a.regions)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	r, closeAll, err := startRelay(ctx, a, regions, stderr)
	if err != nil {
		if ctx.Err() != nil {
			return 0 // stopped while starting
		}
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		return 1
	}
	defer closeAll()
	if port := os.Getenv("PORT"); port != "" {
		if err := serveHealth(ctx, net.JoinHostPort("", port)); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", command, err)
			return 1
		}
	}
	if err := r.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		return 1
	}
	return 0
}

// relayRegions reads --regions: the app's default regions when empty, and
// only regions Cloud Run has.
func relayRegions(flag string) ([]string, error) {
	if strings.TrimSpace(flag) == "" {
		return poller.DefaultRegions(), nil
	}
	regions, err := poller.SplitRegions(flag)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := poller.CheckRegions(ctx, regions, nil); err != nil {
		return nil, err
	}
	return regions, nil
}

// startRelay connects the clients, makes the relay's subscription unless
// given, and returns the relay and what closes the clients.
func startRelay(ctx context.Context, a relayArgs, regions []string, stderr io.Writer) (*relay.Relay, func(), error) {
	setupCtx, cancel := context.WithTimeout(ctx, relaySetupTimeout)
	defer cancel()
	project, err := findRelayProject(setupCtx, a)
	if err != nil {
		return nil, nil, err
	}
	emulated := a.pubsubEndpoint != "" || strings.TrimSpace(os.Getenv("PUBSUB_EMULATOR_HOST")) != ""
	if err := needCredentials(setupCtx, !emulated || a.endpoints.Run == "" || a.endpoints.Logging == ""); err != nil {
		return nil, nil, err
	}
	id, err := relayID(a.stateDir)
	if err != nil {
		return nil, nil, err
	}
	ps, err := team.NewPubSubClient(ctx, project, a.pubsubEndpoint)
	if err != nil {
		return nil, nil, err
	}
	clients, err := poller.NewClients(ctx, a.endpoints)
	if err != nil {
		ps.Close()
		return nil, nil, err
	}
	closeAll := func() { clients.Close(); ps.Close() }
	var subscription string
	if a.subscription == "" {
		subscription, err = team.EnsureSubscription(setupCtx, ps, project, id)
	} else {
		subscription, err = team.EnsureNamedSubscription(setupCtx, ps, project, path.Base(a.subscription))
	}
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	p := poller.New(poller.Config{Project: project, AllJobs: true, Regions: regions, Top: 1},
		clients, &poller.MemoryOnly{}, poller.Options{ReadOnly: true})
	publisher := team.ErrorsPublisher(ps, project)
	r := relay.New(relay.Config{Project: project, Regions: regions, Subscription: subscription, RelayID: id, Log: stderr}, p, ps, publisher)
	fmt.Fprintf(stderr, "runwatch relay: %s relays the failures of %s from %s to %s\n",
		id, project, subscription, team.TopicName(project, team.ErrorsTopic))
	return r, func() { publisher.Stop(); closeAll() }, nil
}

// findRelayProject returns the project to relay: --project, else as the
// other commands find it; with a fake's endpoints only --project.
func findRelayProject(ctx context.Context, a relayArgs) (string, error) {
	if a.project == "" && (a.endpoints.Run != "" || a.endpoints.Logging != "" || a.pubsubEndpoint != "") {
		return "", errors.New("no project for the given endpoints: pass --project")
	}
	return poller.FindProject(ctx, a.project)
}

// relayID returns the relay's ID, "relay-" and the installation ID kept in
// dir (made the first time); dir defaults to the user's config directory's
// runwatch-relay.
func relayID(dir string) (string, error) {
	if dir == "" {
		config, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("find the relay's state directory (pass --state-dir): %w", err)
		}
		dir = filepath.Join(config, relayStateDirName)
	}
	id, err := team.Installation(dir)
	if err != nil {
		return "", err
	}
	return "relay-" + id, nil
}

// serveHealth answers HTTP on addr until ctx ends, "ok" to any request:
// Cloud Run starts a service's instance only once it listens on PORT.
func serveHealth(ctx context.Context, addr string) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") }),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(lis)
	go func() {
		<-ctx.Done()
		shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutCtx)
	}()
	return nil
}
