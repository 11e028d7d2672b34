//go:build !darwin && !windows

package browser

// opener is the command that opens a link: freedesktop's xdg-open.
func opener(link string) (name string, args []string) { return "xdg-open", []string{link} }
