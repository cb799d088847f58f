//! What the user asks for: an order intent, recorded before anything is sent.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ModelError;
use crate::ids::ClientOrderId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// +1 for a buy, -1 for a sell: the sign a fill adds to a position.
    pub fn sign(self) -> i64 {
        match self {
            Side::Buy => 1,
            Side::Sell => -1,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }
}

/// Which of Kiwoom's order families the intent goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Market {
    /// Korean stocks, cash account (kt10000 / kt10001).
    Domestic,
    /// Korean stocks on credit (kt10006 / kt10007).
    DomesticCredit,
    /// US stocks.
    Us,
}

/// The loan a credit sale repays (kt10007 `crd_deal_tp`, `crd_loan_dt`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditTerms {
    /// `33` = one loan (융자; `loan_date` required), `99` = this stock's loans together
    /// (융자합, the default).
    pub deal_type: String,
    pub loan_date: Option<NaiveDate>,
}

impl Default for CreditTerms {
    fn default() -> Self {
        Self {
            deal_type: "99".into(),
            loan_date: None,
        }
    }
}

/// An order the user wants placed. `price` is `None` for a market order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderIntent {
    pub client_order_id: ClientOrderId,
    pub account: String,
    pub market: Market,
    pub stock: String,
    pub side: Side,
    pub quantity: u64,
    pub price: Option<Decimal>,
    /// Venue asked for (`KRX`, `NXT`, `SOR`), if any; for a US order its exchange
    /// (`ND` NASDAQ, `NY` NYSE, `NA` AMEX), required.
    pub venue: Option<String>,
    /// For a credit sale: the loan it repays (`None`: the stock's loans together).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<CreditTerms>,
    pub created_at: DateTime<Utc>,
}

/// Korea's offset; Kiwoom's trading date and its order numbering follow Seoul time.
pub fn seoul() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

impl OrderIntent {
    /// A domestic cash limit-or-market order with a generated client order id.
    pub fn new(
        account: impl Into<String>,
        stock: impl Into<String>,
        side: Side,
        quantity: u64,
        price: Option<Decimal>,
    ) -> Result<Self, ModelError> {
        let intent = Self {
            client_order_id: ClientOrderId::generate(),
            account: account.into(),
            market: Market::Domestic,
            stock: stock.into(),
            side,
            quantity,
            price,
            venue: None,
            credit: None,
            created_at: Utc::now(),
        };
        intent.validate()?;
        Ok(intent)
    }

    pub fn buy(
        account: impl Into<String>,
        stock: impl Into<String>,
        quantity: u64,
        price: Option<Decimal>,
    ) -> Result<Self, ModelError> {
        Self::new(account, stock, Side::Buy, quantity, price)
    }

    pub fn sell(
        account: impl Into<String>,
        stock: impl Into<String>,
        quantity: u64,
        price: Option<Decimal>,
    ) -> Result<Self, ModelError> {
        Self::new(account, stock, Side::Sell, quantity, price)
    }

    /// Use the caller's own id instead of the generated one.
    pub fn with_client_order_id(mut self, id: ClientOrderId) -> Self {
        self.client_order_id = id;
        self
    }

    pub fn with_market(mut self, market: Market) -> Self {
        self.market = market;
        self
    }

    /// A credit order (kt10006-kt10009); for a sale, the loan it repays.
    pub fn with_credit(mut self, terms: CreditTerms) -> Self {
        self.market = Market::DomesticCredit;
        self.credit = Some(terms);
        self
    }

    pub fn with_venue(mut self, venue: impl Into<String>) -> Self {
        self.venue = Some(venue.into());
        self
    }

    pub fn with_created_at(mut self, at: DateTime<Utc>) -> Self {
        self.created_at = at;
        self
    }

    /// The trading date (Seoul) the order belongs to; fills and order numbers are per date.
    pub fn trade_date(&self) -> NaiveDate {
        self.created_at.with_timezone(&seoul()).date_naive()
    }

    pub fn validate(&self) -> Result<(), ModelError> {
        if self.quantity == 0 || self.quantity > i64::MAX as u64 {
            return Err(ModelError::InvalidIntent(format!(
                "quantity {} out of range",
                self.quantity
            )));
        }
        if self.account.trim().is_empty() || self.stock.trim().is_empty() {
            return Err(ModelError::InvalidIntent(
                "account and stock are required".into(),
            ));
        }
        if let Some(price) = self.price {
            if price <= Decimal::ZERO {
                return Err(ModelError::InvalidIntent(format!(
                    "price {price} must be positive"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn trade_date_follows_seoul_time() {
        // 16:00 UTC on 1 Dec is 01:00 on 2 Dec in Seoul.
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 16, 0, 0).unwrap();
        let intent = OrderIntent::buy("5555", "005930", 1, None)
            .unwrap()
            .with_created_at(at);
        assert_eq!(
            intent.trade_date(),
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
        );
    }

    #[test]
    fn bad_intents_are_refused() {
        assert!(OrderIntent::buy("5555", "005930", 0, None).is_err());
        assert!(OrderIntent::buy("", "005930", 1, None).is_err());
        assert!(OrderIntent::sell("5555", "005930", 1, Some(Decimal::ZERO)).is_err());
    }
}
