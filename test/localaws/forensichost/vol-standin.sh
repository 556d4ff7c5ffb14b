#!/usr/bin/env bash
# A stand-in for Volatility 3's "vol", used only by Casefile's local
# forensic host when the machine has no Volatility (Debian does not package
# it) and the dump is a generated one that real plugins could not walk.
# It answers -h with a version line and every plugin with an empty JSON
# result, so that the memory script's own checks (hash, format, banner,
# symbol table) and its results, manifest and upload run for real.
set -eu
for arg in "$@"; do
	case $arg in
	-h | --help)
		echo "Casefile local stand-in for Volatility 3, version 0.0.0: plugins return no rows"
		echo "usage: vol [-h] [-q] [-r RENDERER] [-s SYMBOL_DIRS] [-f FILE] [--offline] [--cache-path CACHE_PATH] plugin ..."
		exit 0
		;;
	esac
done
echo "[]"
