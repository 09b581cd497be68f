#!/usr/bin/env bash
# Unpacks the execution-spec-tests fixtures of ../shared/fixtures/eest (Prague and Osaka
# state and blockchain tests) into target/eest, once per archive: a stamp holding the
# archive's checksum tells whether the unpacked copy is current. Never into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
src=../shared/fixtures/eest
dest=target/eest
mkdir -p "$dest"
for fork in prague osaka; do
  archive="$src/$fork.tar.gz"
  if [ ! -f "$archive" ]; then
    echo "unpack-eest: $archive is missing (../shared must sit beside the repository)" >&2
    exit 1
  fi
  sum=$(sha256sum "$archive" | cut -d' ' -f1)
  stamp="$dest/$fork.stamp"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -d "$dest/$fork" ]; then
    continue
  fi
  rm -rf "${dest:?}/$fork" "$stamp"
  tar xzf "$archive" -C "$dest"
  echo "$sum" > "$stamp"
  echo "unpack-eest: $fork fixtures in $dest/$fork" >&2
done
