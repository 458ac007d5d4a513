package driver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fakeExec plays back one scripted result per exec, in call order, and
// records the commands it was given.
type fakeExec struct {
	mu      sync.Mutex
	results []fakeResult
	cmds    [][]string
}

type fakeResult struct {
	stdout, stderr string
	code           int
}

func (f *fakeExec) ContainerExecCreate(_ context.Context, _ string, opts container.ExecOptions) (container.ExecCreateResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, opts.Cmd)
	return container.ExecCreateResponse{ID: strconv.Itoa(len(f.cmds) - 1)}, nil
}

func (f *fakeExec) result(execID string) fakeResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, _ := strconv.Atoi(execID)
	if i >= len(f.results) {
		return fakeResult{}
	}
	return f.results[i]
}

func (f *fakeExec) ContainerExecAttach(_ context.Context, execID string, _ container.ExecAttachOptions) (types.HijackedResponse, error) {
	res := f.result(execID)
	client, server := net.Pipe()
	go func() {
		go func() { _, _ = io.Copy(io.Discard, server) }()
		_, _ = stdcopy.NewStdWriter(server, stdcopy.Stdout).Write([]byte(res.stdout))
		_, _ = stdcopy.NewStdWriter(server, stdcopy.Stderr).Write([]byte(res.stderr))
		_ = server.Close()
	}()
	return types.HijackedResponse{Conn: client, Reader: bufio.NewReader(client)}, nil
}

func (f *fakeExec) ContainerExecInspect(_ context.Context, execID string) (container.ExecInspect, error) {
	return container.ExecInspect{ExecID: execID, ExitCode: f.result(execID).code}, nil
}

