//! Menu groups: Kiwoom's `메뉴 위치` (`국내주식 > 차트 > ...`) -> market, category slug and title.
//! A category Kiwoom adds later falls back to a slug from its position and is reported.

use crate::spec::{Group, Market};

use super::report::Report;

/// Korean category -> (slug, English noun phrase).
const CATEGORIES: &[(&str, &str, &str)] = &[
    ("접근토큰발급", "token-issue", "access token issue"),
    ("접근토큰폐기", "token-revoke", "access token revocation"),
    ("계좌", "account", "accounts"),
    ("종목정보", "stock-info", "stock information"),
    ("시세", "market-data", "market data"),
    ("순위정보", "ranking", "rankings"),
    ("차트", "chart", "charts"),
    ("실시간시세", "realtime", "realtime quotes"),
    ("ELW", "elw", "ELW"),
    ("ETF", "etf", "ETF"),
    ("주문", "order", "orders"),
    ("업종", "sector", "sectors"),
    ("대차거래", "stock-lending", "stock lending"),
    ("조건검색", "condition-search", "condition search"),
    ("신용주문", "credit-order", "credit orders"),
    (
        "기관/외국인",
        "institution-foreign",
        "institutional and foreign investors",
    ),
    ("관심종목", "watchlist", "watchlists"),
    ("테마", "theme", "themes"),
    ("공매도", "short-selling", "short selling"),
    ("환전", "exchange", "currency exchange"),
    ("업종", "sector", "sectors"),
    ("투자정보", "investment-info", "investment information"),
];

pub fn market_of(major: &str) -> Option<Market> {
    match major.trim() {
        "OAuth 인증" => Some(Market::Oauth),
        "국내주식" => Some(Market::Domestic),
        "미국주식" => Some(Market::Us),
        _ => None,
    }
}

pub fn market_slug(market: Market) -> &'static str {
    match market {
        Market::Oauth => "oauth",
        Market::Domestic => "domestic",
        Market::Us => "us",
    }
}

/// The group of a TR from its menu path (`국내주식 > 차트 > 주식일봉차트조회요청(ka10081)`).
pub fn group_of(menu: &str, api_id: &str, report: &mut Report) -> Option<Group> {
    let parts: Vec<&str> = menu.split('>').map(str::trim).collect();
    if parts.len() < 2 {
        report.add(
            "unknown-group",
            format!("{api_id}: menu path `{menu}` has no category"),
        );
        return None;
    }
    let (major, category) = (parts[0], parts[1]);
    let Some(market) = market_of(major) else {
        report.add(
            "unknown-group",
            format!("{api_id}: unknown market `{major}`"),
        );
        return None;
    };
    let (slug, noun) = match CATEGORIES.iter().find(|(k, _, _)| *k == category) {
        Some((_, slug, noun)) => (slug.to_string(), noun.to_string()),
        None => {
            report.add(
                "unknown-group",
                format!("{api_id}: category `{category}` has no English slug; add it to groups.rs"),
            );
            let slug: String = category
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase();
            let slug = if slug.is_empty() {
                format!("category-{}", api_id.to_lowercase())
            } else {
                slug
            };
            (slug.clone(), slug)
        }
    };
    let market_slug = market_slug(market);
    let english = match market {
        Market::Oauth => format!("OAuth {noun}"),
        Market::Domestic => format!("Domestic stock {noun}"),
        Market::Us => format!("US stock {noun}"),
    };
    Some(Group {
        id: format!("{market_slug}-{slug}"),
        market,
        category: slug,
        korean: format!("{major} > {category}"),
        english,
    })
}
