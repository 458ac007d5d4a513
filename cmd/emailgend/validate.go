package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/decnet/emailgend/internal/config"
	"github.com/decnet/emailgend/internal/persona"
)

// checkedFile is a persona file read and validated with the daemon's rules.
type checkedFile struct {
	personas persona.List
	problems []persona.Problem
	dropped  int
	entries  int
}

// checkPersonas validates the content of a persona file. The error is for
// content that is not a JSON list; entry problems are in the result.
func checkPersonas(data []byte, def persona.Defaults) (checkedFile, error) {
	list, problems, err := persona.Parse(data, def)
	if err != nil {
		return checkedFile{}, err
	}
	res := checkedFile{personas: list, problems: problems}
	for _, p := range problems {
		if p.Dropped {
			res.dropped++
		}
	}
	res.entries = len(list) + res.dropped
	return res, nil
}

// personaDefaults returns the defaults the daemon would apply, from the
// same settings, so a file validates as it will load.
func personaDefaults(getenv func(string) string) (persona.Defaults, error) {
	cfg, err := config.Parse("validate", nil, getenv, config.Home(), io.Discard)
	if err != nil {
		return persona.Defaults{}, err
	}
	return persona.Defaults{Language: cfg.Language, Location: cfg.Location}, nil
}

const validateUsage = `Usage: emailgend validate FILE

Checks a persona file with the rules the daemon applies and prints one line
per problem: the entry's index, the field and the reason. Exit status: 0
when the file loads as written, 1 when an entry would be dropped, a value
would be ignored (an unknown field or a malformed active_hours or
active_days) or the file is not a JSON list, 2 for a usage error or an
unreadable file.
`

func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("emailgend validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, validateUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, validateUsage)
		return 2
	}
	path := fs.Arg(0)
	def, err := personaDefaults(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 2
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: reading persona file: %v\n", err)
		return 2
	}
	res, err := checkPersonas(data, def)
	if err != nil {
		fmt.Fprintf(stdout, "%s: invalid: %v\n", path, err)
		return 1
	}

	for _, p := range res.problems {
		kind := "dropped"
		if !p.Dropped {
			kind = "warning"
		}
		fmt.Fprintf(stdout, "%s: %s: %s\n", path, kind, p)
	}
	warnings := len(res.problems) - res.dropped
	fmt.Fprintf(stdout, "%s: %s, %d valid, %d dropped, %s\n", path,
		countOf(res.entries, "entry", "entries"), len(res.personas), res.dropped,
		countOf(warnings, "warning", "warnings"))
	if len(res.personas) < 2 {
		fmt.Fprintf(stdout, "%s: warning: a decky needs at least 2 personas to receive mail\n", path)
	}
	// A warning means the daemon loads the entry but ignores a value the
	// operator wrote, such as a misspelled field. That changes behaviour as
	// much as a dropped entry does, so both fail the check.
	if len(res.problems) > 0 {
		return 1
	}
	return 0
}

// countOf formats n with the singular or plural noun, as in "1 entry".
func countOf(n int, singular, plural string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, singular)
	}
	return fmt.Sprintf("%d %s", n, plural)
}
