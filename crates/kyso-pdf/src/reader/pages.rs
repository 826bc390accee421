//! The page tree (ISO 32000-2 §7.7.3): counting pages and finding one by index without
//! visiting the others' subtrees.

use std::collections::HashSet;

use super::{MAX_PAGE_TREE_DEPTH, PdfReader, Source};
use crate::error::{Error, Result};
use crate::object::{Dict, ObjRef, Object};

/// Whether a page tree node is a page (leaf) rather than a pages node (§7.7.3.2,
/// §7.7.3.3): by `/Type`, or, without one, by the absence of `/Kids`.
fn is_leaf(node: &Dict) -> bool {
    match node.type_name() {
        Some(b"Page") => true,
        Some(b"Pages") => false,
        _ => !node.contains_key("Kids"),
    }
}

impl<S: Source> PdfReader<S> {
    /// The root of the page tree: the catalog's `/Pages` (ISO 32000-2 §7.7.2).
    pub fn pages_ref(&self) -> Result<ObjRef> {
        let catalog_ref = self.catalog_ref()?;
        let catalog = self.resolve_dict(catalog_ref)?;
        match catalog.get("Pages") {
            Some(Object::Reference(r)) => Ok(*r),
            Some(other) => Err(Error::BadObject {
                object: catalog_ref,
                message: format!("/Pages is a {}, not a reference", other.type_name()),
            }),
            None => Err(Error::BadObject {
                object: catalog_ref,
                message: "the catalog has no /Pages".into(),
            }),
        }
    }

    /// The number of pages: the page tree root's `/Count` (ISO 32000-2 §7.7.3.2).
    pub fn page_count(&self) -> Result<usize> {
        let root = self.pages_ref()?;
        let node = self.resolve_dict(root)?;
        if is_leaf(&node) {
            return Ok(1);
        }
        self.node_count(root, &node)
    }

    /// `/Count` of a pages node.
    fn node_count(&self, r: ObjRef, node: &Dict) -> Result<usize> {
        let count = node.get("Count").map(|c| self.deref(c)).transpose()?;
        count
            .as_ref()
            .and_then(Object::as_i64)
            .and_then(|c| usize::try_from(c).ok())
            .ok_or_else(|| Error::BadObject {
                object: r,
                message: "page tree node has no valid /Count".into(),
            })
    }

    /// The page object at `index` (0-based) in document order (ISO 32000-2 §7.7.3).
    /// Descends the tree using each node's `/Count` to skip whole subtrees, so only the
    /// nodes on the path and their direct kids are read.
    ///
    /// Errors: [`Error::PageOutOfRange`]; [`Error::BadObject`] for a cycle in the tree, a
    /// malformed node or a `/Count` that does not match the kids;
    /// [`Error::LimitExceeded`] past [`MAX_PAGE_TREE_DEPTH`].
    pub fn page_ref(&self, index: usize) -> Result<ObjRef> {
        let root = self.pages_ref()?;
        let count = self.page_count()?;
        if index >= count {
            return Err(Error::PageOutOfRange { index, count });
        }
        let mut node_ref = root;
        let mut remaining = index;
        let mut ancestors = HashSet::new();
        for _ in 0..MAX_PAGE_TREE_DEPTH {
            if !ancestors.insert(node_ref) {
                return Err(Error::BadObject {
                    object: node_ref,
                    message: "the page tree has a cycle: this node is its own ancestor".into(),
                });
            }
            let node = self.resolve_dict(node_ref)?;
            if is_leaf(&node) {
                return if remaining == 0 {
                    Ok(node_ref)
                } else {
                    Err(Error::PageOutOfRange { index, count })
                };
            }
            let kids = self.kids(node_ref, &node)?;
            let mut next = None;
            for kid in kids {
                let kid_ref = kid.as_reference().ok_or_else(|| Error::BadObject {
                    object: node_ref,
                    message: format!("a /Kids entry is a {}, not a reference", kid.type_name()),
                })?;
                let kid_node = self.resolve_dict(kid_ref)?;
                let n = if is_leaf(&kid_node) {
                    if remaining == 0 {
                        return Ok(kid_ref);
                    }
                    1
                } else {
                    self.node_count(kid_ref, &kid_node)?
                };
                if remaining < n {
                    next = Some(kid_ref);
                    break;
                }
                remaining -= n;
            }
            match next {
                Some(r) => node_ref = r,
                None => {
                    return Err(Error::BadObject {
                        object: node_ref,
                        message: "/Count is larger than the pages in /Kids".into(),
                    });
                }
            }
        }
        Err(Error::LimitExceeded {
            what: "page tree depth",
            limit: MAX_PAGE_TREE_DEPTH,
        })
    }

    /// Every page object in document order (ISO 32000-2 §7.7.3), visiting the whole
    /// tree; a node seen twice (a cycle or a shared subtree) is an error.
    pub fn page_refs(&self) -> Result<Vec<ObjRef>> {
        let root = self.pages_ref()?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        // Stack of (node, depth), kids pushed in reverse to keep document order.
        let mut stack = vec![(root, 1usize)];
        while let Some((r, depth)) = stack.pop() {
            if depth > MAX_PAGE_TREE_DEPTH {
                return Err(Error::LimitExceeded {
                    what: "page tree depth",
                    limit: MAX_PAGE_TREE_DEPTH,
                });
            }
            if !seen.insert(r) {
                return Err(Error::BadObject {
                    object: r,
                    message: "the page tree reaches this node twice".into(),
                });
            }
            let node = self.resolve_dict(r)?;
            if is_leaf(&node) {
                out.push(r);
                continue;
            }
            let kids = self.kids(r, &node)?;
            for kid in kids.iter().rev() {
                let kid_ref = kid.as_reference().ok_or_else(|| Error::BadObject {
                    object: r,
                    message: format!("a /Kids entry is a {}, not a reference", kid.type_name()),
                })?;
                stack.push((kid_ref, depth + 1));
            }
        }
        Ok(out)
    }

    fn kids(&self, r: ObjRef, node: &Dict) -> Result<Vec<Object>> {
        let kids = node.get("Kids").map(|k| self.deref(k)).transpose()?;
        match kids {
            Some(Object::Array(a)) => Ok(a),
            _ => Err(Error::BadObject {
                object: r,
                message: "page tree node has no /Kids array".into(),
            }),
        }
    }
}
