//! Order facts the generator and the runtime read from the spec instead of guessing from
//! English names: what an order TR does (from Kiwoom's Korean name) and the part each of
//! its fields plays (from Kiwoom's wire names, the same in every order TR).

use crate::spec::{Field, FieldRole, OrderAction, Safety, Tr, Transport};

use super::report::Report;

/// Wire names and their part in an order TR's request.
const REQUEST_ROLES: &[(&str, FieldRole)] = &[
    ("stk_cd", FieldRole::StockCode),
    ("ord_qty", FieldRole::Quantity),
    ("mdfy_qty", FieldRole::Quantity),
    ("cncl_qty", FieldRole::Quantity),
    ("ord_uv", FieldRole::Price),
    ("mdfy_uv", FieldRole::Price),
    ("cond_uv", FieldRole::StopPrice),
    ("mdfy_cond_uv", FieldRole::StopPrice),
    ("stop_pric", FieldRole::StopPrice),
    ("orig_ord_no", FieldRole::OriginalOrderNumber),
];

/// The same for an order TR's answer.
const RESPONSE_ROLES: &[(&str, FieldRole)] = &[
    ("ord_no", FieldRole::OrderNumber),
    ("base_orig_ord_no", FieldRole::OriginalOrderNumber),
];

/// Mark an order TR and its fields; other TRs are left alone.
pub fn apply(tr: &mut Tr, report: &mut Report) {
    if tr.safety != Safety::OrderWrite || tr.transport != Transport::Rest {
        return;
    }
    let name = &tr.korean_name;
    let action = if name.contains("취소") {
        OrderAction::Cancel
    } else if name.contains("정정") {
        OrderAction::Amend
    } else if name.contains("매수") {
        OrderAction::Buy
    } else if name.contains("매도") {
        OrderAction::Sell
    } else {
        report.add(
            "order-action",
            format!(
                "{}: `{name}` moves money but is not a buy, sell, amendment or cancellation",
                tr.id
            ),
        );
        OrderAction::Other
    };
    tr.order = Some(action);
    mark(&mut tr.request, REQUEST_ROLES);
    mark(&mut tr.response, RESPONSE_ROLES);
}

fn mark(fields: &mut [Field], roles: &[(&str, FieldRole)]) {
    for f in fields {
        if let Some((_, role)) = roles.iter().find(|(wire, _)| *wire == f.wire) {
            f.role = Some(*role);
        }
    }
}
