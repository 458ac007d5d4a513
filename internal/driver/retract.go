package driver

import (
	"context"
	"fmt"
	"path"
	"time"
)

// retractScript runs as `sh -c retractScript emailgend DIR NAME FOLDER_STAMP`.
// It removes a delivered file, then removes its thread folder when that is
// now empty (a thread the file had started) or else gives the folder back
// the mtime of its newest remaining message.
const retractScript = `dir=$1 name=$2 folder_stamp=$3
rm -f -- "$dir/$name" || exit 1
rmdir -- "$dir" 2>/dev/null || touch -d "$folder_stamp" -- "$dir"
`

// Retract undoes a delivery that reached this container but not the other
// mail containers of its decky, so that all of them keep the same mailbox.
// FolderDate is the Date of the newest message left in the thread folder;
// it is ignored when the folder ends up empty and is removed.
func (d *Driver) Retract(ctx context.Context, containerID string, del Delivery) error {
	if err := validate(del); err != nil {
		return fmt.Errorf("retracting from container %s: %w", containerID, err)
	}
	dir := path.Clean(del.Dir)
	folderDate := del.FolderDate
	if folderDate.IsZero() {
		folderDate = time.Unix(0, 0)
	}
	cmd := []string{"sh", "-c", retractScript, "emailgend", dir, del.Name, folderDate.UTC().Format(stampLayout)}

	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	res, err := d.run(ctx, containerID, cmd, nil, "")
	if err == nil && res.exitCode != 0 {
		err = fmt.Errorf("exit code %d: %s", res.exitCode, res.stderr)
	}
	if err != nil {
		return fmt.Errorf("retracting %s from container %s: %w", path.Join(dir, del.Name), containerID, err)
	}
	return nil
}
