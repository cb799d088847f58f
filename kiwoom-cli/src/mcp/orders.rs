//! Orders over MCP: prepared first (validated, nothing sent, a one-time token returned),
//! sent only by a confirm carrying that token, and at most once per client order id.
//!
//! Kiwoom's order TRs carry no client order id, so the id lives here, in this server's
//! memory: it ties a confirm to what was prepared and makes a retried confirm (an agent that
//! lost the answer, a client that resent the request) return the first outcome instead of
//! placing the order again. A restarted server knows no id and no token, so nothing prepared
//! before it can be sent after it.

use std::collections::HashMap;

use serde_json::Value as Json;

/// What was prepared under one client order id, and what became of it.
#[derive(Debug)]
struct Entry {
    api_id: &'static str,
    /// The validated request, serialized: what the user was shown and what is sent.
    body: Json,
    token: String,
    state: State,
}

#[derive(Debug, Clone)]
enum State {
    Prepared,
    /// A confirm is sending it now.
    Sending,
    Done(Outcome),
}

/// How a sent order ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Kiwoom answered: the wire body (with the order number).
    Placed(Json),
    /// Refused before or by Kiwoom: nothing was placed.
    Rejected(String),
    /// The answer was lost after the request may have reached Kiwoom: it may have been
    /// placed. Never resent.
    Unknown(String),
}

/// What a confirm must do.
#[derive(Debug, PartialEq)]
pub enum Confirm {
    /// Send this, then report with [`Orders::finish`].
    Send { api_id: &'static str, body: Json },
    /// Already sent (or refused): the first outcome, not sent again.
    Done {
        api_id: &'static str,
        outcome: Outcome,
    },
    /// Another confirm of the same id is sending it right now: not sent again.
    InFlight,
}

/// Why a prepare or a confirm was refused (nothing was sent).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "client order id `{0}` is already used by another prepared order; use a new id for a new order"
    )]
    IdInUse(String),
    #[error("client order id `{0}` was not prepared (call order_prepare first)")]
    Unknown(String),
    #[error("the confirmation token does not match the one order_prepare returned for `{0}`")]
    WrongToken(String),
}

/// Every order this server prepared, by client order id.
#[derive(Debug, Default)]
pub struct Orders {
    by_id: HashMap<String, Entry>,
}

impl Orders {
    /// Record a prepared order and return its token. Preparing the same order under the same
    /// id again (a retried prepare) returns the same token; a different order under a used
    /// id is refused.
    pub fn prepare(
        &mut self,
        client_order_id: &str,
        api_id: &'static str,
        body: Json,
        new_token: impl FnOnce() -> String,
    ) -> Result<String, Refusal> {
        if let Some(e) = self.by_id.get(client_order_id) {
            return if e.api_id == api_id && e.body == body && matches!(e.state, State::Prepared) {
                Ok(e.token.clone())
            } else {
                Err(Refusal::IdInUse(client_order_id.to_owned()))
            };
        }
        let token = new_token();
        self.by_id.insert(
            client_order_id.to_owned(),
            Entry {
                api_id,
                body,
                token: token.clone(),
                state: State::Prepared,
            },
        );
        Ok(token)
    }

    /// A confirm: the first with the right token sends; every later one gets the outcome.
    pub fn confirm(&mut self, client_order_id: &str, token: &str) -> Result<Confirm, Refusal> {
        let e = self
            .by_id
            .get_mut(client_order_id)
            .ok_or_else(|| Refusal::Unknown(client_order_id.to_owned()))?;
        if e.token != token {
            return Err(Refusal::WrongToken(client_order_id.to_owned()));
        }
        Ok(match &e.state {
            State::Prepared => {
                e.state = State::Sending;
                Confirm::Send {
                    api_id: e.api_id,
                    body: e.body.clone(),
                }
            }
            State::Sending => Confirm::InFlight,
            State::Done(outcome) => Confirm::Done {
                api_id: e.api_id,
                outcome: outcome.clone(),
            },
        })
    }

    /// Record how the send of `client_order_id` ended.
    pub fn finish(&mut self, client_order_id: &str, outcome: Outcome) {
        if let Some(e) = self.by_id.get_mut(client_order_id) {
            e.state = State::Done(outcome);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn prepared(orders: &mut Orders, id: &str) -> String {
        let token = format!("token-{id}");
        orders
            .prepare(id, "kt10000", json!({"ord_qty": "1"}), || token)
            .expect("prepared")
    }

    #[test]
    fn a_confirm_sends_once_and_later_confirms_get_the_first_outcome() {
        let mut orders = Orders::default();
        let token = prepared(&mut orders, "a");
        assert_eq!(
            orders.confirm("a", &token),
            Ok(Confirm::Send {
                api_id: "kt10000",
                body: json!({"ord_qty": "1"})
            })
        );
        // While the first is sending, and after it ended: never a second send.
        assert_eq!(orders.confirm("a", &token), Ok(Confirm::InFlight));
        let placed = Outcome::Placed(json!({"ord_no": "0000001"}));
        orders.finish("a", placed.clone());
        assert_eq!(
            orders.confirm("a", &token),
            Ok(Confirm::Done {
                api_id: "kt10000",
                outcome: placed
            })
        );
        // The id cannot be prepared again, even for the same order.
        assert_eq!(
            orders.prepare("a", "kt10000", json!({"ord_qty": "1"}), || "t2".into()),
            Err(Refusal::IdInUse("a".into()))
        );
    }

    #[test]
    fn an_unknown_outcome_is_never_resent() {
        let mut orders = Orders::default();
        let token = prepared(&mut orders, "u");
        assert!(matches!(
            orders.confirm("u", &token),
            Ok(Confirm::Send { .. })
        ));
        orders.finish("u", Outcome::Unknown("timeout".into()));
        assert_eq!(
            orders.confirm("u", &token),
            Ok(Confirm::Done {
                api_id: "kt10000",
                outcome: Outcome::Unknown("timeout".into())
            })
        );
    }

    #[test]
    fn wrong_tokens_unknown_ids_and_reused_ids_are_refused() {
        let mut orders = Orders::default();
        let token = prepared(&mut orders, "b");
        assert_eq!(
            orders.confirm("b", "guess"),
            Err(Refusal::WrongToken("b".into()))
        );
        assert_eq!(
            orders.confirm("c", &token),
            Err(Refusal::Unknown("c".into()))
        );
        // A retried prepare of the same order keeps its token; another order is refused.
        assert_eq!(
            orders.prepare("b", "kt10000", json!({"ord_qty": "1"}), || "new".into()),
            Ok(token.clone())
        );
        assert_eq!(
            orders.prepare("b", "kt10000", json!({"ord_qty": "2"}), || "new".into()),
            Err(Refusal::IdInUse("b".into()))
        );
        // The refusals sent nothing: the first confirm still sends.
        assert!(matches!(
            orders.confirm("b", &token),
            Ok(Confirm::Send { .. })
        ));
    }
}
