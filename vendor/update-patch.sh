#!/usr/bin/env bash
# Regenerate patches/calamine-0.38.0-bounded-reading.patch: the difference between the
# published calamine 0.38.0 (from cargo's registry cache, or fetched with curl) and the
# vendored copy in vendor/calamine. Run from anywhere; apply upstream with `patch -p1`.
set -euo pipefail
cd "$(dirname "$0")/.."
pristine=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/calamine-0.38.0 2>/dev/null | head -1 || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$pristine" ]; then
  curl -sSfL https://static.crates.io/crates/calamine/calamine-0.38.0.crate | tar -xz -C "$tmp"
  pristine="$tmp/calamine-0.38.0"
fi
mkdir -p "$tmp/a" "$tmp/b"
cp -r "$pristine/src" "$tmp/a/"
cp -r vendor/calamine/src "$tmp/b/"
out=patches/calamine-0.38.0-bounded-reading.patch
(cd "$tmp" && git diff --no-index --no-color a b || true) \
  | sed -e 's#^diff --git a/a/#diff --git a/#' -e 's# b/b/# b/#' \
        -e 's#^--- a/a/#--- a/#' -e 's#^+++ b/b/#+++ b/#' > "$out"
echo "wrote $out ($(grep -c '^+++ ' "$out") files)"
