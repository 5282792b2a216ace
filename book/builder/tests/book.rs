//! Checks of the book itself: it builds, its includes and links resolve, its Rust compiles,
//! every pattern chapter has a diagram, nothing is loaded from the network, and the pattern
//! chapters and the quick route stay within their sizes.
//!
//! Run with `cargo test -p book-builder`.
//! Each test collects every problem it finds and fails once with the whole list, each entry
//! naming the file and line and what to do about it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

/// `book/`.
fn book_dir() -> PathBuf {
    book_builder::book_dir()
}

/// The workspace root, for printing paths the way a learner types them.
fn workspace_dir() -> PathBuf {
    book_dir()
        .parent()
        .expect("book/ is inside the workspace")
        .to_path_buf()
}

/// `path` relative to the workspace root, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(workspace_dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Every Markdown file under `book/src`, sorted, with its text.
fn markdown_files() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut dirs = vec![book_dir().join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("book/src is readable") {
            let path = entry.expect("book/src is readable").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                let text = std::fs::read_to_string(&path).expect("chapters are UTF-8 text");
                files.push((path, text));
            }
        }
    }
    files.sort();
    files
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Panics with every problem, numbered, if there are any.
fn report(what: &str, problems: &[String]) {
    if problems.is_empty() {
        return;
    }
    let mut message = format!("{} problem(s) with {what}:\n", problems.len());
    for (n, problem) in problems.iter().enumerate() {
        let _ = writeln!(message, "{:>3}. {problem}", n + 1);
    }
    panic!("{message}");
}

// ---------------------------------------------------------------------------------------------
// 1, 3, 5, 6: the built book
// ---------------------------------------------------------------------------------------------

/// Builds the whole book once and checks the HTML: links and fragments, diagrams in the
/// pattern chapters, no external scripts, stylesheets or fonts.
#[test]
fn built_book_is_sound() {
    let dest = tempfile::tempdir().expect("a temporary folder for the built book");
    let index = match book_builder::build(&book_dir(), dest.path()) {
        Ok(index) => index,
        Err(error) => panic!(
            "the book does not build:\n{error:#}\n\
             Run `cargo run -p book-builder -- build` to see the same messages."
        ),
    };
    assert!(
        index.is_file(),
        "build() returned {index:?}, which does not exist"
    );

    let pages = html_pages(dest.path());
    let mut failures = String::new();
    for (what, problems) in [
        (
            "internal links and fragments",
            check_links(dest.path(), &pages),
        ),
        (
            "diagrams in the pattern chapters",
            check_pattern_diagrams(&pages),
        ),
        (
            "external scripts, stylesheets and fonts",
            check_offline(dest.path(), &pages),
        ),
    ] {
        if !problems.is_empty() {
            let _ = writeln!(failures, "\n{} problem(s) with {what}:", problems.len());
            for (n, problem) in problems.iter().enumerate() {
                let _ = writeln!(failures, "{:>3}. {problem}", n + 1);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "the built book has problems:{failures}"
    );
}

/// One built HTML page.
struct Page {
    /// Path relative to the build folder, with `/` separators (`patterns/pipeline.html`).
    rel: String,
    html: String,
    tags: Vec<HtmlTag>,
}

impl Page {
    /// The Markdown file this page was made from, if it is a chapter.
    fn source(&self) -> Option<PathBuf> {
        let md = book_dir()
            .join("src")
            .join(self.rel.strip_suffix(".html")?.to_string() + ".md");
        md.is_file().then_some(md)
    }

    /// Where to look for a problem found in this page at `html_line`: the chapter's Markdown
    /// line that contains `needle` if there is one, else the HTML line.
    fn locate(&self, needle: &str, build_dir: &Path, html_line: usize) -> String {
        if let Some(md) = self.source() {
            let text = std::fs::read_to_string(&md).unwrap_or_default();
            if let Some(n) = text.lines().position(|line| line.contains(needle)) {
                return format!("{}:{}", shown(&md), n + 1);
            }
            return format!(
                "{} (built as {}:{html_line})",
                shown(&md),
                shown(&build_dir.join(&self.rel))
            );
        }
        format!("{}:{html_line}", shown(&build_dir.join(&self.rel)))
    }
}

/// Every `.html` file of the built book.
fn html_pages(build_dir: &Path) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut dirs = vec![build_dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the build folder is readable") {
            let path = entry.expect("the build folder is readable").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "html") {
                let html = std::fs::read_to_string(&path).expect("pages are UTF-8 text");
                let rel = path
                    .strip_prefix(build_dir)
                    .expect("found under the build folder")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                let tags = scan_tags(&html);
                pages.push(Page { rel, html, tags });
            }
        }
    }
    pages.sort_by(|a, b| a.rel.cmp(&b.rel));
    pages
}

/// A start tag found in HTML: its lower-case name, attributes and line.
struct HtmlTag {
    name: String,
    attrs: Vec<(String, String)>,
    line: usize,
}

