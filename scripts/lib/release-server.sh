# Sourced by the scripts that measure the deployable binary: seeds a scratch SQLite shop
# and serves it on a free loopback port. Sets $site (its URL) and $server (its pid), and
# stops it on exit. Needs $BIN; the array serve_env (VAR=value items), if set, is the
# server's extra environment.
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
site="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$work/shop.db?mode=rwc" LEPTOS_SITE_ADDR="127.0.0.1:$port" SITE_URL="$site" \
  MAIL_DIR="$work/mail" MEDIA_DIR="$work/media" LEPTOS_SITE_ROOT="$work/no-site" WORKERS=1 \
  RUST_LOG=warn
"$BIN" seed >/dev/null
env "${serve_env[@]}" "$BIN" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "$site/healthz" >/dev/null && break; sleep 0.1; done
curl -fs "$site/healthz" >/dev/null || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
# A product page's path, for whoever needs one.
product=$(curl -fs "$site/api/v1/products?per_page=1" |
  python3 -c 'import json,sys; p=json.load(sys.stdin)["items"][0]; print("/product/%s/%s" % (p["id"], p["slug"]))')
# `cargo bench` and `cargo build --release` rebuild target/release/fullstack-ws without the
# site's files; measuring that binary would measure 404s.
if ! curl -fs "$site/" | grep -q '/pkg/[0-9a-f]\{12\}/'; then
  echo "$BIN does not carry the site's files (pages do not load /pkg/<version>/): run scripts/release" >&2
  exit 1
fi
