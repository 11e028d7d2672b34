package fakecloud

import (
	"context"
	"slices"
	"sync"

	locationpb "google.golang.org/genproto/googleapis/cloud/location"
	"google.golang.org/grpc"
)

// defaultLocations are what the fake's Locations API lists until
// SetLocations: a few real Cloud Run regions.
var defaultLocations = []string{"us-central1", "us-east1", "europe-west4"}

// locationsServer is Cloud Run's Locations mixin
// (google.cloud.location.Locations): ListLocations lists the locations set.
type locationsServer struct {
	locationpb.UnimplementedLocationsServer

	mu  sync.Mutex
	ids []string
}

// registerLocations serves the Locations mixin on srv.
func registerLocations(srv *grpc.Server) *locationsServer {
	l := &locationsServer{ids: slices.Clone(defaultLocations)}
	locationpb.RegisterLocationsServer(srv, l)
	return l
}

// SetLocations sets the location IDs Cloud Run's ListLocations lists.
func (c *Cloud) SetLocations(ids ...string) {
	c.locations.mu.Lock()
	defer c.locations.mu.Unlock()
	c.locations.ids = slices.Clone(ids)
}

// ListLocations lists the locations set, in one page, under the project
// asked about.
func (l *locationsServer) ListLocations(_ context.Context, req *locationpb.ListLocationsRequest) (*locationpb.ListLocationsResponse, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	resp := &locationpb.ListLocationsResponse{}
	for _, id := range l.ids {
		resp.Locations = append(resp.Locations, &locationpb.Location{Name: req.GetName() + "/locations/" + id, LocationId: id})
	}
	return resp, nil
}
