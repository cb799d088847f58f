//! A connection manager with timeouts that notice an outage quickly.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// Connect with the defaults of [`connect_with`]: 1 s to connect, 1 s per answer, one
/// reconnection attempt per failed command (the manager keeps reconnecting afterwards).
pub async fn connect(url: &str) -> redis::RedisResult<ConnectionManager> {
    connect_with(
        url,
        ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(1))
            .set_response_timeout(Duration::from_secs(1))
            .set_number_of_retries(1)
            .set_max_delay(200),
    )
    .await
}

/// Connect with an explicit configuration. Redis must be reachable now; later outages are
/// handled by the store and limiter (see [`crate::OutagePolicy`]).
pub async fn connect_with(
    url: &str,
    config: ConnectionManagerConfig,
) -> redis::RedisResult<ConnectionManager> {
    let client = redis::Client::open(url)?;
    ConnectionManager::new_with_config(client, config).await
}
