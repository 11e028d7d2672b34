//go:build ignore

// Command fakecloud serves runwatch's simulated Cloud Run and Cloud Logging
// (the --demo scenario) on 127.0.0.1 for scripts/idle-usage.sh. It prints
// its HOST:PORT, for both --run-endpoint and --logging-endpoint, and serves
// until killed.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"runwatch/poller"
	"runwatch/poller/fakecloud"
)

func main() {
	project := flag.String("project", "runwatch-demo", "project the scenario pretends to be")
	flag.Parse()
	cloud, err := fakecloud.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer cloud.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := cloud.RunDemo(ctx, fakecloud.Demo{Project: *project, Job: poller.DefaultJob, Regions: poller.DefaultRegions()}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(cloud.RunAddr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}
