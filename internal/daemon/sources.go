package daemon

import (
	"fmt"

	"github.com/docker/docker/client"
	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/config"
	"github.com/decnet/emailgend/internal/mailer"
	"github.com/decnet/emailgend/internal/topology"
)

// LocalEngine names the engine given by --docker-host or DOCKER_HOST. Fleet
// decky ids start with it.
const LocalEngine = "local"

// DockerClient returns a client for the configured engine that negotiates
// the API version, so engines from API 1.41 (Docker 20.10) on work.
func DockerClient(cfg config.Config) (*client.Client, error) {
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if cfg.DockerHost != "" {
		opts = append(opts, client.WithHost(cfg.DockerHost))
	}
	docker, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, fmt.Errorf("creating the Docker client for %q: %w", cfg.DockerHost, err)
	}
	return docker, nil
}

// TopologySource returns where topology personas come from, a description
// of it for people, and a function that releases it: DECNET's database when
// one is configured, the folder of persona files otherwise.
func TopologySource(cfg config.Config, log *zap.Logger) (mailer.TopologySource, string, func() error) {
	if cfg.Database != "" {
		db := topology.NewDatabaseSource(cfg.Database, cfg.Location, log.Named("topology"))
		return db, "database " + cfg.Database, db.Close
	}
	folder := topology.NewFolderSource(cfg.TopologyDir, cfg.Location, log.Named("topology"))
	return folder, "folder " + cfg.TopologyDir, func() error { return nil }
}
