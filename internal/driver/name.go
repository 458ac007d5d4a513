package driver

import (
	"errors"
	"fmt"
	"strings"
)

// MaxNameBytes keeps the temporary name ".<name>.tmp" within the 255-byte
// file name limit of common Linux file systems.
const MaxNameBytes = 250

// FileName returns the spool file name for a Message-ID: the id without
// angle brackets, with "@" written as "_at_" and ".eml" appended. Check the
// result with ValidName, because a Message-ID may contain "/".
func FileName(messageID string) string {
	id := strings.TrimSuffix(strings.TrimPrefix(messageID, "<"), ">")
	return strings.ReplaceAll(id, "@", "_at_") + ".eml"
}

// ValidName returns an error unless name is usable as one file name inside
// a thread folder: not empty, not "." or "..", without "/" or NUL, and at
// most 250 bytes.
func ValidName(name string) error {
	switch {
	case name == "":
		return errors.New("invalid file name: empty")
	case name == "." || name == "..":
		return fmt.Errorf("invalid file name %q: not a file", name)
	case strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("invalid file name %q: contains a slash or NUL", name)
	case len(name) > MaxNameBytes:
		return fmt.Errorf("invalid file name %q: %d bytes, maximum %d", name, len(name), MaxNameBytes)
	}
	return nil
}
