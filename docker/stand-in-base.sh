#!/usr/bin/env bash
# Makes a stand-in for the official Go image (golang:<version>-trixie) from Debian's packages and the
# Go module proxy alone, for machines that reach those registries but not Docker Hub:
#
#   bash docker/stand-in-base.sh [TAG]     # TAG defaults to replay-base:go<version>-trixie
#   docker build --network host --build-arg BASE=replay-base:go1.26.7-trixie -f docker/Dockerfile .
#
# The Go version is the one of the Dockerfile's default base (its "ARG BASE=golang:<version>-trixie"
# line). The image is Debian 13 (trixie, minbase, made by mmdebstrap from deb.debian.org) with what
# the official image adds to it and the Dockerfile uses (ca-certificates, git, curl, gcc, g++,
# libc6-dev, make, pkg-config), Go's toolchain from the module proxy (golang.org/toolchain, checked
# by the go command against sum.golang.org) in /usr/local/go, GOPATH=/go writable by every user,
# and the official image's PATH, GOPATH, GOTOOLCHAIN=local and WORKDIR. The host's own certificate
# authorities (/usr/local/share/ca-certificates/*.crt) are added to the image's, and pip is told to use
# that bundle, so that a build behind a TLS-inspecting proxy reaches PyPI and the module proxy.
#
# Needs root (mmdebstrap), a running Docker daemon, mmdebstrap and Go on the host. An image that
# exists already under TAG is kept: remove it (docker rmi TAG) to make it again. Prints the tag.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -nE 's/^ARG BASE=golang:([0-9][0-9.]*)-trixie$/\1/p' docker/Dockerfile)
if [ -z "$version" ]; then
  echo "stand-in-base: docker/Dockerfile has no 'ARG BASE=golang:<version>-trixie' line" >&2
  exit 1
fi
tag=${1:-replay-base:go$version-trixie}
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi
for tool in docker mmdebstrap go; do
  command -v "$tool" >/dev/null || { echo "stand-in-base: $tool not found" >&2; exit 1; }
done

arch=$(go env GOARCH)
toolchain="golang.org/toolchain@v0.0.1-go$version.linux-$arch"
echo "stand-in-base: Go $version ($toolchain, through $(go env GOPROXY | cut -d, -f1))" >&2
goroot=$(go mod download -json "$toolchain" | sed -nE 's/^[[:space:]]*"Dir": "(.*)",?$/\1/p')
if [ ! -f "$goroot/bin/go" ]; then
  echo "stand-in-base: the module proxy gave no toolchain for $toolchain" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "stand-in-base: Debian trixie from deb.debian.org (mmdebstrap)" >&2
# The hooks run on the host with the new root as $1. The module cache keeps files read-only and not
# executable: the go command itself marks bin/ and pkg/tool/ executable when it switches toolchains.
mmdebstrap --quiet --variant=minbase \
  --include=ca-certificates,git,curl,gcc,g++,libc6-dev,make,pkg-config,netbase \
  --customize-hook="cp -a '$goroot' \"\$1/usr/local/go\" && chmod -R u+w \"\$1/usr/local/go\" && chmod a+x \"\$1\"/usr/local/go/bin/* \"\$1\"/usr/local/go/pkg/tool/*/*" \
  --customize-hook='mkdir -p "$1/go/src" "$1/go/bin" && chmod -R 1777 "$1/go"' \
  --customize-hook='if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" && chroot "$1" update-ca-certificates >/dev/null 2>&1; fi' \
  trixie "$work/rootfs.tar" http://deb.debian.org/debian

docker import \
  --change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV GOPATH=/go' \
  --change "ENV GOLANG_VERSION=$version" \
  --change 'ENV GOTOOLCHAIN=local' \
  --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
  --change 'WORKDIR /go' \
  --change 'CMD ["bash"]' \
  "$work/rootfs.tar" "$tag" >/dev/null
echo "$tag"
