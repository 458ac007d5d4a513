package llm

import (
	"fmt"
	"os"
	"strings"
)

// maxKeyFileBytes caps the size of an API key file. Real keys are well
// under 1 KiB, so a larger file is a wrong path rather than a key.
const maxKeyFileBytes = 64 << 10

// ReadKeyFile returns the API key stored in the file at path, without
// surrounding white space. An empty or oversize file is an error. Errors
// name the path but never the file's content.
func ReadKeyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("reading API key file: %w", err)
	}
	defer f.Close()
	data, err := readCapped(f, maxKeyFileBytes)
	if err != nil {
		return "", fmt.Errorf("reading API key file %s: %w", path, err)
	}
	key := strings.TrimSpace(string(data))
	if key == "" {
		return "", fmt.Errorf("reading API key file %s: file is empty", path)
	}
	return key, nil
}
