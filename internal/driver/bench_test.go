package driver

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decnet/emailgend/internal/dockertest"
)

// BenchmarkDeliver compares a delivery through the exec API with the same
// script run by `docker exec`, against real BusyBox containers.
//
//	go test -run '^$' -bench . -benchtime=50x ./internal/driver/
func BenchmarkDeliver(b *testing.B) {
	c := dockertest.Client(b)
	image := dockertest.BusyBoxImage(b, c)
	containers := make([]string, 8)
	for i := range containers {
		containers[i] = dockertest.StartContainer(b, c, dockertest.ContainerSpec{Image: image})
	}
	d := New(c, DefaultTimeout)
	ctx := context.Background()

	b.Run("one-container/emailgend", func(b *testing.B) {
		for range b.N {
			if err := d.Deliver(ctx, containers[0], benchDelivery()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("one-container/docker-cli", func(b *testing.B) {
		for range b.N {
			deliverWithCLI(b, containers[0], benchDelivery())
		}
	})
	// bare-exec is the floor under both: one exec of `sh -c 'cat >/dev/null'`
	// through the API, with the same message on stdin and no file written.
	b.Run("one-container/bare-exec", func(b *testing.B) {
		cmd := []string{"sh", "-c", "cat >/dev/null"}
		for range b.N {
			res, err := d.run(ctx, containers[0], cmd, benchDelivery().Data, "")
			if err != nil {
				b.Fatal(err)
			}
			if res.exitCode != 0 {
				b.Fatalf("exit code %d: %s", res.exitCode, res.stderr)
			}
		}
	})
	b.Run("eight-containers/emailgend", func(b *testing.B) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for _, id := range containers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(b.N) {
					if err := d.Deliver(ctx, id, benchDelivery()); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	// eight-containers/bare-exec is the ceiling of the concurrent rate: the
	// engine's own cost of an exec, with no file written.
	b.Run("eight-containers/bare-exec", func(b *testing.B) {
		cmd := []string{"sh", "-c", "cat >/dev/null"}
		var next atomic.Int64
		var wg sync.WaitGroup
		for _, id := range containers {
			wg.Go(func() {
				for next.Add(1) <= int64(b.N) {
					if _, err := d.run(ctx, id, cmd, benchDelivery().Data, ""); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	b.Run("eight-containers/docker-cli", func(b *testing.B) {
		for i := range b.N {
			deliverWithCLI(b, containers[i%len(containers)], benchDelivery())
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}

var benchSeq atomic.Int64

// benchDelivery returns a message of about 1.5 KB under a name not used
// before in this process, spread over ten thread folders.
func benchDelivery() Delivery {
	n := benchSeq.Add(1)
	date := time.Date(2024, 5, 14, 9, 30, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute)
	var body strings.Builder
	fmt.Fprintf(&body, "From: Ana Souza <ana.souza@acme.example>\r\nTo: Li Wei <li.wei@acme.example>\r\n")
	fmt.Fprintf(&body, "Subject: Vendor onboarding %d\r\nDate: %s\r\n\r\n", n, date.Format(time.RFC1123Z))
	for range 20 {
		body.WriteString("Please send the signed forms and the bank details before Friday.\r\n")
	}
	return Delivery{
		Dir:        fmt.Sprintf("%s/bench-%d", spool, n%10),
		Name:       FileName(fmt.Sprintf("<bench.%d@acme.example>", n)),
		Data:       []byte(body.String()),
		Date:       date,
		FolderDate: date,
	}
}

// deliverWithCLI runs the delivery script through the docker CLI, the way
// a shell-script implementation would.
func deliverWithCLI(b *testing.B, containerID string, del Delivery) {
	b.Helper()
	cmd := exec.Command("docker", "exec", "-i", "-e", "TZ=UTC0", containerID,
		"sh", "-c", deliverScript, "emailgend",
		del.Dir, del.Name, strconv.Itoa(len(del.Data)),
		del.Date.UTC().Format(stampLayout), del.FolderDate.UTC().Format(stampLayout),
		strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))
	cmd.Stdin = bytes.NewReader(del.Data)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("docker exec into %s: %v: %s", containerID, err, out)
	}
}
