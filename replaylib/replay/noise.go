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