impl HtmlTag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A small scanner for the start tags of mdBook's (well-formed) output.
///
/// It skips comments and the contents of `<script>` and `<style>`, and decodes the few
/// entities that appear in attribute values.
fn scan_tags(html: &str) -> Vec<HtmlTag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(found) = html[i..].find('<') {
        let start = i + found;
        if html[start..].starts_with("<!--") {
            i = html[start..]
                .find("-->")
                .map_or(html.len(), |end| start + end + 3);
            continue;
        }
        let mut j = start + 1;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        if j == start + 1 {
            // `</...`, `<!DOCTYPE`, or a stray `<`.
            i = start + 1;
            continue;
        }
        let name = html[start + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' || bytes[j] == b'/' {
                break;
            }
            let attr_start = j;
            while j < bytes.len() && !b" \t\r\n=>/".contains(&bytes[j]) {
                j += 1;
            }
            let attr = html[attr_start..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let quote = bytes[j] as char;
                    let end = html[j + 1..].find(quote).map_or(html.len(), |e| j + 1 + e);
                    value = decode_entities(&html[j + 1..end]);
                    j = (end + 1).min(html.len());
                } else {
                    let value_start = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = decode_entities(&html[value_start..j]);
                }
            }
            if attr.is_empty() {
                j += 1;
            } else {
                attrs.push((attr, value));
            }
        }
        let end = html[j..].find('>').map_or(html.len(), |e| j + e + 1);
        tags.push(HtmlTag {
            name: name.clone(),
            attrs,
            line: line_of(html, start),
        });
        i = end;
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i = html[i..].find(&close).map_or(html.len(), |e| i + e);
        }
    }
    tags
}

