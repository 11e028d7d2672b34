package startup

import (
	"runwatch/internal/teamfeed"
	"runwatch/poller"
)

// NewWatcher makes the watcher of a polling process (the tray, the one
// process of Windows and macOS, status --follow): view shows its results,
// dir is the app's storage, where team mode keeps the installation's ID.
// Team mode (cfg.Team, from --team or the setting, switched at any time)
// reads Pub/Sub through a teamfeed.Feed, except in --demo, whose simulated
// cloud has no Pub/Sub: there it polls as usual. The feed is returned (nil
// in --demo) for whoever learns whether a relay lives (SetRelayAlive).
func (p *Polling) NewWatcher(view poller.View, dir string, opts poller.Options) (*poller.Watcher, *teamfeed.Feed) {
	if p.demo != nil {
		return poller.NewWatcher(view, p.Connect, p.Store, opts), nil
	}
	feed := teamfeed.New(teamfeed.Options{Dir: dir, Endpoint: p.flags.PubSubEndpoint})
	opts.RelayAlive = feed.RelayAlive
	w := poller.NewWatcher(view, p.Connect, p.Store, opts)
	w.UseFeed(feed.Run)
	return w, feed
}
