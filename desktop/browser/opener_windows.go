package browser

// opener is the command that opens a link, as Fyne's OpenURL does on
// Windows.
func opener(link string) (name string, args []string) {
	return "rundll32", []string{"url.dll,FileProtocolHandler", link}
}
