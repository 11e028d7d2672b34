// Package assets holds runwatch's embedded icons: one tray icon per
// execution state plus the application icon.
//
// The PNGs are rendered from the hand-authored SVG sources in svg/ by
// render.sh (a developer tool, not part of the build) and committed, so the
// build only embeds them. Tray icons are 64×64 PNGs (what the Linux
// StatusNotifierItem tray needs); the application icon is 256×256.
package assets

import (
	"embed"

	"fyne.io/fyne/v2"
)

//go:embed running.png succeeded.png failed.png acknowledged.png cancelled.png pending.png
//go:embed stale.png offline.png credentials.png icon.png
var files embed.FS

// Tray icons, one per state shown by runwatch. Each is a 64×64 PNG that
// differs from the others in both colour and glyph shape.
var (
	// Running is a blue disc with a white play triangle.
	Running fyne.Resource = load("running.png")
	// Succeeded is a green disc with a white check mark.
	Succeeded fyne.Resource = load("succeeded.png")
	// Failed is a red disc with a white X.
	Failed fyne.Resource = load("failed.png")
	// Acknowledged is a hollow red ring with a red X: the newest execution
	// failed with an error a person has acknowledged.
	Acknowledged fyne.Resource = load("acknowledged.png")
	// Cancelled is an amber disc with a white horizontal bar.
	Cancelled fyne.Resource = load("cancelled.png")
	// Pending is a grey disc with white clock hands.
	Pending fyne.Resource = load("pending.png")
	// Stale is a hollow grey ring with a grey question mark: the state is
	// unknown because the last successful refresh is too old.
	Stale fyne.Resource = load("stale.png")
	// Offline is a hollow grey ring with a diagonal slash: no region
	// answered, e.g. the network is down.
	Offline fyne.Resource = load("offline.png")
	// Credentials is an orange disc with a white key: the Google Cloud
	// credentials are missing, expired or lack permission.
	Credentials fyne.Resource = load("credentials.png")
)

// AppIcon is the 256×256 application icon (a blue stopwatch), used for the
// window and referenced by FyneApp.toml as assets/icon.png.
var AppIcon fyne.Resource = load("icon.png")

// load returns the embedded file name as a static resource. The names are
// fixed by the go:embed directive above, so a failure is a programming error.
func load(name string) fyne.Resource {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("assets: " + err.Error())
	}
	return fyne.NewStaticResource(name, b)
}
