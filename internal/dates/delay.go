package dates

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// delayModel describes a reply delay: base plus a log-normal part with the
// given median and shape, kept within [min, max].
type delayModel struct {
	base     time.Duration
	median   time.Duration
	sigma    float64
	min, max time.Duration
}

// delayModels maps a persona's reply_latency to its delay. The medians and
// ranges are estimates of ordinary office habits, not measurements.
var delayModels = map[string]delayModel{
	// Minutes: median about 6 minutes, from 1 to 30.
	"fast": {median: 6 * time.Minute, sigma: 0.75, min: time.Minute, max: 30 * time.Minute},

	// Within hours: median about 90 minutes, from 10 minutes to 8 hours.
	"normal": {median: 90 * time.Minute, sigma: 0.95, min: 10 * time.Minute, max: 8 * time.Hour},

	// A day or more: median about 30 hours, from 20 hours to 5 days.
	"slow": {
		base: 20 * time.Hour, median: 10 * time.Hour, sigma: 1.0,
		min: 20 * time.Hour, max: 5 * 24 * time.Hour,
	},
}

// maxDraws bounds the redraws of a delay outside its model's range. Redrawing
// instead of clamping at once keeps delays from piling up on the limits.
const maxDraws = 8

// ReplyDelay returns a random delay between a message and its reply for the
// replier's reply_latency:
//
//   - "fast": 1 to 30 minutes, median about 6 minutes
//   - "normal": 10 minutes to 8 hours, median about 90 minutes
//   - "slow": 20 hours to 5 days, median about 30 hours
//
// Case and surrounding spaces are ignored, and unknown values behave as
// "normal".
func ReplyDelay(latency string, r *rand.Rand) time.Duration {
	model, ok := delayModels[strings.ToLower(strings.TrimSpace(latency))]
	if !ok {
		model = delayModels["normal"]
	}

	var delay time.Duration
	for range maxDraws {
		factor := math.Exp(model.sigma * r.NormFloat64())
		delay = model.base + time.Duration(float64(model.median)*factor)

		if delay >= model.min && delay <= model.max {
			return delay
		}
	}

	return min(max(delay, model.min), model.max)
}
