package view

import "testing"

func TestConsoleLinkOnlyForCloudConsole(t *testing.T) {
	for url, want := range map[string]bool{
		"https://console.cloud.google.com/run/jobs/executions/details/us-east1/e/tasks?project=p": true,
		"http://console.cloud.google.com/run":                                                     false,
		"https://console.cloud.google.com.evil.example/run":                                       false,
		"https://user@console.cloud.google.com/run":                                               false,
		"javascript:alert(1)":                                                                     false,
		"":                                                                                        false,
	} {
		if got := IsConsoleURL(url); got != want {
			t.Errorf("%q: %v", url, got)
		}
	}
}
