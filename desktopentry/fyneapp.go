package desktopentry

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

// FyneApp is what FyneApp.toml, Fyne's packaging metadata, says of the app:
// the keys `fyne package` reads for a Linux desktop entry.
type FyneApp struct {
	Details struct {
		Icon     string // a PNG, relative to the file
		Name, ID string
		Version  string
		Build    int
	}
	LinuxAndBSD struct {
		GenericName string
		Comment     string
		Categories  []string
		Keywords    []string
	}
}

// LoadFyneApp reads a FyneApp.toml; Name and ID are required.
func LoadFyneApp(path string) (FyneApp, error) {
	var app FyneApp
	if _, err := toml.DecodeFile(path, &app); err != nil {
		return app, fmt.Errorf("read %s: %w", path, err)
	}
	if app.Details.Name == "" || app.Details.ID == "" {
		return app, fmt.Errorf("read %s: [Details] needs Name and ID", path)
	}
	return app, nil
}

// Entry is the app's launcher: its icon is the theme icon named by its ID,
// which is where `make install` puts it.
func (a FyneApp) Entry(exec ...string) Entry {
	return Entry{
		Name:        a.Details.Name,
		GenericName: a.LinuxAndBSD.GenericName,
		Comment:     a.LinuxAndBSD.Comment,
		Exec:        exec,
		Icon:        a.Details.ID,
		Categories:  a.LinuxAndBSD.Categories,
		Keywords:    a.LinuxAndBSD.Keywords,
	}
}
