//! Every ```swift block of README.md, docs/ios-integration.md and the DocC articles is
//! compiled, as the Rust quick start is a doctest: this test turns the blocks into one Swift file of the
//! package's `DocSnippetTests` target (swift/Tests/DocSnippetTests/DocSnippets.swift) and
//! fails when the committed file differs, so a changed snippet cannot skip the Swift
//! build (`swift build --build-tests`, run by tests/swift_package.rs and
//! .ci/steps/70-swift.sh; on macOS the workflow builds it against the real SDK).
//! Rewrite the file after changing a snippet:
//!
//! ```sh
//! CK_SNIPPETS_BLESS=1 cargo test -p callkit-engine-ffi --test doc_snippets
//! ```
//!
//! The rules the file header states: a block of declarations stays at file scope; any
//! other block becomes the body of a throwing function that a test of the generated
//! `DocSnippetRunTests` calls, unless the line before the block is
//! `<!-- swift: compile only -->`; imports are gathered at the top. Two edits, both for the
//! Linux test bundle: `@main` lines are dropped (a test bundle has its own entry point),
//! and `nonisolated` before `final class` is dropped (Swift 6.1 syntax; the Linux
//! toolchain is 6.0, where a class is nonisolated anyway).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const SOURCES: [&str; 5] = [
    "README.md",
    "docs/ios-integration.md",
    "swift/Sources/CallKitEngineDriver/CallKitEngineDriver.docc/GettingStarted.md",
    "swift/Sources/CallKitEngineDriver/CallKitEngineDriver.docc/OrderingRules.md",
    "swift/Sources/CallKitEngineTesting/CallKitEngineTesting.docc/TestingAnApp.md",
];
const OUTPUT: &str = "swift/Tests/DocSnippetTests/DocSnippets.swift";
const COMPILE_ONLY: &str = "<!-- swift: compile only -->";

fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("ffi/ has a parent")
        .to_path_buf()
}

struct Snippet {
    source: &'static str,
    line: usize,
    compile_only: bool,
    body: Vec<String>,
}

/// The ```swift blocks of one document, with the line of each opening fence.
fn swift_blocks(source: &'static str, text: &str) -> Vec<Snippet> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    let mut previous = "";
    while let Some((index, line)) = lines.next() {
        if line.trim_end() == "```swift" {
            let body = lines
                .by_ref()
                .map(|(_, l)| l)
                .take_while(|l| l.trim_end() != "```")
                .map(str::to_string)
                .collect();
            blocks.push(Snippet {
                source,
                line: index + 1,
                compile_only: previous.trim() == COMPILE_ONLY,
                body,
            });
        }
        if !line.trim().is_empty() {
            previous = line;
        }
    }
    blocks
}

/// Whether every top-level line of `body` starts a declaration (or closes one).
fn is_declarations(body: &[String]) -> bool {
    const STARTS: [&str; 11] = [
        "final class ",
        "class ",
        "struct ",
        "enum ",
        "extension ",
        "protocol ",
        "func ",
        "nonisolated ",
        "private ",
        "public ",
        "@",
    ];
    body.iter()
        .filter(|l| !l.is_empty() && !l.starts_with(' ') && !l.starts_with("//"))
        .all(|l| l.starts_with('}') || STARTS.iter().any(|s| l.starts_with(s)))
}

fn function_name(snippet: &Snippet) -> String {
    let stem: String = snippet
        .source
        .rsplit('/')
        .next()
        .unwrap_or(snippet.source)
        .split('.')
        .next()
        .unwrap_or("doc")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_ascii_lowercase();
            if i == 0 {
                lower
            } else {
                lower[..1].to_ascii_uppercase() + &lower[1..]
            }
        })
        .collect();
    format!("{stem}Line{}", snippet.line)
}

