package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// busyboxApplets are the commands linked to /bin/busybox in BusyBoxImage.
var busyboxApplets = []string{
	"sh", "cat", "head", "mv", "mkdir", "rmdir", "touch", "stat", "rm", "sleep", "ls", "wc", "date", "chmod",
}

// coreutilsCommands are the GNU coreutils copied into CoreutilsImage, besides
// the host's /bin/sh (dash on Debian).
var coreutilsCommands = []string{
	"cat", "head", "mv", "mkdir", "rmdir", "touch", "stat", "rm", "sleep", "ls", "wc", "date", "chmod",
}

// zoneFile is copied into both images so that TZ=Asia/Tokyo names a real
// zone inside the container.
const zoneFile = "/usr/share/zoneinfo/Asia/Tokyo"

// imageChanges apply to every test image. sleep is PID 1, so the container
// ignores SIGTERM and tests remove it with force, which kills it at once.
var imageChanges = []string{
	`CMD ["/bin/sleep", "2147483647"]`,
	"ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LABEL " + TestLabel + "=true",
}

var (
	imagesMu sync.Mutex
	images   = map[string]imageResult{}
)

type imageResult struct {
	ref string
	err error
}

// BusyBoxImage returns the reference of an image containing the host's static
// /bin/busybox with links for the shell and the file commands, plus /tmp,
// /var/spool, /etc/passwd and the Asia/Tokyo zone file. The image is built
// once per process and kept on the engine between runs.
func BusyBoxImage(t testing.TB, c *client.Client) string {
	t.Helper()
	return cachedImage(t, c, "busybox", busyboxLayer)
}

// CoreutilsImage returns the reference of an image containing the host's own
// /bin/sh and GNU coreutils, the shared libraries and dynamic loader that
// ldd lists for them, the Asia/Tokyo zone file, /tmp and /var/spool. The
// image is built once per process and kept on the engine between runs.
func CoreutilsImage(t testing.TB, c *client.Client) string {
	t.Helper()
	return cachedImage(t, c, "coreutils", coreutilsLayer)
}

// NoShellImage returns the reference of an image with no shell: its only
// file is the static busybox binary copied to /sleep, which is the command
// that keeps the container running.
func NoShellImage(t testing.TB, c *client.Client) string {
	t.Helper()
	return cachedImage(t, c, "noshell", noShellLayer)
}

// cachedImage imports the layer under a tag derived from its content, so a
// changed host binary gives a new image and an unchanged one is reused.
func cachedImage(t testing.TB, c *client.Client, kind string, layer func() (*tarBuilder, error)) string {
	t.Helper()
	imagesMu.Lock()
	defer imagesMu.Unlock()

	res, ok := images[kind]
	if !ok {
		res.ref, res.err = buildImage(c, kind, layer)
		images[kind] = res
	}
	if res.err != nil {
		t.Fatalf("building %s test image: %v", kind, res.err)
	}
	return res.ref
}

func buildImage(c *client.Client, kind string, layer func() (*tarBuilder, error)) (string, error) {
	tb, err := layer()
	if err != nil {
		return "", err
	}
	data, err := tb.bytes()
	if err != nil {
		return "", err
	}
	changes := imageChanges
	if kind == "noshell" {
		changes = []string{`CMD ["/sleep", "2147483647"]`, "LABEL " + TestLabel + "=true"}
	}
	sum := sha256.New()
	sum.Write(data)
	for _, ch := range changes {
		sum.Write([]byte(ch))
	}
	ref := "emailgend-test-" + kind + ":" + hex.EncodeToString(sum.Sum(nil))[:16]

	ctx, cancel := context.WithTimeout(context.Background(), 2*callTimeout)
	defer cancel()

	_, err = c.ImageInspect(ctx, ref)
	if err == nil {
		return ref, nil
	}
	if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("inspecting image %s: %w", ref, err)
	}

	body, err := c.ImageImport(ctx,
		image.ImportSource{Source: bytes.NewReader(data), SourceName: "-"},
		ref,
		image.ImportOptions{Changes: changes, Message: "emailgend test image"})
	if err != nil {
		return "", fmt.Errorf("importing image %s: %w", ref, err)
	}
	defer body.Close()
	if err := importProgress(body); err != nil {
		return "", fmt.Errorf("importing image %s: %w", ref, err)
	}
	return ref, nil
}

// importProgress reads the engine's JSON progress stream to its end and
// returns the first error message in it.
func importProgress(body io.Reader) error {
	dec := json.NewDecoder(body)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		err := dec.Decode(&msg)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading progress: %w", err)
		}
		if msg.Error != "" {
			return errors.New(msg.Error)
		}
	}
}

func busyboxLayer() (*tarBuilder, error) {
	const bin = "/bin/busybox"
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("reading %s: %w (install it with `apt-get install busybox-static`)", bin, err)
	}
	tb := newTarBuilder()
	if err := tb.copyFile(bin, bin, 0o755); err != nil {
		return nil, err
	}
	for _, applet := range busyboxApplets {
		tb.symlink("/bin/"+applet, "busybox")
	}
	if err := addCommonFiles(tb); err != nil {
		return nil, err
	}
	return tb, nil
}

