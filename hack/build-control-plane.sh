#!/usr/bin/env bash
# Builds the pinned upstream control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler) and kwok from their Go modules into a cache outside the checkout, so clean
# clones on the same machine reuse it. Prints the directory holding the binaries.
#
# k8s.io/kubernetes cannot be `go install`ed (its go.mod replaces every staging module with a
# local path), so each component is built from a tiny wrapper module that requires it and
# replaces the staging modules with their matching published v0.x releases.
set -euo pipefail

K8S_VERSION="${AGORA_K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${AGORA_ETCD_VERSION:-v3.6.5}"
KWOK_VERSION="${AGORA_KWOK_VERSION:-v0.8.0}"

CACHE_ROOT="${AGORA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agora}"
BIN_DIR="$CACHE_ROOT/bin/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { echo "[build-control-plane] $*" >&2; }

all_built() {
  local b
  for b in "${BINARIES[@]}"; do [[ -x "$BIN_DIR/$b" ]] || return 1; done
}

if all_built; then
  echo "$BIN_DIR"
  exit 0
fi

# One build at a time per cache: a second caller waits, then finds the binaries built.
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/build.lock"
flock 9
if all_built; then
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null || { log "go is required to build the local control plane (https://go.dev/dl)"; exit 1; }
mkdir -p "$BIN_DIR"
WORK="$(mktemp -d "$CACHE_ROOT/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export GOFLAGS="-mod=mod -trimpath -buildvcs=false"
export CGO_ENABLED=0

build_kubernetes() {
  local dir="$WORK/kubernetes" minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local staging="v0.${K8S_VERSION#v1.}"
  mkdir -p "$dir" && cd "$dir"
  go mod init agora.local/control-plane >/dev/null 2>&1
  go mod edit -require="k8s.io/kubernetes@$K8S_VERSION"
  local gomod
  gomod="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
  local m
  for m in $(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod"); do
    go mod edit -replace="$m=$m@$staging"
  done
  local pkg="k8s.io/component-base/version" cg="k8s.io/client-go/pkg/version"
  local date; date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  local ld="-s -w"
  for p in "$pkg" "$cg"; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  local c
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    [[ -x "$BIN_DIR/$c" ]] && continue
    log "building $c $K8S_VERSION"
    go get "k8s.io/kubernetes/cmd/$c@$K8S_VERSION" 2>"$WORK/go-get.log" || { cat "$WORK/go-get.log" >&2; exit 1; }
    go build -ldflags "$ld" -o "$BIN_DIR/$c.tmp" "k8s.io/kubernetes/cmd/$c"
    mv "$BIN_DIR/$c.tmp" "$BIN_DIR/$c"
  done
}

build_etcd() {
  [[ -x "$BIN_DIR/etcd" ]] && return 0
  local dir="$WORK/etcd"
  mkdir -p "$dir" && cd "$dir"
  go mod init agora.local/etcd >/dev/null 2>&1
  log "building etcd $ETCD_VERSION"
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" 2>"$WORK/go-get.log" || { cat "$WORK/go-get.log" >&2; exit 1; }
  go build -ldflags "-s -w" -o "$BIN_DIR/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$BIN_DIR/etcd.tmp" "$BIN_DIR/etcd"
}

build_kwok() {
  [[ -x "$BIN_DIR/kwok" ]] && return 0
  log "building kwok $KWOK_VERSION"
  GOBIN="$WORK/kwok-bin" go install -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv "$WORK/kwok-bin/kwok" "$BIN_DIR/kwok"
}

start=$(date +%s)
build_etcd
build_kwok
build_kubernetes
log "built in $(( $(date +%s) - start ))s into $BIN_DIR"
echo "$BIN_DIR"
