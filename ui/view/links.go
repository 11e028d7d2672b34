package view

import "net/url"

// IsConsoleURL accepts only https links to the Cloud Console, so a
// tampered log_uri cannot open anything else.
func IsConsoleURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.Host == "console.cloud.google.com" && u.User == nil
}
