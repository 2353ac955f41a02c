#!/usr/bin/env bash
# Installs code-server (a real VS Code 1.100.3 served to a browser) into .vscode-test/code-server.
# Recipe and the reasons for each workaround: /work/shared/notes/real-vscode.md.
set -euo pipefail

VERSION=4.100.3
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/.vscode-test/code-server"
CS="$DEST/node_modules/code-server"
STAMP="$DEST/.installed-$VERSION"
LOG="$ROOT/.vscode-test/install-vscode.log"
PKGS=(chromium build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep fonts-noto-color-emoji)

# ~/.npmrc may say yes=false, which makes node-pty's `npx node-gyp` fail.
export npm_config_yes=true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# Even --version writes a config file and logs under XDG dirs (and says so on stdout).
version() {
  XDG_CONFIG_HOME="$DEST/.xdg" XDG_DATA_HOME="$DEST/.xdg" node "$CS/out/node/entry.js" --version 2>&1
}
works() {
  [ -f "$STAMP" ] && version | grep -q "^$VERSION "
}

if [ ${#missing[@]} -eq 0 ] && works; then
  echo "code-server $VERSION already installed in $DEST"
  exit 0
fi

if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install-vscode: missing Debian packages: ${missing[*]}" >&2
  echo "run as root:  apt-get update && apt-get install -y ${PKGS[*]}" >&2
  exit 1
fi

mkdir -p "$DEST"
: >"$LOG"

step() {
  local what="$1"; shift
  printf '  %s ... ' "$what"
  if (echo "### $what: $*"; "$@") >>"$LOG" 2>&1; then
    echo ok
  else
    echo FAILED
    echo "install-vscode: '$what' failed; see $LOG" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  step "apt-get update" apt-get update
  step "apt-get install" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PKGS[@]}"
fi

if works; then
  echo "code-server $VERSION already installed in $DEST"
  exit 0
fi

echo "installing code-server $VERSION into $DEST (log: $LOG)"
rm -f "$STAMP"
# npm 11 runs a dependency's install scripts only when package.json's allowScripts lists it
# (--allow-scripts is refused inside a project).
echo '{"private":true,"allowScripts":{"argon2":true}}' >"$DEST/package.json"
# Its postinstall wants --unsafe-perm (gone in npm 11), so do its steps by hand below.
step "npm install code-server" npm install --prefix "$DEST" --no-save --ignore-scripts "code-server@$VERSION"
step "rebuild argon2" npm rebuild --prefix "$DEST" argon2

VS="$CS/lib/vscode"
# The native modules VS Code needs on Linux; the windows-* ones stay skipped.
node -e '
  const f = process.argv[1], p = JSON.parse(require("fs").readFileSync(f, "utf8"));
  p.allowScripts = Object.fromEntries(process.argv.slice(2).map((n) => [n, true]));
  require("fs").writeFileSync(f, JSON.stringify(p, null, 2));
' "$VS/package.json" kerberos native-watchdog node-pty @parcel/watcher @vscode/deviceid @vscode/spdlog @vscode/ripgrep
step "npm install lib/vscode" npm install --prefix "$VS" --omit=dev --ignore-scripts
# With bin/rg present, @vscode/ripgrep's postinstall skips its GitHub download.
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
ln -sfn "$(command -v rg)" "$VS/node_modules/@vscode/ripgrep/bin/rg"
step "rebuild lib/vscode native modules" npm rebuild --prefix "$VS"
rm -rf "$VS/node_modules.asar"
ln -s node_modules "$VS/node_modules.asar"
ln -sfn code-linux.sh "$VS/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$VS/bin/helpers/browser.sh"
step "npm install built-in extensions" npm install --prefix "$VS/extensions" --omit=dev

if version | tee -a "$LOG" | grep -q "^$VERSION "; then
  touch "$STAMP"
  echo "code-server $VERSION ready"
else
  echo "install-vscode: code-server does not start; see $LOG" >&2
  exit 1
fi
