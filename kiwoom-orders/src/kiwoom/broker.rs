//! [`Broker`] over the generated client. Requests are built in Kiwoom's wire form and sent by
//! api-id (`call_json`, `parse_request`), so the renames of the generated Rust names do not
//! reach this file; only the registry's api-id variants (`AnyRequest::Kt00009`) appear.

use chrono::NaiveDate;
use futures::StreamExt;
use kiwoom_generated::{AnyRequest, call_json, parse_request};
use kiwoom_runtime::{Client, Error, RequestSent};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::wire;
use crate::ids::OrderNo;
use crate::intent::{Market, OrderIntent, Side};
use crate::order::Order;
use crate::position::BrokerPosition;
use crate::tracker::{Broker, BrokerError, History, Placed};

/// Orders (domestic cash kt10000-kt10003, domestic credit kt10006-kt10009, US
/// ust20000-ust20003, by the intent's `market`) and the domestic account queries, through
/// one client (whose token names the account).
#[derive(Clone)]
pub struct KiwoomBroker {
    client: Client,
    account: String,
    /// `dmst_stex_tp` for orders without a venue of their own.
    venue: String,
}

impl KiwoomBroker {
    pub fn new(client: Client, account: impl Into<String>) -> Self {
        Self {
            client,
            account: account.into(),
            venue: "KRX".into(),
        }
    }

