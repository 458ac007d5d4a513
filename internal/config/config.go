// Package config reads the daemon's settings from command-line flags and
// DECNET_EMAILGEN_* environment variables.
//
// A flag given on the command line wins over its variable, and the variable
// wins over the built-in default, so a systemd EnvironmentFile sets the
// defaults of a host and a flag still overrides them while debugging.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap/zapcore"

	"github.com/decnet/emailgend/internal/persona"
	"github.com/decnet/emailgend/internal/pool"
)

// EnvPrefix starts the name of every environment variable the daemon reads.
const EnvPrefix = "DECNET_EMAILGEN_"

// Defaults of the settings that have fixed ones.
const (
	DefaultSchedule         = "@every 5m"
	DefaultSpool            = "/var/spool/decnet-emails"
	DefaultState            = "/var/lib/emailgend/state.db"
	DefaultTopologyDir      = "/etc/decnet/topologies"
	DefaultLanguage         = "en"
	DefaultReplyProbability = 0.6
	DefaultExecTimeout      = 8 * time.Second
	// MinExecTimeout leaves the delivery script time before its rename
	// deadline, which it reads in whole seconds from the container.
	MinExecTimeout         = 3 * time.Second
	DefaultKeep            = 5000
	DefaultGenerator       = "template"
	DefaultLLMTimeout      = 60 * time.Second
	DefaultOllamaURL       = "http://127.0.0.1:11434"
	DefaultOllamaModel     = "llama3.1"
	DefaultHealthMaxOutage = 5 * time.Minute
)

// Config holds every setting of `emailgend run`.
type Config struct {
	// Schedule is the cron spec of the ticks, for example "@every 5m".
	Schedule string
	// Personas is the path of the global persona pool.
	Personas string
	// TopologyDir holds one <topology id>.json persona file per topology.
	TopologyDir string
	// Database is DECNET's SQLite file; when set, topology personas come
	// from it instead of TopologyDir.
	Database string
	// Spool is the folder inside each mail container that receives threads.
	Spool string
	// State is the path of the SQLite state database.
	State string
	// Location is the time zone of personas that name none.
	Location *time.Location
	// Language is the default language of global pool personas.
	Language string
	// Generator names the content generator: "template", "ollama" or
	// "openai".
	Generator string
	// Model, LLMURL, LLMTimeout and LLMKeyFile configure the LLM
	// generators; the key file is read by the daemon, never logged.
	Model      string
	LLMURL     string
	LLMTimeout time.Duration
	LLMKeyFile string
	// MetricsAddr is the loopback address of the metrics and health server,
	// empty when it is off.
	MetricsAddr string
	// HealthMaxOutage is how long the Docker engine may be unreachable
	// before /healthz fails.
	HealthMaxOutage time.Duration
	// DockerHost is the engine address; empty means DOCKER_HOST or the
	// local socket.
	DockerHost string
	// ExecTimeout bounds one delivery exec.
	ExecTimeout time.Duration
	// ReplyProbability is the chance that a tick continues a thread.
	ReplyProbability float64
	// Keep is the number of records kept per decky in the state database.
	Keep int
	// LogLevel is a zap level name: debug, info, warn or error.
	LogLevel zapcore.Level
	// LogFormat is "json", "console" or "auto" (console on a terminal).
	LogFormat string
	// Once runs a single tick and exits.
	Once bool
	// DryRun prints each message instead of delivering or recording it.
	DryRun bool
}

// ErrHelp is returned by Parse when -h or --help was given; the usage has
// been printed already.
var ErrHelp = flag.ErrHelp

// setting ties one flag to its environment variable.
type setting struct {
	flag  string
	usage string
	def   string
	dest  *string
}

// Parse reads the settings of `emailgend <command>` from args and getenv.
// Every command that talks to Docker or reads personas takes the same
// flags, so one environment file serves them all; --once and --dry-run
// belong to run only. Usage and errors from the flag package go to output.
func Parse(command string, args []string, getenv func(string) string, home string, output io.Writer) (Config, error) {
	return ParseWith(command, args, getenv, home, output, nil)
}

