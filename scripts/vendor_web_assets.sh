#!/usr/bin/env bash
# Vendor the web app's JavaScript from the npm registry into src/tandem/web/static/vendor/.
# The pages load nothing from the network: these files are shipped inside the package.
# Re-run after changing a version below; it rewrites vendor/ and vendor/VERSIONS.md.
set -euo pipefail

HTMX=2.0.11        # htmx 2: attribute inheritance as the templates use it (htmx 4 changed it)
VEGA=6.4.0
VEGA_LITE=6.4.3
VEGA_EMBED=7.3.0

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/src/tandem/web/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "htmx.org@$HTMX" "vega@$VEGA" "vega-lite@$VEGA_LITE" "vega-embed@$VEGA_EMBED" >/dev/null
for tarball in *.tgz; do
  mkdir "${tarball%.tgz}"
  tar xzf "$tarball" -C "${tarball%.tgz}"
done

rm -rf "$DEST"
mkdir -p "$DEST"
copy() {  # copy PACKAGE_DIR FILE NAME
  cp "$WORK/$1/package/$2" "$DEST/$3"
}
copy "htmx.org-$HTMX" dist/htmx.min.js htmx.min.js
copy "htmx.org-$HTMX" LICENSE htmx.LICENSE
copy "vega-$VEGA" build/vega.min.js vega.min.js
copy "vega-$VEGA" LICENSE vega.LICENSE
copy "vega-lite-$VEGA_LITE" build/vega-lite.min.js vega-lite.min.js
copy "vega-lite-$VEGA_LITE" LICENSE vega-lite.LICENSE
copy "vega-embed-$VEGA_EMBED" build/vega-embed.min.js vega-embed.min.js
copy "vega-embed-$VEGA_EMBED" LICENSE vega-embed.LICENSE

{
  echo "# Vendored web assets"
  echo
  echo "Copied from the npm packages below by \`scripts/vendor_web_assets.sh\`; do not edit."
  echo "The pages load only these local files (no CDN). Vega compiles expressions with"
  echo "\`new Function\` unless told otherwise: under the app's CSP (no 'unsafe-eval') embed charts"
  echo "with \`vegaEmbed(el, spec, {ast: true, expr: vegaEmbed.expressionInterpreter})\`."
  echo
  echo "| file | package | version | licence | sha256 |"
  echo "|---|---|---|---|---|"
  row() {  # row FILE PACKAGE VERSION LICENCE
    echo "| $1 | $2 | $3 | $4 | \`$(sha256sum "$DEST/$1" | cut -c1-16)…\` |"
  }
  row htmx.min.js htmx.org "$HTMX" "0BSD (htmx.LICENSE)"
  row vega.min.js vega "$VEGA" "BSD-3-Clause (vega.LICENSE)"
  row vega-lite.min.js vega-lite "$VEGA_LITE" "BSD-3-Clause (vega-lite.LICENSE)"
  row vega-embed.min.js vega-embed "$VEGA_EMBED" "BSD-3-Clause (vega-embed.LICENSE)"
} > "$DEST/VERSIONS.md"
echo "vendored into $DEST"
