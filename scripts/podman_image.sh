#!/usr/bin/env bash
# Build deploy/Dockerfile with Debian's podman, on a machine that reaches Debian's, PyPI's and npm's
# registries but no container registry (this project's machines).
#
#   scripts/podman_image.sh [CONTEXT_DIR] [TAG]     (defaults: the repository root, localhost/pay:local)
#
# The official base images (node:20-bookworm-slim, python:3.11-slim-bookworm) cannot be pulled here,
# so stand-ins are built first from Debian's own packages: a bookworm root filesystem made by
# debootstrap, imported once as localhost/pay-debian:bookworm, then deploy/local-bases/*.Containerfile
# (Debian's Python 3.11 and nodejs/npm). Where Docker Hub is reachable, build the Dockerfile as it is.
#
# This machine's kernel setup needs three podman options: runc (crun refuses the hybrid cgroup
# layout), ulimits no higher than the shell's own (no CAP_SYS_RESOURCE), and `--format docker`
# (the OCI image format has no HEALTHCHECK). The build reaches the registries with --network=host.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
context="$(cd "${1:-$root}" && pwd)"
tag="${2:-localhost/pay:local}"
# Debian's podman, runc and debootstrap, installed when missing (root or sudo needed only then).
missing=()
for tool in podman runc debootstrap; do command -v "$tool" >/dev/null || [[ -x "/usr/sbin/$tool" ]] || missing+=("$tool"); done
if [[ ${#missing[@]} -gt 0 ]]; then
    sudo=""; [[ "$(id -u)" == "0" ]] || sudo="sudo"
    echo "podman_image: installing ${missing[*]} (apt-get)" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || {
        echo "podman_image: could not install ${missing[*]}" >&2; exit 1; }
fi

podman=(podman --runtime "${PODMAN_RUNTIME:-runc}")
limits=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
build=("${podman[@]}" build --network=host --format docker "${limits[@]}")
# The registries may be reached through a TLS proxy that only this machine's CA bundle trusts:
# the build's steps see that bundle (mounted read-only) and npm, pip and uv are told to use it.
ca=/etc/ssl/certs/ca-certificates.crt
trust=(-v "$ca:$ca:ro" --env "NODE_EXTRA_CA_CERTS=$ca" --env "SSL_CERT_FILE=$ca" --env "PIP_CERT=$ca")

if ! "${podman[@]}" image exists localhost/pay-debian:bookworm; then
    rootfs="$(mktemp -d)"
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >&2
    tar -C "$rootfs" -c . | "${podman[@]}" import - localhost/pay-debian:bookworm >/dev/null
fi
for base in python node; do
    if ! "${podman[@]}" image exists "localhost/pay-$base:bookworm"; then
        "${build[@]}" -t "localhost/pay-$base:bookworm" -f "$root/deploy/local-bases/$base.Containerfile" "$root/deploy/local-bases"
    fi
done

"${build[@]}" "${trust[@]}" -t "$tag" -f "$context/deploy/Dockerfile" \
    --build-arg NODE_IMAGE=localhost/pay-node:bookworm \
    --build-arg PYTHON_IMAGE=localhost/pay-python:bookworm \
    "$context"
echo "podman_image: built $tag from $context"