fn generate(snippets: &[Snippet]) -> String {
    let mut imports: Vec<String> = Vec::new();
    let mut parts = String::new();
    let mut runs: Vec<String> = Vec::new();
    for snippet in snippets {
        let mut body = Vec::new();
        for line in &snippet.body {
            if let Some(module) = line.strip_prefix("import ") {
                if !imports.iter().any(|m| m == module) {
                    imports.push(module.to_string());
                }
            } else if line.trim() == "@main" {
                continue;
            } else if let Some(rest) = line.strip_prefix("nonisolated final class ") {
                body.push(format!("final class {rest}"));
            } else {
                body.push(line.clone());
            }
        }
        while body.first().is_some_and(|l| l.is_empty()) {
            body.remove(0);
        }
        let _ = writeln!(
            parts,
            "\n// MARK: {}, line {}\n",
            snippet.source, snippet.line
        );
        if is_declarations(&body) {
            for line in &body {
                let _ = writeln!(parts, "{line}");
            }
        } else {
            let name = function_name(snippet);
            let _ = writeln!(parts, "func {name}() throws {{");
            for line in &body {
                if line.is_empty() {
                    parts.push('\n');
                } else {
                    let _ = writeln!(parts, "    {line}");
                }
            }
            parts.push_str("}\n");
            if !snippet.compile_only {
                runs.push(name);
            }
        }
    }
    if !imports.iter().any(|m| m == "XCTest") {
        imports.push("XCTest".to_string());
    }
    let mut out = String::from(
        "// Generated from every ```swift block of README.md, docs/ios-integration.md and the\n\
         // DocC articles (swift/Sources/*/*.docc) by\n\
         // `CK_SNIPPETS_BLESS=1 cargo test -p callkit-engine-ffi --test doc_snippets`; do not\n\
         // edit (ffi/tests/doc_snippets.rs fails when this file differs from the documents).\n\
         // A block of declarations stays at file scope; any other block is the body of a\n\
         // function, run by DocSnippetRunTests unless marked `<!-- swift: compile only -->`.\n\
         // Edits: `@main` lines are dropped (a test bundle has its own entry point), and\n\
         // `nonisolated` before `final class` (Swift 6.1 syntax; the Linux toolchain is 6.0).\n\n",
    );
    for module in &imports {
        let _ = writeln!(out, "import {module}");
    }
    out.push_str(&parts);
    out.push_str(
        "\n// MARK: the statement blocks, run\n\nfinal class DocSnippetRunTests: XCTestCase {\n",
    );
    for (i, name) in runs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let test = name[..1].to_ascii_uppercase() + &name[1..];
        let _ = writeln!(
            out,
            "    func test{test}() throws {{\n        try {name}()\n    }}"
        );
    }
    out.push_str("}\n");
    out
}

#[test]
fn every_swift_block_of_the_docs_is_in_the_snippet_test_target() {
    let root = workspace_dir();
    let mut snippets = Vec::new();
    for source in SOURCES {
        let text = std::fs::read_to_string(root.join(source))
            .unwrap_or_else(|e| panic!("reading {source}: {e}"));
        snippets.extend(swift_blocks(source, &text));
    }
    for source in ["README.md", "docs/ios-integration.md"] {
        assert!(
            snippets.iter().any(|s| s.source == source),
            "{source} has no ```swift block: the extraction is broken"
        );
    }
    let expected = generate(&snippets);
    let path = root.join(OUTPUT);
    if std::env::var_os("CK_SNIPPETS_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, &expected).expect("writing the snippets");
        eprintln!("wrote {OUTPUT}: {} blocks", snippets.len());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{OUTPUT} is not what the documents give ({} blocks); rewrite it with\n  \
         CK_SNIPPETS_BLESS=1 cargo test -p callkit-engine-ffi --test doc_snippets",
        snippets.len()
    );
}

#[test]
fn a_block_of_statements_is_wrapped_and_one_of_declarations_is_not() {
    let text = "x\n```swift\nimport Foo\nlet a = 1\nprint(a)\n```\n\n\
                <!-- swift: compile only -->\n```swift\nfinal class B {\n    var c = 0\n}\n```\n";
    let snippets = swift_blocks("README.md", text);
    assert_eq!(snippets.len(), 2);
    assert_eq!(snippets[0].line, 2);
    assert!(!snippets[0].compile_only);
    assert!(snippets[1].compile_only);
    let out = generate(&snippets);
    assert!(out.contains("import Foo\nimport XCTest\n"), "{out}");
    assert!(
        out.contains("func readmeLine2() throws {\n    let a = 1\n    print(a)\n}\n"),
        "{out}"
    );
    assert!(
        out.contains("\nfinal class B {\n    var c = 0\n}\n"),
        "{out}"
    );
    assert!(
        out.contains("func testReadmeLine2() throws {\n        try readmeLine2()\n    }"),
        "{out}"
    );
}
