//! The runtime's paging loop behind one stream type, for any paged TR: the generated
//! `generated::pager::pages` picks the typed request, this turns its pages into
//! `AnyResponse`s. Each page is fetched only when the previous one has been printed.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use kiwoom_generated::kiwoom_runtime::{Client, Error, PagedRequest};
use kiwoom_generated::registry::AnyResponse;

/// The pages of one listing, in order; an error ends it.
pub type Pages = Pin<Box<dyn Stream<Item = Result<AnyResponse, Error>> + Send>>;

/// Every page of `request` (at most `max_pages`), each wrapped by `wrap`.
// The request arrives boxed from `AnyRequest`; unboxing here keeps each generated arm a call.
#[allow(clippy::boxed_local)]
pub fn pages<T: PagedRequest>(
    client: &Client,
    request: Box<T>,
    max_pages: Option<usize>,
    wrap: fn(T::Response) -> AnyResponse,
) -> Pages {
    let mut call = client.call(*request);
    if let Some(n) = max_pages {
        call = call.max_pages(n);
    }
    Box::pin(call.pages().map(move |page| page.map(|p| wrap(p.body))))
}
