# Sourced by the install_*.sh scripts, which apt-get install what the tests need when it is missing.
# Usage: sudo=$(apt_root) || { echo "why" >&2; exit N; }, then $sudo apt-get ...

export DEBIAN_FRONTEND=noninteractive

# apt_root: prints the prefix that runs apt-get as root: nothing as root, else "sudo"; fails
# when this is not root and has no sudo.
apt_root() {
    if [[ "$(id -u)" == "0" ]]; then
        return 0
    fi
    command -v sudo >/dev/null && echo sudo
}