fn decode_entities(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Decodes `%XX` escapes (as in `href="#caf%C3%A9"`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Ok(hex) = std::str::from_utf8(hex)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Is this URL outside the book (`https:`, `mailto:`, `//host`...)?
fn is_external(url: &str) -> bool {
    url.starts_with("//")
        || url
            .split_once(':')
            .is_some_and(|(scheme, _)| scheme.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Joins a relative URL path onto a folder of the build (both `/`-separated), or `None` if it
/// climbs out of the build folder.
fn join_url(base_dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        base_dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Check 3: Every `href` to a page of the book, and every `#fragment`, resolves.
fn check_links(build_dir: &Path, pages: &[Page]) -> Vec<String> {
    let ids: HashMap<&str, HashSet<String>> = pages
        .iter()
        .map(|page| {
            let ids = page
                .tags
                .iter()
                .filter_map(|tag| tag.attr("id"))
                .map(str::to_string)
                .collect();
            (page.rel.as_str(), ids)
        })
        .collect();

    let mut problems = Vec::new();
    // print.html repeats every chapter: its broken links are already reported for the chapter.
    for page in pages.iter().filter(|page| page.rel != "print.html") {
        // mdBook's 404 page resolves its links from the site root.
        let base = page
            .tags
            .iter()
            .find(|t| t.name == "base")
            .and_then(|t| t.attr("href"));
        let base_dir = match base {
            None => page.rel.rsplit_once('/').map_or("", |(dir, _)| dir),
            Some("/") => "",
            Some(_) => continue,
        };
        for tag in &page.tags {
            let Some(href) = tag.attr("href") else {
                continue;
            };
            if tag.name == "base" || href.is_empty() || is_external(href) {
                continue;
            }
            let (path, fragment) = match href.split_once('#') {
                Some((path, fragment)) => (path, Some(percent_decode(fragment))),
                None => (href, None),
            };
            let path = path.split('?').next().unwrap_or_default();
            let path = percent_decode(path);
            let target = if path.is_empty() {
                Some(page.rel.clone())
            } else {
                join_url(base_dir, &path)
            };
            let Some(mut target) = target else {
                problems.push(format!(
                    "{}: link `{href}` points outside the built book. \
                     Link to a chapter (`other.md`), or name a workspace file as `code` instead of linking it.",
                    page.locate(href, build_dir, tag.line)
                ));
                continue;
            };
            let on_disk = build_dir.join(&target);
            if on_disk.is_dir() {
                target = join_url(&target, "index.html").expect("a child of a folder");
            }
            let needle = md_needle(href);
            if !build_dir.join(&target).is_file() {
                problems.push(format!(
                    "{}: link `{href}` points to `{target}`, which the book does not have. \
                     Link to an existing chapter with its `.md` path relative to this file (see SUMMARY.md).",
                    page.locate(&needle, build_dir, tag.line)
                ));
                continue;
            }
            let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
                continue;
            };
            let Some(target_ids) = ids.get(target.as_str()) else {
                // Not an HTML page (a stylesheet, an image): fragments mean nothing there.
                continue;
            };
            if !target_ids.contains(&fragment) {
                let mut close: Vec<&String> = target_ids
                    .iter()
                    .filter(|id| {
                        let stem = fragment.split('-').next().unwrap_or_default();
                        !stem.is_empty() && id.contains(stem)
                    })
                    .collect();
                close.sort();
                close.truncate(5);
                problems.push(format!(
                    "{}: link `{href}`: `{target}` has no heading or element with id `{fragment}`. \
                     Heading ids are the lower-case heading text with spaces turned into `-`{}.",
                    page.locate(&needle, build_dir, tag.line),
                    if close.is_empty() {
                        String::new()
                    } else {
                        format!(" (ids there that look close: {close:?})")
                    }
                ));
            }
        }
    }
    problems
}

/// How a built `href` most likely appears in the Markdown (`x.html#y` was written `x.md#y`).
fn md_needle(href: &str) -> String {
    match href.split_once('#') {
        Some((path, fragment)) if path.ends_with(".html") => {
            format!("{}.md#{fragment}", path.trim_end_matches(".html"))
        }
        None if href.ends_with(".html") => format!("{}.md", href.trim_end_matches(".html")),
        _ => href.to_string(),
    }
}

/// Check 5: Every chapter under `patterns/` shows at least one diagram as inline SVG.
fn check_pattern_diagrams(pages: &[Page]) -> Vec<String> {
    let mut problems = Vec::new();
    let patterns_dir = book_dir().join("src").join("patterns");
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(&patterns_dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|ext| ext == "md"))
                .collect()
        })
        .unwrap_or_default();
    chapters.sort();
    for md in chapters {
        let stem = md.file_stem().expect("a file name").to_string_lossy();
        let rel = format!("patterns/{stem}.html");
        let Some(page) = pages.iter().find(|p| p.rel == rel) else {
            problems.push(format!(
                "{}:1: this chapter was not built. List it in book/src/SUMMARY.md or remove it.",
                shown(&md)
            ));
            continue;
        };
        let has_diagram = page
            .html
            .match_indices("<figure class=\"diagram\">")
            .any(|(at, _)| page.html[at..].starts_with("<figure class=\"diagram\"><svg"));
        if !has_diagram {
            problems.push(format!(
                "{}:1: no diagram. Every pattern chapter shows how data flows through it \
                 (workers, channels, who closes what) in a ```svgbob fenced block of ASCII art; \
                 the builder turns it into an inline <svg>.",
                shown(&md)
            ));
        }
    }
    problems
}

/// Check 6: No page (and no stylesheet) loads a script, stylesheet or font from the network.
fn check_offline(build_dir: &Path, pages: &[Page]) -> Vec<String> {
    let mut problems = Vec::new();
    for page in pages {
        for tag in &page.tags {
            let url = match tag.name.as_str() {
                "script" | "img" | "iframe" | "audio" | "video" | "source" => tag.attr("src"),
                "link" => tag.attr("href"),
                _ => None,
            };
            if let Some(url) = url
                && is_external(url)
                && !url.starts_with("data:")
            {
                problems.push(format!(
                    "{}:{}: <{}> loads `{url}` from the network; the book must work offline. \
                     Turn the feature off in book/book.toml or ship the file in book/theme/.",
                    shown(&build_dir.join(&page.rel)),
                    tag.line,
                    tag.name,
                ));
            }
        }
        problems.extend(external_css_urls(
            &page.html,
            &shown(&build_dir.join(&page.rel)),
        ));
    }
    // Stylesheets can load fonts and other stylesheets too.
    let mut dirs = vec![build_dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the build folder is readable") {
            let path = entry.expect("the build folder is readable").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "css") {
                let css = std::fs::read_to_string(&path).unwrap_or_default();
                problems.extend(external_css_urls(&css, &shown(&path)));
            }
        }
    }
    problems
}

