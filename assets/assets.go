// Package assets holds runwatch's embedded icons: one tray icon per
// execution state plus the application icon, as plain PNG bytes (no Fyne:
// the tray process, which must not link Fyne, shows them too).
//
// The PNGs are rendered from the hand-authored SVG sources in svg/ by
// render.sh (a developer tool, not part of the build) and committed, so the
// build only embeds them. Tray icons are 64×64 PNGs (what the Linux
// StatusNotifierItem tray needs); the application icon is 256×256.
package assets

import "embed"

//go:embed running.png succeeded.png failed.png acknowledged.png cancelled.png pending.png
//go:embed stale.png offline.png credentials.png icon.png
var files embed.FS

// Tray icons, one per state shown by runwatch. Each is a 64×64 PNG that
// differs from the others in both colour and glyph shape.
var (
	// Running is a blue disc with a white play triangle.
	Running = load("running.png")
	// Succeeded is a green disc with a white check mark.
	Succeeded = load("succeeded.png")
	// Failed is a red disc with a white X.
	Failed = load("failed.png")
	// Acknowledged is a hollow red ring with a red X: the newest execution
	// failed with an error a person has acknowledged.
	Acknowledged = load("acknowledged.png")
	// Cancelled is an amber disc with a white horizontal bar.
	Cancelled = load("cancelled.png")
	// Pending is a grey disc with white clock hands.
	Pending = load("pending.png")
	// Stale is a hollow grey ring with a grey question mark: the state is
	// unknown because the last successful refresh is too old.
	Stale = load("stale.png")
	// Offline is a hollow grey ring with a diagonal slash: no region
	// answered, e.g. the network is down.
	Offline = load("offline.png")
	// Credentials is an orange disc with a white key: the Google Cloud
	// credentials are missing, expired or lack permission.
	Credentials = load("credentials.png")
)

// AppIcon is the 256×256 application icon (a blue stopwatch), used for the
// window and referenced by FyneApp.toml as assets/icon.png.
var AppIcon = load("icon.png")

// Icon is one embedded PNG and its file name. It needs no toolkit: the
// tray process hands the bytes to the tray over D-Bus, and Fyne windows wrap
// them in a resource.
type Icon struct {
	name string
	png  []byte
}

// Name is the icon's file name ("failed.png").
func (i Icon) Name() string { return i.name }

// Content is the icon's PNG bytes.
func (i Icon) Content() []byte { return i.png }

// load returns the embedded file name. The names are fixed by the go:embed
// directive above, so a failure is a programming error.
func load(name string) Icon {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("assets: " + err.Error())
	}
	return Icon{name: name, png: b}
}
