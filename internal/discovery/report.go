package discovery

import (
	"sync"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// notes remembers what the last listing logged, so that a condition is
// logged when it starts and not again on every listing while it lasts.
type notes struct {
	mu sync.Mutex
	// logged contains the keys of the conditions the last listing found.
	logged map[string]bool
	// leftOut contains the ids of the deckies the last listing left out.
	leftOut map[string]bool
}

// report logs the deckies left out for a container that is not running,
// the deckies included again, and the topologies skipped for an id
// conflict, each once while it lasts.
func (f *Finder) report(included []Decky, leftOut []*candidate, conflicts []conflict) {
	f.notes.mu.Lock()
	defer f.notes.mu.Unlock()

	logged := map[string]bool{}
	// firstSeen records key and reports whether the last listing missed it
	// and this listing has not logged it yet.
	firstSeen := func(key string) bool {
		if logged[key] {
			return false
		}
		logged[key] = true
		return !f.notes.logged[key]
	}

	nowLeftOut := map[string]bool{}
	for _, c := range leftOut {
		nowLeftOut[c.decky.ID] = true
		// A decky whose mail containers are all down is simply switched
		// off. One that is partly up is the case an operator may not
		// expect, so it is logged at info level.
		level := zapcore.DebugLevel
		if len(c.down) < len(c.decky.Containers) {
			level = zapcore.InfoLevel
		}
		for _, d := range c.down {
			if !firstSeen("down\x00" + c.decky.ID + "\x00" + d.ID + "\x00" + d.state) {
				continue
			}
			f.log.Log(level, "mail decky left out because a mail container is not running",
				zap.String("decky", c.decky.ID), zap.String("container", d.Name),
				zap.String("state", d.state), zap.String("status", d.status),
				zap.String("engine", d.Engine))
		}
	}
	for _, d := range included {
		if f.notes.leftOut[d.ID] {
			f.log.Info("mail decky included again because all its mail containers run",
				zap.String("decky", d.ID))
		}
	}
	for _, c := range conflicts {
		if !firstSeen("conflict\x00" + c.topologyID + "\x00" + c.engine) {
			continue
		}
		f.log.Warn("left out topology deckies whose ids can equal fleet decky ids of an engine. Rename the topology to list them",
			zap.String("topology", c.topologyID), zap.String("engine", c.engine))
	}

	f.notes.logged = logged
	f.notes.leftOut = nowLeftOut
}
