package startup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"runwatch/desktop/wake"
	"runwatch/poller"
	"runwatch/poller/fakecloud"
)

// demoProject is the project the built-in simulated Cloud Run pretends to be.
const demoProject = "runwatch-demo"

// StorageDir returns the Fyne app storage of the app with this ID, where
// Fyne keeps preferences.json and runwatch its memory.json, found the way
// Fyne finds it (so a headless command and the app share it):
// $XDG_CONFIG_HOME/fyne/<app-id> on Linux, ~/Library/Preferences/fyne/<app-id>
// on macOS, %USERPROFILE%\AppData\Roaming\fyne\<app-id> on Windows.
func StorageDir(appID string) (string, error) {
	var dir string
	var err error
	switch runtime.GOOS {
	case "darwin":
		dir, err = os.UserHomeDir()
		dir = filepath.Join(dir, "Library", "Preferences")
	case "windows":
		dir, err = os.UserHomeDir()
		dir = filepath.Join(dir, "AppData", "Roaming")
	default:
		dir, err = os.UserConfigDir()
	}
	if err != nil {
		return "", fmt.Errorf("find the storage of %s: %w", appID, err)
	}
	return filepath.Join(dir, "fyne", appID), nil
}

// Polling is where a polling process remembers and what it polls: the
// memory store and, for --demo, the simulated cloud it runs.
type Polling struct {
	Store poller.MemoryStore
	flags *Flags
	demo  *fakecloud.Cloud
	stop  func()
}

// StartPolling picks where polling remembers and starts --demo's simulated
// cloud: --demo's memory stays in the process (the real one is never
// touched); otherwise it is memory.json in dir, the app's storage. Close
// ends the simulated cloud.
func (f *Flags) StartPolling(cfg poller.Config, dir string) (*Polling, error) {
	if !f.Demo {
		return &Polling{Store: poller.NewFileStore(filepath.Join(dir, poller.MemoryFileName)), flags: f, stop: func() {}}, nil
	}
	cloud, err := fakecloud.Start()
	if err != nil {
		return nil, fmt.Errorf("start the simulated cloud: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	for _, d := range demoJobs(cfg) {
		if _, err := cloud.RunDemo(ctx, d); err != nil {
			cancel()
			cloud.Close()
			return nil, err
		}
	}
	return &Polling{Store: &poller.MemoryOnly{}, flags: f, demo: cloud, stop: func() { cancel(); cloud.Close() }}, nil
}

// demoOtherJobs are the jobs --demo --all-jobs simulates beside the
// launcher, each in a few of the regions.
func demoOtherJobs() []string { return []string{"nightly-train", "etl-daily"} }

// demoJobs are the simulated jobs of cfg: each job it names in every
// region; with every job watched, the launcher in every region and
// demoOtherJobs in the first few.
func demoJobs(cfg poller.Config) []fakecloud.Demo {
	var out []fakecloud.Demo
	for _, job := range cfg.Jobs() {
		out = append(out, fakecloud.Demo{Project: demoProject, Job: job, Regions: cfg.Regions})
	}
	if cfg.AllJobs {
		out = append(out, fakecloud.Demo{Project: demoProject, Job: poller.DefaultJob, Regions: cfg.Regions})
		for i, job := range demoOtherJobs() {
			regions := cfg.Regions[min(i, len(cfg.Regions)-1):min(i+3, len(cfg.Regions))]
			out = append(out, fakecloud.Demo{Project: demoProject, Job: job, Regions: regions})
		}
	}
	return out
}

// Close ends the simulated cloud, if any.
func (p *Polling) Close() { p.stop() }

// Connect builds the clients: to the simulated cloud for --demo, to the
// given endpoints, or to Google Cloud with ADC. It returns cfg with the
// project settled when the flags and settings left it empty. It is the
// poller.Connect of a Watcher.
func (p *Polling) Connect(ctx context.Context, cfg poller.Config) (poller.Config, poller.Clients, error) {
	var ep poller.Endpoints
	var err error
	switch {
	case p.demo != nil:
		cfg.Project = demoProject
		ep = poller.Endpoints{Run: p.demo.RunAddr(), Logging: p.demo.LoggingAddr()}
	case p.flags.RunEndpoint != "":
		if cfg.Project == "" {
			if cfg.Project, err = poller.FindProject(ctx, ""); err != nil {
				return cfg, poller.Clients{}, errors.New("no project for the given endpoints: pass --project")
			}
		}
		ep = poller.Endpoints{Run: p.flags.RunEndpoint, Logging: p.flags.LoggingEndpoint}
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

// RefreshOnWake calls refresh each time the machine resumes from sleep,
// until ctx ends (see desktop/wake); run it on a goroutine of its own.
func RefreshOnWake(ctx context.Context, refresh func()) {
	for range wake.Watch(ctx, wake.Options{}) {
		refresh()
	}
}
