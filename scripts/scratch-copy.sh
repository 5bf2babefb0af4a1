#!/usr/bin/env bash
# Copy the project (files git knows about, including new unignored ones) into DIR, so a developer
# can build there without touching this tree's _build: EVALKIT_ROOT=DIR .venv/bin/evalkit build
set -euo pipefail
target=${1:?usage: scripts/scratch-copy.sh DIR}
cd "$(dirname "$0")/.."
mkdir -p "$target"
git ls-files -co --exclude-standard | while IFS= read -r name; do
  [ -f "$name" ] || continue
  mkdir -p "$target/$(dirname "$name")"
  cp -p "$name" "$target/$name"
done
echo "$target"
