//! The spec, indexed the way the simulator looks things up: REST TRs by api-id, realtime
//! types by their `type` code, condition-search TRs by `trnm`, error texts by code.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use codegen::spec::{Market, Spec, Tr, Transport};

/// A TR answered over HTTP (REST or OAuth).
#[derive(Debug)]
pub struct RestTr {
    pub tr: Tr,
    pub market: Market,
}

#[derive(Debug, Default)]
pub struct Catalog {
    pub rest: HashMap<String, Arc<RestTr>>,
    /// The OAuth TR served at each OAuth path (`/oauth2/token` -> au10001): Kiwoom accepts
    /// these calls without an `api-id` header.
    pub oauth_by_path: HashMap<String, String>,
    /// Realtime types registered with REG, by `type` code (`0B`, `FE`).
    pub realtime: HashMap<String, (Market, Arc<Tr>)>,
    /// Condition-search TRs (`trnm` set), in spec order.
    pub conditions: Vec<(Market, Arc<Tr>)>,
    /// Korean error texts from errors.yaml, `{?}` marking each argument.
    pub errors: HashMap<u32, String>,
}

impl Catalog {
    pub fn from_spec(spec: &Spec) -> Catalog {
        let mut catalog = Catalog::default();
        for (_, group, tr) in spec.trs() {
            match tr.transport {
                Transport::Rest | Transport::Oauth => {
                    if tr.transport == Transport::Oauth {
                        catalog.oauth_by_path.insert(tr.path.clone(), tr.id.clone());
                    }
                    catalog.rest.insert(
                        tr.id.clone(),
                        Arc::new(RestTr {
                            tr: tr.clone(),
                            market: group.market,
                        }),
                    );
                }
                Transport::Realtime => {
                    let kind = tr
                        .realtime
                        .as_ref()
                        .map_or_else(|| tr.id.clone(), |r| r.kind.clone());
                    catalog
                        .realtime
                        .insert(kind, (group.market, Arc::new(tr.clone())));
                }
                Transport::ConditionSearch => catalog
                    .conditions
                    .push((group.market, Arc::new(tr.clone()))),
            }
        }
        for e in &spec.errors.errors {
            catalog.errors.insert(e.code, e.korean.clone());
        }
        catalog
    }

    /// The condition-search TR for a `trnm` on one market. CNSRREQ is shared by the one-shot
    /// search (no realtime part) and the realtime registration (realtime part set).
    pub fn condition(
        &self,
        market: Market,
        trnm: &str,
        realtime: Option<bool>,
    ) -> Option<&Arc<Tr>> {
        self.conditions
            .iter()
            .filter(|(m, tr)| *m == market && tr.trnm.as_deref() == Some(trnm))
            .map(|(_, tr)| tr)
            .find(|tr| realtime.is_none_or(|rt| tr.realtime.is_some() == rt))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot load the spec from {dir}: {message}")]
pub struct SpecError {
    pub dir: PathBuf,
    pub message: String,
}

/// Load and index a spec directory once per process; later servers share it. `None` is
/// the spec bundled into the binary at build time (the workspace `spec/` it was built
/// from), so an installed binary needs no source tree.
pub fn load(dir: Option<&Path>) -> Result<Arc<Catalog>, SpecError> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<Catalog>>>> = OnceLock::new();
    let key = dir.map_or_else(
        || PathBuf::from(crate::embedded_spec::ORIGIN),
        Path::to_path_buf,
    );
    let cache = CACHE.get_or_init(Default::default);
    let mut guard = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(catalog) = guard.get(&key) {
        return Ok(catalog.clone());
    }
    let loaded = match dir {
        Some(d) => Spec::load(d),
        None => crate::embedded_spec::load(),
    };
    let spec = loaded.map_err(|e| SpecError {
        dir: key.clone(),
        message: e.to_string(),
    })?;
    let catalog = Arc::new(Catalog::from_spec(&spec));
    guard.insert(key, catalog.clone());
    Ok(catalog)
}