// ParseWith is Parse for a command with flags of its own, which extra
// defines on the same flag set before it is parsed.
func ParseWith(command string, args []string, getenv func(string) string, home string, output io.Writer, extra func(*flag.FlagSet)) (Config, error) {
	raw := map[string]*string{}
	settings := []setting{
		{"schedule", "cron `spec` of the ticks, e.g. \"@every 5m\" or \"*/10 * * * *\"", DefaultSchedule, nil},
		{"personas", "`file` of the global persona pool, a JSON array", pool.Path(getenv, home), nil},
		{"topology-dir", "`folder` of <topology id>.json persona files for topology deckies, used when --db is empty", DefaultTopologyDir, nil},
		{"db", "DECNET's SQLite database `file`, read only: topology personas come from its topologies table", "", nil},
		{"spool", "spool `folder` inside each mail container", DefaultSpool, nil},
		{"state", "`file` of the SQLite state database", DefaultState, nil},
		{"timezone", "IANA time `zone` of personas that name none (\"Local\" is the host's zone)", "Local", nil},
		{"language", "ISO 639-1 language `code` of global pool personas that name none", DefaultLanguage, nil},
		{"generator", "content generator `name`: template, ollama or openai", DefaultGenerator, nil},
		{"model", "LLM `model` (default llama3.1 for ollama; required for openai)", "", nil},
		{"llm-url", "LLM base `URL` (default http://127.0.0.1:11434 for ollama; required for openai)", "", nil},
		{"llm-timeout", "time limit of one LLM call, a Go `duration`", DefaultLLMTimeout.String(), nil},
		{"llm-key-file", "`file` holding the LLM API key, sent as a bearer token", "", nil},
		{"docker-host", "Docker engine `address` (default: DOCKER_HOST or the local socket)", "", nil},
		{"exec-timeout", "time limit of one delivery exec, a Go `duration` such as 8s", DefaultExecTimeout.String(), nil},
		{"reply-probability", "chance that a tick continues a thread, a `number` from 0 to 1", strconv.FormatFloat(DefaultReplyProbability, 'g', -1, 64), nil},
		{"keep", "`count` of records kept per decky in the state database", strconv.Itoa(DefaultKeep), nil},
		{"log-level", "log `level`: debug, info, warn or error", "info", nil},
		{"log-format", "log `format`: json, console, or auto (console on a terminal, JSON otherwise)", "auto", nil},
		{"metrics-addr", "loopback `address` of the /metrics and /healthz server, such as 127.0.0.1:9464 (empty: off)", "", nil},
		{"health-max-outage", "/healthz fails once the Docker engine has been unreachable this long, a Go `duration`", DefaultHealthMaxOutage.String(), nil},
	}

	fs := flag.NewFlagSet("emailgend "+command, flag.ContinueOnError)
	fs.SetOutput(output)
	for i := range settings {
		s := &settings[i]
		env := EnvName(s.flag)
		value := s.def
		if v := getenv(env); v != "" {
			value = v
		}
		s.dest = fs.String(s.flag, value, fmt.Sprintf("%s [%s]", s.usage, env))
		raw[s.flag] = s.dest
	}
	var cfg Config
	if command == "run" {
		fs.BoolVar(&cfg.Once, "once", false, "run one tick, then exit")
		fs.BoolVar(&cfg.DryRun, "dry-run", false, "print each message to standard output instead of delivering and recording it")
	}
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(output, "Usage: emailgend %s [flags]\n\nEach flag can also be set by the environment variable in brackets.\n\n", command)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q: emailgend %s takes only flags", fs.Arg(0), command)
	}

	cfg.Schedule = *raw["schedule"]
	cfg.Personas = *raw["personas"]
	cfg.TopologyDir = *raw["topology-dir"]
	cfg.Database = *raw["db"]
	cfg.Spool = *raw["spool"]
	cfg.State = *raw["state"]
	cfg.Language = strings.ToLower(*raw["language"])
	cfg.Generator = *raw["generator"]
	cfg.DockerHost = *raw["docker-host"]
	cfg.LogFormat = *raw["log-format"]

	var errs []error
	if _, err := ParseSchedule(cfg.Schedule); err != nil {
		errs = append(errs, settingError("schedule", cfg.Schedule, err))
	}
	if lang, err := persona.NormalizeLanguage(cfg.Language); err != nil {
		errs = append(errs, settingError("language", cfg.Language, errors.New("must be an ISO 639-1 code such as en or es")))
	} else {
		cfg.Language = lang
	}
	if !filepath.IsAbs(cfg.Spool) || filepath.Clean(cfg.Spool) == "/" {
		errs = append(errs, settingError("spool", cfg.Spool, errors.New("must be an absolute folder other than /")))
	}
	cfg.Spool = filepath.Clean(cfg.Spool)
	loc, err := loadLocation(*raw["timezone"])
	if err != nil {
		errs = append(errs, settingError("timezone", *raw["timezone"], err))
	}
	cfg.Location = loc
	cfg.Model = *raw["model"]
	cfg.LLMURL = *raw["llm-url"]
	cfg.LLMKeyFile = *raw["llm-key-file"]
	cfg.MetricsAddr = *raw["metrics-addr"]
	switch cfg.Generator {
	case "template":
	case "ollama":
		if cfg.Model == "" {
			cfg.Model = DefaultOllamaModel
		}
		if cfg.LLMURL == "" {
			cfg.LLMURL = DefaultOllamaURL
		}
	case "openai":
		if cfg.Model == "" {
			errs = append(errs, settingError("model", cfg.Model, errors.New("the openai generator needs a model name")))
		}
		if cfg.LLMURL == "" {
			errs = append(errs, settingError("llm-url", cfg.LLMURL, errors.New("the openai generator needs the endpoint's base URL, such as http://127.0.0.1:8000")))
		}
	default:
		errs = append(errs, settingError("generator", cfg.Generator, errors.New("must be template, ollama or openai")))
	}
	if cfg.LLMTimeout, err = time.ParseDuration(*raw["llm-timeout"]); err != nil || cfg.LLMTimeout <= 0 {
		errs = append(errs, settingError("llm-timeout", *raw["llm-timeout"], errors.New("must be a positive Go duration such as 60s")))
	}
	if cfg.HealthMaxOutage, err = time.ParseDuration(*raw["health-max-outage"]); err != nil || cfg.HealthMaxOutage <= 0 {
		errs = append(errs, settingError("health-max-outage", *raw["health-max-outage"], errors.New("must be a positive Go duration such as 5m")))
	}
	if cfg.ExecTimeout, err = time.ParseDuration(*raw["exec-timeout"]); err != nil || cfg.ExecTimeout < MinExecTimeout {
		errs = append(errs, settingError("exec-timeout", *raw["exec-timeout"],
			fmt.Errorf("must be a Go duration of at least %s, such as 8s", MinExecTimeout)))
	}
	p, err := strconv.ParseFloat(*raw["reply-probability"], 64)
	if err != nil || math.IsNaN(p) || p < 0 || p > 1 {
		errs = append(errs, settingError("reply-probability", *raw["reply-probability"], errors.New("must be a number from 0 to 1")))
	}
	cfg.ReplyProbability = p
	if cfg.Keep, err = strconv.Atoi(*raw["keep"]); err != nil || cfg.Keep < 1 {
		errs = append(errs, settingError("keep", *raw["keep"], errors.New("must be a whole number of at least 1")))
	}
	if cfg.LogLevel, err = zapcore.ParseLevel(*raw["log-level"]); err != nil {
		errs = append(errs, settingError("log-level", *raw["log-level"], errors.New("must be debug, info, warn or error")))
	}
	switch cfg.LogFormat {
	case "json", "console", "auto":
	default:
		errs = append(errs, settingError("log-format", cfg.LogFormat, errors.New("must be json, console or auto")))
	}
	if cfg.MetricsAddr != "" {
		if err := checkLoopback(cfg.MetricsAddr); err != nil {
			errs = append(errs, settingError("metrics-addr", cfg.MetricsAddr, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	// Relative paths are resolved now, while the working folder is the one
	// the operator meant: a folder watch compares absolute event paths.
	for _, p := range []*string{&cfg.Personas, &cfg.State, &cfg.TopologyDir, &cfg.Database, &cfg.LLMKeyFile} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return Config{}, fmt.Errorf("resolving path %q: %w", *p, err)
		}
		*p = abs
	}
	return cfg, nil
}

// checkLoopback accepts host:port addresses on the loopback interface only,
// because the metrics server has no authentication.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return errors.New("must be host:port, such as 127.0.0.1:9464")
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("must be a loopback address (127.0.0.0/8, [::1] or localhost), because the metrics server has no authentication")
}

