package view

import (
	"context"

	run "cloud.google.com/go/run/apiv2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// newInterceptedExecutionsClient is a real Cloud Run executions client to
// the fake cloud at addr, with intercept in front of each call.
func newInterceptedExecutionsClient(ctx context.Context, addr string, intercept grpc.UnaryClientInterceptor) (*run.ExecutionsClient, error) {
	return run.NewExecutionsClient(ctx,
		option.WithEndpoint(addr),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
		option.WithGRPCDialOption(grpc.WithUnaryInterceptor(intercept)))
}
