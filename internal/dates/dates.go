// Package dates picks the Date header of a generated message. A Date is in
// the past, inside the sender's working time, in the sender's zone, and
// spaced so that it does not show the fixed times at which the daemon runs.
package dates

import (
	"math/rand/v2"
	"time"

	"github.com/decnet/emailgend/internal/workhours"
)

// PickNew returns a Date for a message that starts a thread: a uniformly
// random whole second in (max(after, now-lookback, s.ActiveSince(now)), now],
// in s's zone.
//
// after is the newest Date already on the decky, or the zero time, so that
// mailbox order matches delivery order. lookback is usually one schedule
// interval. Because every tick draws from the time since the previous one,
// neither the seconds nor the gaps between Dates repeat the tick interval.
// PickNew returns false when the sender is not active at now or the
// interval contains no whole second.
func PickNew(now time.Time, s workhours.Schedule, after time.Time, lookback time.Duration,
	r *rand.Rand,
) (time.Time, bool) {
	if !s.Active(now) {
		return time.Time{}, false
	}

	lower := latest(after, now.Add(-lookback), s.ActiveSince(now))

	return pickSecond(lower, now, s.Location(), r)
}

// PickReply returns a Date for a reply to a message dated parent: parent
// plus ReplyDelay(latency), moved to the sender's next working time when it
// falls outside it.
//
// PickReply returns false when that moment is after now, because the sender
// has not replied yet. When it is at or before max(after, now-lookback),
// the reply takes a Date from PickNew's interval instead, so that it is
// still newer than after and within lookback. The result is always after
// parent and in s's zone.
func PickReply(now time.Time, s workhours.Schedule, parent, after time.Time, latency string,
	lookback time.Duration, r *rand.Rand,
) (time.Time, bool) {
	target := parent.Add(ReplyDelay(latency, r))
	if !s.Active(target) {
		target = settle(s, target, r)
		if target.IsZero() {
			return time.Time{}, false
		}
	}

	target = wholeSecond(s, target)
	if target.After(now) {
		return time.Time{}, false
	}

	lower := latest(after, now.Add(-lookback))
	if target.After(lower) && target.After(parent) && s.Active(target) {
		return target.In(s.Location()), true
	}

	return PickNew(now, s, latest(after, parent), lookback, r)
}

// settle returns a moment shortly after the next working time following t.
// People do not reply at the very second they start work, and a reply stamped
// exactly 09:00:00 would stand out.
func settle(s workhours.Schedule, t time.Time, r *rand.Rand) time.Time {
	start := s.NextActive(t)
	if start.IsZero() {
		return start
	}

	// A window may be shorter than the first spread, so smaller spreads
	// follow until the moment is inside it.
	for _, spread := range []time.Duration{45 * time.Minute, 5 * time.Minute, time.Minute} {
		moment := start.Add(time.Duration(r.Int64N(int64(spread/time.Second))) * time.Second)
		if s.Active(moment) {
			return moment
		}
	}

	return start
}

// pickSecond returns a uniformly random whole second in (lower, upper], in
// loc, or false when there is none.
func pickSecond(lower, upper time.Time, loc *time.Location, r *rand.Rand) (time.Time, bool) {
	first := lower.Truncate(time.Second).Add(time.Second)
	last := upper.Truncate(time.Second)

	if last.Before(first) {
		return time.Time{}, false
	}

	count := int64(last.Sub(first)/time.Second) + 1
	picked := first.Add(time.Duration(r.Int64N(count)) * time.Second)

	return picked.In(loc), true
}

// wholeSecond rounds an active t up to a whole second, or down when rounding
// up would leave the working window.
func wholeSecond(s workhours.Schedule, t time.Time) time.Time {
	down := t.Truncate(time.Second)
	if down.Equal(t) {
		return down
	}

	if up := down.Add(time.Second); s.Active(up) {
		return up
	}

	return down
}

func latest(first time.Time, rest ...time.Time) time.Time {
	for _, t := range rest {
		if t.After(first) {
			first = t
		}
	}

	return first
}
