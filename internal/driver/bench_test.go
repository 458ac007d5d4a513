package driver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decnet/emailgend/internal/dockertest"
)

// BenchmarkDeliver compares a delivery through the exec API with the same
// script run by `docker exec`, and with a bare exec that writes nothing,
// against real BusyBox containers.
//
// The machine's speed drifts by more than the differences being measured,
// so the methods are not timed one after another in separate runs. Every
// iteration runs each method once, in an order that rotates, and the
// benchmark reports the median of each method and the ratios of those
// medians. ns/op is left out because an iteration mixes the methods.
//
//	go test -run '^$' -bench Deliver -benchtime=200x ./internal/driver/
func BenchmarkDeliver(b *testing.B) {
	c := dockertest.Client(b)
	image := dockertest.BusyBoxImage(b, c)
	containers := make([]string, 8)
	for i := range containers {
		containers[i] = dockertest.StartContainer(b, c, dockertest.ContainerSpec{Image: image})
	}
	d := New(c, DefaultTimeout)
	ctx := context.Background()

	emailgend := func(id string) error {
		return d.Deliver(ctx, id, benchDelivery())
	}
	cli := func(id string) error {
		return deliverWithCLI(id, benchDelivery())
	}
	// bareExec is the floor under both: one exec through the API that
	// reads the same message from standard input as the script does,
	// writes no file, and prints the same success line, so it too skips
	// the exit-code request.
	bareExec := func(id string) error {
		data := benchDelivery().Data
		cmd := []string{"sh", "-c", `head -c "$1" >/dev/null && echo delivered 0`, "emailgend", strconv.Itoa(len(data))}
		res, err := d.run(ctx, id, cmd, data, deliveredPrefix)
		if err == nil && !strings.HasPrefix(res.stdout, deliveredPrefix) {
			err = fmt.Errorf("bare exec printed %q: %s", res.stdout, res.stderr)
		}
		return err
	}

	// one-container delivers one message after another into one container
	// and reports each method's median time per message.
	b.Run("one-container", func(b *testing.B) {
		methods := []benchMethod{
			{name: "emailgend", deliver: emailgend},
			{name: "docker-cli", deliver: cli},
			{name: "bare-exec", deliver: bareExec},
		}
		for i := range b.N {
			for j := range methods {
				m := &methods[(i+j)%len(methods)]
				start := time.Now()
				if err := m.deliver(containers[0]); err != nil {
					b.Fatalf("%s: %v", m.name, err)
				}
				m.samples = append(m.samples, float64(time.Since(start))/float64(time.Millisecond))
			}
		}
		reportMedians(b, methods, "ms/msg")
	})

	// eight-containers reports each method's median rate over rounds.
	// emailgend and bare-exec run one goroutine per container, all at
	// once, with perContainer messages each. The CLI delivers one message
	// into each container, one after another.
	b.Run("eight-containers", func(b *testing.B) {
		const perContainer = 3
		concurrent := func(deliver func(string) error) func() (int, error) {
			return func() (int, error) {
				errs := make([]error, len(containers))
				var wg sync.WaitGroup
				for i, id := range containers {
					wg.Go(func() {
						for range perContainer {
							if errs[i] = deliver(id); errs[i] != nil {
								return
							}
						}
					})
				}
				wg.Wait()
				return perContainer * len(containers), errors.Join(errs...)
			}
		}
		oneAfterAnother := func() (int, error) {
			for _, id := range containers {
				if err := cli(id); err != nil {
					return 0, err
				}
			}
			return len(containers), nil
		}
		rounds := []struct {
			name string
			run  func() (int, error)
		}{
			{"emailgend", concurrent(emailgend)},
			{"docker-cli", oneAfterAnother},
			{"bare-exec", concurrent(bareExec)},
		}
		methods := make([]benchMethod, len(rounds))
		for i, r := range rounds {
			methods[i].name = r.name
		}
		for i := range b.N {
			for j := range rounds {
				k := (i + j) % len(rounds)
				start := time.Now()
				n, err := rounds[k].run()
				if err != nil {
					b.Fatalf("%s: %v", rounds[k].name, err)
				}
				methods[k].samples = append(methods[k].samples, float64(n)/time.Since(start).Seconds())
			}
		}
		reportMedians(b, methods, "msgs/s")
	})
}

// benchMethod is one way of delivering and the figures measured for it.
type benchMethod struct {
	name    string
	deliver func(containerID string) error
	samples []float64
}

// reportMedians reports each method's median in unit and, for every
// method but the CLI, the ratio of its median to the CLI's.
func reportMedians(b *testing.B, methods []benchMethod, unit string) {
	medians := make(map[string]float64, len(methods))
	for _, m := range methods {
		medians[m.name] = median(m.samples)
		b.ReportMetric(medians[m.name], m.name+"-"+unit)
	}
	for _, m := range methods {
		if m.name != "docker-cli" {
			b.ReportMetric(medians[m.name]/medians["docker-cli"], m.name+"/cli")
		}
	}
	b.ReportMetric(0, "ns/op")
}

func median(samples []float64) float64 {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
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
func deliverWithCLI(containerID string, del Delivery) error {
	cmd := exec.Command("docker", "exec", "-i", "-e", "TZ=UTC0", containerID,
		"sh", "-c", deliverScript, "emailgend",
		del.Dir, del.Name, strconv.Itoa(len(del.Data)),
		del.Date.UTC().Format(stampLayout), del.FolderDate.UTC().Format(stampLayout),
		strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))
	cmd.Stdin = bytes.NewReader(del.Data)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("docker exec into %s: %w: %s", containerID, err, out)
	}
	return nil
}