    /// The venue orders go to when the intent names none (`KRX`, `NXT`, `SOR`).
    pub fn with_venue(mut self, venue: impl Into<String>) -> Self {
        self.venue = venue.into();
        self
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    async fn order(&self, api_id: &str, body: Value) -> Result<Placed, BrokerError> {
        match call_json(&self.client, api_id, body).await {
            Ok(answer) => wire::placed(&serde_json::to_value(&answer).unwrap_or(Value::Null)),
            Err(e) => Err(order_error(e)),
        }
    }

    /// Every page of a paged query, as JSON, then the rows of `list`.
    async fn rows(&self, api_id: &str, body: Value, list: &str) -> Result<Vec<Value>, BrokerError> {
        let request =
            parse_request(api_id, &body).map_err(|e| BrokerError::Query(e.to_string()))?;
        let pages: Vec<Value> = match request {
            AnyRequest::Ka10075(r) => collect(self.client.call(*r).pages()).await?,
            AnyRequest::Kt00009(r) => collect(self.client.call(*r).pages()).await?,
            AnyRequest::Kt00018(r) => collect(self.client.call(*r).pages()).await?,
            _ => {
                return Err(BrokerError::Query(format!(
                    "{api_id} is not a query this adapter pages"
                )));
            }
        };
        Ok(pages
            .iter()
            .flat_map(|page| {
                page.get(list)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .collect())
    }
}

async fn collect<S, R>(pages: S) -> Result<Vec<Value>, BrokerError>
where
    S: futures::Stream<Item = Result<kiwoom_runtime::Page<R>, Error>>,
    R: serde::Serialize,
{
    let pages: Vec<_> = pages.collect().await;
    pages
        .into_iter()
        .map(|p| {
            let page = p.map_err(|e| BrokerError::Query(e.to_string()))?;
            serde_json::to_value(&page.body).map_err(|e| BrokerError::Query(e.to_string()))
        })
        .collect()
}

/// What a failed order request means for the journal. Only what certainly did not leave
/// the process is "not sent"; only Kiwoom's own refusal is "rejected"; anything else may
/// have been processed and is "unknown" (never resent).
fn order_error(e: Error) -> BrokerError {
    if let Error::OrderAcceptedUndecodable {
        order_number: Some(_),
        ..
    } = &e
    {
        // Accepted; the number is in the error. Unknown keeps it safe: the history finds it.
        return BrokerError::OutcomeUnknown(e.to_string());
    }
    match (&e, e.request_sent()) {
        (_, RequestSent::No) => BrokerError::NotSent(e.to_string()),
        (Error::Api { code, message, .. }, _) => BrokerError::Rejected {
            code: Some(code.to_string()),
            message: message.clone(),
            raw: Value::Null,
        },
        _ => BrokerError::OutcomeUnknown(e.to_string()),
    }
}

fn amount(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Kiwoom's order TRs of one family (spec/domestic/order.yaml, credit-order.yaml,
/// us/order.yaml): buy, sell, amend, cancel.
struct Family {
    buy: &'static str,
    sell: &'static str,
    amend: &'static str,
    cancel: &'static str,
}

fn family(market: Market) -> Family {
    match market {
        Market::Domestic => Family {
            buy: "kt10000",
            sell: "kt10001",
            amend: "kt10002",
            cancel: "kt10003",
        },
        Market::DomesticCredit => Family {
            buy: "kt10006",
            sell: "kt10007",
            amend: "kt10008",
            cancel: "kt10009",
        },
        Market::Us => Family {
            buy: "ust20000",
            sell: "ust20001",
            amend: "ust20002",
            cancel: "ust20003",
        },
    }
}

/// A US order names its exchange (`stex_tp`: `ND` NASDAQ, `NY` NYSE, `NA` AMEX), taken
/// from the intent's venue.
fn us_exchange(intent: &OrderIntent) -> Result<String, BrokerError> {
    match intent.venue.as_deref() {
        Some(ex @ ("ND" | "NY" | "NA")) => Ok(ex.to_owned()),
        other => Err(BrokerError::NotSent(format!(
            "a US order needs its exchange as the venue (ND, NY or NA), not {other:?}"
        ))),
    }
}

/// An order number as Kiwoom's order TRs take it back (`orig_ord_no`): zero-padded to 7
/// digits for domestic orders (`"0000455"`), 9 for US ones (`"000000050"`), as in Kiwoom's
/// own request examples. The journal keeps numbers without their leading zeros.
fn wire_no(no: &OrderNo, market: Market) -> String {
    match market {
        Market::Us => format!("{:0>9}", no.as_str()),
        Market::Domestic | Market::DomesticCredit => format!("{:0>7}", no.as_str()),
    }
}

impl KiwoomBroker {
    fn venue_of(&self, intent: &OrderIntent) -> String {
        intent.venue.clone().unwrap_or_else(|| self.venue.clone())
    }
}

impl Broker for KiwoomBroker {
    async fn place(&self, intent: &OrderIntent) -> Result<Placed, BrokerError> {
        let tr = family(intent.market);
        let api_id = match intent.side {
            Side::Buy => tr.buy,
            Side::Sell => tr.sell,
        };
        let body = match intent.market {
            Market::Domestic | Market::DomesticCredit => {
                let mut body = json!({
                    "dmst_stex_tp": self.venue_of(intent),
                    "stk_cd": intent.stock,
                    "ord_qty": intent.quantity.to_string(),
                    "ord_uv": intent.price.map(amount).unwrap_or_default(),
                    // 0 = limit (보통), 3 = market (시장가)
                    "trde_tp": if intent.price.is_some() { "0" } else { "3" },
                    "cond_uv": "",
                });
                if intent.market == Market::DomesticCredit && intent.side == Side::Sell {
                    // A credit sale repays a loan: 33 = one loan (its date required),
                    // 99 = the loans of this stock together (융자합).
                    let credit = intent.credit.clone().unwrap_or_default();
                    body["crd_deal_tp"] = json!(credit.deal_type);
                    body["crd_loan_dt"] = json!(
                        credit
                            .loan_date
                            .map(|d| d.format("%Y%m%d").to_string())
                            .unwrap_or_default()
                    );
                }
                body
            }
            Market::Us => json!({
                "stex_tp": us_exchange(intent)?,
                "stk_cd": intent.stock,
                "ord_qty": intent.quantity.to_string(),
                "ord_uv": intent.price.map(amount).unwrap_or_default(),
                // 00 = limit (지정가), 03 = market (시장가)
                "trde_tp": if intent.price.is_some() { "00" } else { "03" },
            }),
        };
        self.order(api_id, body).await
    }

    async fn amend(
        &self,
        order: &Order,
        orig: &OrderNo,
        quantity: u64,
        price: Option<Decimal>,
    ) -> Result<Placed, BrokerError> {
        let price = price
            .or(order.price)
            .ok_or_else(|| BrokerError::NotSent("an amendment needs a price".into()))?;
        let intent = &order.intent;
        let body = match intent.market {
            Market::Domestic | Market::DomesticCredit => json!({
                "dmst_stex_tp": self.venue_of(intent),
                "orig_ord_no": wire_no(orig, intent.market),
                "stk_cd": intent.stock,
                "mdfy_qty": quantity.to_string(),
                "mdfy_uv": amount(price),
                "mdfy_cond_uv": "",
            }),
            // ust20002 amends the price of the whole open quantity (no quantity field).
            Market::Us => json!({
                "orig_ord_no": wire_no(orig, intent.market),
                "stex_tp": us_exchange(intent)?,
                "stk_cd": intent.stock,
                "mdfy_uv": amount(price),
            }),
        };
        self.order(family(intent.market).amend, body).await
    }

    async fn cancel(
        &self,
        order: &Order,
        orig: &OrderNo,
        quantity: u64,
    ) -> Result<Placed, BrokerError> {
        let intent = &order.intent;
        let body = match intent.market {
            Market::Domestic | Market::DomesticCredit => json!({
                "dmst_stex_tp": self.venue_of(intent),
                "orig_ord_no": wire_no(orig, intent.market),
                "stk_cd": intent.stock,
                "cncl_qty": quantity.to_string(),
            }),
            // ust20003 cancels the whole open quantity.
            Market::Us => json!({
                "orig_ord_no": wire_no(orig, intent.market),
                "stex_tp": us_exchange(intent)?,
                "stk_cd": intent.stock,
            }),
        };
        self.order(family(intent.market).cancel, body).await
    }

    async fn history(&self, account: &str, trade_date: NaiveDate) -> Result<History, BrokerError> {
        // Open orders first: a fill landing between the two queries then shows as a fill,
        // never as a cancellation.
        let open = self
            .rows(
                "ka10075",
                json!({"all_stk_tp": "0", "trde_tp": "0", "stk_cd": "", "stex_tp": "0"}),
                "oso",
            )
            .await?;
        let as_of = chrono::Utc::now();
        let rows = self
            .rows(
                "kt00009",
                json!({
                    "ord_dt": trade_date.format("%Y%m%d").to_string(), "stk_bond_tp": "1", "mrkt_tp": "0",
                    "sell_tp": "0", "qry_tp": "0", "stk_cd": "", "fr_ord_no": "", "dmst_stex_tp": "%",
                }),
                "acnt_ord_cntr_prst_array",
            )
            .await?;
        let (orders, fills) = wire::history(account, trade_date, &rows);
        Ok(History {
            orders,
            open: wire::open_orders(&open),
            fills,
            as_of,
        })
    }

    async fn holdings(&self, _account: &str) -> Result<Vec<(String, BrokerPosition)>, BrokerError> {
        let rows = self
            .rows(
                "kt00018",
                json!({"qry_tp": "2", "dmst_stex_tp": "KRX"}),
                "acnt_evlt_remn_indv_tot",
            )
            .await?;
        Ok(wire::holdings(&rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_go_back_padded_as_kiwoom_wrote_them() {
        let no = OrderNo::new("0000455").unwrap();
        assert_eq!(wire_no(&no, Market::Domestic), "0000455");
        assert_eq!(wire_no(&no, Market::DomesticCredit), "0000455");
        assert_eq!(
            wire_no(&OrderNo::new("50").unwrap(), Market::Us),
            "000000050"
        );
    }
}
