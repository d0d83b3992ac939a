// Command installpjrt installs the PJRT plugins that github.com/gomlx/go-xla v0.1.4 (the version
// GoMLX v0.26.0 uses) loads: the CPU plugin, and with -cuda the CUDA plugin and its NVIDIA
// libraries. It downloads, so it runs at image build time (docker/setup.sh), never from the library.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/go-xla/pkg/installer"
)

func main() {
	path := flag.String("path", "/usr/local/lib", "library directory; plugins go to PATH/go-xla")
	cuda := flag.Bool("cuda", false, "also install the CUDA plugin (for --gpus all)")
	dryRun := flag.Bool("dry-run", false, "print what would be installed and exit")
	flag.Parse()
	target := filepath.Join(*path, "go-xla")
	fmt.Printf("installpjrt: CPU plugin → %s\n", target)
	if *cuda {
		fmt.Printf("installpjrt: CUDA plugin and NVIDIA libraries → %s\n", target)
	}
	if *dryRun {
		return
	}
	if err := installer.CPUAutoInstall(target, true, installer.Normal); err != nil {
		fmt.Fprintf(os.Stderr, "installpjrt: CPU plugin: %v\n", err)
		os.Exit(1)
	}
	if *cuda {
		if err := installer.CudaInstall("cuda13", "latest", target, true, installer.Normal); err != nil {
			fmt.Fprintf(os.Stderr, "installpjrt: CUDA plugin: %v\n", err)
			os.Exit(1)
		}
	}
}
