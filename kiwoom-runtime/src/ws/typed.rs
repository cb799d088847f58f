//! Subscriptions by type: `session.subscribe::<StockTrade>(["005930"])`. The type carries
//! its id, market, item kind and delivery class, so user code never writes any of them.

use super::delivery::delivery_of;
use super::driver::lock;
use super::frames::WsItem;
use super::session::RealtimeSession;
use super::subscribe::{GroupNo, Refresh, plan, plan_account};
use crate::error::Error;
use crate::tr::{
    AccountRealtimeType, ItemRealtimeType, RealtimeItemKind, RealtimeType, ValidationError,
    ValidationProblem,
};

/// A subscription refused before anything was sent: names the type and why.
fn refused<T: RealtimeType>(field: &'static str, reason: String) -> Error {
    Error::Validation(ValidationError {
        api_id: T::TYPE,
        field,
        rust_name: std::any::type_name::<T>(),
        problem: ValidationProblem::Invalid { reason },
    })
}

impl RealtimeSession {
    /// The checks every typed subscription passes before anything is sent.
    fn check_type<T: RealtimeType>(&self) -> Result<(), Error> {
        if T::MARKET != self.market {
            return Err(refused::<T>(
                "type",
                format!(
                    "{} ({}) is a {:?} realtime type; this is the {:?} WebSocket session",
                    T::TYPE,
                    T::KOREAN_NAME,
                    T::MARKET,
                    self.market
                ),
            ));
        }
        if T::ITEM == RealtimeItemKind::ConditionSearch {
            return Err(refused::<T>(
                "type",
                format!(
                    "{} hits come from a realtime condition search (CNSRREQ), not REG",
                    T::TYPE
                ),
            ));
        }
        self.router
            .set_delivery(T::TYPE, delivery_of(T::TYPE, T::ITEM));
        Ok(())
    }

    fn items_of<T: RealtimeType, I>(items: I) -> Result<Vec<WsItem>, Error>
    where
        I: IntoIterator,
        I::Item: Into<WsItem>,
    {
        let items: Vec<WsItem> = items.into_iter().map(Into::into).collect();
        let us = T::ITEM == RealtimeItemKind::UsSymbol;
        for item in &items {
            let fits = match item {
                WsItem::Code(code) => !us && !code.trim().is_empty(),
                WsItem::Us { jmcode, .. } => us && !jmcode.trim().is_empty(),
            };
            if !fits {
                let wanted = if us {
                    "a US symbol (`WsItem::us(\"NVDA\", exchange)`)"
                } else {
                    "a non-empty stock or sector code"
                };
                return Err(refused::<T>(
                    "item",
                    format!("{item:?}: {} takes {wanted}", T::TYPE),
                ));
            }
        }
        Ok(items)
    }

    /// Subscribe realtime type `T` for `items` (stock or sector codes, or
    /// [`WsItem::us`](super::WsItem::us) symbols for US types), keeping every earlier
    /// registration. The session places the items into groups it allocates (numbers from
    /// 1000 up), at most 100 per group, splitting larger lists; items already subscribed
    /// for `T` are left alone. A type of the other market, or items of the wrong kind,
    /// are refused before anything is sent. Restored after every reconnect.
    ///
    /// When one of several REGs is refused, the groups before it stay registered and the
    /// error is returned.
    pub async fn subscribe<T: ItemRealtimeType>(
        &self,
        items: impl IntoIterator<Item = impl Into<WsItem>>,
    ) -> Result<(), Error> {
        self.check_type::<T>()?;
        let items = Self::items_of::<T, _>(items)?;
        let _placing = self.placing.lock().await;
        let regs = plan(&lock(&self.registry), T::TYPE, &items)
            .map_err(|reason| refused::<T>("grp_no", reason))?;
        for (grp_no, items) in regs {
            self.reg(false, grp_no, items, vec![T::TYPE.to_owned()], true)
                .await?;
        }
        Ok(())
    }

    /// Subscribe `T` for `items` in a group you manage (`grp_no` below 1000), with
    /// Kiwoom's refresh semantics made explicit: [`Refresh::Keep`] adds to the group,
    /// [`Refresh::Replace`] first removes every earlier registration of the group (every
    /// type). More than 100 items in the group is refused before sending.
    pub async fn subscribe_in<T: ItemRealtimeType>(
        &self,
        group: GroupNo,
        items: impl IntoIterator<Item = impl Into<WsItem>>,
        refresh: Refresh,
    ) -> Result<(), Error> {
        self.check_type::<T>()?;
        let items = Self::items_of::<T, _>(items)?;
        self.reg(
            false,
            group.to_string(),
            items,
            vec![T::TYPE.to_owned()],
            refresh.keeps(),
        )
        .await
    }

    /// Subscribe the account-wide type `T` (order fills, balance): its events come for
    /// every order of the token's account. Nothing is sent if it is subscribed already.
    /// Delivered losslessly: never conflated, never dropped.
    pub async fn subscribe_account<T: AccountRealtimeType>(&self) -> Result<(), Error> {
        self.check_type::<T>()?;
        let _placing = self.placing.lock().await;
        let group = plan_account(&lock(&self.registry), T::TYPE)
            .map_err(|reason| refused::<T>("grp_no", reason))?;
        match group {
            Some(grp_no) => {
                self.reg(false, grp_no, Vec::new(), vec![T::TYPE.to_owned()], true)
                    .await
            }
            None => Ok(()),
        }
    }

    /// Subscribe the account-wide type `T` in a group you manage (see
    /// [`subscribe_in`](Self::subscribe_in)).
    pub async fn subscribe_account_in<T: AccountRealtimeType>(
        &self,
        group: GroupNo,
        refresh: Refresh,
    ) -> Result<(), Error> {
        self.check_type::<T>()?;
        self.reg(
            false,
            group.to_string(),
            Vec::new(),
            vec![T::TYPE.to_owned()],
            refresh.keeps(),
        )
        .await
    }

    /// Stop `T` for `items`, in whichever groups hold them (yours and the session's).
    /// Items not subscribed for `T` are ignored.
    pub async fn unsubscribe<T: ItemRealtimeType>(
        &self,
        items: impl IntoIterator<Item = impl Into<WsItem>>,
    ) -> Result<(), Error> {
        if T::MARKET != self.market {
            return Err(refused::<T>(
                "type",
                format!("{} is not a {:?} realtime type", T::TYPE, self.market),
            ));
        }
        let items = Self::items_of::<T, _>(items)?;
        let _placing = self.placing.lock().await;
        let groups = lock(&self.registry).groups_of(T::TYPE);
        for (grp_no, held) in groups {
            let here: Vec<WsItem> = items.iter().filter(|i| held.contains(i)).cloned().collect();
            if !here.is_empty() {
                self.reg(true, grp_no, here, vec![T::TYPE.to_owned()], true)
                    .await?;
            }
        }
        Ok(())
    }

    /// Stop the account-wide type `T` in every group that holds it.
    pub async fn unsubscribe_account<T: AccountRealtimeType>(&self) -> Result<(), Error> {
        if T::MARKET != self.market {
            return Err(refused::<T>(
                "type",
                format!("{} is not a {:?} realtime type", T::TYPE, self.market),
            ));
        }
        let _placing = self.placing.lock().await;
        let groups = lock(&self.registry).groups_of(T::TYPE);
        for (grp_no, _) in groups {
            self.reg(true, grp_no, Vec::new(), vec![T::TYPE.to_owned()], true)
                .await?;
        }
        Ok(())
    }
}
