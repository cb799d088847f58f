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

/// Domestic cash orders and the account queries, through one client (whose token names
/// the account).
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

impl Broker for KiwoomBroker {
    async fn place(&self, intent: &OrderIntent) -> Result<Placed, BrokerError> {
        if intent.market != Market::Domestic {
            return Err(BrokerError::NotSent(format!(
                "{:?} orders are not wired in KiwoomBroker yet",
                intent.market
            )));
        }
        let api_id = match intent.side {
            Side::Buy => "kt10000",
            Side::Sell => "kt10001",
        };
        let body = json!({
            "dmst_stex_tp": intent.venue.clone().unwrap_or_else(|| self.venue.clone()),
            "stk_cd": intent.stock,
            "ord_qty": intent.quantity.to_string(),
            "ord_uv": intent.price.map(amount).unwrap_or_default(),
            // 0 = limit (보통), 3 = market (시장가)
            "trde_tp": if intent.price.is_some() { "0" } else { "3" },
            "cond_uv": "",
        });
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
        let body = json!({
            "dmst_stex_tp": order.intent.venue.clone().unwrap_or_else(|| self.venue.clone()),
            "orig_ord_no": orig.as_str(),
            "stk_cd": order.intent.stock,
            "mdfy_qty": quantity.to_string(),
            "mdfy_uv": amount(price),
            "mdfy_cond_uv": "",
        });
        self.order("kt10002", body).await
    }

    async fn cancel(
        &self,
        order: &Order,
        orig: &OrderNo,
        quantity: u64,
    ) -> Result<Placed, BrokerError> {
        let body = json!({
            "dmst_stex_tp": order.intent.venue.clone().unwrap_or_else(|| self.venue.clone()),
            "orig_ord_no": orig.as_str(),
            "stk_cd": order.intent.stock,
            "cncl_qty": quantity.to_string(),
        });
        self.order("kt10003", body).await
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
