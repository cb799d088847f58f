//! From book events to the realtime feed: every event of the book (see `book`) is published
//! to the WebSocket sessions, which turn it into a `00` frame (if they registered 00 and the
//! frame is not dropped by a fault) and a `04` frame (if they registered 04); then the book
//! is saved to the state file, if there is one. Both happen under the book's lock, so the
//! frames go out in the order of the events and the file always holds the latest book.

use std::sync::Arc;

use chrono::Timelike;

use crate::book::{Book, Ctx, Event};
use crate::control::{Shared, lock};
use crate::det::Det;

/// One published event, and whether its 00 frame is sent (false: dropped by a fault).
#[derive(Debug)]
pub(crate) struct Published {
    pub event: Event,
    pub send_00: bool,
}

/// "00 frame never sent": the next `next` frames, then each with `probability` (a draw
/// keyed by the seed and the event's number, so a seed drops the same events every run).
#[derive(Debug, Default)]
pub(crate) struct FrameFaults {
    pub next: u64,
    pub probability: f64,
    pub dropped: u64,
}

impl FrameFaults {
    fn drops(&mut self, seed: u64, seq: u64) -> bool {
        let drop = if self.next > 0 {
            self.next -= 1;
            true
        } else {
            self.probability > 0.0
                && Det::new(seed, &["drop-00", &seq.to_string()]).unit() < self.probability
        };
        self.dropped += u64::from(drop);
        drop
    }
}

impl Shared {
    /// The book's view of now: the seed, the trading day prices belong to, the time of day.
    pub fn ctx(&self) -> Ctx {
        let now = crate::clock::now(&self.config);
        Ctx {
            seed: self.config.seed,
            today: crate::clock::anchor_at(now).0,
            secs: now.num_seconds_from_midnight(),
        }
    }

    /// Publish the events of one change of `book` and save it. Call with the book locked.
    pub fn commit(&self, book: &Book, events: Vec<Event>) {
        self.publish(events);
        self.save(book);
    }

    fn publish(&self, events: Vec<Event>) {
        for event in events {
            let dropped = lock(&self.frame_faults).drops(self.config.seed, event.seq);
            if dropped {
                tracing::info!(
                    seq = event.seq,
                    ord_no = event.order.ord_no,
                    "fault: the 00 frame of this event is never sent"
                );
            }
            // Nobody listening is fine.
            let _ = self.feed.send(Arc::new(Published {
                event,
                send_00: !dropped,
            }));
        }
    }

    fn save(&self, book: &Book) {
        if let Some(path) = &self.config.state_file {
            if let Err(e) = crate::state_file::save(path, self.config.seed, book) {
                tracing::error!(path = %path.display(), error = %e, "saving the book failed");
            }
        }
    }

    /// Move the market `n` steps, publishing the fills they cause; the total steps taken.
    /// The book is saved once, after the last step: the lock is held throughout, so nobody
    /// sees (and no killed process leaves) a state between two of the steps.
    pub fn step_market(&self, n: u64) -> u64 {
        let ctx = self.ctx();
        let mut book = lock(&self.book);
        for _ in 0..n {
            let events = book.step(&ctx);
            self.publish(events);
        }
        if n > 0 {
            self.save(&book);
        }
        book.walk.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_the_next_frames_then_by_seeded_chance() {
        let mut f = FrameFaults {
            next: 2,
            ..FrameFaults::default()
        };
        assert!(f.drops(1, 1) && f.drops(1, 2) && !f.drops(1, 3));
        assert_eq!(f.dropped, 2);
        let run = |seed| {
            let mut f = FrameFaults {
                probability: 0.5,
                ..FrameFaults::default()
            };
            (1..=200).map(|seq| f.drops(seed, seq)).collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        let dropped = run(3).iter().filter(|d| **d).count();
        assert!((60..140).contains(&dropped), "{dropped} of 200");
    }
}