func coreutilsLayer() (*tarBuilder, error) {
	tb := newTarBuilder()
	binaries := map[string]string{"/bin/sh": "sh"}
	for _, name := range coreutilsCommands {
		binaries["/bin/"+name] = name
	}
	libs := map[string]bool{}
	for _, dst := range sortedKeys(binaries) {
		src, err := exec.LookPath(binaries[dst])
		if err != nil {
			return nil, fmt.Errorf("finding host command %s: %w", binaries[dst], err)
		}
		if err := tb.copyFile(dst, src, 0o755); err != nil {
			return nil, err
		}
		found, err := sharedLibraries(src)
		if err != nil {
			return nil, err
		}
		for _, lib := range found {
			libs[lib] = true
		}
	}
	for _, lib := range sortedKeys(libs) {
		if err := tb.copyFile(lib, lib, 0o755); err != nil {
			return nil, err
		}
	}
	if err := addCommonFiles(tb); err != nil {
		return nil, err
	}
	return tb, nil
}

func noShellLayer() (*tarBuilder, error) {
	tb := newTarBuilder()
	if err := tb.copyFile("/sleep", "/bin/busybox", 0o755); err != nil {
		return nil, fmt.Errorf("%w (install it with `apt-get install busybox-static`)", err)
	}
	return tb, nil
}

func addCommonFiles(tb *tarBuilder) error {
	tb.dir("/tmp", 0o1777)
	tb.dir("/var/spool", 0o755)
	tb.file("/etc/passwd", []byte("root:x:0:0:root:/root:/bin/sh\n"), 0o644)
	return tb.copyFile(zoneFile, zoneFile, 0o644)
}

// libraryPath matches the absolute paths in ldd output: "libc.so.6 =>
// /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2
// (0x...)". The vDSO line has no path and does not match.
var libraryPath = regexp.MustCompile(`(?m)(?:=>\s+|^\s+)(/\S+)\s+\(0x`)

func sharedLibraries(binary string) ([]string, error) {
	out, err := exec.Command("ldd", binary).Output()
	if err != nil {
		return nil, fmt.Errorf("listing shared libraries of %s with ldd: %w", binary, err)
	}
	var libs []string
	for _, m := range libraryPath.FindAllStringSubmatch(string(out), -1) {
		libs = append(libs, m[1])
	}
	if len(libs) == 0 {
		return nil, fmt.Errorf("listing shared libraries of %s: no paths in ldd output %q", binary, out)
	}
	return libs, nil
}

// tarBuilder writes a layer tar with fixed timestamps and owners, so the
// same host files always give the same bytes and the same image tag.
type tarBuilder struct {
	buf  bytes.Buffer
	tw   *tar.Writer
	dirs map[string]bool
	err  error
}

var epoch = time.Unix(0, 0)

func newTarBuilder() *tarBuilder {
	tb := &tarBuilder{dirs: map[string]bool{"/": true}}
	tb.tw = tar.NewWriter(&tb.buf)
	return tb
}

func (tb *tarBuilder) write(hdr *tar.Header, data []byte) {
	if tb.err != nil {
		return
	}
	hdr.ModTime = epoch
	if err := tb.tw.WriteHeader(hdr); err != nil {
		tb.err = fmt.Errorf("writing tar header for %s: %w", hdr.Name, err)
		return
	}
	if _, err := tb.tw.Write(data); err != nil {
		tb.err = fmt.Errorf("writing tar entry %s: %w", hdr.Name, err)
	}
}

// parents adds the directories above name that are not in the tar yet.
func (tb *tarBuilder) parents(name string) {
	parent := path.Dir(name)
	if tb.dirs[parent] {
		return
	}
	tb.dir(parent, 0o755)
}

func (tb *tarBuilder) dir(name string, mode int64) {
	if tb.dirs[name] {
		return
	}
	tb.parents(name)
	tb.dirs[name] = true
	tb.write(&tar.Header{Typeflag: tar.TypeDir, Name: name[1:] + "/", Mode: mode}, nil)
}

func (tb *tarBuilder) file(name string, data []byte, mode int64) {
	tb.parents(name)
	tb.write(&tar.Header{Typeflag: tar.TypeReg, Name: name[1:], Mode: mode, Size: int64(len(data))}, data)
}

func (tb *tarBuilder) symlink(name, target string) {
	tb.parents(name)
	tb.write(&tar.Header{Typeflag: tar.TypeSymlink, Name: name[1:], Linkname: target, Mode: 0o777}, nil)
}

// copyFile stores the content of the host file src, with symbolic links
// followed, as a regular file at dst.
func (tb *tarBuilder) copyFile(dst, src string, mode int64) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("reading host file for test image: %w", err)
	}
	tb.file(dst, data, mode)
	return nil
}

func (tb *tarBuilder) bytes() ([]byte, error) {
	if tb.err != nil {
		return nil, tb.err
	}
	if err := tb.tw.Close(); err != nil {
		return nil, fmt.Errorf("closing tar: %w", err)
	}
	return tb.buf.Bytes(), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
