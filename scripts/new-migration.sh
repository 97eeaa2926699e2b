#!/usr/bin/env bash
# Writes prisma/migrations/<timestamp>_<name>/migration.sql for the change to prisma/schema.prisma
# since the last committed migration, with no database and no engine download.
#
# Prisma 7's CLI downloads a native schema engine for `migrate diff`, which offline networks
# refuse. Prisma 6.19 can run the same diff in WebAssembly (engine "js"), so this script installs
# it from the npm registry into a cache folder (once) and asks it for the SQL between the schema
# at the last migration commit and the working copy. Review the SQL, then run `npm test`:
# test/db/schema-match.test.ts proves the migrated database matches the schema.
set -euo pipefail

name=${1:-}
if [[ ! "$name" =~ ^[a-z0-9_]+$ ]]; then
  echo "Cách dùng: scripts/new-migration.sh <ten_thay_doi>   (chữ thường, số, dấu _)" >&2
  exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${LOAXA_PRISMA6_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/loaxa-prisma6}
mkdir -p "$cache"
if [ ! -f "$cache/node_modules/prisma/build/index.js" ]; then
  echo "Cài prisma@6.19.0 vào $cache (một lần)…" >&2
  npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts prisma@6.19.0 @prisma/adapter-pg@6.19.0 >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prisma 6 wants a url in the datasource block; Prisma 7 keeps it in prisma.config.ts.
add_url() { sed 's/^\(  provider *= *"postgresql"\)$/\1\n  url      = "postgresql:\/\/unused"/'; }

last=$(git -C "$root" log -1 --format=%H -- prisma/migrations)
if [ -n "$last" ]; then
  git -C "$root" show "$last:prisma/schema.prisma" | add_url >"$work/old.prisma"
  from=(--from-schema-datamodel "$work/old.prisma")
else
  from=(--from-empty)
fi
add_url <"$root/prisma/schema.prisma" >"$work/new.prisma"

# The engine opens a connection through the adapter even for a schema-to-schema diff; it reads
# nothing and changes nothing there. Any reachable PostgreSQL will do.
diff_url=${LOAXA_DIFF_DATABASE_URL:-postgresql://root@127.0.0.1:5432/postgres}
cat >"$work/prisma.config.ts" <<CFG
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'new.prisma',
  adapter: async () => new PrismaPg({ connectionString: '$diff_url' }),
});
CFG
ln -s "$cache/node_modules" "$work/node_modules"
touch "$work/no-query-engine"

sql=$(cd "$work" && PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING=1 PRISMA_QUERY_ENGINE_LIBRARY="$work/no-query-engine" \
  PRISMA_SCHEMA_ENGINE_BINARY=/bin/true PRISMA_HIDE_UPDATE_MESSAGE=1 \
  node node_modules/prisma/build/index.js migrate diff "${from[@]}" --to-schema-datamodel new.prisma --script)

if ! grep -qv '^\s*\(--.*\)\?$' <<<"$sql"; then
  echo "schema.prisma không đổi so với migration cuối: không tạo migration." >&2
  exit 1
fi
dir="$root/prisma/migrations/$(date -u +%Y%m%d%H%M%S)_$name"
mkdir -p "$dir"
printf '%s\n' "$sql" >"$dir/migration.sql"
echo "Đã tạo $dir/migration.sql — xem lại rồi chạy npm test." >&2
