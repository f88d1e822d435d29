//! [`Tags`]: an owned tag list in its wire form, what an offer or a session
//! keeps of the frames it came from (one allocation, read in place).

use alloc::vec::Vec;

use super::{Tag, TagIter, TagType};

/// Discovery tags as they are on the wire (type, length, value, ...), all
/// whole: built from a validated payload, by [`Tags::push`], or checked by
/// [`Tags::parse`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tags(Vec<u8>);

impl Tags {
    pub const fn new() -> Tags {
        Tags(Vec::new())
    }

    /// The tags of a payload whose tag walk has no error (the engine checks
    /// that before it looks at a frame), up to End-Of-List.
    pub fn from_payload(payload: &[u8]) -> Tags {
        let mut t = Tags::new();
        for tag in TagIter::new(payload).flatten() {
            t.push(tag.ty, tag.value);
        }
        t
    }

    /// Bytes that should be a tag list (a session record): `None` unless
    /// every tag is whole.
    pub fn parse(bytes: Vec<u8>) -> Option<Tags> {
        TagIter::new(&bytes)
            .all(|t| t.is_ok())
            .then_some(Tags(bytes))
    }

    /// Appends a tag (a value longer than 65535 bytes, which no frame can
    /// carry, is cut).
    pub fn push(&mut self, ty: TagType, value: &[u8]) {
        let value = value.get(..usize::from(u16::MAX)).unwrap_or(value);
        self.0.extend_from_slice(&ty.0.to_be_bytes());
        self.0
            .extend_from_slice(&(value.len() as u16).to_be_bytes());
        self.0.extend_from_slice(value);
    }

    /// Appends `value` as a tag of type `ty` if there is one.
    pub fn push_some(&mut self, ty: TagType, value: Option<&[u8]>) {
        if let Some(v) = value {
            self.push(ty, v);
        }
    }

    /// Every tag, in order.
    pub fn iter(&self) -> impl Iterator<Item = Tag<'_>> {
        TagIter::new(&self.0).flatten()
    }

    /// The value of the first tag of type `ty`.
    pub fn first(&self, ty: TagType) -> Option<&[u8]> {
        self.iter().find(|t| t.ty == ty).map(|t| t.value)
    }

    /// The values of every tag of type `ty`, in order.
    pub fn all(&self, ty: TagType) -> impl Iterator<Item = &[u8]> {
        self.iter().filter(move |t| t.ty == ty).map(|t| t.value)
    }

    /// The list in its wire form.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}
