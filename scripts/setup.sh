#!/usr/bin/env bash
# Installs what the build and tests need, and only what is missing: quick when all is there.
# Usage: scripts/setup.sh [browser] [conformance] [consumers] [fuzz]
#   browser      also installs Debian's chromium for the browser tests
#   conformance  also installs schemathesis (PyPI) into target/venv
#   consumers    also installs the consumer matrix's runtimes and bundlers (Node 18-26, Deno,
#                Bun, workerd, Vite, webpack, esbuild, Next.js) into target/consumers
#   fuzz         also installs cargo-fuzz (crates.io), for `make fuzz` and `make fuzz-canary`
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
SCHEMATHESIS_VERSION=4.32.5
TWIGGY_VERSION=0.8.0
CARGO_DENY_VERSION=0.20.2
CARGO_FUZZ_VERSION=0.13.2

# The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The standard library's source: the release wasm rebuilds std for size (Makefile, build).
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "adding the rust-src component"
  rustup component add rust-src
fi

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found '${have:-none}'); this takes several minutes once"
  # --locked first (reproducible). Its lockfile pins versions the index has since yanked (the
  # 0.2.130 CLI's webpki-roots, for one), so that attempt can fail: its output goes to a log and
  # one line says why before the dependencies are resolved afresh.
  log=$(mktemp)
  if ! cargo install wasm-bindgen-cli --version "$want" --locked --quiet 2>"$log"; then
    why=$({ grep -m1 '^error' "$log" || tail -n1 "$log"; } | cut -c1-160)
    say "the locked install failed ($why); resolving its dependencies afresh instead"
    cargo install wasm-bindgen-cli --version "$want" --force --quiet
  fi
  rm -f "$log"
fi

# The supply-chain check (licenses, bans, sources) of the crate's dependency tree.
if ! cargo deny --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
  say "installing cargo-deny $CARGO_DENY_VERSION (about two minutes, once)"
  cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked --quiet
fi

# Build and test tools from npm (binaryen for wasm-opt, esbuild, typescript, playwright-core...),
# exactly as package-lock.json pins them.
if [ ! -f node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

args=" $* "

if [[ "$args" == *" conformance "* ]] && ! target/venv/bin/schemathesis --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  say "installing schemathesis $SCHEMATHESIS_VERSION into target/venv"
  python3 -m venv target/venv
  target/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# cargo-fuzz drives libFuzzer; it runs on the stable toolchain with RUSTC_BOOTSTRAP=1
# (scripts/fuzz.mjs), so no nightly toolchain is installed.
if [[ "$args" == *" fuzz "* ]] && ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION (about two minutes, once)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
fi

if [[ "$args" == *" bench "* ]] && ! command -v twiggy >/dev/null; then
  say "installing twiggy (the wasm size profiler) for the benchmark"
  cargo install twiggy --version "$TWIGGY_VERSION" --locked --quiet
fi

# The consumer matrix's tools, from their committed lockfile: about 1.5 GB once, then cached.
tools=tests/consumers/tools
if [[ "$args" == *" consumers "* ]] && { [ ! -f target/consumers/node_modules/.package-lock.json ] ||
   [ $tools/package-lock.json -nt target/consumers/node_modules/.package-lock.json ]; }; then
  say "installing the consumer matrix's runtimes and bundlers into target/consumers (npm ci)"
  mkdir -p target/consumers
  cp $tools/package.json $tools/package-lock.json target/consumers/
  (cd target/consumers && npm ci --no-audit --no-fund --loglevel=error)
fi

if [[ "$args" == *" browser "* ]] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium >/dev/null
fi
exit 0
