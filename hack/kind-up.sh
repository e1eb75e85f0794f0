#!/usr/bin/env bash
# Try Agora on kind: create the cluster from kind-config.yaml (if it is not there yet), build the
# controller image, load it into the cluster's nodes, and helm-install the chart.
#
#   hack/kind-up.sh                      # cluster "agora", image agora:dev, release agora in agora-system
#   EXAMPLES=1 hack/kind-up.sh           # also install charts/agora-examples into namespace default
#   CLUSTER=mine IMAGE=agora:try hack/kind-up.sh
#
# Needs docker (or podman with KIND_EXPERIMENTAL_PROVIDER=podman), kind, kubectl and helm on PATH.
# Remove everything with: kind delete cluster --name agora
set -euo pipefail

CLUSTER=${CLUSTER:-agora}
IMAGE=${IMAGE:-agora:dev}
NAMESPACE=${NAMESPACE:-agora-system}
RELEASE=${RELEASE:-agora}
GPUS=${GPUS:-4}
EXAMPLES=${EXAMPLES:-0}

cd "$(dirname "$0")/.."

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "kind-up: $tool is not on PATH" >&2; exit 1; }
done

if kind get clusters | grep -qx "$CLUSTER"; then
  echo "kind-up: reusing kind cluster $CLUSTER"
else
  kind create cluster --name "$CLUSTER" --config kind-config.yaml --wait 120s
fi
CONTEXT="kind-$CLUSTER"

echo "kind-up: building $IMAGE"
docker build -t "$IMAGE" .
# IfNotPresent + a loaded image: the nodes never try to pull it from a registry.
kind load docker-image "$IMAGE" --name "$CLUSTER"

# The GPU worker has no real GPUs: advertise fake ones the way a device plugin would, through the
# node status (the kubelet keeps extended resources it does not manage).
for node in $(kubectl --context "$CONTEXT" get nodes -l agora.dev/gpu=true -o name); do
  kubectl --context "$CONTEXT" patch "$node" --subresource=status --type=json \
    -p "[{\"op\":\"add\",\"path\":\"/status/capacity/nvidia.com~1gpu\",\"value\":\"$GPUS\"}]"
done

helm upgrade --install "$RELEASE" charts/agora \
  --kube-context "$CONTEXT" --namespace "$NAMESPACE" --create-namespace \
  --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" --set image.pullPolicy=IfNotPresent \
  --wait --timeout 5m

if [ "$EXAMPLES" = 1 ]; then
  helm upgrade --install agora-examples charts/agora-examples --kube-context "$CONTEXT" --namespace default
fi

cat <<MSG
kind-up: Agora is running on kind cluster $CLUSTER (context $CONTEXT).
  kubectl --context $CONTEXT get nodes -L agora.dev/pool,agora.dev/gpu
  kubectl --context $CONTEXT -n $NAMESPACE get pods
  helm install agora-examples charts/agora-examples --kube-context $CONTEXT -n default
  kubectl --context $CONTEXT get frameworks -A -w
MSG
