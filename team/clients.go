package team

import (
	"context"
	"errors"
	"fmt"

	logging "cloud.google.com/go/logging/apiv2"
	"cloud.google.com/go/pubsub/v2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Endpoints point the clients at plaintext gRPC servers without
// credentials (an emulator, a test's fake); empty means Google's own, with
// Application Default Credentials — for Pub/Sub, unless
// PUBSUB_EMULATOR_HOST names an emulator, which the client then uses by
// itself.
type Endpoints struct {
	Logging string // Cloud Logging's ConfigServiceV2 (sinks)
	PubSub  string
}

// Clients are the Google clients team mode uses: Cloud Logging's sinks and
// Pub/Sub (topics, their IAM policies, subscriptions).
type Clients struct {
	Sinks  *logging.ConfigClient
	PubSub *pubsub.Client
}

// NewClients connects the clients for project.
func NewClients(ctx context.Context, project string, ep Endpoints) (Clients, error) {
	sinks, err := logging.NewConfigClient(ctx, endpointOptions(ep.Logging)...)
	if err != nil {
		return Clients{}, fmt.Errorf("connect to Cloud Logging: %w", err)
	}
	ps, err := NewPubSubClient(ctx, project, ep.PubSub)
	if err != nil {
		sinks.Close()
		return Clients{}, err
	}
	return Clients{Sinks: sinks, PubSub: ps}, nil
}

// NewPubSubClient connects the Pub/Sub client alone (what an installation
// needs) for project: at endpoint, else at PUBSUB_EMULATOR_HOST when set,
// else at Google with Application Default Credentials.
func NewPubSubClient(ctx context.Context, project, endpoint string) (*pubsub.Client, error) {
	ps, err := pubsub.NewClient(ctx, project, endpointOptions(endpoint)...)
	if err != nil {
		return nil, fmt.Errorf("connect to Pub/Sub: %w", err)
	}
	return ps, nil
}

// Close closes the clients.
func (c Clients) Close() error {
	var errs []error
	if c.Sinks != nil {
		errs = append(errs, c.Sinks.Close())
	}
	if c.PubSub != nil {
		errs = append(errs, c.PubSub.Close())
	}
	return errors.Join(errs...)
}

// endpointOptions point a client at a plaintext server without credentials;
// none for an empty endpoint.
func endpointOptions(endpoint string) []option.ClientOption {
	if endpoint == "" {
		return nil
	}
	return []option.ClientOption{
		option.WithEndpoint(endpoint),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}