/// `url(http...)` and `@import "http..."` in CSS text (a stylesheet or a `<style>` element).
fn external_css_urls(css: &str, file: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (n, line) in css.lines().enumerate() {
        let lower = line.to_ascii_lowercase();
        for pattern in [
            "url(http:",
            "url(https:",
            "url(\"http",
            "url('http",
            "url(//",
            "@import \"http",
            "@import 'http",
            "@import url(http",
        ] {
            if lower.contains(pattern) {
                problems.push(format!(
                    "{file}:{}: CSS loads `{}` from the network; the book must work offline. \
                     Ship the file in book/theme/ instead.",
                    n + 1,
                    line.trim()
                ));
                break;
            }
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// 2: includes
// ---------------------------------------------------------------------------------------------

/// Check 2: Every `{{#include path}}`, `{{#include path:anchor}}` and `{{#rustdoc_include ...}}` in
/// the Markdown names a file that exists, and an anchor with both markers.
#[test]
fn includes_resolve() {
    let mut problems = Vec::new();
    for (md, text) in markdown_files() {
        for include in find_includes(&text) {
            let location = format!("{}:{}", shown(&md), line_of(&text, include.offset));
            let dir = md.parent().expect("a chapter is in a folder");
            let file = normalize(&dir.join(&include.path));
            let Ok(source) = std::fs::read_to_string(&file) else {
                problems.push(format!(
                    "{location}: `{}` includes `{}`, which does not exist ({}). \
                     Paths are relative to the chapter file: from book/src/<dir>/ the workspace is `../../../`.",
                    include.text,
                    include.path,
                    shown(&file),
                ));
                continue;
            };
            let Some(anchor) = include.anchor else {
                continue;
            };
            let (start, end) = anchor_lines(&source, &anchor);
            match (start, end) {
                (Some(_), Some(_)) => {}
                (None, None) => problems.push(format!(
                    "{location}: `{}`: {} has no anchor `{anchor}`. \
                     Use one that exists (`grep -n ANCHOR {}`), or list the missing anchor in your report.",
                    include.text,
                    shown(&file),
                    shown(&file),
                )),
                (start, _) => problems.push(format!(
                    "{location}: `{}`: {} has `{}` but not `{}`: mdBook would include the rest of the file.",
                    include.text,
                    shown(&file),
                    if start.is_some() {
                        format!("ANCHOR: {anchor}")
                    } else {
                        format!("ANCHOR_END: {anchor}")
                    },
                    if start.is_some() {
                        format!("ANCHOR_END: {anchor}")
                    } else {
                        format!("ANCHOR: {anchor}")
                    },
                )),
            }
        }
    }
    report("{{#include}} directives", &problems);
}

/// One `{{#include ...}}` directive.
struct Include {
    /// The whole directive, for messages.
    text: String,
    offset: usize,
    path: String,
    /// `Some` when the directive names an anchor (not a line range).
    anchor: Option<String>,
}

/// Finds `{{#include ...}}` and `{{#rustdoc_include ...}}` directives, skipping escaped ones
/// (`\{{#include ...}}`), as mdBook's link preprocessor does.
fn find_includes(text: &str) -> Vec<Include> {
    let mut includes = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("{{#") {
        let offset = from + found;
        from = offset + 3;
        if offset > 0 && text.as_bytes()[offset - 1] == b'\\' {
            continue;
        }
        let Some(close) = text[offset..].find("}}") else {
            break;
        };
        let directive = &text[offset + 3..offset + close];
        let mut words = directive.split_whitespace();
        let kind = words.next().unwrap_or_default();
        if kind != "include" && kind != "rustdoc_include" {
            continue;
        }
        let Some(target) = words.next() else {
            continue;
        };
        let (path, rest) = target.split_once(':').unwrap_or((target, ""));
        // `file:3`, `file:3:9`, `file::9`, `file:3:` are line ranges; anything else is an anchor.
        let is_range = rest.is_empty() || rest.chars().all(|c| c.is_ascii_digit() || c == ':');
        includes.push(Include {
            text: text[offset..offset + close + 2].to_string(),
            offset,
            path: path.to_string(),
            anchor: (!is_range).then(|| rest.to_string()),
        });
    }
    includes
}

/// The lines (0-based) of `ANCHOR: name` and `ANCHOR_END: name` in `source`, as mdBook
/// matches them (`ANCHOR:` then optional spaces then the name).
fn anchor_lines(source: &str, anchor: &str) -> (Option<usize>, Option<usize>) {
    let marker_name = |line: &str, marker: &str| -> Option<String> {
        let at = line.find(marker)?;
        let name: String = line[at + marker.len()..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        Some(name)
    };
    let mut start = None;
    let mut end = None;
    for (n, line) in source.lines().enumerate() {
        if start.is_none() && marker_name(line, "ANCHOR:").as_deref() == Some(anchor) {
            start = Some(n);
        }
        if start.is_some() && marker_name(line, "ANCHOR_END:").as_deref() == Some(anchor) {
            end = Some(n);
            break;
        }
    }
    if start.is_none() {
        end = source
            .lines()
            .position(|line| marker_name(line, "ANCHOR_END:").as_deref() == Some(anchor));
    }
    (start, end)
}

/// Removes `.` and `..` from a path without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 4: Rust blocks that are not includes
// ---------------------------------------------------------------------------------------------

/// A ```rust block written in the Markdown itself.
struct RustBlock {
    md: PathBuf,
    /// Line of the opening fence.
    fence_line: usize,
    /// Line of the block's first line of code.
    first_line: usize,
    code: String,
}

/// Attributes that would let a block skip compiling; the book does not use them.
const FORBIDDEN_ATTRIBUTES: [&str; 4] = ["ignore", "no_run", "compile_fail", "should_panic"];

/// Check 4: Every ```rust block that is not an include compiles on its own (std only).
///
/// All blocks go into one crate, each in its own module, and are compiled by a single
/// `rustc --edition 2024 --crate-type lib` call. A block without `fn main` is wrapped in
/// `fn main() { ... }`, as rustdoc does; lines starting with `# ` (hidden in the book) are
/// compiled too.
#[test]
fn rust_blocks_compile() {
    let mut problems = Vec::new();
    let mut blocks = Vec::new();
    for (md, text) in markdown_files() {
        let mut current: Option<(RustBlock, Vec<String>)> = None;
        for (event, range) in Parser::new(&text).into_offset_iter() {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                    let mut words = info.split([',', ' ', '\t']).filter(|w| !w.is_empty());
                    if words.next() != Some("rust") {
                        continue;
                    }
                    let attributes: Vec<String> = words.map(str::to_string).collect();
                    let fence_line = line_of(&text, range.start);
                    current = Some((
                        RustBlock {
                            md: md.clone(),
                            fence_line,
                            first_line: fence_line + 1,
                            code: String::new(),
                        },
                        attributes,
                    ));
                }
                Event::Text(code) => {
                    if let Some((block, _)) = current.as_mut() {
                        block.code.push_str(&code);
                    }
                }
                Event::End(TagEnd::CodeBlock) => {
                    let Some((block, attributes)) = current.take() else {
                        continue;
                    };
                    if block.code.contains("{{#") {
                        // An include: that code is compiled and tested in its crate.
                        continue;
                    }
                    if let Some(bad) = attributes
                        .iter()
                        .find(|a| FORBIDDEN_ATTRIBUTES.contains(&a.as_str()))
                    {
                        problems.push(format!(
                            "{}:{}: ```rust,{bad} is not allowed: every rust block in the book must compile. \
                             Make it compile (std only), include the code from a crate with {{{{#include ...}}}}, \
                             or use ```text for pseudo-code.",
                            shown(&block.md),
                            block.fence_line
                        ));
                        continue;
                    }
                    blocks.push(block);
                }
                _ => {}
            }
        }
    }

    if !blocks.is_empty() {
        problems.extend(compile_blocks(&blocks));
    }
    report("```rust blocks", &problems);
}

/// Compiles every block in one crate and returns the errors, mapped back to Markdown lines.
fn compile_blocks(blocks: &[RustBlock]) -> Vec<String> {
    // Line n (1-based) of the generated file came from `origin[n - 1]`, if from a block.
    let mut origin: Vec<Option<(usize, usize)>> = Vec::new();
    let mut crate_text = String::new();
    let mut push_line = |crate_text: &mut String, line: &str, from: Option<(usize, usize)>| {
        crate_text.push_str(line);
        crate_text.push('\n');
        origin.push(from);
    };
    push_line(
        &mut crate_text,
        "#![allow(dead_code, unused)] // Snippets show one idea; they need not use everything.",
        None,
    );
    for (index, block) in blocks.iter().enumerate() {
        let code: Vec<String> = block.code.lines().map(unhide).collect();
        let has_main = code.iter().any(|line| line.contains("fn main("));
        push_line(&mut crate_text, &format!("mod block_{index} {{"), None);
        if !has_main {
            push_line(&mut crate_text, "fn main() {", None);
        }
        for (n, line) in code.iter().enumerate() {
            push_line(&mut crate_text, line, Some((index, block.first_line + n)));
        }
        if !has_main {
            push_line(&mut crate_text, "}", None);
        }
        push_line(&mut crate_text, "}", None);
    }

    let dir = tempfile::tempdir().expect("a temporary folder for the snippets");
    let source = dir.path().join("book_snippets.rs");
    std::fs::write(&source, &crate_text).expect("the snippet crate can be written");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = Command::new(&rustc)
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "lib",
            "--error-format=short",
        ])
        .arg("-o")
        .arg(dir.path().join("libbook_snippets.rlib"))
        .arg(&source)
        .output()
        .unwrap_or_else(|e| panic!("could not run `{rustc}`: {e}"));
    if output.status.success() {
        return Vec::new();
    }

    // Short errors look like `/tmp/.../book_snippets.rs:12:5: error[E0425]: cannot find ...`.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let prefix = format!("{}:", source.display());
    let mut by_place: BTreeMap<(PathBuf, usize), Vec<String>> = BTreeMap::new();
    let mut unplaced = Vec::new();
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix(&prefix) else {
            if line.starts_with("error") && !line.starts_with("error: aborting") {
                unplaced.push(line.to_string());
            }
            continue;
        };
        let mut parts = rest.splitn(3, ':');
        let line_no: Option<usize> = parts.next().and_then(|n| n.parse().ok());
        let _column = parts.next();
        let message = parts.next().unwrap_or_default().trim();
        if !message.starts_with("error") {
            continue;
        }
        match line_no.and_then(|n| origin.get(n - 1).copied().flatten()) {
            Some((index, md_line)) => by_place
                .entry((blocks[index].md.clone(), md_line))
                .or_default()
                .push(message.to_string()),
            None => unplaced.push(line.to_string()),
        }
    }

    let mut problems: Vec<String> = by_place
        .into_iter()
        .map(|((md, md_line), messages)| {
            format!(
                "{}:{md_line}: this ```rust block does not compile (rustc --edition 2024, std only): {}. \
                 Fix it, include the code from a crate with {{{{#include ...}}}}, or use ```text for pseudo-code.",
                shown(&md),
                messages.join("; ")
            )
        })
        .collect();
    if problems.is_empty() || !unplaced.is_empty() {
        problems.push(format!(
            "the ```rust blocks do not compile together:\n{}\n(the generated crate was:\n{crate_text})",
            if unplaced.is_empty() {
                stderr.to_string()
            } else {
                unplaced.join("\n")
            }
        ));
    }
    problems
}

