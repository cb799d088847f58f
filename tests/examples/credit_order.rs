//! A credit (margin loan, 신용 융자) buy and its repayment sell, with the account's holding
//! and credit balance read before and after each.
//!
//! ```sh
//! cargo run --example credit_order                   # the bundled simulator, no credentials
//! cargo run --example credit_order -- --mock         # Kiwoom's mock server (KIWOOM_APP_KEY/SECRET_KEY)
//! cargo run --example credit_order -- --real --allow-real-orders   # real money: asked for twice
//! ```
//!
//! A credit buy (kt10006) borrows the purchase money from the broker; selling those shares
//! with kt10007 and credit deal type 33 (융자) repays that loan, naming the loan date the
//! holding shows (kt00018 `loan_dt`). A cash sell (kt10001) would not repay it.

#[path = "common/target.rs"]
pub mod target;

use kiwoom_generated::domestic_account::{
    AccountEvaluationBalanceQueryType, AccountEvaluationBalanceRequest, KrxOrNxt,
};
use kiwoom_generated::domestic_credit_order::{
    BuyCreditStockRequest, CreditDealType, OrderVenue, SellCreditStockRequest, TradeType,
};
use kiwoom_generated::prelude::*;
use kiwoom_mock::MockConfig;
use target::{BoxError, Connection, Target};

const STOCK: &str = "005930";
const QUANTITY: u64 = 10;

/// The holding of one stock and the account's credit loans, as kt00018 shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holding {
    pub quantity: i64,
    /// The loan date of the credit holding (`loan_dt`), when the row is a credit one.
    pub loan_date: Option<chrono::NaiveDate>,
    /// `crd_tp_nm`: the row's credit kind (empty for cash).
    pub credit_kind: String,
    /// `tot_crd_loan_amt`: the account's credit loans in won.
    pub credit_loans: i64,
}

impl std::fmt::Display for Holding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let loan = self.loan_date.map_or("-".to_owned(), |d| d.to_string());
        write!(
            f,
            "{} x {STOCK} (credit kind '{}', loan date {loan}); account credit loans {} won",
            self.quantity, self.credit_kind, self.credit_loans
        )
    }
}

/// What the run did (the example's test checks it).
#[derive(Debug)]
pub struct Summary {
    pub before: Holding,
    pub after_buy: Holding,
    pub after_repayment: Holding,
    pub buy_order: Option<String>,
    pub repay_order: Option<String>,
}

pub async fn run(target: Target) -> Result<Summary, BoxError> {
    let connection = Connection::open(target, MockConfig::default()).await?;
    let client = &connection.client;

    let before = holding(client).await?;
    println!("before:          {before}");
    if !target.may_place_orders() {
        println!("no orders placed: --real needs --allow-real-orders");
        connection.close().await;
        return Ok(Summary {
            after_buy: before.clone(),
            after_repayment: before.clone(),
            before,
            buy_order: None,
            repay_order: None,
        });
    }

    // 1. Buy on credit at the market (trde_tp 3): the broker lends the purchase money.
    let buy = BuyCreditStockRequest::new(
        OrderVenue::Krx,
        STOCK,
        Quantity(QUANTITY),
        TradeType::Market,
    );
    let bought = client
        .domestic()
        .credit_order()
        .buy_credit_stock(buy)
        .await?;
    let buy_order = bought.order_number.map(|n| n.to_string());
    println!(
        "credit buy:      order {buy_order:?} ({:?})",
        bought.return_msg
    );

    let after_buy = holding(client).await?;
    println!("after the buy:   {after_buy}");

    // 2. Repay: sell the same shares with credit deal type 33 (융자), naming the loan's date.
    //    Kiwoom's holding row carries it; where it is missing, the loan is today's.
    let loan_date = after_buy.loan_date.unwrap_or_else(today_kst);
    let sell = SellCreditStockRequest::new(
        OrderVenue::Krx,
        STOCK,
        Quantity(QUANTITY),
        TradeType::Market,
        CreditDealType::MarginLoan,
    )
    .credit_loan_date(loan_date);
    let sold = client
        .domestic()
        .credit_order()
        .sell_credit_stock(sell)
        .await?;
    let repay_order = sold.order_number.map(|n| n.to_string());
    println!(
        "repayment sell:  order {repay_order:?} ({:?})",
        sold.return_msg
    );

    let after_repayment = holding(client).await?;
    println!("after repayment: {after_repayment}");

    connection.close().await;
    Ok(Summary {
        before,
        after_buy,
        after_repayment,
        buy_order,
        repay_order,
    })
}

/// kt00018 (계좌평가잔고내역): the row of `STOCK` (codes come as `A005930`) and the totals.
async fn holding(client: &Client) -> Result<Holding, BoxError> {
    let request = AccountEvaluationBalanceRequest::new(
        AccountEvaluationBalanceQueryType::Separate,
        KrxOrNxt::Krx,
    );
    let answer = client
        .domestic()
        .account()
        .account_evaluation_balance(request)
        .await?;
    let mut holding = Holding {
        credit_loans: answer.total_credit_loan_amount.unwrap_or_default(),
        ..Holding::default()
    };
    let rows = &answer.account_evaluation_balance_individual_total;
    for row in rows
        .iter()
        .filter(|r| r.stock_code.as_deref().map(|c| c.trim_start_matches('A')) == Some(STOCK))
    {
        holding.quantity += row.holding_quantity.unwrap_or_default();
        holding.loan_date = holding.loan_date.or(row.credit_loan_date);
        if let Some(kind) = row.credit_type_name.clone().filter(|k| !k.is_empty()) {
            holding.credit_kind = kind;
        }
    }
    Ok(holding)
}

fn today_kst() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&kiwoom_market::kst())
        .date_naive()
}

#[allow(dead_code)] // the example's test calls `run` and has its own entry point
#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (target, _) = Target::from_args(&args, &[])?;
    run(target).await.map(drop)
}
