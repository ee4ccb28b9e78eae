// The shell scripts `jada install`, `jada upgrade` and `jada tokens push` run on the host, one
// per step, over the ephemeral SSH access. POSIX sh only (dash on Ubuntu). Every value put into a
// script is quoted here; secrets and files never are: they travel on the script's stdin.
//
// Layout on the host (all under $JADA_INSTALL_ROOT when the host sets it, for image builds and
// tests):
//   /opt/jada/versions/<version>/node_modules/@jada/daemon   one directory per installed version
//   /opt/jada/current -> versions/<version>                   what the unit runs
//   /opt/jada/node                                            Node 24, when the host had none
// The unit names /opt/jada/current, so an upgrade and a rollback are one symlink and a restart.
import { shellQuote } from "@jada/lightsail-health";

/** The daemon's package. */
export const DAEMON_PACKAGE = "@jada/daemon";
/** The CLI inside a version directory. */
export const CLI_IN_VERSION = "node_modules/@jada/daemon/dist/cli.js";
/** The oldest Node the daemon runs on; older or missing means Node 24 is installed. */
export const MINIMUM_NODE = [22, 12] as const;

// Every script starts here: where things are, and how to act as root (Lightsail's `ubuntu` user
// has passwordless sudo; root needs none).
const PREAMBLE = `set -eu
ROOT="\${JADA_INSTALL_ROOT:-}"
BASE="$ROOT/opt/jada"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
if [ -x "$BASE/node/bin/node" ]; then NODE="$BASE/node/bin/node"; else NODE="$(command -v node || true)"; fi
`;

const script = (body: string) => `${PREAMBLE}${body}`;

/** What the host has: `key=value` lines (see {@link parseFacts}). */
export function probeScript(): string {
  return script(`echo "uid=$(id -u)"
echo "arch=$(uname -m)"
echo "root=$ROOT"
if [ "$(id -u)" = 0 ]; then echo "sudo=root"; elif sudo -n true 2>/dev/null; then echo "sudo=yes"; else echo "sudo=no"; fi
echo "node=$NODE"
if [ -n "$NODE" ]; then echo "nodeVersion=$("$NODE" -p process.versions.node 2>/dev/null || true)"; fi
current="$(readlink "$BASE/current" 2>/dev/null || true)"
echo "current=\${current#versions/}"
echo "versions=$(ls "$BASE/versions" 2>/dev/null | grep -v '^\\.' | tr '\\n' ' ')"
`);
}

/**
 * Installs Node 24 into /opt/jada/node from the official builds (`dist`, default nodejs.org),
 * checked against the release's SHASUMS256.txt; nothing replaces a working Node until the new
 * one runs.
 */
export function installNodeScript(dist: string): string {
  return script(`case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "no Node build for $(uname -m)" >&2; exit 3 ;;
esac
url=${shellQuote(dist.replace(/\/+$/, ""))}/latest-v24.x
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
curl -fsSL "$url/SHASUMS256.txt" -o "$tmp/SHASUMS256.txt"
file="$(grep -o "node-v24[.0-9]*-linux-$arch.tar.gz" "$tmp/SHASUMS256.txt" | head -n 1)"
[ -n "$file" ] || { echo "no linux-$arch build in $url/SHASUMS256.txt" >&2; exit 3; }
curl -fsSL "$url/$file" -o "$tmp/$file"
(cd "$tmp" && grep " $file\\$" SHASUMS256.txt | sha256sum -c - >/dev/null) || { echo "$file does not match its SHA-256 in SHASUMS256.txt" >&2; exit 3; }
mkdir "$tmp/x" && tar -xzf "$tmp/$file" -C "$tmp/x" --strip-components=1
"$tmp/x/bin/node" --version >/dev/null
$SUDO mkdir -p "$BASE"
$SUDO rm -rf "$BASE/node.new"
$SUDO cp -a "$tmp/x" "$BASE/node.new"
$SUDO rm -rf "$BASE/node"
$SUDO mv -T "$BASE/node.new" "$BASE/node"
"$BASE/node/bin/node" --version
`);
}

// npm with the host's Node first on PATH (npm's shebang is `env node`).
const NPM = `env PATH="$(dirname "$NODE"):$PATH" npm`;

/** The exact version a spec (`latest`, `0.2`, `0.2.1`) names in the registry, as JSON. */
export function resolveVersionScript(spec: string, registry: string | undefined): string {
  return script(
    `${NPM} view ${shellQuote(`${DAEMON_PACKAGE}@${spec}`)} version --json${registryFlag(registry)}\n`,
  );
}

/**
 * Installs one version into versions/<dir> unless it is there: npm into a hidden directory
 * first, renamed into place when complete, so a failed install never becomes a version.
 * `specs` are registry specs or absolute paths of uploaded tarballs.
 */
export function installVersionScript(
  dir: string,
  specs: string[],
  registry: string | undefined,
): string {
  const target = `"$BASE/versions/"${shellQuote(dir)}`;
  return script(`if [ -f ${target}/${CLI_IN_VERSION} ]; then echo present; exit 0; fi
[ -n "$NODE" ] || { echo "no node on this host" >&2; exit 3; }
$SUDO mkdir -p "$BASE/versions"
tmp="$($SUDO mktemp -d "$BASE/versions/.partial.XXXXXX")"
trap '[ -z "$tmp" ] || $SUDO rm -rf "$tmp"' EXIT
$SUDO chmod 755 "$tmp"
$SUDO ${NPM} install --prefix "$tmp" --omit=dev --no-audit --no-fund --loglevel=error${registryFlag(registry)} ${specs.map(shellQuote).join(" ")} >&2
$SUDO mv -T "$tmp" ${target}
tmp=""
echo installed
`);
}

