// Package dockertest starts and inspects throwaway containers on the local
// Docker engine for integration tests. Images are built on the machine from
// host binaries, because tests cannot pull from a registry.
//
// Everything it creates carries the label emailgend.test=true, so
// RemoveTestContainers can clear what a killed test run left behind.
package dockertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
)

// TestLabel marks every image and container this package creates.
const TestLabel = "emailgend.test"

// callTimeout bounds each engine call made on behalf of a test.
const callTimeout = 60 * time.Second

// Client connects to the engine named by the DOCKER_* environment variables
// and pings it. An unreachable engine fails the test when the CI
// environment variable is set and skips it otherwise.
func Client(t testing.TB) *client.Client {
	t.Helper()
	c, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		unreachable(t, err)
	}
	t.Cleanup(func() { _ = c.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Ping(ctx); err != nil {
		unreachable(t, err)
	}
	return c
}

func unreachable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("docker engine unreachable with CI set: %v", err)
	}
	t.Skipf("docker engine unreachable, skipping (start Docker or set DOCKER_HOST to run this test): %v", err)
}

// Exec runs cmd in the container and returns its standard output. The test
// fails when the command cannot run or exits non-zero.
func Exec(t testing.TB, c *client.Client, id string, cmd ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()

	stdout, stderr, code, err := execOutput(ctx, c, id, cmd)
	if err != nil {
		t.Fatalf("exec %q in container %s: %v", cmd, id, err)
	}
	if code != 0 {
		t.Fatalf("exec %q in container %s: exit code %d: %s", cmd, id, code, strings.TrimSpace(stderr))
	}
	return stdout
}

func execOutput(ctx context.Context, c *client.Client, id string, cmd []string) (stdout, stderr string, code int, err error) {
	created, err := c.ContainerExecCreate(ctx, id, container.ExecOptions{
		Cmd:          cmd,
		AttachStdout: true,
		AttachStderr: true,
	})
	if err != nil {
		return "", "", 0, fmt.Errorf("creating exec: %w", err)
	}
	resp, err := c.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return "", "", 0, fmt.Errorf("attaching to exec: %w", err)
	}
	defer resp.Close()

	var out, errOut bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &errOut, resp.Reader); err != nil {
		return "", "", 0, fmt.Errorf("reading exec output: %w", err)
	}

	// The output stream can end a moment before the engine records the
	// exit code, so poll until the exec is no longer running.
	for {
		inspect, err := c.ContainerExecInspect(ctx, created.ID)
		if err != nil {
			return "", "", 0, fmt.Errorf("inspecting exec: %w", err)
		}
		if !inspect.Running {
			return out.String(), errOut.String(), inspect.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return "", "", 0, fmt.Errorf("waiting for exec to exit: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// RemoveTestContainers force-removes every container labeled
// emailgend.test=true, running or not. It is meant for clearing what an
// interrupted test run left behind.
func RemoveTestContainers(ctx context.Context, c *client.Client) error {
	return removeContainers(ctx, c, filters.NewArgs(filters.Arg("label", TestLabel+"=true")))
}

func removeContainers(ctx context.Context, c *client.Client, match filters.Args) error {
	list, err := c.ContainerList(ctx, container.ListOptions{All: true, Filters: match})
	if err != nil {
		return fmt.Errorf("listing test containers: %w", err)
	}
	var errs []error
	for _, s := range list {
		err := c.ContainerRemove(ctx, s.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("removing test container %s: %w", s.ID, err))
		}
	}
	return errors.Join(errs...)
}
