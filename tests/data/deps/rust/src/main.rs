use std::sync::Arc;
use rustls::ClientConfig;

fn main() {
    let _ = Arc::new(ClientConfig::builder());
}
