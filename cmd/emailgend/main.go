// Command emailgend keeps the mailboxes of DECNET mail deckies alive by
// delivering believable, threaded corporate email into them on a schedule.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // persona time zones must load on hosts without zoneinfo

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/config"
	"github.com/decnet/emailgend/internal/daemon"
	"github.com/decnet/emailgend/internal/logging"
)

const usage = `Usage: emailgend [command] [flags]

Commands:
  run               run the daemon in the foreground (the default)
  deckies           list the mail deckies the daemon sees now and their personas
  validate FILE     check a persona file and report each problem
  import-personas FILE [-o DEST]
                    validate a persona file and install it as the global pool
  preview --from EMAIL --to EMAIL [--personas FILE] [--reply]
                    print one message between two personas, without Docker
  help              show this help

Run "emailgend COMMAND -h" for the flags of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout io.Writer, stderr *os.File) int {
	command := "run"
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		command, args = args[0], args[1:]
	}
	switch command {
	case "run":
		return runDaemon(args, stdout, stderr)
	case "deckies":
		return runDeckies(args, stdout, stderr)
	case "validate":
		return runValidate(args, stdout, stderr)
	case "import-personas":
		return runImportPersonas(args, stdout, stderr)
	case "preview":
		return runPreview(args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "emailgend: unknown command %q\n\n%s", command, usage)
		return 2
	}
}

func runDaemon(args []string, stdout io.Writer, stderr *os.File) int {
	cfg, err := config.Parse("run", args, os.Getenv, config.Home(), stderr)
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 2
	}
	log, err := logging.New(stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 2
	}
	defer log.Sync() //nolint:errcheck // nothing useful to do when the final flush fails

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopSignals := make(chan os.Signal, 2)
	signal.Notify(stopSignals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(stopSignals)
	go func() {
		// The first SIGINT or SIGTERM lets the delivery in progress finish;
		// a second SIGINT, an operator pressing Ctrl-C again, ends the
		// process at once.
		sig := <-stopSignals
		log.Info("stopping after the delivery in progress", zap.String("signal", sig.String()))
		cancel()
		for sig := range stopSignals {
			if sig == syscall.SIGINT {
				log.Warn("second interrupt, exiting without waiting")
				os.Exit(130)
			}
		}
	}()

	d, err := daemon.New(ctx, cfg, log, stdout)
	if err != nil {
		log.Error("starting emailgend failed", zap.Error(err))
		return 1
	}
	defer d.Close()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			log.Info("SIGHUP received, reloading personas")
			d.Reload()
		}
	}()
	log.Info("emailgend starting", zap.String("schedule", cfg.Schedule), zap.String("personas", cfg.Personas),
		zap.String("spool", cfg.Spool), zap.String("state", cfg.State), zap.Bool("once", cfg.Once),
		zap.Bool("dry_run", cfg.DryRun))
	if err := d.Run(ctx); err != nil {
		log.Error("emailgend stopped with an error", zap.Error(err))
		return 1
	}
	log.Info("emailgend stopped")
	return 0
}