/** Writes stdin to uploads/<name> (a tarball of `--from-tarball`); prints its absolute path. */
export function uploadScript(name: string): string {
  if (!/^[\w.@-]+$/.test(name)) throw new Error(`not a file name for an upload: ${name}`);
  return script(`$SUDO mkdir -p "$BASE/uploads"
$SUDO sh -c 'cat > "$1"' sh "$BASE/uploads/"${shellQuote(name)}
echo "$BASE/uploads/"${shellQuote(name)}
`);
}

/** Removes what the uploads left. */
export function cleanUploadsScript(): string {
  return script(`$SUDO rm -rf "$BASE/uploads"\n`);
}

/** Points `current` at versions/<dir>: a new symlink renamed over the old one (atomic). */
export function switchScript(dir: string): string {
  return script(`[ -f "$BASE/versions/"${shellQuote(dir)}/${CLI_IN_VERSION} ] || { echo "version ${dir} is not installed" >&2; exit 3; }
$SUDO ln -sfn "versions/"${shellQuote(dir)} "$BASE/.current.new"
$SUDO mv -T "$BASE/.current.new" "$BASE/current"
`);
}

/**
 * `jada service install` of the current version, as root, with the payload (config and secrets)
 * on stdin. The unit names paths as the system sees them (without $JADA_INSTALL_ROOT).
 */
export function serviceInstallScript(user: string): string {
  return script(`[ -n "$NODE" ] || { echo "no node on this host" >&2; exit 3; }
$SUDO "$NODE" "$BASE/current/${CLI_IN_VERSION}" service install --payload-stdin --json \\
  --node "\${NODE#"$ROOT"}" --cli "\${BASE#"$ROOT"}/current/${CLI_IN_VERSION}" --user ${shellQuote(user)} \${ROOT:+--root "$ROOT"}
`);
}

/**
 * Removes installed versions beyond the newest `keep` (by install time), never `current` nor
 * `previous` (the one a rollback needs). Prints each removed version.
 */
export function pruneScript(keep: number, current: string, previous: string | undefined): string {
  return script(`cd "$BASE/versions" || exit 0
kept=0
for version in $(ls -1t | grep -v '^\\.'); do
  if [ "$version" = ${shellQuote(current)} ] || [ "$version" = ${shellQuote(previous ?? current)} ]; then continue; fi
  kept=$((kept + 1))
  if [ "$kept" -le ${Math.max(0, keep - (previous && previous !== current ? 2 : 1))} ]; then continue; fi
  $SUDO rm -rf -- "$BASE/versions/$version"
  echo "$version"
done
`);
}

/** Restarts the service. */
export function restartScript(unit: string): string {
  return script(`$SUDO systemctl restart ${shellQuote(unit)}\n`);
}

/**
 * Waits until systemd says the service is active (running): with `Type=notify` that is the
 * daemon's READY=1. Stops early when the unit failed or is waiting to restart. Prints `state=`
 * (ready, failed, timeout) and systemd's properties; on a failure, the journal's last lines.
 */
export function waitReadyScript(unit: string, timeoutSeconds: number): string {
  const u = shellQuote(unit);
  return script(`i=0
state=timeout
while [ "$i" -lt ${Math.max(1, Math.ceil(timeoutSeconds))} ]; do
  show="$(systemctl show ${u} -p ActiveState,SubState,Result,NRestarts,StatusText --no-pager)"
  active="$(printf '%s\\n' "$show" | sed -n 's/^ActiveState=//p')"
  sub="$(printf '%s\\n' "$show" | sed -n 's/^SubState=//p')"
  if [ "$active" = active ] && [ "$sub" = running ]; then state=ready; break; fi
  if [ "$active" = failed ] || [ "$sub" = auto-restart ]; then state=failed; break; fi
  i=$((i + 1))
  sleep 1
done
echo "state=$state"
printf '%s\\n' "$show"
if [ "$state" != ready ]; then
  echo "@@journal"
  journalctl -u ${u} -n 15 -o cat --no-pager 2>/dev/null || true
fi
`);
}

/**
 * Runs a jada command of the current version on the host as the service user (files it writes
 * are the daemon's), with the installed config; stdin is passed on.
 */
export function asServiceUserScript(user: string, args: string[]): string {
  return script(`[ -e "$BASE/current" ] || { echo "jada is not installed on this host: run jada install first" >&2; exit 3; }
$SUDO runuser -u ${shellQuote(user)} -- "$NODE" "$BASE/current/${CLI_IN_VERSION}" --config "$ROOT/etc/jada/jada.config.json" ${args.map(shellQuote).join(" ")}
`);
}

/** What a command on the host said: its last `count` lines (stderr, else stdout), one line. */
export function lastLines(result: { stdout: string; stderr: string }, count: number): string {
  return (result.stderr || result.stdout)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-count)
    .join("; ");
}

/** `key=value` lines as a record (the first `=` splits). */
export function parseFacts(text: string): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) facts[line.slice(0, at)] = line.slice(at + 1);
  }
  return facts;
}

function registryFlag(registry: string | undefined): string {
  return registry === undefined ? "" : ` --registry ${shellQuote(registry)}`;
}