/// A line as the compiler sees it: mdBook hides `# code` lines but compiles them (`##` is a
/// literal `#`).
fn unhide(line: &str) -> String {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    if trimmed == "#" {
        String::new()
    } else if let Some(rest) = trimmed.strip_prefix("# ") {
        format!("{indent}{rest}")
    } else if let Some(rest) = trimmed.strip_prefix("##") {
        format!("{indent}#{rest}")
    } else {
        line.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// 7: the size of the pattern chapters, and of the quick route
// ---------------------------------------------------------------------------------------------

/// The most lines of code a pattern chapter shows unfolded (outside `<details>`).
const MAX_CODE_LINES: usize = 200;
/// The most words of prose a pattern chapter has.
const MAX_PROSE_WORDS: usize = 1800;
/// The most words of prose on the quick route, from `Start here` to the first exercise.
const MAX_QUICK_ROUTE_WORDS: usize = 8000;

/// What a reader of a page (or a section of one) sees: its words of prose, and its lines of
/// code, unfolded or folded away in `<details>`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Size {
    prose_words: usize,
    code_lines: usize,
    folded_code_lines: usize,
}

/// Check 7: Every pattern chapter shows at most [`MAX_CODE_LINES`] lines of unfolded code and
/// at most [`MAX_PROSE_WORDS`] words of prose, and the quick route that `Start here` lists
/// (the page itself and every page or section it links to) is at most
/// [`MAX_QUICK_ROUTE_WORDS`] words of prose.
///
/// How it counts, the same way for every page:
///
/// - `{{#include}}`s are expanded first, as mdBook does, so an include counts the lines it
///   resolves to (without the `ANCHOR` marker lines, which mdBook drops).
/// - A line of code is a line of a fenced block. Blocks inside `<details>` are folded and
///   counted apart; ```` ```svgbob ```` blocks are diagrams, drawn as pictures, and not counted.
/// - A word of prose is a whitespace-separated token with a letter or digit in it, outside
///   code blocks and HTML: text, inline code, link text and table cells all count, wherever
///   they stand, folded or not.
///
/// `cargo test -p book-builder --test book stay_short -- --nocapture` prints the table.
#[test]
fn pattern_chapters_and_the_quick_route_stay_short() {
    let src = book_dir().join("src");
    let mut problems = Vec::new();
    let mut table = String::from(
        "\nchapter                       prose words   unfolded code lines   folded code lines\n",
    );
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(src.join("patterns"))
        .expect("book/src/patterns is readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "md"))
        .filter(|p| p.file_name().is_some_and(|n| n != "summary.md"))
        .collect();
    chapters.sort();
    for md in &chapters {
        let name = md.file_name().expect("a file name").to_string_lossy();
        let size = measure(md, None).unwrap_or_else(|e| panic!("{e}"));
        let _ = writeln!(
            table,
            "{:<30}{:>11}{}  {:>19}{}  {:>18}",
            name,
            size.prose_words,
            if size.prose_words > MAX_PROSE_WORDS {
                "!"
            } else {
                " "
            },
            size.code_lines,
            if size.code_lines > MAX_CODE_LINES {
                "!"
            } else {
                " "
            },
            size.folded_code_lines,
        );
        if size.prose_words > MAX_PROSE_WORDS {
            problems.push(format!(
                "{}: {} words of prose, more than {MAX_PROSE_WORDS}. Say less, or move a detail to the crate's docs and link it.",
                shown(md),
                size.prose_words
            ));
        }
        if size.code_lines > MAX_CODE_LINES {
            problems.push(format!(
                "{}: {} lines of unfolded code, more than {MAX_CODE_LINES}. Show the few changed lines of each step \
                 (an ANCHOR around them), and fold the finished crate in <details>.",
                shown(md),
                size.code_lines
            ));
        }
    }

    let start_here = src.join("start-here.md");
    let route = quick_route(&start_here);
    if route.is_empty() {
        problems.push(format!(
            "{}: no `## The quick route` section with links: Start here lists the sections to read before the first exercise.",
            shown(&start_here)
        ));
    }
    let _ = writeln!(
        table,
        "\nquick route                                                           prose words"
    );
    let mut total = measure(&start_here, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .prose_words;
    let _ = writeln!(table, "  {:<68}{total:>11}", "start-here.md (all of it)");
    for (page, fragment) in &route {
        let md = normalize(&src.join(page));
        match measure(&md, fragment.as_deref()) {
            Ok(size) => {
                total += size.prose_words;
                let shown_as = match fragment {
                    Some(f) => format!("{page}#{f}"),
                    None => page.clone(),
                };
                let _ = writeln!(table, "  {shown_as:<68}{:>11}", size.prose_words);
            }
            Err(e) => problems.push(format!("{}: the quick route: {e}", shown(&start_here))),
        }
    }
    let _ = writeln!(table, "  {:<68}{total:>11}", "total");
    if total > MAX_QUICK_ROUTE_WORDS {
        problems.push(format!(
            "the quick route is {total} words of prose, more than {MAX_QUICK_ROUTE_WORDS}: \
             link fewer or shorter sections from `## The quick route` in {}.",
            shown(&start_here)
        ));
    }
    println!("{table}");
    assert!(
        problems.is_empty(),
        "{} problem(s) with the size of the book:{table}\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The links of the `## The quick route` section of `start_here`, in order, as
/// (path relative to `book/src`, fragment).
fn quick_route(start_here: &Path) -> Vec<(String, Option<String>)> {
    let text = std::fs::read_to_string(start_here).expect("start-here.md is readable");
    let Some(section) = section_text(&text, "the-quick-route") else {
        return Vec::new();
    };
    let mut links = Vec::new();
    for event in Parser::new(section) {
        if let Event::Start(Tag::Link { dest_url, .. }) = event
            && !is_external(&dest_url)
        {
            let (page, fragment) = match dest_url.split_once('#') {
                Some((page, fragment)) => (page.to_string(), Some(fragment.to_string())),
                None => (dest_url.to_string(), None),
            };
            links.push((page, fragment));
        }
    }
    links
}

/// Measures a chapter, or the section of it whose heading id is `fragment`.
fn measure(md: &Path, fragment: Option<&str>) -> Result<Size, String> {
    let text = std::fs::read_to_string(md).map_err(|e| format!("{}: {e}", shown(md)))?;
    let text = expand_includes(md, &text)?;
    let text = match fragment {
        None => text.as_str(),
        Some(id) => section_text(&text, id)
            .ok_or_else(|| format!("{} has no heading with id `{id}`", shown(md)))?,
    };
    Ok(size_of(text))
}

/// The text of the section that starts at the heading with id `id` and runs to the next
/// heading of the same or a higher level.
fn section_text<'t>(text: &'t str, id: &str) -> Option<&'t str> {
    let mut headings = Vec::new(); // (level, id, start offset)
    let mut current: Option<(usize, usize, String)> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some((level as usize, range.start, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, content)) = current.as_mut() {
                    content.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start, content)) = current.take() {
                    headings.push((level, heading_id(&content), start));
                }
            }
            _ => {}
        }
    }
    let at = headings.iter().position(|(_, h, _)| h == id)?;
    let (level, _, start) = headings[at];
    let end = headings[at + 1..]
        .iter()
        .find(|(l, _, _)| *l <= level)
        .map_or(text.len(), |(_, _, offset)| *offset);
    Some(&text[start..end])
}

