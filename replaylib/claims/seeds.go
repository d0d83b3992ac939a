package claims

import "math/rand/v2"

// Stream names one use of randomness in a reproduction. Every random choice draws from
// Seed(run, stream, parts…), so the streams are independent of each other and of the order in
// which work runs (a sharded run gets the same numbers as an unsharded one).
type Stream uint64

// The seed streams of a reproduction.
const (
	// StreamWeights seeds the initial weights of network m of a task (the same for every α,
	// learning rate and masking k: conditions are compared on the same networks' starting points).
	StreamWeights Stream = iota + 1
	// StreamTrainData seeds the training batches of network m (same across conditions, as above).
	StreamTrainData
	// StreamTrainNoise seeds the hidden-state noise during training of network m (same across
	// conditions).
	StreamTrainNoise
	// StreamHeldOut draws the held-out paths along which replay starts are taken (per network).
	StreamHeldOut
	// StreamStartTimes draws the times along those paths (per network).
	StreamStartTimes
	// StreamReplayNoise seeds the replay noise of network m, shared by all its variants (common
	// random numbers: variants are compared chain by chain under the same noise).
	StreamReplayNoise
	// StreamReference draws the training positions replay is compared with (per task).
	StreamReference
	// StreamFloor draws a second, disjoint sample of training positions for the W1 floor, and the
	// floor's subsamples (per task).
	StreamFloor
	// StreamSubsample draws the subsamples of the exact W1 (per network and variant), and also the
	// rate-space subsamples and random directions of the sliced W1.
	StreamSubsample
	// StreamBootstrap draws the bootstrap resamples (per claim check).
	StreamBootstrap
	// StreamUntrained seeds the weights of the untrained reference network (per network).
	StreamUntrained
	// StreamProjections is reserved for the random directions of the sliced W1 in rate space;
	// nothing draws from it at present (StreamSubsample does).
	StreamProjections
)

// Seed derives a 64-bit seed from the run's seed, a stream and further parts (task index,
// network index, …) with the SplitMix64 finaliser.
func Seed(run uint64, s Stream, parts ...uint64) uint64 {
	h := mix(run ^ 0x9e3779b97f4a7c15)
	h = mix(h ^ uint64(s))
	for _, p := range parts {
		h = mix(h ^ p)
	}
	return h
}

// RNG is a generator seeded with Seed(run, s, parts…).
func RNG(run uint64, s Stream, parts ...uint64) *rand.Rand {
	return rand.New(rand.NewPCG(Seed(run, s, parts...), uint64(s)))
}

func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// taskIndex is a stable number for a task name (a hash of its letters).
func taskIndex(name string) uint64 {
	h := uint64(0)
	for _, c := range name {
		h = h*131 + uint64(c)
	}
	return h
}
