#!/usr/bin/env bash
# Installs what the zkos build and tests need on a fresh machine: rustup targets and
# components, Debian packages (qemu-riscv64, a RISC-V cross compiler, clang and lld, Node.js if missing), the Python execution
# spec (the reference t8n). Idempotent: does nothing that is already done.
set -euo pipefail

log() { printf '[setup] %s\n' "$*" >&2; }

rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || { log "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown >&2; }
rustup component list --installed | grep -q '^rust-src' || { log "rustup component add rust-src"; rustup component add rust-src >&2; }
for c in clippy rustfmt; do
  rustup component list --installed | grep -q "^$c" || rustup component add "$c" >&2
done

apt_pkgs=()
command -v qemu-riscv64-static >/dev/null 2>&1 || apt_pkgs+=(qemu-user-static)
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || apt_pkgs+=(gcc-riscv64-unknown-elf)
# clang and lld build the C example a second time (examples/native-c: clang for rv64im).
command -v clang-19 >/dev/null 2>&1 || apt_pkgs+=(clang-19)
command -v ld.lld-19 >/dev/null 2>&1 || apt_pkgs+=(lld-19)
# Node.js and npm compile the Solidity test contracts (solc-js, OpenZeppelin) and build the
# AssemblyScript example; the machines have them, a bare one gets Debian's.
command -v node >/dev/null 2>&1 || apt_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_pkgs+=(npm)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  log "apt-get install ${apt_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${apt_pkgs[@]}" >&2
fi

if ! python3 -c 'import ethereum_spec_tools' >/dev/null 2>&1; then
  log "pip install ethereum-execution (reference t8n)"
  python3 -m pip install -q ethereum-execution >&2
fi

command -v cargo-nextest >/dev/null 2>&1 || { log "cargo install cargo-nextest"; cargo install --locked cargo-nextest >&2; }
command -v cargo-fuzz >/dev/null 2>&1 || { log "cargo install cargo-fuzz"; cargo install --locked cargo-fuzz >&2; }

# The Node.js client tests (tests/js: ethers v6, viem, solc-js), run by node/tests/devnet_clients.rs:
# npm ci from the committed lock file, again only when the lock file changed.
js=tests/js
if [ ! -f "$js/node_modules/.package-lock.json" ] || ! cmp -s "$js/package-lock.json" "$js/node_modules/.zkos-installed-lock"; then
  log "npm ci in $js"
  (cd "$js" && npm ci --no-audit --no-fund --loglevel=error >&2 && cp package-lock.json node_modules/.zkos-installed-lock)
fi