/// The id mdBook gives a heading (`mdbook-html`'s `id_from_content`).
fn heading_id(content: &str) -> String {
    content
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|ch| {
            if ch.is_alphanumeric() || ch == '_' || ch == '-' {
                Some(ch)
            } else if ch.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// `text` with every `{{#include path}}` and `{{#include path:anchor}}` replaced by what it
/// includes, without the `ANCHOR` marker lines.
fn expand_includes(md: &Path, text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut from = 0;
    for include in find_includes(text) {
        out.push_str(&text[from..include.offset]);
        from = include.offset + include.text.len();
        let file = normalize(&md.parent().expect("a folder").join(&include.path));
        let source = std::fs::read_to_string(&file)
            .map_err(|e| format!("{}: cannot read {}: {e}", shown(md), shown(&file)))?;
        let lines: Vec<&str> = source.lines().collect();
        let range = match &include.anchor {
            Some(anchor) => match anchor_lines(&source, anchor) {
                (Some(start), Some(end)) => start + 1..end,
                _ => {
                    return Err(format!(
                        "{}: `{}` does not resolve",
                        shown(md),
                        include.text
                    ));
                }
            },
            None if include.text.contains(':') && !include.path.contains(':') => {
                return Err(format!(
                    "{}: `{}`: the size check does not read line ranges; include by anchor",
                    shown(md),
                    include.text
                ));
            }
            None => 0..lines.len(),
        };
        let kept: Vec<&str> = lines[range]
            .iter()
            .copied()
            .filter(|line| !line.contains("ANCHOR:") && !line.contains("ANCHOR_END:"))
            .collect();
        out.push_str(&kept.join("\n"));
    }
    out.push_str(&text[from..]);
    Ok(out)
}

/// Counts the prose words and the code lines of some Markdown (includes already expanded).
fn size_of(text: &str) -> Size {
    let mut size = Size::default();
    let mut details = 0usize;
    // `Some(counted)` inside a fenced or indented block: `false` for a diagram.
    let mut code: Option<bool> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let diagram =
                    matches!(&kind, CodeBlockKind::Fenced(info) if info.trim() == "svgbob");
                code = Some(!diagram);
            }
            Event::End(TagEnd::CodeBlock) => code = None,
            Event::Text(t) => match code {
                Some(true) if details == 0 => size.code_lines += t.lines().count(),
                Some(true) => size.folded_code_lines += t.lines().count(),
                Some(false) => {}
                None => size.prose_words += words(&t),
            },
            Event::Code(t) => size.prose_words += words(&t),
            Event::Html(html) | Event::InlineHtml(html) => {
                details += html.matches("<details").count();
                details = details.saturating_sub(html.matches("</details>").count());
            }
            _ => {}
        }
    }
    size
}

