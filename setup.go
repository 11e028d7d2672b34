package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"runwatch/poller"
	"runwatch/poller/fakecloud"
)

// appID is the Fyne app ID; it also names the preferences directory.
const appID = "io.runwatch.app"

// demoAppID keeps --demo's settings apart from the real ones.
const demoAppID = "io.runwatch.app.demo"

// demoProject is the project the built-in simulated Cloud Run pretends to be.
const demoProject = "runwatch-demo"

// watchFlags are the flags the tray app and `status` share.
type watchFlags struct {
	project         string
	job             string
	regions         string
	top             int
	interval        time.Duration
	demo            bool
	runEndpoint     string
	loggingEndpoint string
	set             map[string]bool // flags given on the command line
}

// demoCloud is the simulated Cloud Run of --demo, started once per process.
type demoCloud struct {
	cloud *fakecloud.Cloud
	stop  func()
}

// startDemo starts the simulated cloud with its living scenario.
func startDemo(cfg poller.Config) (*demoCloud, error) {
	cloud, err := fakecloud.Start()
	if err != nil {
		return nil, fmt.Errorf("start the simulated cloud: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := cloud.RunDemo(ctx, fakecloud.Demo{Project: demoProject, Job: cfg.Job, Regions: cfg.Regions}); err != nil {
		cancel()
		cloud.Close()
		return nil, err
	}
	return &demoCloud{cloud: cloud, stop: func() { cancel(); cloud.Close() }}, nil
}

func (w *watchFlags) register(fs *flag.FlagSet, withInterval bool) {
	fs.StringVar(&w.project, "project", "", "Google Cloud project (default: GOOGLE_CLOUD_PROJECT, else the credentials' project)")
	fs.StringVar(&w.job, "job", poller.DefaultJob, "Cloud Run job to watch")
	fs.StringVar(&w.regions, "regions", "", "comma-separated regions (default: the launcher's 18 regions)")
	fs.IntVar(&w.top, "top", poller.DefaultTop, "how many of the newest executions to show")
	if withInterval {
		fs.DurationVar(&w.interval, "interval", poller.DefaultInterval, "time between refreshes")
	}
	fs.BoolVar(&w.demo, "demo", false, "watch a built-in simulated Cloud Run instead of Google Cloud")
	fs.StringVar(&w.runEndpoint, "run-endpoint", "", "HOST:PORT of a plaintext Cloud Run gRPC server without credentials (emulators, tests)")
	fs.StringVar(&w.loggingEndpoint, "logging-endpoint", "", "HOST:PORT of a plaintext Cloud Logging gRPC server without credentials")
}

// parse parses args and records which flags were given.
func (w *watchFlags) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	w.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { w.set[f.Name] = true })
	if w.top <= 0 {
		return errors.New("--top must be at least 1")
	}
	if (w.runEndpoint == "") != (w.loggingEndpoint == "") {
		return errors.New("--run-endpoint and --logging-endpoint go together")
	}
	// Names are checked now, so a typo is a bad flag (exit 2); the project
	// may still be found later.
	probe := w.config()
	probe.Project = cmp.Or(probe.Project, "p")
	return probe.Validate()
}

// namesWhatToWatch reports whether a flag names what to watch or where,
// so that the running app's picture would not answer it.
func (w *watchFlags) namesWhatToWatch() bool {
	for _, f := range []string{"project", "job", "regions", "top", "demo", "run-endpoint", "logging-endpoint"} {
		if w.set[f] {
			return true
		}
	}
	return false
}

// config is the poller configuration the flags describe.
func (w *watchFlags) config() poller.Config {
	return poller.Config{
		Project:  w.project,
		Job:      w.job,
		Regions:  poller.ParseRegions(w.regions),
		Top:      w.top,
		Interval: w.interval,
	}.WithDefaults()
}

// connect builds the clients: to the simulated cloud for --demo (demo,
// started by the caller), to the given endpoints, or to Google Cloud with
// ADC. It returns cfg with the project settled when the flags left it empty.
func (w *watchFlags) connect(ctx context.Context, demo *demoCloud, cfg poller.Config) (poller.Config, poller.Clients, error) {
	var ep poller.Endpoints
	var err error
	switch {
	case demo != nil:
		cfg.Project = demoProject
		ep = poller.Endpoints{Run: demo.cloud.RunAddr(), Logging: demo.cloud.LoggingAddr()}
	case w.runEndpoint != "":
		if cfg.Project == "" {
			if cfg.Project, err = poller.FindProject(ctx, ""); err != nil {
				return cfg, poller.Clients{}, errors.New("no project for the given endpoints: pass --project")
			}
		}
		ep = poller.Endpoints{Run: w.runEndpoint, Logging: w.loggingEndpoint}
	default:
		if cfg.Project, err = poller.FindProject(ctx, cfg.Project); err != nil {
			return cfg, poller.Clients{}, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, poller.Clients{}, err
	}
	clients, err := poller.NewClients(ctx, ep)
	return cfg, clients, err
}

// memoryAndCloud says where polling remembers, and starts the simulated
// cloud for --demo: its memory stays in the process (the real one is never
// touched); otherwise it is memory.json in dir, the app's Fyne storage.
// stop ends the simulated cloud (a no-op otherwise).
func (w *watchFlags) memoryAndCloud(cfg poller.Config, dir string) (store poller.MemoryStore, demo *demoCloud, stop func(), err error) {
	if !w.demo {
		return poller.NewFileStore(filepath.Join(dir, poller.MemoryFileName)), nil, func() {}, nil
	}
	if demo, err = startDemo(cfg); err != nil {
		return nil, nil, func() {}, err
	}
	return &poller.MemoryOnly{}, demo, demo.stop, nil
}
