#!/usr/bin/env bash
# The Swift package's documentation and format: the DocC catalogs build with the
# toolchain's `docc`, warnings as errors (scripts/swift-docs.sh), and every Swift file
# passes `swift format lint --strict` (swift-format, shipped with the toolchain) with the repository's .swift-format (4-space
# indentation, 120 columns; AlwaysUseLowerCamelCase is off because the stubs and the
# error domains mirror Apple's names, UseLetInEveryBoundCaseVariable because the code
# writes `case let .x(a, b)`). The generated swift/Tests/DocSnippetTests/DocSnippets.swift
# is left out: its text is the documents' (ffi/tests/doc_snippets.rs). Reformat with:
#   scripts/swift-toolchain.sh run . format format --in-place --configuration .swift-format FILES
# Works alone from any directory (needs the Swift toolchain: .ci/run's step 1b):
#   bash .ci/steps/75-swift-docs.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

echo "+ scripts/swift-docs.sh"
bash scripts/swift-docs.sh

mapfile -t files < <(git ls-files '*.swift' | grep -v '^swift/Tests/DocSnippetTests/DocSnippets.swift$')
echo "+ swift format lint --strict (${#files[@]} files)"
scripts/swift-toolchain.sh run . format lint --strict --configuration .swift-format "${files[@]}"
echo "swift format: ${#files[@]} files clean"