/// Whitespace-separated tokens with at least one letter or digit.
fn words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

// ---------------------------------------------------------------------------------------------
// The checks' own helpers, tested on small inputs so a broken checker cannot pass a bad book.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_include_parser_reads_paths_anchors_and_ranges() {
    let text = "a\n{{#include ../x.rs:main}}\n\\{{#include escaped.rs}}\n{{#rustdoc_include y.rs:2:9}}\n{{#include z.md}}\n";
    let found: Vec<(String, Option<String>, usize)> = find_includes(text)
        .into_iter()
        .map(|i| (i.path, i.anchor, line_of(text, i.offset)))
        .collect();
    assert_eq!(
        found,
        [
            ("../x.rs".into(), Some("main".into()), 2),
            ("y.rs".into(), None, 4),
            ("z.md".into(), None, 5),
        ]
    );
}

#[test]
fn anchors_need_both_markers() {
    let source = "// ANCHOR: a\nx\n// ANCHOR_END: a\n// ANCHOR: only_start\n// ANCHOR: ab\n// ANCHOR_END: ab\n";
    assert_eq!(anchor_lines(source, "a"), (Some(0), Some(2)));
    assert_eq!(anchor_lines(source, "ab"), (Some(4), Some(5)));
    assert_eq!(anchor_lines(source, "only_start"), (Some(3), None));
    assert_eq!(anchor_lines(source, "missing"), (None, None));
}

