//! Prices and randomness for the tests that trade against the simulator's market: the KRX
//! tick grid, and a small seeded generator so a run can be replayed from its seed.

use rust_decimal::Decimal;

/// splitmix64: a small seeded generator, so a run can be replayed from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// KRX price unit (호가단위).
pub fn tick(price: u64) -> u64 {
    match price {
        ..2_000 => 1,
        2_000..5_000 => 5,
        5_000..20_000 => 10,
        20_000..50_000 => 50,
        50_000..200_000 => 100,
        200_000..500_000 => 500,
        _ => 1_000,
    }
}

/// `price` rounded down to the tick grid.
pub fn on_tick(price: u64) -> Decimal {
    Decimal::from(price / tick(price) * tick(price))
}

/// Today's trading date (Seoul), the date the simulator and the journal file orders under.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&kiwoom_orders::intent::seoul())
        .date_naive()
}
