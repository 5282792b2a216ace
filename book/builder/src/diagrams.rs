//! The `svgbob` preprocessor: every ```` ```svgbob ```` fenced block becomes an inline SVG picture.
//!
//! Chapters draw their diagrams as ASCII art, which reads well in a diff and in an editor.
//! This preprocessor runs after mdBook's own `{{#include}}` expansion, finds each fenced block
//! whose info string starts with `svgbob`, and replaces it with
//! `<figure class="diagram"><svg ...>...</svg></figure>` rendered by the [`svgbob`] crate.
//!
//! The SVG is drawn in `currentColor` on a transparent background, so it follows the text colour
//! of whichever mdBook theme the reader picked (`book/theme/diagrams.css` sets that colour and
//! makes the picture shrink to the page width).

use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use svgbob::Render as _;

/// The preprocessor's name, as mdBook reports it.
pub const NAME: &str = "svgbob";

/// Replaces ```` ```svgbob ```` fenced blocks with inline SVG (see the module docs).
#[derive(Debug, Default, Clone, Copy)]
pub struct SvgbobPreprocessor;

impl Preprocessor for SvgbobPreprocessor {
    fn name(&self) -> &str {
        NAME
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> anyhow::Result<Book> {
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                chapter.content = replace_diagrams(&chapter.content);
            }
        });
        Ok(book)
    }

    fn supports_renderer(&self, renderer: &str) -> anyhow::Result<bool> {
        // Only HTML can show an inline SVG; other renderers keep the ASCII art.
        Ok(renderer == "html")
    }
}

/// Returns `markdown` with every ```` ```svgbob ```` fenced block replaced by a `<figure>`.
///
/// Everything else is left byte for byte as it was.
pub fn replace_diagrams(markdown: &str) -> String {
    // (byte range of the whole fenced block, its ASCII art)
    let mut blocks: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut current: Option<(std::ops::Range<usize>, String)> = None;

    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_svgbob(&info) => {
                current = Some((range, String::new()));
            }
            Event::Text(text) => {
                if let Some((_, art)) = current.as_mut() {
                    art.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(block) = current.take() {
                    blocks.push(block);
                }
            }
            _ => {}
        }
    }

    let mut out = String::with_capacity(markdown.len());
    let mut copied_up_to = 0;
    for (range, art) in blocks {
        out.push_str(&markdown[copied_up_to..range.start]);
        out.push_str(&figure(&art));
        copied_up_to = range.end;
    }
    out.push_str(&markdown[copied_up_to..]);
    out
}

/// Does this info string (`svgbob`, `svgbob,title` or `svgbob title`) ask for a diagram?
fn is_svgbob(info: &str) -> bool {
    info.split([',', ' ', '\t']).next() == Some("svgbob")
}

/// Renders ASCII art as `<figure class="diagram"><svg ...></svg></figure>` on a single line.
///
/// A single line matters: Markdown ends an HTML block at the first blank line, and the blank
/// lines after it keep the next paragraph out of the figure.
pub fn figure(art: &str) -> String {
    format!("<figure class=\"diagram\">{}</figure>\n\n", to_svg(art))
}

/// Renders ASCII art as one line of SVG drawn in `currentColor`, with a `viewBox` so it scales.
pub fn to_svg(art: &str) -> String {
    let settings = svgbob::Settings {
        stroke_color: "currentColor".into(),
        fill_color: "currentColor".into(),
        // Hollow shapes are filled with the page's background colour, whatever the theme.
        background: "var(--bg)".into(),
        font_family: "var(--mono-font), monospace".into(),
        include_backdrop: false,
        ..svgbob::Settings::default()
    };
    let (node, width, height) = svgbob::CellBuffer::from(art).get_node_with_size::<()>(&settings);
    let svg = node.render_to_string();
    let svg = svg.replacen(
        "<svg ",
        &format!("<svg viewBox=\"0 0 {width} {height}\" role=\"img\" "),
        1,
    );
    // One line, so that Markdown keeps it in a single HTML block.
    svg.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_svgbob_blocks() {
        let markdown = "# Title\n\n```svgbob\n+--+\n|  |--> out\n+--+\n```\nText after.\n\n```text\nkept\n```\n";
        let replaced = replace_diagrams(markdown);
        assert!(replaced.starts_with("# Title\n\n<figure class=\"diagram\"><svg "));
        assert!(replaced.contains("</svg></figure>\n\n"));
        assert!(replaced.ends_with("\n\nText after.\n\n```text\nkept\n```\n"));
        assert!(replaced.contains("```text\nkept\n```\n"));
        assert!(!replaced.contains("```svgbob"));
    }

    #[test]
    fn the_picture_is_a_single_line_that_follows_the_theme() {
        let svg = to_svg("a --> b\n\nc");
        assert!(!svg.contains('\n'), "{svg}");
        assert!(svg.contains("viewBox=\"0 0 "), "{svg}");
        assert!(svg.contains("currentColor"), "{svg}");
        assert!(!svg.contains("black"), "{svg}");
    }

    #[test]
    fn info_strings() {
        assert!(is_svgbob("svgbob"));
        assert!(is_svgbob("svgbob,title"));
        assert!(!is_svgbob("svgbobs"));
        assert!(!is_svgbob("rust"));
    }
}