#[test]
fn the_tag_scanner_finds_hrefs_ids_and_skips_scripts() {
    let html = "<a href=\"x.html#a&amp;b\" id='top'>t</a>\n<script>if (a<b) { x = \"<a href='no'>\"; }</script>\n<!-- <a href=\"no\"> -->\n<link rel=stylesheet href=\"https://example.com/x.css\">";
    let tags = scan_tags(html);
    let hrefs: Vec<&str> = tags.iter().filter_map(|t| t.attr("href")).collect();
    assert_eq!(hrefs, ["x.html#a&b", "https://example.com/x.css"]);
    assert_eq!(tags[0].attr("id"), Some("top"));
    assert_eq!(tags.last().map(|t| t.line), Some(4));
}

#[test]
fn urls_join_and_classify() {
    assert_eq!(
        join_url("patterns", "../foundations/x.html").as_deref(),
        Some("foundations/x.html")
    );
    assert_eq!(join_url("", "../x.html"), None);
    assert!(is_external("https://example.com"));
    assert!(is_external("mailto:a@b"));
    assert!(!is_external("x.html#a:b"));
    assert_eq!(percent_decode("caf%C3%A9"), "café");
    assert_eq!(unhide("    # use std::thread;"), "    use std::thread;");
    assert_eq!(md_needle("../a/b.html#c"), "../a/b.md#c");
}

#[test]
fn the_size_check_counts_prose_code_and_folds() {
    let text = "# Title\n\nTwo `words` here, and | a table |.\n\n```rust\nfn a() {}\nfn b() {}\n```\n\n```svgbob\n+--+\n```\n\n<details>\n<summary>The crate</summary>\n\n```rust\nfolded\n```\n\n</details>\n";
    assert_eq!(
        size_of(text),
        Size {
            prose_words: 7,
            code_lines: 2,
            folded_code_lines: 1
        }
    );
    let sections = "# A\n\none\n\n## B `c`\n\ntwo three\n\n### D\n\nfour\n\n## E\n\nfive\n";
    assert_eq!(heading_id("B `c`?"), "b-c");
    assert_eq!(
        section_text(sections, "b-c"),
        Some("## B `c`\n\ntwo three\n\n### D\n\nfour\n\n")
    );
    assert_eq!(
        size_of(section_text(sections, "b-c").unwrap()).prose_words,
        6
    );
}
