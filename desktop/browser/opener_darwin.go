package browser

// opener is the command that opens a link: macOS's open.
func opener(link string) (name string, args []string) { return "open", []string{link} }
