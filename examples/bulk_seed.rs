//! Write N generated parameters under /bench/bulk through clawboot's SSM write path (compare
//! first, 8 at a time, standard retries): what `secrets seed` does, at a size the catalog
//! never reaches. Used by scripts/bench_ssm.py.
//!
//! usage: bulk_seed ENDPOINT_URL COUNT   (credentials from the environment)

use clawboot::secrets::check::Shape;
use clawboot::secrets::ops::{self, Write};
use clawboot::secrets::ssm::Store;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let endpoint = args.next().expect("ENDPOINT_URL");
    let count: usize = args.next().expect("COUNT").parse()?;
    let store = Store::connect("ap-northeast-1", "", Some(&endpoint)).await;
    let writes = (0..count)
        .map(|i| Write {
            name: format!("P{i:03}"),
            path: format!("/bench/bulk/P{i:03}"),
            description: "benchmark".into(),
            value: Shape::GatewayToken.generate().expect("generated shape"),
            keep_previous: false,
        })
        .collect();
    let report = ops::write_all(&store, writes).await;
    anyhow::ensure!(report.failed.is_empty(), "{:?}", report.failed);
    println!("{} written", report.written.len());
    Ok(())
}