// EnvName returns the environment variable that sets the flag name, for
// example DECNET_EMAILGEN_EXEC_TIMEOUT for exec-timeout.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// ParseSchedule parses a cron spec the way the scheduler does: five fields
// or a descriptor such as "@every 5m" or "@hourly". An "@every" interval
// must be at least a second, because cron itself would quietly round a zero
// or negative one up. A spec that names no date that exists, such as
// February 30, is rejected too, because the daemon would wait forever.
func ParseSchedule(spec string) (cron.Schedule, error) {
	if rest, ok := strings.CutPrefix(strings.TrimSpace(spec), "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("invalid @every interval: %w", err)
		}
		if d < time.Second {
			return nil, fmt.Errorf("@every interval %s is under one second", d)
		}
	}
	schedule, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, err
	}
	// cron looks five years ahead and returns the zero time when nothing
	// matches in that span.
	if schedule.Next(time.Now()).IsZero() {
		return nil, errors.New("never runs: no date matches its day and month fields; check them")
	}
	return schedule, nil
}

func settingError(flagName, value string, err error) error {
	return fmt.Errorf("invalid --%s (%s) %q: %w", flagName, EnvName(flagName), value, err)
}

func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone, use an IANA name such as Europe/Madrid: %w", err)
	}
	return loc, nil
}

// Home returns the current user's home folder, or "/" when it is unknown,
// so the fallback pool path stays absolute.
func Home() string {
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "/"
}
