//! Kiwoom writes nesting as a flat `depth` number on each row (quirk #1): a row belongs to the
//! nearest preceding container (LIST / List<Map> / Object) with a smaller depth.

use super::kiwoom::Row;
use super::report::Report;

#[derive(Debug, Clone)]
pub struct Node {
    pub row: Row,
    pub children: Vec<Node>,
}

pub fn is_container(row: &Row) -> bool {
    matches!(row.ty.as_str(), "LIST" | "List<Map>" | "Object")
}

/// Rebuild the tree of one table segment (no section rows). `context` names TR and part for
/// the report.
pub fn build(rows: &[Row], context: &str, report: &mut Report) -> Vec<Node> {
    let mut roots: Vec<Node> = Vec::new();
    let mut open: Vec<Node> = Vec::new();
    let mut previous: Option<&Row> = None;
    for row in rows {
        close_until(&mut open, &mut roots, row.depth);
        let parent_depth = open.last().map(|n| n.row.depth);
        if row.depth > 0 && parent_depth.is_none() {
            report.add(
                "structure",
                format!(
                    "{context}: `{}` has depth {} but no container above it; kept at the top level",
                    row.element, row.depth
                ),
            );
        } else if let Some(prev) = previous
            && prev.depth < row.depth
            && !is_container(prev)
        {
            report.add(
                "structure",
                format!(
                    "{context}: `{}` (depth {}) follows non-container `{}`; attached to `{}`",
                    row.element,
                    row.depth,
                    prev.element,
                    open.last()
                        .map(|n| n.row.element.as_str())
                        .unwrap_or("<top>")
                ),
            );
        }
        let node = Node {
            row: row.clone(),
            children: Vec::new(),
        };
        if is_container(row) {
            open.push(node);
        } else {
            attach(&mut open, &mut roots, node);
        }
        previous = Some(row);
    }
    close_until(&mut open, &mut roots, 0);
    roots
}

fn close_until(open: &mut Vec<Node>, roots: &mut Vec<Node>, depth: u8) {
    while open.last().is_some_and(|n| n.row.depth >= depth) {
        let node = open.pop().expect("checked non-empty");
        attach(open, roots, node);
    }
}

fn attach(open: &mut [Node], roots: &mut Vec<Node>, node: Node) {
    match open.last_mut() {
        Some(parent) => parent.children.push(node),
        None => roots.push(node),
    }
}

/// Split a body at its section rows (quirk #6, ka10173): the first segment has no title.
pub fn split_sections(rows: &[Row]) -> Vec<(Option<String>, Vec<Row>)> {
    let mut out: Vec<(Option<String>, Vec<Row>)> = vec![(None, Vec::new())];
    for row in rows {
        if row.is_section {
            out.push((Some(row.element.trim().to_string()), Vec::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push(row.clone());
        }
    }
    out.retain(|(title, rows)| title.is_some() || !rows.is_empty());
    out
}
