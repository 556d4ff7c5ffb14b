#!/usr/bin/env bash
# A stand-in for Volatility 3's "vol", used only by Casefile's local
# forensic host when the machine has no Volatility (Debian does not package
# it) and the dump is a generated one that real plugins could not walk.
#
# It checks the arguments the memory script gives it as Volatility would
# need them for an offline run: quiet, the JSON renderer, one symbol folder
# holding exactly one table, a dump that is a non-empty regular file,
# --offline, a cache folder, and one known Linux or Windows plugin. A
# wrong argument exits 2 with the reason on stderr, so the case fails with
# VOLATILITY_FAILED instead of passing. A right call prints one JSON row
# that says what was checked (never an invented process or connection), so
# that the memory script's own checks (hash, format, banner, symbol table),
# results, manifest and upload run for real.
set -eu -o pipefail

usage_error() {
	echo "vol stand-in: $*" >&2
	exit 2
}

quiet=false renderer="" symbols="" dump="" offline=false cache="" plugin=""
while [[ $# -gt 0 ]]; do
	case $1 in
	-h | --help)
		echo "Casefile local stand-in for Volatility 3, version 0.0.0: checks its arguments, reports no findings"
		echo "usage: vol [-h] [-q] [-r RENDERER] [-s SYMBOL_DIRS] [-f FILE] [--offline] [--cache-path CACHE_PATH] plugin ..."
		exit 0
		;;
	-q) quiet=true; shift ;;
	-r) [[ $# -ge 2 ]] || usage_error "-r needs a value"; renderer=$2; shift 2 ;;
	-s) [[ $# -ge 2 ]] || usage_error "-s needs a value"; symbols=$2; shift 2 ;;
	-f) [[ $# -ge 2 ]] || usage_error "-f needs a value"; dump=$2; shift 2 ;;
	--offline) offline=true; shift ;;
	--cache-path) [[ $# -ge 2 ]] || usage_error "--cache-path needs a value"; cache=$2; shift 2 ;;
	-*) usage_error "unknown option $1" ;;
	*) [[ -z $plugin ]] || usage_error "one plugin per run, got $plugin and $1"; plugin=$1; shift ;;
	esac
done

[[ $quiet == true ]] || usage_error "-q is missing"
[[ $renderer == json ]] || usage_error "-r must be json, got '$renderer'"
[[ $offline == true ]] || usage_error "--offline is missing: a forensic run must not download symbols"
[[ -n $cache ]] || usage_error "--cache-path is missing"
[[ -d $symbols ]] || usage_error "-s must name a symbol folder, got '$symbols'"
tables=$(find "$symbols" -type f -name '*.json.xz' | wc -l)
[[ $tables -eq 1 ]] || usage_error "the symbol folder must hold exactly one table, it holds $tables"
[[ -f $dump && -r $dump && -s $dump ]] || usage_error "-f must name a non-empty readable dump, got '$dump'"
case $plugin in
linux.pslist | linux.pstree | linux.psaux | linux.lsmod | linux.check_modules | linux.bash | linux.sockstat | \
	linux.lsof | linux.malfind | windows.pslist | windows.pstree | windows.cmdline | windows.netscan | \
	windows.svcscan | windows.malfind) ;;
*) usage_error "unknown plugin '$plugin'" ;;
esac
table=$(find "$symbols" -type f -name '*.json.xz' -printf '%P\n')
size=$(stat -c %s -- "$dump")
jq -cn --arg plugin "$plugin" --argjson size "$size" --arg table "$table" \
	'[{standIn: true, plugin: $plugin, dumpBytes: $size, symbolTable: $table, __children: []}]'
