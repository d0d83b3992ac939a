package replay

import (
	"math/rand/v2"
	"runtime"
	"sync"
)

// chainNoise draws the replay noise ξ_t on the host, each chain from its own random stream
// (PCG seeded by the run's seed and the chain's index, Go's ziggurat normals). A chain's noise
// therefore depends only on (seed, chain, step): not on how many chains run beside it, on
// StepsPerCall, on the cell's values (common random numbers across variants) or on the backend
// (XLA and pure Go replay the same noise). Drawing on the host is also faster than XLA's CPU
// random-bit generator, and the next call's noise is drawn while the current call runs.
type chainNoise struct {
	streams []*rand.Rand
	hidden  int
}

func newChainNoise(seed uint64, chains, hidden int) *chainNoise {
	n := &chainNoise{streams: make([]*rand.Rand, chains), hidden: hidden}
	for c := range n.streams {
		n.streams[c] = rand.New(rand.NewPCG(seed, noiseStream^uint64(c)))
	}
	return n
}

// noiseStream separates the replay-noise streams from other uses of the same seed.
const noiseStream = 0x6e6f697365 << 24

// fill writes k steps of noise into buf, laid out [k, chains, hidden]; chains are split between
// goroutines.
func (n *chainNoise) fill(buf []float32, k int) {
	C, N := len(n.streams), n.hidden
	workers := min(runtime.GOMAXPROCS(0), C)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := w; c < C; c += workers {
				r := n.streams[c]
				for t := range k {
					row := buf[(t*C+c)*N : (t*C+c+1)*N]
					for j := range row {
						row[j] = float32(r.NormFloat64())
					}
				}
			}
		}()
	}
	wg.Wait()
}

// noiseSource writes k steps of noise for all chains of a run, laid out [k, chains, hidden].
type noiseSource interface {
	fill(buf []float32, k int)
}

// sharedNoise is the noise of a batch's members: one chainNoise per seed, as wide as the widest
// member with that seed, whose first chains each member of that seed copies. A member's noise is
// thus the noise it draws alone, and members of one seed draw it once.
type sharedNoise struct {
	sources []*chainNoise
	buffers [][]float32
	parts   []noisePart
	chains  int
	hidden  int
}

// noisePart is one member's share: chains [offset, offset+chains) of the batch copy the first
// chains of sources[source].
type noisePart struct {
	source, offset, chains int
}

func newSharedNoise(members []Member, offsets []int, hidden int) *sharedNoise {
	n := &sharedNoise{hidden: hidden}
	bySeed := map[uint64]int{}
	width := map[uint64]int{}
	for _, m := range members {
		width[m.Config.Seed] = max(width[m.Config.Seed], m.Config.Chains)
	}
	for i, m := range members {
		seed := m.Config.Seed
		s, ok := bySeed[seed]
		if !ok {
			s = len(n.sources)
			bySeed[seed] = s
			n.sources = append(n.sources, newChainNoise(seed, width[seed], hidden))
			n.buffers = append(n.buffers, nil)
		}
		n.parts = append(n.parts, noisePart{source: s, offset: offsets[i], chains: m.Config.Chains})
		n.chains += m.Config.Chains
	}
	return n
}

func (n *sharedNoise) fill(buf []float32, k int) {
	N := n.hidden
	for s, src := range n.sources {
		size := k * len(src.streams) * N
		if len(n.buffers[s]) != size {
			n.buffers[s] = make([]float32, size)
		}
		src.fill(n.buffers[s], k)
	}
	for _, p := range n.parts {
		src, width := n.buffers[p.source], len(n.sources[p.source].streams)
		for t := range k {
			copy(buf[(t*n.chains+p.offset)*N:(t*n.chains+p.offset+p.chains)*N], src[t*width*N:(t*width+p.chains)*N])
		}
	}
}