func TestDeliverOutcomes(t *testing.T) {
	del := sampleDelivery("t1", "<m@acme.example>")
	file := del.Dir + "/" + del.Name
	rm := []string{"rm", "-f", "--", del.Dir + "/." + del.Name + ".tmp", file}
	dateOutput := deliveredPrefix + strconv.FormatInt(del.Date.Unix(), 10) + "\n"

	tests := []struct {
		name        string
		results     []fakeResult
		wantErr     string
		wantCleanup bool
	}{
		{"delivered", []fakeResult{{stdout: dateOutput}}, "", false},
		{"mtime mismatch", []fakeResult{{stdout: "delivered 12345\n"}}, "file mtime is 1970-01-01T03:25:45Z, want 2024-03-05T17:07:09Z", true},
		{"unreadable mtime", []fakeResult{{stdout: "delivered soon\n"}}, `reading file mtime from output "delivered soon"`, true},
		{"script failure", []fakeResult{{stderr: "emailgend: size mismatch\n", code: 1}}, "exit code 1: emailgend: size mismatch", false},
		{"killed", []fakeResult{{code: 137}}, "exit code 137: no error output", true},
		{"no shell", []fakeResult{{code: 126}}, "no usable shell", false},
		{"cleanup fails", []fakeResult{{code: 137}, {stderr: "rm: read-only file system", code: 1}}, "removing leftover files", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeExec{results: tt.results}
			err := New(fake, DefaultTimeout).Deliver(context.Background(), "c1", del)

			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Deliver: %v", err)
			case tt.wantErr != "":
				wantError(t, err, "c1", tt.wantErr)
			}
			if got := fake.cmds[0][:3]; !cmp.Equal(got, []string{"sh", "-c", deliverScript}) {
				t.Errorf("first exec command starts %q, want sh -c with the delivery script", got)
			}
			var want [][]string
			if tt.wantCleanup {
				want = [][]string{rm}
			}
			if diff := cmp.Diff(want, fake.cmds[1:], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("cleanup execs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeliverArguments(t *testing.T) {
	del := sampleDelivery("t1/", "<m@acme.example>")
	fake := &fakeExec{results: []fakeResult{{stdout: deliveredPrefix + strconv.FormatInt(del.Date.Unix(), 10)}}}
	if err := New(fake, DefaultTimeout).Deliver(context.Background(), "c1", del); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	want := []string{
		"emailgend",
		"/var/spool/decnet-emails/t1",
		"m_at_acme.example.eml",
		strconv.Itoa(len(del.Data)),
		"2024-03-05 17:07:09",
		"2024-03-06 19:07:09",
	}
	got := fake.cmds[0][3:]
	deadline, err := strconv.ParseInt(got[len(got)-1], 10, 64)
	if err != nil {
		t.Fatalf("deadline argument %q: %v", got[len(got)-1], err)
	}
	if limit := time.Now().Add(DefaultTimeout).Unix(); deadline > limit || deadline < limit-3 {
		t.Errorf("deadline = %d, want a little before the time limit %d", deadline, limit)
	}
	if diff := cmp.Diff(want, got[:len(got)-1]); diff != "" {
		t.Errorf("script arguments mismatch (-want +got):\n%s", diff)
	}
}

// hangingExec answers every exec with stdout and then keeps the stream
// open, as an engine does while a command that has printed its last line
// is still exiting. Its exit code is never recorded.
type hangingExec struct {
	fakeExec
	stdout string
}

func (h *hangingExec) ContainerExecAttach(_ context.Context, _ string, _ container.ExecAttachOptions) (types.HijackedResponse, error) {
	client, server := net.Pipe()
	go func() {
		go func() { _, _ = io.Copy(io.Discard, server) }()
		_, _ = stdcopy.NewStdWriter(server, stdcopy.Stdout).Write([]byte(h.stdout))
	}()
	return types.HijackedResponse{Conn: client, Reader: bufio.NewReader(client)}, nil
}

func (h *hangingExec) ContainerExecInspect(context.Context, string) (container.ExecInspect, error) {
	return container.ExecInspect{Running: true}, nil
}

func TestDeliverReturnsOnSuccessLine(t *testing.T) {
	del := sampleDelivery("t1", "<m@acme.example>")
	fake := &hangingExec{stdout: deliveredPrefix + strconv.FormatInt(del.Date.Unix(), 10) + "\n"}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := New(fake, DefaultTimeout).Deliver(ctx, "c1", del); err != nil {
		t.Fatalf("Deliver with the success line and an open stream: %v", err)
	}
}

func TestSuccessWatch(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		writes []string
		want   bool
	}{
		{"whole line", "delivered ", []string{"delivered 12\n"}, true},
		{"line in pieces", "delivered ", []string{"deli", "vered 1", "2\n"}, true},
		{"line not finished", "delivered ", []string{"delivered 12"}, false},
		{"other first line", "delivered ", []string{"note\ndelivered 12\n"}, false},
		{"empty prefix", "", []string{"delivered 12\n"}, false},
		{"no output", "delivered ", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newSuccessWatch(tt.prefix)
			for _, p := range tt.writes {
				if _, err := w.Write([]byte(p)); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case <-w.seen:
				if !tt.want {
					t.Errorf("seen closed after %q, want open", tt.writes)
				}
			default:
				if tt.want {
					t.Errorf("seen open after %q, want closed", tt.writes)
				}
			}
			if got := w.succeeded(); got != tt.want {
				t.Errorf("succeeded() = %v, want %v", got, tt.want)
			}
		})
	}
}

// floodExec answers every exec with output on stream that never ends, as
// a decoy whose sh an attacker replaced could.
type floodExec struct {
	fakeExec
	stream stdcopy.StdType
}

func (f *floodExec) ContainerExecAttach(_ context.Context, _ string, _ container.ExecAttachOptions) (types.HijackedResponse, error) {
	client, server := net.Pipe()
	go func() {
		go func() { _, _ = io.Copy(io.Discard, server) }()
		w := stdcopy.NewStdWriter(server, f.stream)
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}()
	return types.HijackedResponse{Conn: client, Reader: bufio.NewReader(client)}, nil
}

func (f *floodExec) ContainerExecInspect(context.Context, string) (container.ExecInspect, error) {
	return container.ExecInspect{Running: true}, nil
}

func TestDeliverStopsReadingFlood(t *testing.T) {
	for _, stream := range []stdcopy.StdType{stdcopy.Stdout, stdcopy.Stderr} {
		t.Run(fmt.Sprint(stream), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := New(&floodExec{stream: stream}, DefaultTimeout).Deliver(ctx, "c1", sampleDelivery("t1", "<m@acme.example>"))
			if !errors.Is(err, errOutputFlood) {
				t.Fatalf("Deliver into a flooding exec: %v, want errOutputFlood", err)
			}
		})
	}
}
