#!/usr/bin/env bash
# Compiles an AssemblyScript zkos contract: compile.sh <entry.ts> <out.wasm>. The entry must
# import the SDK (assembly/index.ts).
#
# - `--runtime stub`: a bump allocator that never frees (contract calls are short);
# - `--maximumMemory 64`: zkos requires a memory maximum (at most 512 pages);
# - `--disable nontrapping-f2i`: no float instructions are wanted at all;
# - `--use abort=…/zkosAbort`: AssemblyScript's failure hook reverts instead of importing
#   `env.abort`, so the module imports only `zkos` functions;
# - `--transform transform/contract.js`: the contract model (`@contract`, `@event`, `@error`,
#   …; see README.md): generated dispatch, storage layout and the `zkos:abi` section. Sources
#   without a `@contract` class are left as they are;
# - zkos forbids a start function, and the stub runtime initializes its heap pointer in one:
#   asc exports it as `_start`, then binaryen's wasm-ctor-eval (shipped with
#   AssemblyScript) runs it at build time, bakes the result into the global and drops it.
set -euo pipefail
sdk="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -ne 2 ]; then
    echo "usage: $0 <entry.ts> <out.wasm>" >&2
    exit 2
fi
entry="$1"
out="$2"
if [ ! -x "$sdk/node_modules/.bin/asc" ]; then
    (cd "$sdk" && npm ci --no-audit --no-fund)
fi
bin="$sdk/node_modules/.bin"
# The compiler names the SDK's abort hook by the SDK's path relative to the current directory.
rel="$(realpath --relative-to=. "$sdk/assembly/index.ts")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bin/asc" "$entry" -o "$tmp/raw.wasm" \
    --runtime stub -O3z --noAssert \
    --maximumMemory 64 \
    --disable nontrapping-f2i \
    --use "abort=${rel%.ts}/zkosAbort" \
    --transform "$sdk/transform/contract.js" \
    --exportStart _start
mkdir -p "$(dirname "$out")"
"$bin/wasm-ctor-eval" "$tmp/raw.wasm" --ctors=_start \
    --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    -o "$out" >/dev/null
