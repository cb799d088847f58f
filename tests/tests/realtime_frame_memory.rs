//! Issue 9: one 15 MB REAL frame with 308k entries drove the process to 615 MB. With the
//! per-frame entry bound the session reads at most `max_entries_per_frame` entries, skips
//! the rest without building them, and reports the cut; the process's peak allocation
//! (simulator and client together, both in this test) stays a small multiple of the frame.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use kiwoom_generated::realtime::StockTrade;
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_runtime::ws::TypedEvent;
use kiwoom_runtime::{Error, Market};
use kiwoom_tests::runtime_support::local_builder;

/// Counts live heap bytes and their peak, for this test binary only.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ENTRIES: usize = 308_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_real_frame_costs_a_bounded_amount_of_memory() {
    let server = MockServer::start(MockConfig {
        realtime_interval: Duration::from_secs(3600),
        ..MockConfig::default()
    })
    .await
    .expect("simulator starts");
    let client = local_builder(&server.base_url(), &server.ws_url())
        .build()
        .expect("client builds");
    let session = client.realtime(Market::Domestic).await.expect("session");
    let mut trades = session.events_of::<StockTrade>();
    session.subscribe::<StockTrade>(["005930"]).await.unwrap();

    let entry = r#"{"values":{"10":"+6"},"type":"0B","item":"005930"}"#;
    let mut frame = String::with_capacity(ENTRIES * (entry.len() + 1) + 32);
    frame.push_str(r#"{"data":["#);
    for i in 0..ENTRIES {
        if i > 0 {
            frame.push(',');
        }
        frame.push_str(entry);
    }
    frame.push_str(r#"],"trnm":"REAL"}"#);
    let frame_bytes = frame.len();

    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    server.control().push_raw(frame).await;
    let mut delivered = 0;
    let error = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match trades.next().await.expect("session open") {
                Ok(TypedEvent::Real(_)) => delivered += 1,
                Ok(_) => {}
                Err(Error::Decode(e)) => return e,
                Err(other) => panic!("{other}"),
            }
        }
    })
    .await
    .expect("the cut is reported");
    let growth = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    println!(
        "frame {:.1} MB, {ENTRIES} entries: peak heap growth {:.1} MB; {error}",
        frame_bytes as f64 / 1e6,
        growth as f64 / 1e6
    );
    assert!(error.reason.contains("skipped"), "{error}");
    // The 5,000 entries read are one (type, item): what the consumer did not take in time
    // was conflated.
    assert!((1..=5_000).contains(&delivered), "{delivered}");
    // The frame's text passes through a few buffers (simulator and client); the entries
    // beyond the bound are never built. Unbounded, this was 615 MB.
    assert!(
        growth < 12 * frame_bytes,
        "peak heap growth {growth} bytes for a {frame_bytes}-byte frame"
    );
}
