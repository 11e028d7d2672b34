package poller

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	logging "cloud.google.com/go/logging/apiv2"
	run "cloud.google.com/go/run/apiv2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Endpoints point the clients at a plaintext gRPC server without
// credentials (an emulator, a test's fake); empty means Google's own, with
// Application Default Credentials.
type Endpoints struct {
	Run     string
	Logging string
}

// Clients are the Google clients a Poller uses: Cloud Run's executions,
// tasks and jobs (on one endpoint) and Cloud Logging.
type Clients struct {
	Run     *run.ExecutionsClient
	Tasks   *run.TasksClient
	Jobs    *run.JobsClient
	Logging *logging.Client
}

// Close closes the clients.
func (c Clients) Close() error {
	return errors.Join(c.Run.Close(), c.Tasks.Close(), c.Jobs.Close(), c.Logging.Close())
}

// ErrNoCredentials says, in one line, how to give runwatch credentials.
var ErrNoCredentials = errors.New("no Google Cloud credentials: run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)")

// noCredentials keeps, on the same line, why the credentials were not
// found when it is more than their absence (a broken key file).
func noCredentials(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "could not find default credentials") {
		return ErrNoCredentials
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return fmt.Errorf("%w (%s)", ErrNoCredentials, msg)
}

const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

// NewClients connects the Cloud Run and Cloud Logging clients, with
// Application Default Credentials unless both endpoints are given.
func NewClients(ctx context.Context, ep Endpoints) (Clients, error) {
	if ep.Run == "" || ep.Logging == "" {
		if _, err := google.FindDefaultCredentials(ctx, cloudPlatformScope); err != nil {
			return Clients{}, noCredentials(err)
		}
	}
	runs, err := run.NewExecutionsClient(ctx, clientOptions(ep.Run)...)
	if err != nil {
		return Clients{}, fmt.Errorf("connect to Cloud Run: %w", err)
	}
	tasks, err := run.NewTasksClient(ctx, clientOptions(ep.Run)...)
	if err != nil {
		runs.Close()
		return Clients{}, fmt.Errorf("connect to Cloud Run: %w", err)
	}
	jobs, err := run.NewJobsClient(ctx, clientOptions(ep.Run)...)
	if err != nil {
		runs.Close()
		tasks.Close()
		return Clients{}, fmt.Errorf("connect to Cloud Run: %w", err)
	}
	logs, err := logging.NewClient(ctx, clientOptions(ep.Logging)...)
	if err != nil {
		runs.Close()
		tasks.Close()
		jobs.Close()
		return Clients{}, fmt.Errorf("connect to Cloud Logging: %w", err)
	}
	return Clients{Run: runs, Tasks: tasks, Jobs: jobs, Logging: logs}, nil
}

func clientOptions(endpoint string) []option.ClientOption {
	if endpoint == "" {
		return nil
	}
	return []option.ClientOption{
		option.WithEndpoint(endpoint),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

// FindProject picks the project to watch: the flag, else
// GOOGLE_CLOUD_PROJECT, else the credentials' own project, else gcloud's
// (`gcloud config set project`).
func FindProject(ctx context.Context, flag string) (string, error) {
	if p := strings.TrimSpace(flag); p != "" {
		return p, nil
	}
	if p := strings.TrimSpace(os.Getenv("GOOGLE_CLOUD_PROJECT")); p != "" {
		return p, nil
	}
	creds, err := google.FindDefaultCredentials(ctx, cloudPlatformScope)
	if err != nil {
		return "", noCredentials(err)
	}
	if creds.ProjectID != "" {
		return creds.ProjectID, nil
	}
	p, err := gcloudProject()
	if err != nil {
		return "", fmt.Errorf("no Google Cloud project: pass --project or set GOOGLE_CLOUD_PROJECT (%w)", err)
	}
	if p == "" {
		return "", errors.New("no Google Cloud project: pass --project, set GOOGLE_CLOUD_PROJECT or run gcloud config set project")
	}
	return p, nil
}
