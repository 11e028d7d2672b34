package poller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	run "cloud.google.com/go/run/apiv2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/iterator"
	locationpb "google.golang.org/genproto/googleapis/cloud/location"
)

// cloudRunRegions are the public Cloud Run locations
// (https://cloud.google.com/run/docs/locations, tier 1 and tier 2, and the
// regions opened since: europe-north2, northamerica-south1). A region
// missing here is still accepted when Cloud Run's Locations API lists it.
var cloudRunRegions = []string{
	"africa-south1",
	"asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3",
	"asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2",
	"australia-southeast1", "australia-southeast2",
	"europe-central2", "europe-north1", "europe-north2", "europe-southwest1",
	"europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6",
	"europe-west8", "europe-west9", "europe-west10", "europe-west12",
	"me-central1", "me-central2", "me-west1",
	"northamerica-northeast1", "northamerica-northeast2", "northamerica-south1",
	"southamerica-east1", "southamerica-west1",
	"us-central1", "us-east1", "us-east4", "us-east5", "us-south1",
	"us-west1", "us-west2", "us-west3", "us-west4",
}

// KnownRegion reports whether name is in runwatch's built-in list of Cloud
// Run regions.
func KnownRegion(name string) bool { return slices.Contains(cloudRunRegions, name) }

// SplitRegions reads a comma-separated region list as a person types it:
// spaces around a name are dropped, names are lower-cased and de-duplicated;
// a name with a space or another separator inside is an error naming it
// ("us central1" is not two regions).
func SplitRegions(s string) ([]string, error) {
	var names []string
	for _, part := range strings.Split(s, ",") {
		name := strings.TrimSpace(part)
		if strings.ContainsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == ';' || r == '|' }) {
			return nil, fmt.Errorf("region list %q: separate regions with commas (%q is not a region name)", s, name)
		}
		names = append(names, name)
	}
	return tidyRegions(names), nil
}

// LocationLister returns the locations Cloud Run lists for the project
// (region names); nil where it cannot be asked.
type LocationLister func(ctx context.Context) ([]string, error)

// UnknownRegionsError names the regions that are not Cloud Run's.
type UnknownRegionsError struct {
	Unknown []string
	// Unasked: Cloud Run's Locations API could not be asked (why), so only
	// the built-in list decided.
	Unasked error
}

func (e *UnknownRegionsError) Error() string {
	noun := "region"
	if len(e.Unknown) > 1 {
		noun = "regions"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "unknown Cloud Run %s %s", noun, strings.Join(e.Unknown, ", "))
	var hints []string
	for _, name := range e.Unknown {
		if near := nearestRegion(name); near != "" {
			hints = append(hints, near)
		}
	}
	if len(hints) > 0 {
		fmt.Fprintf(&b, ": did you mean %s?", strings.Join(hints, ", "))
	}
	if e.Unasked != nil {
		// The reason stays out of the line (often "no credentials"): a
		// person who mistyped a region needs to hear about the region.
		fmt.Fprintf(&b, " (not one of the %d regions runwatch knows; Cloud Run's own list could not be read)", len(cloudRunRegions))
	}
	return b.String()
}

// CheckRegions checks region names against Cloud Run's: each must be in
// the built-in list or, when ask is not nil, in what Cloud Run's Locations
// API lists (asked only when a name is not in the built-in list). The error
// is an *UnknownRegionsError naming each unknown region and, where one is
// close, the region it probably meant.
func CheckRegions(ctx context.Context, names []string, ask LocationLister) error {
	var unknown []string
	for _, name := range names {
		if name == "" || strings.ContainsAny(name, `/" `) {
			return fmt.Errorf("region %q is not a region name", name)
		}
		if !KnownRegion(name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	if ask == nil {
		return &UnknownRegionsError{Unknown: unknown}
	}
	listed, err := ask(ctx)
	if err != nil {
		return &UnknownRegionsError{Unknown: unknown, Unasked: err}
	}
	unknown = slices.DeleteFunc(unknown, func(name string) bool { return slices.Contains(listed, name) })
	if len(unknown) == 0 {
		return nil
	}
	return &UnknownRegionsError{Unknown: unknown}
}

// nearestRegion returns the built-in region within edit distance 2 of
// name, the closest first found, or "".
func nearestRegion(name string) string {
	best, bestDist := "", 3
	for _, r := range cloudRunRegions {
		if d := editDistance(name, r); d < bestDist {
			best, bestDist = r, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (region names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// ListLocations asks Cloud Run's Locations API which locations the project
// can use (their IDs, such as us-central1), at the given endpoints or
// Google's with Application Default Credentials.
func ListLocations(ctx context.Context, ep Endpoints, project string) ([]string, error) {
	if project == "" {
		return nil, errors.New("no project to ask about")
	}
	if ep.Run == "" {
		if _, err := google.FindDefaultCredentials(ctx, cloudPlatformScope); err != nil {
			return nil, noCredentials(err)
		}
	}
	client, err := run.NewLocationsClient(ctx, clientOptions(ep.Run)...)
	if err != nil {
		return nil, fmt.Errorf("connect to Cloud Run: %w", err)
	}
	defer client.Close()
	var ids []string
	it := client.ListLocations(ctx, &locationpb.ListLocationsRequest{Name: "projects/" + project})
	for {
		loc, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return ids, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list Cloud Run's locations: %w", err)
		}
		ids = append(ids, loc.GetLocationId())
	}
}
